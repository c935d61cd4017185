import { ErrorCode } from '../../shared/errors';
import { HubError } from '../hub-error';

/** One publish as the batch script takes it, in its argument order (PUBLISH_BATCH_SCRIPT, BATCH_PUBLISH_ARGS). */
export interface BatchedPublish {
  channel: string;
  event: string;
  dataJson: string;
  /** Board patch JSON, or ''. */
  patchJson: string;
  /** Output text for the agent's tail, or ''. */
  tail: string;
  /** The guarded issue's id and its projectId field as read, or ''. */
  guardIssueId: string;
  guardStored: string;
}

/** What the script answered for one publish; `moved` when the guarded issue changed meanwhile. */
export type BatchReply = { offset: number; epoch: string; time: number } | 'moved';

export interface PublishBatchLimits {
  /** Publishes per script call (bounds the time Redis spends in one call). */
  maxPublishes: number;
  /** Bytes of data, patches and tails per call; a larger publish goes alone. */
  maxBytes: number;
}

export const DEFAULT_PUBLISH_BATCH_LIMITS: PublishBatchLimits = { maxPublishes: 256, maxBytes: 1 << 20 };

/** Runs one script call: `now` is the call's time, `publishes` its flattened per-publish arguments. */
export type BatchRunner = (now: number, count: number, publishes: string[]) => Promise<Array<string | number>>;

interface Pending {
  resolve: (reply: BatchReply) => void;
  reject: (error: HubError) => void;
}

/**
 * Collects the publishes of one tick (until `setImmediate`) and sends them as
 * one script call, in the order they were made: Redis runs calls of one
 * connection in order, so per-channel order holds across calls too. Each
 * publish keeps its own answer: one that fails does not fail the others.
 */
export class PublishBatch {
  private args: string[] = [];
  private pending: Pending[] = [];
  private bytes = 0;
  private scheduled: NodeJS.Immediate | null = null;

  constructor(
    private readonly run: BatchRunner,
    private readonly limits: PublishBatchLimits = DEFAULT_PUBLISH_BATCH_LIMITS,
  ) {}

  add(publish: BatchedPublish): Promise<BatchReply> {
    const size = publish.dataJson.length + publish.patchJson.length + publish.tail.length;
    if (this.pending.length > 0 && this.bytes + size > this.limits.maxBytes) this.flush();
    const reply = new Promise<BatchReply>((resolve, reject) => this.pending.push({ resolve, reject }));
    this.args.push(
      publish.channel,
      publish.event,
      publish.dataJson,
      publish.patchJson,
      publish.tail,
      publish.guardIssueId,
      publish.guardStored,
    );
    this.bytes += size;
    if (this.pending.length >= this.limits.maxPublishes || this.bytes >= this.limits.maxBytes) this.flush();
    else this.scheduled ??= setImmediate(() => this.flush());
    return reply;
  }

  /** Sends what is collected now (also at close, so nothing waits for a tick that never comes). */
  flush(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = null;
    if (this.pending.length === 0) return;
    const pending = this.pending;
    const args = this.args;
    this.pending = [];
    this.args = [];
    this.bytes = 0;
    const now = Date.now();
    let call: Promise<Array<string | number>>;
    try {
      call = this.run(now, pending.length, args);
    } catch (error) {
      call = Promise.reject(error as Error);
    }
    call.then(
      (reply) => settle(pending, reply, now),
      (error: unknown) => {
        const failure = unavailable(error);
        for (const one of pending) one.reject(failure);
      },
    );
  }
}

function settle(pending: Pending[], reply: Array<string | number>, time: number): void {
  pending.forEach((one, index) => {
    const offset = Number(reply[index * 2]);
    const value = reply[index * 2 + 1];
    if (offset > 0 && typeof value === 'string') one.resolve({ offset, epoch: value, time });
    else if (offset === -1) one.resolve('moved');
    else one.reject(unavailable(offset === -2 ? String(value) : 'the publish script gave no answer'));
  });
}

export function unavailable(error: unknown): HubError {
  return new HubError(
    ErrorCode.Unavailable,
    `redis unavailable: ${error instanceof Error ? error.message : String(error)}`,
  );
}
