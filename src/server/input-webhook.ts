/**
 * Forwards answers to agents to falcon-pm over HTTP (`falcon hub
 * --input-webhook URL`): one signed POST per accepted input, retried with
 * backoff while falcon-pm is unreachable or overloaded, and a clear error for
 * the sender when it refuses or stays down.
 */
import { createHmac } from 'node:crypto';
import type { AgentInput } from '../shared/agent-input';
import { ErrorCode } from '../shared/errors';
import type { AgentInputHandler, AgentInputMeta } from './agent-input-router';
import { HubError } from './hub-error';

export interface InputWebhookOptions {
  /** falcon-pm's endpoint, http(s). */
  url: string;
  /** The HMAC-SHA256 key falcon-pm checks `Falcon-Signature` with. */
  secret: string;
  /** Per attempt. Default 2 500 ms. */
  attemptTimeoutMs?: number;
  /** Attempts in all (the first and its retries). Default 3. */
  attempts?: number;
  /** The first retry's delay; each next one doubles (full jitter). Default 200 ms. */
  backoffMs?: number;
  /** The whole delivery, within the hub's 10 s handler deadline. Default 9 000 ms. */
  deadlineMs?: number;
  fetch?: typeof fetch;
  random?: () => number;
}

/** The signature header: `t=<ms>,v1=<hex HMAC-SHA256 of "<t>.<body>">` (the time stops replays of old bodies). */
export const SIGNATURE_HEADER = 'Falcon-Signature';
/** The input's id, the same on every retry, so falcon-pm can take each input once. */
export const INPUT_ID_HEADER = 'Falcon-Input-Id';

const MAX_REASON_LENGTH = 300;

/** The signature of a body sent at `time`, as falcon-pm recomputes it. */
export function signInputBody(secret: string, time: number, body: string): string {
  return `t=${time},v1=${createHmac('sha256', secret).update(`${time}.${body}`).digest('hex')}`;
}

/**
 * An input handler (`hub.onAgentInput`) that POSTs `{inputId, agentId, by,
 * at, action, text?, requestId?, choice?}` to falcon-pm. A 2xx accepts the
 * input. Another 4xx (but 408 and 429) is falcon-pm's refusal: the sender gets
 * `input_rejected` with its reason. A 5xx, 408, 429, a timeout or a network
 * error is retried; when every attempt failed, the sender gets
 * `input_unavailable` saying falcon-pm could not be reached.
 */
export function inputWebhookHandler(options: InputWebhookOptions): AgentInputHandler {
  const url = new URL(options.url);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError('the input webhook must be http(s)');
  if (options.secret.length < 32) throw new TypeError('the input webhook secret must be at least 32 characters');
  const attempts = options.attempts ?? 3;
  const attemptTimeoutMs = options.attemptTimeoutMs ?? 2_500;
  const backoffMs = options.backoffMs ?? 200;
  const deadlineMs = options.deadlineMs ?? 9_000;
  const send = options.fetch ?? fetch;
  const random = options.random ?? Math.random;

  return async (input: AgentInput, meta: AgentInputMeta) => {
    const body = JSON.stringify({ ...meta, ...input });
    const deadline = Date.now() + deadlineMs;
    let lastProblem = 'no attempt made';
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) {
        const delay = Math.floor(random() * backoffMs * 2 ** (attempt - 1));
        if (Date.now() + delay >= deadline) break;
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
      const left = deadline - Date.now();
      if (left <= 0) break;
      const time = Date.now();
      let response: Response;
      try {
        response = await send(url, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            [SIGNATURE_HEADER]: signInputBody(options.secret, time, body),
            [INPUT_ID_HEADER]: meta.inputId,
          },
          body,
          redirect: 'error',
          signal: AbortSignal.timeout(Math.min(attemptTimeoutMs, left)),
        });
      } catch (error) {
        lastProblem = networkProblem(error, attemptTimeoutMs);
        continue;
      }
      const reason = await reasonOf(response);
      if (response.ok) return;
      if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429) {
        return { reject: `falcon-pm refused the input (${response.status}${reason ? `: ${reason}` : ''})` };
      }
      lastProblem = `it answered ${response.status}${reason ? `: ${reason}` : ''}`;
    }
    throw new HubError(ErrorCode.InputUnavailable, `falcon-pm could not be reached: ${lastProblem}`);
  };
}

/** What falcon-pm said, bounded: its `{"error":{"message"}}`, else its text's first line. */
async function reasonOf(response: Response): Promise<string> {
  let text: string;
  try {
    text = (await response.text()).slice(0, 4096);
  } catch {
    return '';
  }
  try {
    const parsed = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown };
    const message =
      typeof parsed.error === 'string'
        ? parsed.error
        : typeof parsed.error?.message === 'string'
          ? parsed.error.message
          : parsed.message;
    if (typeof message === 'string') text = message;
  } catch {
    // not JSON
  }
  return (text.split(/\r?\n/, 1)[0] ?? '')
    .replace(/\p{Cc}/gu, ' ')
    .trim()
    .slice(0, MAX_REASON_LENGTH);
}

function networkProblem(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
    return `no answer within ${timeoutMs} ms`;
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error) return cause.message || String((cause as { code?: unknown }).code ?? 'network error');
  return error instanceof Error ? error.message : String(error);
}
