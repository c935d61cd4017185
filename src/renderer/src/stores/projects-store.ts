import { createStore } from 'zustand/vanilla';
import type { FalconBridge } from '../../../shared/bridge';

/** How often the hub's project list is fetched again while anything shows it. */
export const PROJECT_REFRESH_MS = 30_000;

export interface ProjectsSlice {
  /** The projects the hub lists for this token, as last fetched (kept when a fetch fails). */
  listed: string[];
  /** False until the first fetch answered or failed: until then "the first project" is not known. */
  asked: boolean;
}

/**
 * The page's one copy of the project list, polled in one place: every
 * component that needs it calls `watch()` while mounted, and the list is
 * fetched on the first watch and every `refreshMs` while anyone watches.
 * (In the desktop app the bridge answers from main's own list, which main
 * polls once for all windows.)
 */
export function createProjectsStore(bridge: Pick<FalconBridge, 'listProjects'>, refreshMs = PROJECT_REFRESH_MS) {
  const store = createStore<ProjectsSlice>()(() => ({ listed: [], asked: false }));
  let watchers = 0;
  let timer: ReturnType<typeof setInterval> | null = null;
  const refresh = () =>
    void bridge.listProjects().then(
      (ids) => {
        if (watchers === 0) return;
        store.setState((current) => ({ listed: same(current.listed, ids) ? current.listed : ids, asked: true }));
      },
      // Keep the last list: the hub may be restarting, and the next refresh will tell.
      () => {
        if (watchers > 0) store.setState({ asked: true });
      },
    );
  return Object.assign(store, {
    /** Fetches the list now, if anything watches it (the connection just opened: a new token may read more). */
    refresh(): void {
      if (watchers > 0) refresh();
    },
    /** Keeps the list fresh until the returned undo is called. */
    watch(): () => void {
      watchers++;
      if (watchers === 1) {
        refresh();
        timer = setInterval(refresh, refreshMs);
      }
      let watching = true;
      return () => {
        if (!watching) return;
        watching = false;
        watchers--;
        if (watchers === 0 && timer) {
          clearInterval(timer);
          timer = null;
        }
      };
    },
  });
}

export type ProjectsStore = ReturnType<typeof createProjectsStore>;

function same(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}
