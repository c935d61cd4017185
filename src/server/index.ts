/** The hub: falcon-pm's realtime server as a library. */
export { Hub, HUB_FEATURES, PROTOCOL_REVISION } from './hub';
export { HubError } from './hub-error';
export {
  type AgentInputHandler,
  type AgentInputMeta,
  type AgentInputRejection,
  MAX_ANSWERED_REQUESTS,
  INPUT_HANDLER_TIMEOUT_MS,
} from './agent-input-router';
export {
  inputWebhookHandler,
  signInputBody,
  SIGNATURE_HEADER,
  INPUT_ID_HEADER,
  type InputWebhookOptions,
} from './input-webhook';
export {
  AGENT_INPUT_ACTIONS,
  INPUT_SENT_EVENT,
  type AgentInput,
  type AgentInputAction,
  type InputSent,
} from '../shared/agent-input';
export type { HubOptions } from './options';
export { startHub, type RunningHub, type StandaloneHubOptions } from './standalone';
export { NO_CONNECTION_LIMITS } from './options';
export { createMetricsHandler, createRequestHandler, type RequestHandler } from './http-api';
export {
  MemoryEngine,
  DEFAULT_HISTORY,
  DEFAULT_MEMORY_LIMITS,
  type MemoryEngineOptions,
  type MemoryLimits,
} from './memory-engine';
export { DEFAULT_BOARD_RETENTION, type BoardRetention } from '../shared/board-retention';
export type { Engine, ChannelEvent, Recovery, OutputTail, EngineHealth, HistoryLimits } from './engine';
export {
  signToken,
  verifyToken,
  isKeyId,
  secretKey,
  mayAccess,
  mayAct,
  parseDuration,
  AuthError,
  KeyRing,
  DEFAULT_MAX_TOKEN_TTL_SECONDS,
  DEFAULT_TOKEN_TTL_SECONDS,
  type AuthFailure,
  type Principal,
  type TokenPolicy,
  type TokenRequest,
} from './auth';
