import { createStore } from 'zustand/vanilla';

export interface FilterSlice {
  text: string;
  agentId: string | null;
  status: string | null;
  setText(text: string): void;
  setAgent(agentId: string | null): void;
  setStatus(status: string | null): void;
  clear(): void;
}

/** The board's filter (by text, agent and status); not persisted. */
export function createFilterStore() {
  return createStore<FilterSlice>()((set) => ({
    text: '',
    agentId: null,
    status: null,
    setText: (text) => set({ text }),
    setAgent: (agentId) => set({ agentId }),
    setStatus: (status) => set({ status }),
    clear: () => set({ text: '', agentId: null, status: null }),
  }));
}

export type FilterStore = ReturnType<typeof createFilterStore>;
