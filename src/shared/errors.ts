/**
 * Stable error and close codes shared by the hub and its clients.
 * Tests assert these codes, never the wording; docs/protocol.md lists them all.
 */
export const ErrorCode = {
  // The frame itself.
  InvalidJson: 'invalid_json',
  InvalidMessage: 'invalid_message',
  UnknownType: 'unknown_type',
  InvalidChannel: 'invalid_channel',
  InvalidEvent: 'invalid_event',
  MessageTooLarge: 'message_too_large',
  TooDeep: 'too_deep',
  ForbiddenKey: 'forbidden_key',
  // What the frame asks for.
  Forbidden: 'forbidden',
  RateLimited: 'rate_limited',
  TooManySubscriptions: 'too_many_subscriptions',
  /** Extension: a `subscribe`/`focus` asked for more than MAX_URGENT_CHANNELS urgent channels. */
  TooManyUrgent: 'too_many_urgent',
  /** Extension: a `focus` named a channel this connection is not subscribed to. */
  NotSubscribed: 'not_subscribed',
  // HTTP API and hub state.
  InvalidRequest: 'invalid_request',
  Unauthorized: 'unauthorized',
  TokenExpired: 'token_expired',
  TooManyConnections: 'too_many_connections',
  NotFound: 'not_found',
  Unavailable: 'unavailable',
  Internal: 'internal',
  // Answering agents (extension: docs/protocol.md, "Answering agents").
  InvalidInput: 'invalid_input',
  InvalidChoice: 'invalid_choice',
  UnknownAgent: 'unknown_agent',
  AlreadyAnswered: 'already_answered',
  RequestNotPending: 'request_not_pending',
  InputRejected: 'input_rejected',
  InputUnavailable: 'input_unavailable',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface ProtocolError {
  code: ErrorCode;
  message: string;
}

export function protocolError(code: ErrorCode, message: string): ProtocolError {
  return { code, message };
}

/** WebSocket close codes the hub uses (RFC 6455 plus the private 4000–4999 range). */
export const CloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  UnsupportedData: 1003,
  PolicyViolation: 1008,
  MessageTooBig: 1009,
  InternalError: 1011,
  /** The hub lost its event feed (Redis) and got it back: reconnect and resume. */
  ServiceRestart: 1012,
  /** The token expired while connected; reconnect with a fresh token. */
  TokenExpired: 4001,
  /** The token was rejected; do not retry with the same token. */
  Unauthorized: 4003,
  /** The client read too slowly; reconnect and resume. */
  SlowConsumer: 4008,
  /**
   * Never sent by the hub: the client core closes (and reports) an attempt
   * that did not open within `connectTimeoutMs` with this code.
   */
  ConnectTimeout: 4900,
  /** Never sent by the hub: the client core declares a connection dead after a missed pong with this code. */
  HeartbeatTimeout: 4901,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/**
 * Close codes after which retrying with the same token cannot succeed. A
 * refused upgrade (HTTP 401) has no close frame; `nodeWebSocket` reports it
 * as `Unauthorized`, browsers hide it (the client core probes instead).
 */
export const AUTH_CLOSE_CODES: ReadonlySet<number> = new Set([CloseCode.TokenExpired, CloseCode.Unauthorized]);
