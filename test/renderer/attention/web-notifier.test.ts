import { createAnswerStore } from '../../../src/renderer/src/stores/answer-store';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ChannelStore } from '../../../src/client/index';
import { badgeText, faviconHref, faviconSvg, titleWithCount } from '../../../src/renderer/src/lib/favicon-badge';
import { type NotificationClass, WebNotifier } from '../../../src/renderer/src/lib/web-notifier';
import { createBoardStore } from '../../../src/renderer/src/stores/board-store';
import { createFilterStore } from '../../../src/renderer/src/stores/filter-store';
import { createLayoutStore } from '../../../src/renderer/src/stores/layout-store';
import { createPreferencesStore } from '../../../src/renderer/src/stores/preferences-store';
import type { Delivery } from '../../../src/shared/delivery';
import { memoryStorage } from '../../../src/renderer/src/stores/memory-storage';

const agentStatus = (agentId: string, status: string, message?: string): Delivery => ({
  kind: 'event',
  channel: `agent:${agentId}`,
  event: 'agent_status',
  data: { agentId, status, projectId: 'web', ...(message ? { message } : {}) },
});

/** The browser's Notification as far as the notifier uses it, recording what it was asked to show. */
function recordingNotification(permission: NotificationPermission) {
  const shown: Array<{ title: string; options?: NotificationOptions }> = [];
  const Recording = class {
    static permission = permission;
    onclick: (() => void) | null = null;
    onclose: (() => void) | null = null;
    constructor(title: string, options?: NotificationOptions) {
      shown.push({ title, options });
    }
    close() {}
  } as unknown as NotificationClass & { permission: NotificationPermission };
  return { Recording, shown };
}

describe('WebNotifier', () => {
  let core: ChannelStore;
  let stores: {
    board: ReturnType<typeof createBoardStore>;
    layout: ReturnType<typeof createLayoutStore>;
    filter: ReturnType<typeof createFilterStore>;
    preferences: ReturnType<typeof createPreferencesStore>;
    answers: ReturnType<typeof createAnswerStore>;
  };
  let notifier: WebNotifier | undefined;

  const deliver = (...batch: Delivery[]) => {
    core.apply(batch, Date.now());
    stores.board.getState().applyDeliveries(batch, Date.now());
    notifier?.ingest(batch);
  };
  const start = (permission: NotificationPermission, pageFocused = false) => {
    const { Recording, shown } = recordingNotification(permission);
    notifier = new WebNotifier({
      stores,
      Notification: Recording,
      pageFocused: () => pageFocused,
      focusWindow: () => {},
    });
    return shown;
  };

  beforeEach(() => {
    vi.useFakeTimers();
    core = new ChannelStore(null);
    stores = {
      board: createBoardStore(),
      layout: createLayoutStore(memoryStorage()),
      filter: createFilterStore(),
      preferences: createPreferencesStore(memoryStorage()),
      answers: createAnswerStore(async () => ({ ok: true, inputId: 'i1' })),
    };
    deliver(agentStatus('opus-1', 'working'), agentStatus('opus-2', 'working'), agentStatus('opus-3', 'working'));
  });
  afterEach(() => {
    notifier?.dispose();
    vi.useRealTimers();
  });

  it('is off until turned on in the preferences', () => {
    const shown = start('granted');
    deliver(agentStatus('opus-1', 'waiting_for_input'));
    vi.advanceTimersByTime(2000);
    expect(shown).toEqual([]);
  });

  it('shows nothing without the browser’s permission, even when turned on', () => {
    stores.preferences.getState().setWebNotifications({ enabled: true });
    const shown = start('default');
    deliver(agentStatus('opus-1', 'waiting_for_input'));
    vi.advanceTimersByTime(2000);
    expect(shown).toEqual([]);
  });

  it('shows the desktop policy’s notification after the coalescing window, tagged by agent', () => {
    stores.preferences.getState().setWebNotifications({ enabled: true });
    const shown = start('granted');
    deliver(agentStatus('opus-1', 'waiting_for_input', 'Run the migration?'));
    vi.advanceTimersByTime(1999);
    expect(shown).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(shown).toEqual([
      {
        title: 'opus-1 needs your input',
        options: { body: 'Run the migration?', tag: 'falcon:agent:opus-1', renotify: true, silent: false },
      },
    ]);
  });

  it('turns a burst of three into one summary, as the desktop does', () => {
    stores.preferences.getState().setWebNotifications({ enabled: true });
    const shown = start('granted');
    deliver(
      agentStatus('opus-1', 'waiting_for_input'),
      agentStatus('opus-2', 'failed'),
      agentStatus('opus-3', 'failed'),
    );
    vi.advanceTimersByTime(2000);
    expect(shown.map((n) => [n.title, n.options?.tag])).toEqual([['3 updates', 'falcon:summary']]);
  });

  it('keeps to the chosen statuses', () => {
    stores.preferences.getState().setWebNotifications({ enabled: true, statuses: ['failed'] });
    const shown = start('granted');
    deliver(agentStatus('opus-1', 'waiting_for_input'), agentStatus('opus-2', 'failed'));
    vi.advanceTimersByTime(2000);
    expect(shown.map((n) => n.title)).toEqual(['opus-2 failed']);
  });

  it('stays quiet about the focused pane’s agent while the tab has the focus, not when it has not', () => {
    stores.preferences.getState().setWebNotifications({ enabled: true });
    stores.layout.getState().openPane('opus-1');
    const quiet = start('granted', true);
    deliver(agentStatus('opus-1', 'waiting_for_input'));
    vi.advanceTimersByTime(2000);
    expect(quiet).toEqual([]);
    notifier?.dispose();
    const loud = start('granted', false);
    deliver(agentStatus('opus-1', 'failed'));
    vi.advanceTimersByTime(2000);
    expect(loud.map((n) => n.title)).toEqual(['opus-1 failed']);
  });
});

describe('favicon badge', () => {
  it('counts up to 9, then reads 9+', () => {
    expect([0, 1, 9, 10, 120].map(badgeText)).toEqual(['0', '1', '9', '9+', '9+']);
  });

  it('draws the plain icon at 0 and a badge with the count above', () => {
    expect(faviconSvg(0)).not.toContain('<circle');
    expect(faviconSvg(3)).toContain('<circle');
    expect(faviconSvg(3)).toContain('>3</text>');
    expect(faviconHref(12)).toBe(`data:image/svg+xml,${encodeURIComponent(faviconSvg(12))}`);
    expect(decodeURIComponent(faviconHref(12))).toContain('>9+</text>');
  });

  it('puts the count in front of the title only when there is one', () => {
    expect(titleWithCount('Falcon Monitor', 2)).toBe('(2) Falcon Monitor');
    expect(titleWithCount('Falcon Monitor', 0)).toBe('Falcon Monitor');
  });
});
