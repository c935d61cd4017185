/** The hub's HTTP API as the CLI's commands call it (`publish`, `reply`). */
import { UsageError } from './errors';
import { show } from './flag-values';
import { DEFAULT_HUB_URL } from './hub-banner';

const REQUEST_TIMEOUT_MS = 30_000;

/** An API path on the hub's HTTP address (`--url`), keeping a path prefix (a hub behind a proxy at /falcon). */
export function hubEndpoint(base: string, path: string): URL {
  let url: URL | null = null;
  try {
    url = new URL(base);
  } catch {
    // reported below
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new UsageError(`--url must be the hub's http(s) address, e.g. ${DEFAULT_HUB_URL}, got ${show(base)}`);
  }
  return new URL(`${url.pathname.replace(/\/+$/, '')}${path}`, url);
}

/**
 * POSTs a JSON body with the token; resolves with the hub's answer, or throws
 * a one-line error: a UsageError (exit 2) for a refused token, else a runtime
 * error (exit 1) `code: message` with the hub's stable code.
 */
export async function postJson(endpoint: URL, token: string, body: string): Promise<string> {
  let response: Response;
  try {
    response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    throw new Error(`cannot reach the hub at ${endpoint.origin}: ${networkReason(error)}`, { cause: error });
  }
  const text = (await response.text()).trim();
  if (response.ok) return text;
  const { code, message } = errorOf(text) ?? { code: `http_${response.status}`, message: response.statusText };
  // As `falcon tail` does: a refused token is exit 2, since running again with it cannot succeed.
  if (response.status === 401) {
    const reason = message.startsWith(`${code}: `) ? message.slice(code.length + 2) : message;
    throw new UsageError(
      `the hub refused the token (${code}${reason ? `: ${reason}` : ''}); get a new one with \`falcon token\``,
    );
  }
  throw new Error(`${code}: ${message}`);
}

/** The hub's error body, `{"error":{"code","message"}}`, if that is what came back. */
function errorOf(text: string): { code: string; message: string } | null {
  try {
    const { error } = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    if (typeof error?.code === 'string') {
      return { code: error.code, message: typeof error.message === 'string' ? error.message : '' };
    }
  } catch {
    // not JSON: a proxy's error page, say
  }
  return null;
}

function networkReason(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`;
  // undici's "fetch failed" hides the useful part (ECONNREFUSED, ENOTFOUND, a TLS error) in `cause`.
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error) return cause.message || String((cause as { code?: unknown }).code);
  return error instanceof Error ? error.message : String(error);
}
