import { stripVTControlCharacters } from 'node:util';
import type { Command } from 'commander';
import { INPUT_SENT_EVENT, type InputSent, describeInput } from '../../shared/agent-input';
import WebSocket from 'ws';
import { type ConnectionState, type Delivery, ReconnectingConnection, nodeWebSocket } from '../../client/index';
import { type AgentStatus, type Channel, channelOf, isChannel, isValidId } from '../../shared/protocol';
import { ExitCode, UsageError } from '../errors';
import { show } from '../flag-values';
import { onShutdownSignal } from '../shutdown';
import { TOKEN_ENV } from './publish';
import type { SkippedOutput } from '../../shared/delivery';
import { skippedText } from '../../shared/skipped-output';

interface TailFlags {
  url: string;
  token?: string;
  json?: boolean;
  tail: string;
  color?: boolean;
  wait?: string;
}

/**
 * `tail --wait <agentId>`: the exit code once the agent is not working, by
 * the status it ended in (1 and 2 keep their meaning: a failure, a usage error).
 */
export const WAIT_EXIT_CODES: Readonly<Record<Exclude<AgentStatus, 'working'>, number>> = {
  idle: 0,
  waiting_for_input: 3,
  failed: 4,
  offline: 5,
};

export const DEFAULT_TAIL_URL = 'ws://127.0.0.1:3002/ws';

export function registerTailCommand(program: Command): void {
  program
    .command('tail')
    .description('follow channels live, like `kubectl logs -f`: agent output raw, other events one line each')
    .argument('[channel...]', 'issue:<id>, agent:<id> or project:<id> (several allowed)')
    .option('--url <url>', 'the hub: ws(s)://host:port/ws, or its http(s) address', DEFAULT_TAIL_URL)
    .option('--token <token>', `a token that may read the channels; default: $${TOKEN_ENV}`)
    .option('--json', 'print NDJSON: {channel, event, data, offset} per event')
    .option('--tail <lines>', 'lines of recent agent output to print first (0 for none)', '100')
    .option('--no-color', 'strip ANSI colours from agent output (the default when stdout is not a terminal)')
    .option('--color', 'keep ANSI colours even when stdout is not a terminal')
    .option(
      '--wait <agentId>',
      'follow agent:<agentId> too, and exit once the agent is not working: 0 idle, 3 waiting for input, 4 failed, 5 offline',
    )
    .addHelpText(
      'after',
      '\nReconnects forever (status lines on stderr) and resumes where it left off; a gap it cannot\n' +
        'recover is announced on stderr. Exit 0 on Ctrl-C, 2 when the hub refuses the token.\n' +
        'With --wait, it exits as soon as the hub says the agent is not working (at once if it is not\n' +
        'working already), with the code of the status it is in.',
    )
    .action(async (channels: string[], flags: TailFlags, command: Command) => {
      if (flags.wait !== undefined) {
        if (!isValidId(flags.wait)) throw new UsageError(`--wait needs an agent id, got ${show(flags.wait)}`);
        const own = channelOf.agent(flags.wait);
        if (!channels.includes(own)) channels = [...channels, own];
      }
      if (channels.length === 0) throw new UsageError('name at least one channel, or an agent with --wait <agentId>');
      for (const channel of channels) {
        if (!isChannel(channel))
          throw new UsageError(`invalid channel ${show(channel)}: use issue:<id>, agent:<id> or project:<id>`);
      }
      const token = flags.token ?? process.env[TOKEN_ENV];
      if (!token) throw new UsageError(`no token: pass --token <token> or set ${TOKEN_ENV}`);
      const tailLines = Number(flags.tail);
      if (!Number.isInteger(tailLines) || tailLines < 0 || tailLines > 10_000) {
        throw new UsageError(`--tail must be a whole number from 0 to 10000, got ${show(flags.tail)}`);
      }
      // Commander sets `color` false for --no-color, true for --color, and leaves it undefined otherwise.
      const colorSource = command.getOptionValueSource('color');
      const keepColor = colorSource === 'cli' ? flags.color === true : process.stdout.isTTY === true;
      process.exitCode = await follow(channels as Channel[], {
        url: websocketUrl(flags.url),
        token,
        json: flags.json === true,
        tail: tailLines,
        keepColor,
        waitFor: flags.wait,
      });
    });
}

interface FollowOptions {
  url: string;
  token: string;
  json: boolean;
  tail: number;
  keepColor: boolean;
  /** Exit once this agent is not working (see WAIT_EXIT_CODES). */
  waitFor?: string;
}

