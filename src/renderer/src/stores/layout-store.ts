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
  /**
   * The pane closed to make room for the last one opened past 9, and for whom:
   * shown until dismissed, so a pane never vanishes without a word. Not persisted.
   */
  closedForRoom: { agentId: string; openedAgentId: string } | null;
  /** The pane shown alone over the whole pane area, or null. */
  maximizedPaneId: string | null;
  selectProject(projectId: string | null): void;
  /**
   * Opens an agent in a pane (focusing it if already open). Past 9 panes the
   * oldest one closes — never the focused one, and one whose agent needs
   * attention only when every other does — and `closedForRoom` says so.
   */
  openPane(agentId: string): string;
  dismissClosedForRoom(): void;
  closePane(id: string): void;
  focusPane(id: string | null): void;
  focusPaneAt(index: number): void;
  setMode(mode: LayoutMode): void;
  /** Shows a pane alone over the pane area, or restores the layout when it already is. */
  toggleMaximize(id: string): void;
}

let counter = 0;
const paneId = () => `p${Date.now().toString(36)}${(counter++).toString(36)}`;

export interface LayoutOptions {
  /** Whether an agent needs attention (waits for input, failed): its pane is the last to close for room. */
  needsAttention?: (agentId: string) => boolean;
}

/** Selected project, open panes and layout; persisted so they survive a restart. */
export function createLayoutStore(storage?: StateStorage, options: LayoutOptions = {}) {
  const needsAttention = options.needsAttention ?? (() => false);
  return createStore<LayoutSlice>()(
    persist(
      (set, get) => ({
        projectId: null,
        panes: [],
        focusedPaneId: null,
        mode: 'grid',
        closedForRoom: null,
        maximizedPaneId: null,
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
            if (panes.length <= MAX_PANES) return { panes, focusedPaneId: id };
            const candidates = state.panes.filter((pane) => pane.id !== state.focusedPaneId);
            const drop = candidates.find((pane) => !needsAttention(pane.agentId)) ?? candidates[0] ?? state.panes[0];
            panes = panes.filter((pane) => pane !== drop);
            return { panes, focusedPaneId: id, closedForRoom: { agentId: drop.agentId, openedAgentId: agentId } };
          });
          return id;
        },
        closePane: (id) =>
          set((state) => {
            const panes = state.panes.filter((pane) => pane.id !== id);
            const focusedPaneId =
              state.focusedPaneId === id ? (panes[panes.length - 1]?.id ?? null) : state.focusedPaneId;
            const maximizedPaneId = state.maximizedPaneId === id ? null : state.maximizedPaneId;
            return { panes, focusedPaneId, maximizedPaneId };
          }),
        focusPane: (id) => set({ focusedPaneId: id }),
        focusPaneAt: (index) => {
          const pane = get().panes[index];
          if (pane) set({ focusedPaneId: pane.id });
        },
        setMode: (mode) => set({ mode }),
        toggleMaximize: (id) =>
          set((state) =>
            state.maximizedPaneId === id
              ? { maximizedPaneId: null }
              : state.panes.some((pane) => pane.id === id)
                ? { maximizedPaneId: id, focusedPaneId: id }
                : {},
          ),
        dismissClosedForRoom: () => set({ closedForRoom: null }),
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
