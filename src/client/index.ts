/** The client core: one reconnecting connection, runtime-agnostic. Public API is exported from here. */
export {};
