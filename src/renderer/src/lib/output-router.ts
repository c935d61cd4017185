import { describeInput, isInputSentDelivery } from '../../../shared/agent-input';
import type { Delivery } from '../../../shared/delivery';
import { skippedText } from '../../../shared/skipped-output';
import { PaneViews } from './pane-views';

/** What a terminal pane receives for its agent channel, outside React. */
export interface OutputSink {
  /** Terminal output, in order; `history` for the tail replayed from the hub (no arrival time). */
  write(text: string, history?: boolean): void;
  /**
   * A visible marker line: where live output starts, where output could not
   * be recovered, or who answered the agent (`answer`, from `input_sent`).
   */
  marker(kind: 'live' | 'gap' | 'resync' | 'answer', text: string): void;
}

/**
 * Routes agent output from delivery batches straight to the panes showing
 * it — never through React state, so a flood of output re-renders nothing.
 * The text comes decoded by the client core (`output`, `tail`).
 */
export class OutputRouter {
  private readonly sinks = new Map<string, Set<OutputSink>>();
  /**
   * The open panes' terminals by pane id, for search across panes. Kept here
   * because panes register their terminals with the router anyway.
   */
  readonly panes = new PaneViews();

  add(channel: string, sink: OutputSink): () => void {
    let set = this.sinks.get(channel);
    if (!set) {
      set = new Set();
      this.sinks.set(channel, set);
    }
    set.add(sink);
    return () => {
      set.delete(sink);
      if (set.size === 0) this.sinks.delete(channel);
    };
  }

  route(batch: Delivery[]): void {
    for (const delivery of batch) {
      if (delivery.kind === 'error' || !delivery.channel?.startsWith('agent:')) continue;
      const sinks = this.sinks.get(delivery.channel);
      if (!sinks) continue;
      for (const sink of sinks) deliverTo(sink, delivery);
    }
  }
}

function deliverTo(sink: OutputSink, delivery: Delivery): void {
  switch (delivery.kind) {
    case 'tail':
      if (delivery.text) sink.write(delivery.text, true);
      return;
    case 'output':
      sink.write(delivery.text);
      return;
    case 'subscribed':
      if (!delivery.resumed) sink.marker('live', 'live output');
      return;
    case 'resync':
      sink.marker('resync', 'some output could not be recovered: it was sent while this page was disconnected');
      return;
    case 'gap':
      sink.marker('gap', delivery.skipped ? skippedText(delivery.skipped) : 'some output may be missing here');
      return;
    case 'event':
      if (isInputSentDelivery(delivery)) sink.marker('answer', `${delivery.data.by} ${describeInput(delivery.data)}`);
      return;
    default:
      return;
  }
}
