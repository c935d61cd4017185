import { createJSONStorage, persist, type StateStorage } from 'zustand/middleware';
import { createStore } from 'zustand/vanilla';

export type Theme = 'dark' | 'light';

export interface NotificationPreferences {
  enabled: boolean;
  /** Statuses worth a notification (agent statuses and issue statuses). */
  statuses: string[];
  /** Projects to notify about; empty means all. */
  projects: string[];
}

export interface PreferencesSlice {
  theme: Theme;
  /** Lines of scrollback per pane (xterm keeps 1 000 by default; we keep 10 000). */
  scrollback: number;
  /** Lines of recent output loaded when a pane opens. */
  tailLines: number;
  notifications: NotificationPreferences;
  setTheme(theme: Theme): void;
  setScrollback(lines: number): void;
  setTailLines(lines: number): void;
  setNotifications(patch: Partial<NotificationPreferences>): void;
}

export const DEFAULT_SCROLLBACK = 10_000;

export function createPreferencesStore(storage?: StateStorage) {
  return createStore<PreferencesSlice>()(
    persist(
      (set) => ({
        theme: 'dark',
        scrollback: DEFAULT_SCROLLBACK,
        tailLines: 500,
        notifications: { enabled: true, statuses: ['waiting_for_input', 'failed', 'done'], projects: [] },
        setTheme: (theme) => set({ theme }),
        setScrollback: (lines) => set({ scrollback: clamp(Math.round(lines), 100, 200_000) }),
        setTailLines: (lines) => set({ tailLines: clamp(Math.round(lines), 0, 10_000) }),
        setNotifications: (patch) => set((state) => ({ notifications: { ...state.notifications, ...patch } })),
      }),
      {
        name: 'falcon.preferences',
        version: 1,
        storage: createJSONStorage(() => storage ?? localStorage),
        partialize: ({ theme, scrollback, tailLines, notifications }) => ({
          theme,
          scrollback,
          tailLines,
          notifications,
        }),
      },
    ),
  );
}

function clamp(value: number, min: number, max: number): number {
  return Number.isFinite(value) ? Math.min(max, Math.max(min, value)) : min;
}

export type PreferencesStore = ReturnType<typeof createPreferencesStore>;