/** Follows the channels until Ctrl-C (0), an auth failure (2), or (with `waitFor`) the agent stops working. */
function follow(channels: Channel[], options: FollowOptions): Promise<number> {
  const connection = new ReconnectingConnection({
    urls: options.url,
    token: options.token,
    createWebSocket: (url) => nodeWebSocket(new WebSocket(url)),
    // A terminal pane keeps no tail; NDJSON keeps one record per event.
    outputTail: false,
    batch: { joinOutput: !options.json },
    // Someone is watching: after an outage, come back within seconds, not after half a minute.
    backoff: { maxDelayMs: 5_000 },
  });
  const print = new TailPrinter(options);
  // Channels the hub refused: when it is all of them, nothing can ever arrive.
  const refused = new Set<Channel>();
  let finish: (code: number) => void = () => {};
  const waitChannel = options.waitFor === undefined ? null : channelOf.agent(options.waitFor);
  // The agent's state is known once its channel is subscribed (its snapshot came first).
  let waitKnown = false;
  let saidUnknown = false;
  connection.onDeliveries((batch) => {
    for (const delivery of batch) {
      print.delivery(delivery);
      if (delivery.kind === 'error' && delivery.channel && delivery.code === 'forbidden') refused.add(delivery.channel);
      if (delivery.kind === 'subscribed' && delivery.channel === waitChannel) waitKnown = true;
    }
    if (waitChannel && refused.has(waitChannel)) {
      status(`the token may not read ${waitChannel}, so it cannot wait for it`);
      finish(ExitCode.Usage);
    } else if (refused.size > 0 && channels.every((channel) => refused.has(channel))) {
      status('the token may read none of these channels; get one that may with `falcon token --channels …`');
      finish(ExitCode.Usage);
    }
    if (options.waitFor === undefined || !waitKnown) return;
    // The client core's board has applied the batch: it is the agent's state as of its last event.
    const agent = connection.store.board.agents.get(options.waitFor);
    if (!agent) {
      if (!saidUnknown) status(`${options.waitFor} is not known to the hub yet; waiting for it`);
      saidUnknown = true;
    } else if (agent.status !== 'working') {
      status(`${options.waitFor} is ${agent.status.replace(/_/g, ' ')}${agent.message ? `: ${agent.message}` : ''}`);
      finish(WAIT_EXIT_CODES[agent.status]);
    }
  });
  for (const channel of channels) {
    const waiting = channel === waitChannel;
    connection.subscribe(channel, channel.startsWith('agent:') ? { tail: options.tail, snapshot: waiting } : {});
  }
  return new Promise((resolve) => {
    let finished = false;
    finish = (code: number) => {
      if (finished) return;
      finished = true;
      undoShutdown();
      connection.close();
      resolve(code);
    };
    // Ctrl-C: close the connection and exit 0.
    const undoShutdown = onShutdownSignal(async () => {
      connection.close();
    });
    let previous: ConnectionState['status'] | null = null;
    connection.onState((state) => {
      if (state.status === previous) return;
      previous = state.status;
      if (state.status === 'authFailed') {
        status(
          `the hub refused the token (${state.lastClose?.reason || state.lastClose?.code}); get a new one with \`falcon token\``,
        );
        finish(ExitCode.Usage);
      } else if (state.status === 'open') status(`connected to ${options.url}`);
      else if (state.status === 'reconnecting') {
        const seconds = Math.max(0, ((state.retryAt ?? Date.now()) - Date.now()) / 1000).toFixed(1);
        status(`connection lost (${state.lastClose?.reason || state.lastClose?.code}); reconnecting in ${seconds} s`);
      }
    });
    connection.start();
  });
}

function status(text: string): void {
  process.stderr.write(`falcon: ${text}\n`);
}

// CSI and OSC sequences (OSC 8 links included) and single-character escapes.
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

/** Formats deliveries for a terminal or as NDJSON. */
export class TailPrinter {
  constructor(
    private readonly options: Pick<FollowOptions, 'json' | 'keepColor'>,
    private readonly out: (text: string) => void = (text) => process.stdout.write(text),
    private readonly err: (text: string) => void = (text) => process.stderr.write(text),
  ) {}

  delivery(delivery: Delivery): void {
    switch (delivery.kind) {
      case 'event':
        return this.event(delivery);
      case 'output':
        if (this.options.json) {
          // Decoded once by the client core: every output event prints in `output`'s shape.
          const { channel, text, offset } = delivery;
          const record = { channel, event: 'output', data: { content: text } };
          this.out(`${JSON.stringify(offset === undefined ? record : { ...record, offset })}\n`);
        } else this.raw(delivery.text);
        return;
      case 'tail':
        if (this.options.json)
          this.out(`${JSON.stringify({ channel: delivery.channel, event: 'tail', lines: [delivery.text] })}\n`);
        else this.raw(delivery.text);
        return;
      case 'resync':
        return this.notice(delivery.channel, 'resync', 'events missed while disconnected could not be recovered');
      case 'gap':
        if (delivery.skipped)
          return this.notice(delivery.channel, 'gap', skippedText(delivery.skipped), delivery.skipped);
        return this.notice(delivery.channel, 'gap', 'some events may be missing here (the hub cannot resume)');
      case 'error':
        this.err(
          `falcon: ${delivery.code ?? 'error'}: ${delivery.message}${delivery.channel ? ` (${delivery.channel})` : ''}\n`,
        );
        return;
      default:
        return;
    }
  }

