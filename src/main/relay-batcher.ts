import type { BoardChange } from '../shared/board-state';
import type { Delivery } from '../client/index';
import type { Channel } from '../shared/protocol';
import type { OutputRun, RelayDelivery } from '../shared/relay-delivery';

export interface RelayBatcherOptions {
  /** Flush at most this long after the first queued delivery (default 16 ms, one frame). */
  flushMs: number;
  /** Flush at once when about this many bytes are queued (default 256 KiB). */
  maxBytes: number;
}

export const DEFAULT_RELAY_BATCH: RelayBatcherOptions = { flushMs: 16, maxBytes: 256 * 1024 };

/** One channel's output gathered in this flush, until something else of that channel comes between. */
interface PendingRun {
  kind: 'run';
  channel: Channel;
  texts: string[];
  offset?: number;
  epoch?: string;
  change?: BoardChange;
}

const encoder = new TextEncoder();
/** Where runs are encoded before each is copied out at its size; grows to the largest run seen (3 bytes a code unit). */
let scratch = new Uint8Array(64 * 1024);

/**
 * Main's batcher between the client core and the windows: everything that
 * arrives within `flushMs` (or until `maxBytes`) goes out as one batch, and
 * each channel's output in it as one UTF-8 `Uint8Array` — one encode per
 * channel per flush, not one object per output event. Output of one channel
 * joins across other channels' deliveries (only the order within a channel
 * is a contract); a non-output delivery of that channel, an error for every
 * channel, or a new epoch starts a new run after it. Urgent deliveries (a
 * channel a window looks at) flush on the next turn. A timer exists only
 * while something is queued.
 */
export class RelayBatcher {
  private queue: Array<Exclude<Delivery, { kind: 'output' }> | PendingRun> = [];
  /** The run each channel's next output joins. */
  private readonly open = new Map<Channel, PendingRun>();
  private bytes = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private urgentTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly options: RelayBatcherOptions;

  constructor(
    options: Partial<RelayBatcherOptions>,
    private readonly emit: (batch: RelayDelivery[]) => void,
  ) {
    this.options = { ...DEFAULT_RELAY_BATCH, ...options };
    const { flushMs, maxBytes } = this.options;
    if (!(flushMs >= 0) || !Number.isFinite(flushMs)) throw new RangeError(`flushMs must be 0 or more, got ${flushMs}`);
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 1)
      throw new RangeError(`maxBytes must be 1 or more, got ${maxBytes}`);
  }

  /** Deliveries queued (output counted once per run). */
  get pending(): number {
    return this.queue.length;
  }

  push(delivery: Delivery, urgent: boolean): void {
    this.add(delivery);
    this.bytes += sizeOf(delivery);
    if (this.bytes >= this.options.maxBytes) {
      this.flush();
      return;
    }
    if (urgent) this.urgentTimer ??= setTimeout(() => this.flush(), 0);
    else this.timer ??= setTimeout(() => this.flush(), this.options.flushMs);
  }

  flush(): void {
    this.clearTimers();
    if (this.queue.length === 0) return;
    const queue = this.queue;
    this.queue = [];
    this.open.clear();
    this.bytes = 0;
    this.emit(queue.map((item) => (item.kind === 'run' ? encodeRun(item) : item)));
  }

  dispose(): void {
    this.clearTimers();
    this.queue = [];
    this.open.clear();
    this.bytes = 0;
  }

  private add(delivery: Delivery): void {
    if (delivery.kind !== 'output') {
      // What follows this in its channel (or, without one, in every channel) must come after it.
      if (delivery.channel === undefined) this.open.clear();
      else this.open.delete(delivery.channel);
      this.queue.push(delivery);
      return;
    }
    const run = this.open.get(delivery.channel);
    if (run && run.epoch === delivery.epoch) {
      run.texts.push(delivery.text);
      run.offset = delivery.offset;
      // Output only ever moves its agent's activity: the newest record is the one that holds.
      if (delivery.change) run.change = delivery.change;
      return;
    }
    const fresh: PendingRun = {
      kind: 'run',
      channel: delivery.channel,
      texts: [delivery.text],
      offset: delivery.offset,
      epoch: delivery.epoch,
      change: delivery.change,
    };
    this.open.set(delivery.channel, fresh);
    this.queue.push(fresh);
  }

  private clearTimers(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.urgentTimer) clearTimeout(this.urgentTimer);
    this.timer = null;
    this.urgentTimer = null;
  }
}

function encodeRun(run: PendingRun): OutputRun {
  const out: OutputRun = { kind: 'output', channel: run.channel, data: encodeTexts(run.texts) };
  if (run.offset !== undefined) out.offset = run.offset;
  if (run.epoch !== undefined) out.epoch = run.epoch;
  if (run.change !== undefined) out.change = run.change;
  return out;
}

/** Rough bytes a delivery adds to a batch: characters for text (terminal output is mostly ASCII). */
function sizeOf(delivery: Delivery): number {
  switch (delivery.kind) {
    case 'output':
      return delivery.text.length;
    case 'tail':
      return 64 + delivery.text.length;
    case 'snapshot':
      return 256 * (delivery.data.issues.length + delivery.data.agents.length + 1);
    case 'event':
      return 256;
    default:
      return 64;
  }
}

/**
 * The texts as one UTF-8 buffer of exactly their size. Each text is encoded
 * straight into a scratch buffer (no joined string is built: joining costs
 * more than encoding), then copied out once. A character whose UTF-16 halves
 * came in two texts is encoded whole.
 */
function encodeTexts(texts: readonly string[]): Uint8Array {
  if (texts.length === 1) return encoder.encode(texts[0]);
  let units = 0;
  for (const text of texts) units += text.length;
  if (scratch.length < units * 3) scratch = new Uint8Array(units * 3);
  let at = 0;
  let carry = '';
  for (let i = 0; i < texts.length; i++) {
    let text = carry ? carry + texts[i] : texts[i];
    carry = '';
    const last = text.charCodeAt(text.length - 1);
    if (i < texts.length - 1 && last >= 0xd800 && last <= 0xdbff) {
      carry = text[text.length - 1];
      text = text.slice(0, -1);
    }
    at += encoder.encodeInto(text, scratch.subarray(at)).written;
  }
  return scratch.slice(0, at);
}
