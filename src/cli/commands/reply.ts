import type { Command } from 'commander';
import { type AgentInput, parseAgentInput } from '../../shared/agent-input';
import { isValidId } from '../../shared/protocol';
import { UsageError } from '../errors';
import { show } from '../flag-values';
import { DEFAULT_HUB_URL } from '../hub-banner';
import { hubEndpoint, postJson } from '../hub-http';
import { readStdin } from '../read-stdin';
import { TOKEN_ENV } from './publish';

interface ReplyFlags {
  url: string;
  token?: string;
  approve?: boolean;
  deny?: boolean;
  interrupt?: boolean;
  choice?: string;
  request?: string;
}

/** A reply body is bounded by the hub (64 KiB); the text by the protocol. */
const MAX_STDIN_BYTES = 64 * 1024;

export function registerReplyCommand(program: Command): void {
  program
    .command('reply')
    .description('answer an agent that waits for input: reply text, approve, deny, or interrupt it')
    .argument('<agentId>', 'the agent, e.g. opus-1')
    .argument('[text]', 'the reply; "-" reads it from stdin')
    .option('--approve', 'approve what the agent asks')
    .option('--deny', 'deny what the agent asks')
    .option('--interrupt', 'stop the agent (waiting or working)')
    .option('--choice <id>', 'pick one of the request’s choices by id')
    .option('--request <requestId>', 'the request answered (refused 409 when it is no longer pending)')
    .option('--url <url>', 'the hub’s HTTP address', DEFAULT_HUB_URL)
    .option('--token <token>', `a token that may act on the agent (falcon token --act); default: $${TOKEN_ENV}`)
    .addHelpText(
      'after',
      '\nPrints the hub’s answer, e.g. {"inputId":"…"}. Exit 1 with "falcon: <code>: <message>" when the hub\n' +
        'refuses (already_answered, forbidden, unknown_agent, input_rejected, …), 2 for bad flags or a refused token.',
    )
    .action(async (agentId: string, text: string | undefined, flags: ReplyFlags) => {
      if (!isValidId(agentId)) throw new UsageError(`invalid agent id ${show(agentId)}`);
      const token = flags.token ?? process.env[TOKEN_ENV];
      if (!token) throw new UsageError(`no token: pass --token <token> or set ${TOKEN_ENV}`);
      const input = await inputOf(text, flags);
      const endpoint = hubEndpoint(flags.url, `/api/agents/${encodeURIComponent(agentId)}/input`);
      process.stdout.write(`${await postJson(endpoint, token, JSON.stringify(input))}\n`);
    });
}

/** The one input the flags describe, checked by the hub's own parser before anything is sent. */
async function inputOf(text: string | undefined, flags: ReplyFlags): Promise<AgentInput> {
  const actions = (['approve', 'deny', 'interrupt'] as const).filter((action) => flags[action] === true);
  if (actions.length > 1)
    throw new UsageError(`choose one of --approve, --deny, --interrupt, not ${actions.join(' and ')}`);
  const body = text === '-' ? (await readStdin(MAX_STDIN_BYTES)).replace(/\r?\n$/, '') : text;
  // A choice alone picks it: sent as `reply` with the choice, the form the hub checks against the request.
  const action: AgentInput['action'] = actions.length > 0 ? actions[0] : 'reply';
  if (action === 'reply' && body === undefined && flags.choice === undefined)
    throw new UsageError('give the reply text, or one of --approve, --deny, --interrupt, --choice');
  const parsed = parseAgentInput({
    action,
    ...(body === undefined ? (action === 'reply' ? { text: flags.choice } : {}) : { text: body }),
    ...(flags.request === undefined ? {} : { requestId: flags.request }),
    ...(flags.choice === undefined ? {} : { choice: flags.choice }),
  });
  if (!parsed.ok) throw new UsageError(`${parsed.error.code}: ${parsed.error.message}`);
  return parsed.input;
}
