/** Where the connection stands; every change is observable through `onState`. */
export type ConnectionStatus =
  /** Created, not started. */
  | 'idle'
  /** Opening a socket (and waiting for the hub's `connected`). */
  | 'connecting'
  | 'open'
  /** Waiting `retryAt` before attempt number `attempt`. */
  | 'reconnecting'
  /** The token was refused: retried only when the token changes, or slowly (`retryAt`). */
  | 'authFailed'
  /** The network is down (as the host told us); nothing is tried until it returns or `wake()`. */
  | 'offline'
  /** Closed for good by `close()`. */
  | 'closed';

export interface CloseInfo {
  code: number;
  reason: string;
}

export interface ConnectionState {
  status: ConnectionStatus;
  /** The server URL in use or next to try (without the token). */
  url: string | null;
  /** Failed attempts since the last connection that stayed up. */
  attempt: number;
  /** When the next attempt is due (ms since epoch), in `reconnecting` and `authFailed`. */
  retryAt: number | null;
  /** The hub's id for this connection, when open. */
  clientId: string | null;
  /** How the last connection ended. */
  lastClose: CloseInfo | null;
  /** False when the hub does not send offsets (a seed-exact server): no resume, only `gap` notices. */
  resumable: boolean;
  /**
   * Who the hub says this connection is (its token's subject), from the last
   * `connected`; null before the first or from a hub that does not say.
   */
  user: string | null;
  /**
   * Channel globs whose agents this connection may answer (the token's
   * `actOn`), from the last `connected`; null when the hub does not say
   * (answers are then tried and the hub's refusal shown).
   */
  actOn: string[] | null;
}

export const INITIAL_STATE: ConnectionState = {
  status: 'idle',
  url: null,
  attempt: 0,
  retryAt: null,
  clientId: null,
  lastClose: null,
  resumable: true,
  user: null,
  actOn: null,
};
