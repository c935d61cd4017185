import { createJSONStorage, persist, type StateStorage } from 'zustand/middleware';
import { createStore } from 'zustand/vanilla';
import { DEFAULT_STUCK_AFTER_MINUTES } from '../lib/agent-state';

export type Theme = 'dark' | 'light';

/**
 * The web edition's browser notifications (the desktop's are main's, see
 * NotificationSettings). Off until the person turns them on in Settings,
 * which is also when the browser asks for permission.
 */
export interface WebNotificationPreferences {
  enabled: boolean;
  /** Agent statuses (waiting_for_input, failed) and issue statuses (done, blocked) worth a notification. */
  statuses: string[];
}

/** The desktop's defaults (src/main/settings-store.ts), so both editions notify about the same things. */
export const DEFAULT_WEB_NOTIFICATIONS: WebNotificationPreferences = {
  enabled: false,
  statuses: ['waiting_for_input', 'failed', 'done', 'blocked'],
};

export interface PreferencesSlice {
  theme: Theme;
  /** Lines of scrollback per pane (xterm keeps 1 000 by default; we keep 10 000). */
  scrollback: number;
  /** Lines of recent output loaded when a pane opens. */
  tailLines: number;
  webNotifications: WebNotificationPreferences;
  /** A working agent silent this long (minutes) is shown as stuck; 0 turns stuck detection off. */
  stuckAfterMinutes: number;
  setTheme(theme: Theme): void;
  setScrollback(lines: number): void;
  setTailLines(lines: number): void;
  setStuckAfterMinutes(minutes: number): void;
  setWebNotifications(patch: Partial<WebNotificationPreferences>): void;
}

export const DEFAULT_SCROLLBACK = 10_000;

export function createPreferencesStore(storage?: StateStorage) {
  return createStore<PreferencesSlice>()(
    persist(
      (set) => ({
        theme: 'dark',
        scrollback: DEFAULT_SCROLLBACK,
        tailLines: 500,
        webNotifications: DEFAULT_WEB_NOTIFICATIONS,
        stuckAfterMinutes: DEFAULT_STUCK_AFTER_MINUTES,
        setTheme: (theme) => set({ theme }),
        setScrollback: (lines) => set({ scrollback: clamp(Math.round(lines), 100, 200_000) }),
        setTailLines: (lines) => set({ tailLines: clamp(Math.round(lines), 0, 10_000) }),
        setWebNotifications: (patch) =>
          set((current) => ({ webNotifications: { ...current.webNotifications, ...patch } })),
        setStuckAfterMinutes: (minutes) => set({ stuckAfterMinutes: clamp(Math.round(minutes), 0, 24 * 60) }),
      }),
      {
        name: 'falcon.preferences',
        version: 1,
        storage: createJSONStorage(() => storage ?? localStorage),
        partialize: ({ theme, scrollback, tailLines, webNotifications, stuckAfterMinutes }) => ({
          theme,
          scrollback,
          tailLines,
          webNotifications,
          stuckAfterMinutes,
        }),
      },
    ),
  );
}

function clamp(value: number, min: number, max: number): number {
  return Number.isFinite(value) ? Math.min(max, Math.max(min, value)) : min;
}

export type PreferencesStore = ReturnType<typeof createPreferencesStore>;
