import type { BoardChange } from '../shared/board-state';
import type { Channel } from '../shared/protocol';
import type { OutputRun, RelayDelivery } from '../shared/relay-delivery';

export interface WindowBacklogOptions {
  /** Send what is held this long after the first of it (a hidden window: 250 ms). */
  flushMs: number;
  /** Send at once past this many bytes held. */
  maxBytes: number;
}

interface HeldRun {
  kind: 'held-run';
  channel: Channel;
  parts: Uint8Array[];
  offset?: number;
  epoch?: string;
  change?: BoardChange;
}

/**
 * What a hidden or minimised window is sent, held and joined: the relay's
 * flushes arrive here, and go out as one message every `flushMs` (or past
 * `maxBytes`, or at once when the window is shown). A channel's output runs
 * join into one buffer, copied once when sent; the runs themselves are shared
 * with other windows and never changed.
 */
export class WindowBacklog {
  private queue: Array<Exclude<RelayDelivery, OutputRun> | HeldRun> = [];
  private readonly open = new Map<Channel, HeldRun>();
  private bytes = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly options: WindowBacklogOptions,
    private readonly send: (batch: RelayDelivery[]) => void,
  ) {}

  get pending(): number {
    return this.queue.length;
  }

  push(batch: readonly RelayDelivery[]): void {
    for (const delivery of batch) this.add(delivery);
    if (this.bytes >= this.options.maxBytes) this.flush();
    else if (this.queue.length > 0) this.timer ??= setTimeout(() => this.flush(), this.options.flushMs);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.queue.length === 0) return;
    const queue = this.queue;
    this.queue = [];
    this.open.clear();
    this.bytes = 0;
    this.send(queue.map((item) => (item.kind === 'held-run' ? joinRun(item) : item)));
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.queue = [];
    this.open.clear();
  }

  private add(delivery: RelayDelivery): void {
    if (delivery.kind !== 'output') {
      if (delivery.channel === undefined) this.open.clear();
      else this.open.delete(delivery.channel);
      this.queue.push(delivery);
      this.bytes += delivery.kind === 'tail' ? delivery.text.length : 64;
      return;
    }
    this.bytes += delivery.data.length;
    const run = this.open.get(delivery.channel);
    if (run && run.epoch === delivery.epoch) {
      run.parts.push(delivery.data);
      if (delivery.offset === undefined) delete run.offset;
      else run.offset = delivery.offset;
      if (delivery.change) run.change = delivery.change;
      return;
    }
    const { data, kind: _output, ...rest } = delivery;
    const fresh: HeldRun = { ...rest, kind: 'held-run', parts: [data] };
    this.open.set(delivery.channel, fresh);
    this.queue.push(fresh);
  }
}

function joinRun(run: HeldRun): OutputRun {
  const { parts, kind: _held, ...rest } = run;
  let data = parts[0];
  if (parts.length > 1) {
    data = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
    let at = 0;
    for (const part of parts) {
      data.set(part, at);
      at += part.length;
    }
  }
  return { ...rest, kind: 'output', data };
}
