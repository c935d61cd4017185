/** The hub: falcon-pm's realtime server as a library. Public API is exported from here. */
export {};
