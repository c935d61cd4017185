import { createStore } from 'zustand/vanilla';

export interface DrawerSlice {
  /** The issue whose details are open, or null. */
  issueId: string | null;
  open(issueId: string): void;
  close(): void;
}

/** Which issue's details drawer is open (one at a time). */
export function createDrawerStore() {
  return createStore<DrawerSlice>()((set) => ({
    issueId: null,
    open: (issueId) => set({ issueId }),
    close: () => set({ issueId: null }),
  }));
}

export type DrawerStore = ReturnType<typeof createDrawerStore>;
