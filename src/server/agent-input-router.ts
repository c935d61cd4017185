import type { AgentInput } from '../shared/agent-input';
import { ErrorCode } from '../shared/errors';
import { HubError } from './hub-error';

/** What the hub tells an input handler besides the input itself. */
export interface AgentInputMeta {
  inputId: string;
  agentId: string;
  /** The sender's token subject. */
  by: string;
  /** When the hub took the input (ms since epoch). */
  at: number;
}

/** A handler's refusal: the sender gets `input_rejected` with this message. */
export interface AgentInputRejection {
  reject: string;
}

/**
 * Delivers an input to falcon-pm: resolve (or return nothing) to accept it;
 * throw, or return `{reject: message}`, to refuse it.
 */
export type AgentInputHandler = (
  input: AgentInput,
  meta: AgentInputMeta,
) => void | AgentInputRejection | Promise<void | AgentInputRejection>;

/** Answered request ids remembered per hub (oldest forgotten first). */
export const MAX_ANSWERED_REQUESTS = 10_000;
/** How long a handler may take before the sender is told `input_unavailable`. */
export const INPUT_HANDLER_TIMEOUT_MS = 10_000;
/** Longest rejection message passed on to the sender. */
const MAX_REJECTION_LENGTH = 500;

/**
 * The hub's side of answering agents: the one handler inputs go to, and the
 * request ids already answered (or being answered), so that the first answer
 * to a request wins and every later one gets `already_answered`.
 */
export class AgentInputRouter {
  private handler: AgentInputHandler | null = null;
  /** Request keys taken, in the order taken: a Map keeps insertion order, so the oldest is evicted first. */
  private readonly taken = new Map<string, 'pending' | 'answered'>();

  constructor(
    private readonly maxAnswered = MAX_ANSWERED_REQUESTS,
    private readonly timeoutMs = INPUT_HANDLER_TIMEOUT_MS,
  ) {}

  get hasHandler(): boolean {
    return this.handler !== null;
  }

  /** Registers the handler; one at a time. Returns its undo. */
  register(handler: AgentInputHandler): () => void {
    if (typeof handler !== 'function') throw new TypeError('onAgentInput needs a function');
    if (this.handler) throw new Error('an agent input handler is registered already; undo it first');
    this.handler = handler;
    return () => {
      if (this.handler === handler) this.handler = null;
    };
  }

  isTaken(agentId: string, requestId: string): boolean {
    return this.taken.has(requestKey(agentId, requestId));
  }

  /**
   * Hands the input to the handler. With a `requestId`, the request is taken
   * synchronously here (a concurrent answer sees it taken) and given back if
   * the handler refuses or does not answer. Throws a HubError.
   */
  async deliver(input: AgentInput, meta: AgentInputMeta): Promise<void> {
    const handler = this.handler;
    if (!handler) throw new HubError(ErrorCode.InputUnavailable, 'nothing on this hub takes agent inputs');
    const key = input.requestId === undefined ? null : requestKey(meta.agentId, input.requestId);
    if (key !== null) {
      if (this.taken.has(key)) throw new HubError(ErrorCode.AlreadyAnswered, 'this request was answered already');
      this.taken.set(key, 'pending');
    }
    try {
      const outcome = await withTimeout(
        Promise.resolve().then(() => handler(input, meta)),
        this.timeoutMs,
      );
      if (outcome !== undefined && outcome !== null && typeof outcome === 'object' && 'reject' in outcome) {
        throw new HubError(ErrorCode.InputRejected, rejectionText(outcome.reject));
      }
    } catch (error) {
      if (key !== null) this.taken.delete(key);
      if (error instanceof HubError) throw error;
      throw new HubError(ErrorCode.InputRejected, rejectionText(error instanceof Error ? error.message : error));
    }
    if (key !== null) {
      this.taken.set(key, 'answered');
      this.evict();
    }
  }

  private evict(): void {
    for (const [key, state] of this.taken) {
      if (this.taken.size <= this.maxAnswered) return;
      // A request still being answered is never forgotten: its answer is in flight.
      if (state === 'answered') this.taken.delete(key);
    }
  }
}

function requestKey(agentId: string, requestId: string): string {
  // Ids have no newline, so the key is unambiguous.
  return `${agentId}\n${requestId}`;
}

function rejectionText(reason: unknown): string {
  const text = typeof reason === 'string' && reason.trim() !== '' ? reason : 'the input was refused';
  return text.slice(0, MAX_REJECTION_LENGTH);
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new HubError(ErrorCode.InputUnavailable, 'the input handler did not answer in time')),
      ms,
    );
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
