import { createJSONStorage, persist, type StateStorage } from 'zustand/middleware';
import { createStore } from 'zustand/vanilla';

export const MAX_PANES = 9;
export type LayoutMode = 'grid' | 'tabs';

/** The board's share of the height it splits with the panes: default, and the bounds a drag or key keeps to. */
export const BOARD_RATIO = { initial: 0.42, min: 0.15, max: 0.85 } as const;

/** A board ratio within bounds; anything that is not a finite number becomes the default. */
export function clampBoardRatio(ratio: number): number {
  if (!Number.isFinite(ratio)) return BOARD_RATIO.initial;
  return Math.min(BOARD_RATIO.max, Math.max(BOARD_RATIO.min, ratio));
}

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
  /**
   * The pane shown alone over the whole pane area, or null. While one is,
   * it follows focus: focusing or opening another pane shows that one instead.
   */
  maximizedPaneId: string | null;
  /** The board's share (BOARD_RATIO.min…max) of the height it splits with the panes. */
  boardRatio: number;
  /** The board is hidden and the panes take its place. */
  boardCollapsed: boolean;
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
  /** Moves the splitter (clamped to BOARD_RATIO.min…max). */
  setBoardRatio(ratio: number): void;
  /** Puts the splitter back where it starts (BOARD_RATIO.initial). */
  resetBoardRatio(): void;
  setBoardCollapsed(collapsed: boolean): void;
  toggleBoard(): void;
}

/** Focus moves to a pane; a maximised layout shows that pane instead (so Ctrl/Cmd+1…9 flips through them). */
function focus(state: LayoutSlice, id: string | null): Partial<LayoutSlice> {
  if (state.maximizedPaneId === null || id === null) return { focusedPaneId: id };
  return { focusedPaneId: id, maximizedPaneId: id };
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
        boardRatio: BOARD_RATIO.initial,
        boardCollapsed: false,
        selectProject: (projectId) => set({ projectId }),
        openPane: (agentId) => {
          const existing = get().panes.find((pane) => pane.agentId === agentId);
          if (existing) {
            set((state) => focus(state, existing.id));
            return existing.id;
          }
          const id = paneId();
          set((state) => {
            let panes = [...state.panes, { id, agentId }];
            if (panes.length <= MAX_PANES) return { panes, ...focus(state, id) };
            const candidates = state.panes.filter((pane) => pane.id !== state.focusedPaneId);
            const drop = candidates.find((pane) => !needsAttention(pane.agentId)) ?? candidates[0] ?? state.panes[0];
            panes = panes.filter((pane) => pane !== drop);
            return { panes, ...focus(state, id), closedForRoom: { agentId: drop.agentId, openedAgentId: agentId } };
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
        focusPane: (id) => set((state) => focus(state, id)),
        focusPaneAt: (index) => {
          const pane = get().panes[index];
          if (pane) set((state) => focus(state, pane.id));
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
        setBoardRatio: (ratio) => set({ boardRatio: clampBoardRatio(ratio) }),
        resetBoardRatio: () => set({ boardRatio: BOARD_RATIO.initial }),
        setBoardCollapsed: (boardCollapsed) => set({ boardCollapsed }),
        toggleBoard: () => set((state) => ({ boardCollapsed: !state.boardCollapsed })),
      }),
      {
        name: 'falcon.layout',
        version: 1,
        storage: createJSONStorage(() => storage ?? localStorage),
        partialize: ({ projectId, panes, focusedPaneId, mode, boardRatio, boardCollapsed }) => ({
          projectId,
          panes,
          focusedPaneId,
          mode,
          boardRatio,
          boardCollapsed,
        }),
        // Stored state is input like any other: a hand-edited or older ratio must not break the split.
        merge: (persisted, current) => {
          const stored = (persisted ?? {}) as Partial<LayoutSlice>;
          return {
            ...current,
            ...stored,
            boardRatio: clampBoardRatio(stored.boardRatio ?? current.boardRatio),
            boardCollapsed: stored.boardCollapsed === true,
          };
        },
      },
    ),
  );
}

export type LayoutStore = ReturnType<typeof createLayoutStore>;
