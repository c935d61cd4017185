import type { Delivery } from '../shared/delivery';

export type { Delivery } from '../shared/delivery';

/** Rough size of a delivery in characters, to flush batches by volume without serializing them. */
export function deliverySize(delivery: Delivery): number {
  switch (delivery.kind) {
    case 'output':
    case 'tail':
      return 64 + delivery.text.length;
    case 'event':
      return 256;
    case 'snapshot':
      return 256 * (delivery.data.issues.length + delivery.data.agents.length + 1);
    default:
      return 64;
  }
}
