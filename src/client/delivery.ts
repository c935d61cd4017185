import type { Delivery } from '../shared/delivery';

export type { Delivery } from '../shared/delivery';

/** Rough size of a delivery in characters, to flush batches by volume without serializing them. */
export function deliverySize(delivery: Delivery): number {
  switch (delivery.kind) {
    case 'event': {
      const data = delivery.data as { lines?: unknown; content?: unknown } | null;
      if (data && Array.isArray(data.lines)) {
        let size = 64;
        for (const line of data.lines) size += typeof line === 'string' ? line.length : 16;
        return size;
      }
      if (data && typeof data.content === 'string') return 64 + data.content.length;
      return 256;
    }
    case 'tail':
      return delivery.lines.reduce((size, line) => size + line.length, 64);
    case 'snapshot':
      return 256 * (delivery.data.issues.length + delivery.data.agents.length + 1);
    default:
      return 64;
  }
}
