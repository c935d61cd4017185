/** The client core: one reconnecting connection to the hub, runtime-agnostic. */
export {
  ReconnectingConnection,
  type ConnectionOptions,
  type ConnectionStats,
  type SubscriptionHandle,
} from './reconnecting-connection';
export type { ConnectionState, ConnectionStatus, CloseInfo } from '../shared/connection-state';
export type { Delivery } from './delivery';
export type { SubscribeOptions } from './subscription-registry';
export type { WebSocketLike, WebSocketFactory } from './websocket-like';
export { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
export { ListenerSet } from './listener-set';
