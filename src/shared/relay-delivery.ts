import type { BoardChange } from './board-state';
import type { Delivery } from './delivery';
import type { Channel } from './protocol';

/**
 * One channel's output in one relay flush, as the desktop main process sends
 * it to a window: the flush's consecutive output of that channel joined and
 * UTF-8 encoded once (src/main/relay-batcher.ts). `offset` is the last
 * event's; `change` the newest activity record it made.
 */
export interface OutputRun {
  kind: 'output';
  channel: Channel;
  data: Uint8Array;
  offset?: number;
  epoch?: string;
  change?: BoardChange;
}

/** What `falcon:deliveries` carries: the client core's deliveries, output as byte runs. */
export type RelayDelivery = Exclude<Delivery, { kind: 'output' }> | OutputRun;

/**
 * What a bridge hands the UI: the client core's deliveries (web edition:
 * output as text) or the relay's (desktop: output as bytes). Consumers that
 * only look at an output's channel and `change` take either.
 */
export type BridgeDelivery = Delivery | OutputRun;

export type RelayBatchCheck =
  { ok: true; batch: RelayDelivery[] } | { ok: false; code: 'invalid_batch'; error: string };

const KINDS = new Set(['event', 'output', 'snapshot', 'history', 'tail', 'subscribed', 'resync', 'gap', 'error']);

/**
 * Checks a `falcon:deliveries` batch where it enters the window (the
 * preload): an array of deliveries of known kinds, each with a string channel
 * (optional for `error`), output runs with their bytes in a `Uint8Array` and
 * tails with their text. The payloads beyond that were parsed once, by the
 * client core in main; this catches a contract mismatch (an old main, an IPC
 * that dropped the bytes' type) with one stable code instead of a pane that
 * writes `[object Object]`. Never throws; the batch is returned as it came.
 */
export function checkRelayBatch(value: unknown): RelayBatchCheck {
  if (!Array.isArray(value)) return invalid('the batch is not an array');
  for (let i = 0; i < value.length; i++) {
    const problem = deliveryProblem(value[i]);
    if (problem) return invalid(`[${i}]: ${problem}`);
  }
  return { ok: true, batch: value as RelayDelivery[] };
}

function deliveryProblem(item: unknown): string | null {
  if (typeof item !== 'object' || item === null) return 'not an object';
  const delivery = item as { kind?: unknown; channel?: unknown; data?: unknown; text?: unknown };
  if (typeof delivery.kind !== 'string' || !KINDS.has(delivery.kind)) return 'unknown kind';
  if (delivery.kind === 'error') {
    if (delivery.channel !== undefined && typeof delivery.channel !== 'string') return 'channel is not a string';
    return null;
  }
  if (typeof delivery.channel !== 'string') return 'channel is not a string';
  if (delivery.kind === 'output' && !(delivery.data instanceof Uint8Array)) return 'output data is not a Uint8Array';
  if (delivery.kind === 'tail' && typeof delivery.text !== 'string') return 'tail text is not a string';
  return null;
}

function invalid(error: string): RelayBatchCheck {
  return { ok: false, code: 'invalid_batch', error: `falcon:deliveries: ${error}` };
}
