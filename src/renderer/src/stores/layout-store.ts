import { createJSONStorage, persist, type StateStorage } from 'zustand/middleware';
import { createStore } from 'zustand/vanilla';

export const MAX_PANES = 9;
export type LayoutMode = 'grid' | 'tabs';

export interface PaneState {
  /** Stable id of the pane (one agent may be open in two panes). */
  id: string;
  agentId: string;
}

export interface LayoutSlice {
  projectId: string | null;
  panes: PaneState[];
  focusedPaneId: string | null;
  mode: LayoutMode;
  selectProject(projectId: string | null): void;
  /** Opens an agent in a pane (focusing it if already open); past 9 panes the oldest unfocused one closes. */
  openPane(agentId: string): string;
  closePane(id: string): void;
  focusPane(id: string | null): void;
  focusPaneAt(index: number): void;
  setMode(mode: LayoutMode): void;
}

let counter = 0;
const paneId = () => `p${Date.now().toString(36)}${(counter++).toString(36)}`;

/** Selected project, open panes and layout; persisted so they survive a restart. */
export function createLayoutStore(storage?: StateStorage) {
  return createStore<LayoutSlice>()(
    persist(
      (set, get) => ({
        projectId: null,
        panes: [],
        focusedPaneId: null,
        mode: 'grid',
        selectProject: (projectId) => set({ projectId }),
        openPane: (agentId) => {
          const existing = get().panes.find((pane) => pane.agentId === agentId);
          if (existing) {
            set({ focusedPaneId: existing.id });
            return existing.id;
          }
          const id = paneId();
          set((state) => {
            let panes = [...state.panes, { id, agentId }];
            if (panes.length > MAX_PANES) {
              const drop = panes.find((pane) => pane.id !== state.focusedPaneId) ?? panes[0];
              panes = panes.filter((pane) => pane !== drop);
            }
            return { panes, focusedPaneId: id };
          });
          return id;
        },
        closePane: (id) =>
          set((state) => {
            const panes = state.panes.filter((pane) => pane.id !== id);
            const focusedPaneId =
              state.focusedPaneId === id ? (panes[panes.length - 1]?.id ?? null) : state.focusedPaneId;
            return { panes, focusedPaneId };
          }),
        focusPane: (id) => set({ focusedPaneId: id }),
        focusPaneAt: (index) => {
          const pane = get().panes[index];
          if (pane) set({ focusedPaneId: pane.id });
        },
        setMode: (mode) => set({ mode }),
      }),
      {
        name: 'falcon.layout',
        version: 1,
        storage: createJSONStorage(() => storage ?? localStorage),
        partialize: ({ projectId, panes, focusedPaneId, mode }) => ({ projectId, panes, focusedPaneId, mode }),
      },
    ),
  );
}

export type LayoutStore = ReturnType<typeof createLayoutStore>;
