import type { Command } from 'commander';
import { isChannel, validateEvent } from '../../shared/protocol';
import { UsageError } from '../errors';
import { show } from '../flag-values';
import { DEFAULT_HUB_URL } from '../hub-banner';
import { hubEndpoint, postJson } from '../hub-http';
import { readStdin } from '../read-stdin';

interface PublishFlags {
  url: string;
  token?: string;
}

export const TOKEN_ENV = 'FALCON_TOKEN';
/** The hub's default body limit; larger is refused there, so refuse it here with a clearer message. */
const MAX_BODY_BYTES = 1024 * 1024;

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
      const endpoint = hubEndpoint(flags.url, '/api/publish');
      const data = parseData(json === '-' ? await readStdin(MAX_BODY_BYTES) : json);
      const invalid = validateEvent(event, data);
      if (invalid) throw new UsageError(`${invalid.code}: ${invalid.message}`);
      const body = JSON.stringify({ channel, event, data });
      if (Buffer.byteLength(body) > MAX_BODY_BYTES)
        throw new UsageError(`the event is larger than ${MAX_BODY_BYTES} bytes`);
      process.stdout.write(`${await postJson(endpoint, token, body)}\n`);
    });
}

function parseData(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`the data is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}