  private event(delivery: Extract<Delivery, { kind: 'event' }>): void {
    const { channel, event, data, offset } = delivery;
    if (this.options.json) {
      this.out(
        `${JSON.stringify(offset === undefined ? { channel, event, data } : { channel, event, data, offset })}\n`,
      );
      return;
    }
    // Event fields are anyone's text: shown, never obeyed by the terminal (no escape sequence reaches it).
    this.out(`${clock()} ${channel} ${printable(event)} ${printable(describe(event, data))}\n`);
  }

  private raw(text: string): void {
    this.out(this.options.keepColor ? text : text.replace(ANSI, ''));
  }

  private notice(channel: Channel, kind: string, text: string, skipped?: SkippedOutput): void {
    if (this.options.json) this.out(`${JSON.stringify({ channel, notice: kind, ...(skipped ? { skipped } : {}) })}\n`);
    this.err(`falcon: ${channel}: ${text}\n`);
  }
}

function clock(): string {
  return new Date().toTimeString().slice(0, 8);
}

/** One readable line for a non-output event: `in_progress → done`. */
export function describe(event: string, data: unknown): string {
  const d = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>;
  const text = (value: unknown) => (value === undefined || value === null ? '–' : String(value));
  switch (event) {
    case 'status_changed':
      return `${text(d.oldStatus)} → ${text(d.newStatus)}${d.issueId ? ` (#${text(d.issueId)})` : ''}`;
    case 'stage_changed':
      return `${text(d.oldStage)} → ${text(d.newStage)}${d.issueId ? ` (#${text(d.issueId)})` : ''}`;
    case 'agent_assigned':
      return `#${text(d.issueId)} → ${d.agentId ? text(d.agentId) : 'unassigned'}`;
    case 'agent_started':
      return `${text(d.agentId)} started #${text(d.issueId)}${d.stage ? ` (${text(d.stage)})` : ''}`;
    case 'agent_status':
      return `${text(d.agentId)} ${text(d.status)}${d.issueId ? ` on #${text(d.issueId)}` : ''}${d.stage ? ` (${text(d.stage)})` : ''}${d.message ? `: ${text(d.message)}` : ''}${waitingRequest(d)}`;
    case INPUT_SENT_EVENT: {
      // Checked by the client core: an input_sent that arrives is an InputSent.
      const sent = data as InputSent;
      return `${sent.by} ${describeInput(sent)}${sent.requestId ? ` (request ${sent.requestId})` : ''}`;
    }
    case 'issue_created':
    case 'issue_updated':
      return `#${text(d.issueId)} ${d.title ? JSON.stringify(d.title) : ''}${d.status ? ` [${text(d.status)}]` : ''}`.trim();
    default: {
      const json = JSON.stringify(data) ?? '';
      return json.length > 200 ? `${json.slice(0, 199)}…` : json;
    }
  }
}

/** What a waiting agent asks, when it says more than its message: ` — Apply? [approve: Yes | deny: No]`. */
function waitingRequest(d: Record<string, unknown>): string {
  if (d.status !== 'waiting_for_input') return '';
  const prompt = typeof d.prompt === 'string' && d.prompt !== d.message ? ` — ${d.prompt}` : '';
  const choices = Array.isArray(d.choices)
    ? (d.choices as Array<{ id?: unknown; label?: unknown }>).map((c) => `${String(c.id)}: ${String(c.label)}`)
    : [];
  return `${prompt}${choices.length > 0 ? ` [${choices.join(' | ')}]` : ''}`;
}

/** Text for a terminal: escape sequences removed, other control characters shown as \uXXXX, never run. */
export function printable(text: string): string {
  return stripVTControlCharacters(text).replace(
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Accepts the WebSocket URL, or the hub's http(s) address (as `falcon publish` takes it). */
export function websocketUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--url must be ws(s)://host:port/ws or the hub's http(s) address, got ${show(text)}`);
  }
  if (url.protocol === 'ws:' || url.protocol === 'wss:') return url.href;
  if (url.protocol === 'http:' || url.protocol === 'https:') {
    const path = url.pathname.replace(/\/+$/, '');
    return `${url.protocol === 'https:' ? 'wss' : 'ws'}://${url.host}${path.endsWith('/ws') ? path : `${path}/ws`}`;
  }
  throw new UsageError(`--url must be ws(s)://host:port/ws or the hub's http(s) address, got ${show(text)}`);
}
