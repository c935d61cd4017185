import { applyBoardEvent, createBoardState, selectSnapshot } from '../shared/board-state';
import type { Delivery } from '../shared/delivery';
import type { Channel } from '../shared/protocol';
import { OutputTail, outputText } from '../server/output-tail';

const TAIL_LINES = 2000;
const TAIL_CHARS = 1024 * 1024;

/**
 * What the one connection has seen, so a window that subscribes to a channel
 * another window already holds still gets a snapshot and a tail: the hub sends
 * those only on the connection's first subscribe, and the relay hands them to
 * late joiners from here.
 */
export class ChannelCache {
  private readonly board = createBoardState();
  private readonly tails = new Map<Channel, OutputTail>();

  ingest(batch: Delivery[], now: number): void {
    for (const delivery of batch) {
      switch (delivery.kind) {
        case 'snapshot':
          for (const issue of delivery.data.issues) this.board.issues.set(issue.issueId, issue);
          for (const agent of delivery.data.agents) this.board.agents.set(agent.agentId, agent);
          break;
        case 'tail':
          this.tail(delivery.channel).append(delivery.lines.join(''), 0);
          break;
        case 'resync':
          // What was kept for this agent may now be missing lines: start over from the hub's tail.
          this.tails.delete(delivery.channel);
          break;
        case 'event': {
          applyBoardEvent(this.board, delivery.event, delivery.data, now, delivery.channel);
          const text = outputText(delivery.event, delivery.data);
          if (text !== null) this.tail(delivery.channel).append(text, delivery.offset ?? 0);
          break;
        }
        default:
          break;
      }
    }
  }

  /** Drops what is kept for a channel nobody subscribes to any more. */
  forget(channel: Channel): void {
    this.tails.delete(channel);
  }

  /** The deliveries a late joiner gets first: snapshot and tail as asked, then `subscribed`. */
  catchUp(channel: Channel, options: { snapshot?: boolean; tail?: number }): Delivery[] {
    const deliveries: Delivery[] = [];
    if (options.snapshot) deliveries.push({ kind: 'snapshot', channel, data: selectSnapshot(this.board, channel) });
    if (options.tail && options.tail > 0) {
      const lines = this.tails.get(channel)?.last(options.tail) ?? [];
      deliveries.push({ kind: 'tail', channel, lines });
    }
    deliveries.push({ kind: 'subscribed', channel, resumed: false });
    return deliveries;
  }

  private tail(channel: Channel): OutputTail {
    let tail = this.tails.get(channel);
    if (!tail) {
      tail = new OutputTail(TAIL_LINES, TAIL_CHARS);
      this.tails.set(channel, tail);
    }
    return tail;
  }
}
