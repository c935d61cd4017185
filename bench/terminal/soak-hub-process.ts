import { generateCorpus } from '../../src/server/demo/agent-output';
import { secretKey, signToken, startHub } from '../../src/server/index';
import { serveParent } from '../lib/processes';
import { NO_CONNECTION_LIMITS } from '../../src/server/options';

/**
 * The hub of the memory soak, in its own process (started with --expose-gc so
 * its heap can be read after a full collection). ROLE=measured runs a hub with
 * the CLI's defaults, whose memory is the figure; ROLE=source is only the
 * output source for the main-side soak, so it may buffer a whole share of
 * output for its one client instead of closing it as a slow consumer, and
 * keeps little history.
 */
const SECRET = 'bench-memory-soak-secret-at-least-32-bytes';
const role = process.env.ROLE === 'source' ? 'source' : 'measured';

const running = await startHub({
  ...NO_CONNECTION_LIMITS,
  secret: SECRET,
  port: 0,
  host: '127.0.0.1',
  ...(role === 'source' ? { maxBufferedBytes: 1024 ** 3, history: { size: 16 } } : {}),
});
const token = await signToken({ user: 'bench', channels: ['*'] }, secretKey(SECRET));

let lines: string[] | null = null;
/** Where each agent is in the corpus, so every share continues the agent's output. */
const cursors = new Map<string, number>();

/** Lines of realistic agent output (each ends with "\n"), generated on first use. */
function corpusLines(): string[] {
  lines ??= generateCorpus(4e6, 7)
    .split('\n')
    .slice(0, -1)
    .map((line) => `${line}\n`);
  return lines;
}

serveParent(
  {
    /**
     * Streams `lines` more lines to each agent through the hub's output
     * batcher, ~20 lines per push (a pty read's worth), agents interleaved.
     */
    stream({ agents, lines: count }: { agents: string[]; lines: number }) {
      const source = corpusLines();
      for (let sent = 0; sent < count; sent += 20) {
        const take = Math.min(20, count - sent);
        agents.forEach((agent, index) => {
          const at = cursors.get(agent) ?? Math.floor((index * source.length) / agents.length);
          let text = '';
          for (let n = 0; n < take; n++) text += source[(at + n) % source.length];
          cursors.set(agent, at + take);
          running.hub.streamAgentOutput(agent, text);
        });
      }
      return { lines: count };
    },
    connections: () => running.hub.connectionCount,
  },
  { wsUrl: running.wsUrl, token },
  () => running.close(),
);
