/**
 * The client core: one reconnecting connection to the hub, runtime-agnostic.
 * The desktop app's main process, the web edition and the CLI import it only
 * through this module (enforced by lint).
 */
export { ReconnectingConnection, type ConnectionStats, type SubscriptionHandle } from './reconnecting-connection';
export { type ConnectionOptions, INPUT_ANSWER_TIMEOUT_MS, resolveConnectionOptions } from './connection-options';
export { InputClientCode, type InputOutcome, type AgentInput } from '../shared/agent-input';
export { ChannelStore, DEFAULT_OUTPUT_TAIL, type OutputTailLimits } from './channel-store';
export {
  DeliveryBatcher,
  DEFAULT_DELIVERY_BATCH,
  type DeliveryBatcherOptions,
  type DeliveryPace,
} from './delivery-batcher';
export type { ConnectionState, ConnectionStatus, CloseInfo } from '../shared/connection-state';
export type { Delivery, SubscribeOptions } from '../shared/delivery';
export { nodeWebSocket, type NodeWebSocketLike, type WebSocketLike, type WebSocketFactory } from './websocket-like';
export { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
export { ListenerSet } from './listener-set';
