// @vitest-environment happy-dom
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
  /** The notifications made, to click them as a person would. */
  const instances: Array<{ onclick: (() => void) | null; closed: boolean }> = [];
  const Recording = class {
    static permission = permission;
    onclick: (() => void) | null = null;
    onclose: (() => void) | null = null;
    closed = false;
    constructor(title: string, options?: NotificationOptions) {
      shown.push({ title, options });
      instances.push(this);
    }
    close() {
      this.closed = true;
    }
  } as unknown as NotificationClass & { permission: NotificationPermission };
  return { Recording, shown, instances };
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
  let instances: ReturnType<typeof recordingNotification>['instances'] = [];
  let windowFocused = 0;
  const start = (permission: NotificationPermission, pageFocused = false) => {
    const recording = recordingNotification(permission);
    instances = recording.instances;
    notifier = new WebNotifier({
      stores,
      Notification: recording.Recording,
      pageFocused: () => pageFocused,
      focusWindow: () => void windowFocused++,
    });
    return recording.shown;
  };

  beforeEach(() => {
    vi.useFakeTimers();
    windowFocused = 0;
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
    vi.restoreAllMocks();
  });

  /** Watches (and passes on) the page's frame requests: focusPaneSoon focuses the pane in the next frame. */
  const recordFrames = () => vi.spyOn(globalThis, 'requestAnimationFrame').mock.calls;

  it('opens a waiting agent’s pane on a click and asks for its reply box, without focusing the pane over it', () => {
    stores.preferences.getState().setWebNotifications({ enabled: true });
    const frames = recordFrames();
    start('granted');
    deliver(agentStatus('opus-1', 'waiting_for_input', 'Run the migration?'));
    vi.advanceTimersByTime(2000);
    expect(instances).toHaveLength(1);
    instances[0].onclick?.();
    expect(windowFocused).toBe(1);
    expect(stores.layout.getState().panes.map((pane) => pane.agentId)).toEqual(['opus-1']);
    expect(stores.answers.getState().takeReplyFocus('opus-1')).toBe(true);
    expect(frames).toEqual([]);
    expect(instances[0].closed).toBe(true);
  });

  it('opens the pane of an agent that stopped waiting by the click, focused, without asking for a reply box', () => {
    stores.preferences.getState().setWebNotifications({ enabled: true });
    const frames = recordFrames();
    start('granted');
    deliver(agentStatus('opus-1', 'waiting_for_input'));
    vi.advanceTimersByTime(2000);
    // Someone answered before the click: the agent works again.
    deliver(agentStatus('opus-1', 'working'));
    instances[0].onclick?.();
    expect(stores.layout.getState().panes.map((pane) => pane.agentId)).toEqual(['opus-1']);
    expect(stores.answers.getState().takeReplyFocus('opus-1')).toBe(false);
    expect(frames).toHaveLength(1);
  });

  it('asks no reply box for a failed agent’s notification', () => {
    stores.preferences.getState().setWebNotifications({ enabled: true });
    const frames = recordFrames();
    start('granted');
    deliver(agentStatus('opus-2', 'failed'));
    vi.advanceTimersByTime(2000);
    instances[0].onclick?.();
    expect(stores.layout.getState().panes.map((pane) => pane.agentId)).toEqual(['opus-2']);
    expect(stores.answers.getState().takeReplyFocus('opus-2')).toBe(false);
    expect(frames).toHaveLength(1);
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
