import { createStore } from 'zustand/vanilla';
import type { ConnectionState } from '../../../shared/connection-state';
import type { Delivery } from '../../../shared/delivery';

export interface ConnectionSlice {
  state: ConnectionState;
  /** When each channel last delivered something (ms since epoch), for "last event N s ago". */
  lastEventAt: Record<string, number>;
  setState(state: ConnectionState): void;
  noteDeliveries(batch: Delivery[], now: number): void;
}

export function createConnectionStore(initial: ConnectionState) {
  return createStore<ConnectionSlice>()((set) => ({
    state: initial,
    lastEventAt: {},
    setState: (state) => set({ state }),
    noteDeliveries: (batch, now) =>
      set((current) => {
        let changed = false;
        const next = { ...current.lastEventAt };
        for (const delivery of batch) {
          if (delivery.kind !== 'event' && delivery.kind !== 'output') continue;
          next[delivery.channel] = now;
          changed = true;
        }
        return changed ? { lastEventAt: next } : current;
      }),
  }));
}

export type ConnectionStore = ReturnType<typeof createConnectionStore>;
