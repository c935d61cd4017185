import { describeInput, isInputSentDelivery } from '../../../shared/agent-input';
import type { Channel } from '../../../shared/protocol';
import type { BridgeDelivery } from '../../../shared/relay-delivery';
import { skippedText } from '../../../shared/skipped-output';
import { PaneViews } from './pane-views';

/** What a terminal pane receives for its agent channel, outside React. */
export interface OutputSink {
  /** Terminal output, in order; `history` for the tail replayed from the hub (no arrival time). */
  write(text: string, history?: boolean): void;
  /**
   * Live output as UTF-8 bytes, when the sink takes them as they came from
   * the desktop relay (xterm parses UTF-8 itself); without it the router
   * decodes the bytes and calls `write`.
   */
  writeBytes?(data: Uint8Array): void;
  /**
   * A visible marker line: where live output starts, where output could not
   * be recovered, or who answered the agent (`answer`, from `input_sent`).
   */
  marker(kind: 'live' | 'gap' | 'resync' | 'answer', text: string): void;
}

/**
 * Routes agent output from delivery batches straight to the panes showing
 * it — never through React state, so a flood of output re-renders nothing.
 * Output comes as text from the web edition's connection and as one UTF-8
 * buffer per channel per flush from the desktop relay: the router decodes
 * bytes once per delivery (a streaming decoder per channel, so a character
 * is never split between two writes) for every sink that wants text.
 */
export class OutputRouter {
  private readonly sinks = new Map<string, Set<OutputSink>>();
  private readonly decoders = new Map<string, TextDecoder>();
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
      if (set.size > 0) return;
      this.sinks.delete(channel);
      this.decoders.delete(channel);
    };
  }

  route(batch: readonly BridgeDelivery[]): void {
    for (const delivery of batch) {
      if (delivery.kind === 'error' || !delivery.channel?.startsWith('agent:')) continue;
      const sinks = this.sinks.get(delivery.channel);
      if (!sinks) continue;
      if (delivery.kind === 'output' && 'data' in delivery) {
        this.writeBytes(delivery.channel, sinks, delivery.data);
        continue;
      }
      for (const sink of sinks) deliverTo(sink, delivery);
    }
  }

  private writeBytes(channel: Channel, sinks: Set<OutputSink>, data: Uint8Array): void {
    let text: string | null = null;
    for (const sink of sinks) {
      if (sink.writeBytes) {
        sink.writeBytes(data);
        continue;
      }
      text ??= this.decoderOf(channel).decode(data, { stream: true });
      if (text) sink.write(text);
    }
  }

  private decoderOf(channel: Channel): TextDecoder {
    let decoder = this.decoders.get(channel);
    if (!decoder) {
      decoder = new TextDecoder();
      this.decoders.set(channel, decoder);
    }
    return decoder;
  }
}

function deliverTo(sink: OutputSink, delivery: Exclude<BridgeDelivery, { data: Uint8Array }>): void {
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
