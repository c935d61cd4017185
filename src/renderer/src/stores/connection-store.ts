import { createStore } from 'zustand/vanilla';
import type { ConnectionState } from '../../../shared/connection-state';
import type { BridgeDelivery } from '../../../shared/relay-delivery';

export interface ConnectionSlice {
  state: ConnectionState;
  /** When each channel last delivered something (ms since epoch), for "last event N s ago". */
  lastEventAt: Record<string, number>;
  /**
   * Since when what the page shows may be out of date (ms since epoch): set
   * when a connection that was open is lost (reconnecting, refused, offline),
   * cleared when it is open again. Null before the first connection too:
   * nothing is shown then that could be stale.
   */
  staleSince: number | null;
  /** Whether the connection was ever open (a later 'connecting' is then stale too). */
  everOpen: boolean;
  setState(state: ConnectionState, now?: number): void;
  noteDeliveries(batch: BridgeDelivery[], now: number): void;
}

export function createConnectionStore(initial: ConnectionState) {
  return createStore<ConnectionSlice>()((set) => ({
    state: initial,
    lastEventAt: {},
    staleSince: null,
    everOpen: initial.status === 'open',
    setState: (state, now = Date.now()) =>
      set((current) => {
        let { staleSince } = current;
        if (state.status === 'open') staleSince = null;
        else if (staleSince === null && current.everOpen) staleSince = now;
        return { state, staleSince, everOpen: current.everOpen || state.status === 'open' };
      }),
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
