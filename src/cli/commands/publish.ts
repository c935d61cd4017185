import type { Command } from 'commander';
import { isChannel, validateEvent } from '../../shared/protocol';
import { UsageError } from '../errors';
import { show } from '../flag-values';
import { DEFAULT_HUB_URL } from '../hub-banner';
import { readStdin } from '../read-stdin';

interface PublishFlags {
  url: string;
  token?: string;
}

export const TOKEN_ENV = 'FALCON_TOKEN';
/** The hub's default body limit; larger is refused there, so refuse it here with a clearer message. */
const MAX_BODY_BYTES = 1024 * 1024;
const REQUEST_TIMEOUT_MS = 30_000;

export function registerPublishCommand(program: Command): void {
  program
    .command('publish')
    .description('publish one event to a channel through the hub’s HTTP API')
    .argument('<channel>', 'issue:<id>, agent:<id> or project:<id>')
    .argument('<event>', 'event name, e.g. issue_updated')
    .argument('[json]', 'the event’s data as JSON; "-" reads it from stdin', '{}')
    .option('--url <url>', 'the hub’s HTTP address', DEFAULT_HUB_URL)
    .option('--token <token>', `a token with publish rights; default: $${TOKEN_ENV}`)
    .addHelpText(
      'after',
      '\nPrints the stored position, e.g. {"offset":12,"epoch":"3f2a9c1e"}.\n' +
        'Exit 1 with "falcon: <code>: <message>" when the hub refuses (codes as in docs/protocol.md).',
    )
    .action(async (channel: string, event: string, json: string, flags: PublishFlags) => {
      if (!isChannel(channel)) {
        throw new UsageError(`invalid channel ${show(channel)}: use issue:<id>, agent:<id> or project:<id>`);
      }
      const token = flags.token ?? process.env[TOKEN_ENV];
      if (!token) throw new UsageError(`no token: pass --token <token> or set ${TOKEN_ENV}`);
      const endpoint = publishEndpoint(flags.url);
      const data = parseData(json === '-' ? await readStdin(MAX_BODY_BYTES) : json);
      const invalid = validateEvent(event, data);
      if (invalid) throw new UsageError(`${invalid.code}: ${invalid.message}`);
      const body = JSON.stringify({ channel, event, data });
      if (Buffer.byteLength(body) > MAX_BODY_BYTES)
        throw new UsageError(`the event is larger than ${MAX_BODY_BYTES} bytes`);
      process.stdout.write(`${await post(endpoint, token, body)}\n`);
    });
}

function parseData(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`the data is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function publishEndpoint(base: string): URL {
  let url: URL | null = null;
  try {
    url = new URL(base);
  } catch {
    // reported below
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new UsageError(`--url must be the hub's http(s) address, e.g. ${DEFAULT_HUB_URL}, got ${show(base)}`);
  }
  // Keeps a path prefix, for a hub mounted behind a proxy at /falcon.
  return new URL(`${url.pathname.replace(/\/+$/, '')}/api/publish`, url);
}

/** POSTs the event; resolves with the hub's answer, or throws a one-line runtime error. */
async function post(endpoint: URL, token: string, body: string): Promise<string> {
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
