import { describe, expect, it } from 'vitest';
import { ChannelStore } from '../../../src/client/index';
import { createBoardStore } from '../../../src/renderer/src/stores/board-store';
import { createConnectionStore } from '../../../src/renderer/src/stores/connection-store';
import { MAX_PANES, createLayoutStore } from '../../../src/renderer/src/stores/layout-store';
import { createPreferencesStore } from '../../../src/renderer/src/stores/preferences-store';
import { createProjectsStore } from '../../../src/renderer/src/stores/projects-store';
import { INITIAL_STATE } from '../../../src/shared/connection-state';
import type { Delivery } from '../../../src/shared/delivery';
import { memoryStorage } from '../../../src/renderer/src/stores/memory-storage';

/** A batch as the client core hands it over: applied to its store (the one reducer) first. */
function fromClientCore(store: ChannelStore, batch: Delivery[], now: number): Delivery[] {
  store.apply(batch, now);
  return batch;
}

describe('board store (no React)', () => {
  it('keeps records whose ids name object members (__proto__, constructor, toString) as plain records', () => {
    const board = createBoardStore();
    const core = new ChannelStore(null);
    const ids = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'];
    const snapshot: Delivery = {
      kind: 'snapshot',
      channel: 'project:p',
      data: {
        issues: ids.map((issueId) => ({ issueId, projectId: 'p', status: 'todo' })),
        agents: ids.map((agentId) => ({ agentId, status: 'waiting_for_input' as const })),
      },
    };
    board.getState().applyDeliveries(fromClientCore(core, [snapshot], 1), 1);
    const { agents, issues } = board.getState();
    for (const id of ids) {
      expect(agents[id]).toMatchObject({ agentId: id, status: 'waiting_for_input' });
      expect(issues[id]).toMatchObject({ issueId: id, status: 'todo' });
    }
    expect(Object.keys(agents).sort()).toEqual([...ids].sort());
    // Nothing inherited reads as a record, and the prototype was not replaced.
    expect(agents.valueOf).toBeUndefined();
    expect(Object.getPrototypeOf(agents)).toBeNull();
    const status: Delivery = {
      kind: 'event',
      channel: 'project:p',
      event: 'agent_status',
      data: { agentId: '__proto__', status: 'working' },
    };
    board.getState().applyDeliveries(fromClientCore(core, [status], 2), 2);
    expect(board.getState().agents.__proto__).toMatchObject({ agentId: '__proto__', status: 'working' });
    expect(Object.getPrototypeOf(board.getState().agents)).toBeNull();
  });

  it('loads a snapshot, then writes the changed records the client core hands over, replacing only those', () => {
    const board = createBoardStore();
    const core = new ChannelStore(null);
    const snapshot: Delivery = {
      kind: 'snapshot',
      channel: 'project:p',
      data: {
        issues: [
          { issueId: '1', projectId: 'p', status: 'todo' },
          { issueId: '2', projectId: 'p', status: 'todo' },
        ],
        agents: [{ agentId: 'a', status: 'idle' }],
      },
    };
    board.getState().applyDeliveries(fromClientCore(core, [snapshot], 1), 1);
    const before = board.getState();
    const status: Delivery = {
      kind: 'event',
      channel: 'project:p',
      event: 'status_changed',
      data: { issueId: '1', newStatus: 'done' },
    };
    board.getState().applyDeliveries(fromClientCore(core, [status], 5), 5);
    const after = board.getState();
    expect(after.issues['1']).toMatchObject({ status: 'done', statusSince: 5, projectId: 'p' });
    // The very record the client core's board holds: nothing is reduced twice.
    expect(after.issues['1']).toBe(core.board.issues.get('1'));
    expect(after.issues['2']).toBe(before.issues['2']);
    expect(after.agents).toBe(before.agents);
    expect(after.changedAt['1']).toBe(5);
  });

  it('reduces nothing itself: an event without a change leaves the board as it was', () => {
    const board = createBoardStore();
    const start = board.getState();
    board.getState().applyDeliveries(
      [
        { kind: 'event', channel: 'project:web', event: 'issue_created', data: { issueId: '9' } },
        { kind: 'gap', channel: 'issue:1' },
      ],
      1,
    );
    expect(board.getState()).toBe(start);
  });

  it('marks an agent active on output, with the record the client core made', () => {
    const board = createBoardStore();
    const core = new ChannelStore(null);
    board.getState().applyDeliveries(fromClientCore(core, [{ kind: 'output', channel: 'agent:x', text: 'hi' }], 7), 7);
    expect(board.getState().agents.x).toMatchObject({ agentId: 'x', lastActivityAt: 7 });
  });
});

describe('layout store (no React)', () => {
  it('opens at most nine panes, focusing the newest and reusing an open agent', () => {
    const layout = createLayoutStore(memoryStorage());
    const ids = Array.from({ length: 10 }, (_, i) => layout.getState().openPane(`agent-${i}`));
    expect(layout.getState().panes).toHaveLength(MAX_PANES);
    expect(layout.getState().focusedPaneId).toBe(ids[9]);
    expect(layout.getState().openPane('agent-9')).toBe(ids[9]);
    layout.getState().closePane(ids[9]);
    expect(layout.getState().focusedPaneId).toBe(layout.getState().panes.at(-1)?.id);
  });

  it('past nine panes closes the oldest one that needs no attention, never the focused one, and says so', () => {
    const waiting = new Set(['agent-0', 'agent-1']);
    const layout = createLayoutStore(memoryStorage(), { needsAttention: (id) => waiting.has(id) });
    for (let i = 0; i < 9; i++) layout.getState().openPane(`agent-${i}`);
    layout.getState().focusPaneAt(2);
    expect(layout.getState().closedForRoom).toBeNull();
    layout.getState().openPane('agent-9');
    // agent-0 and agent-1 wait for input, agent-2 is focused: agent-3 is the one to go.
    expect(layout.getState().panes.map((p) => p.agentId)).not.toContain('agent-3');
    expect(layout.getState().panes.map((p) => p.agentId)).toEqual(expect.arrayContaining(['agent-0', 'agent-1']));
    expect(layout.getState().closedForRoom).toEqual({ agentId: 'agent-3', openedAgentId: 'agent-9' });
    layout.getState().dismissClosedForRoom();
    expect(layout.getState().closedForRoom).toBeNull();
  });

  it('restores the selected project, panes and mode after a restart', () => {
    const storage = memoryStorage();
    const first = createLayoutStore(storage);
    first.getState().selectProject('web');
    first.getState().openPane('opus-1');
    first.getState().setMode('tabs');
    const second = createLayoutStore(storage);
    expect(second.getState()).toMatchObject({ projectId: 'web', mode: 'tabs', panes: [{ agentId: 'opus-1' }] });
  });
});

describe('layout store: maximise', () => {
  it('maximises a pane, restores it, and forgets a closed one', () => {
    const layout = createLayoutStore(memoryStorage());
    const a = layout.getState().openPane('a');
    const b = layout.getState().openPane('b');
    layout.getState().toggleMaximize(a);
    expect(layout.getState()).toMatchObject({ maximizedPaneId: a, focusedPaneId: a });
    layout.getState().toggleMaximize(a);
    expect(layout.getState().maximizedPaneId).toBeNull();
    layout.getState().toggleMaximize('no-such-pane');
    expect(layout.getState().maximizedPaneId).toBeNull();
    layout.getState().toggleMaximize(b);
    layout.getState().closePane(b);
    expect(layout.getState().maximizedPaneId).toBeNull();
  });
});

describe('preferences store (no React)', () => {
  it('defaults to the dark theme and 10 000 lines, and clamps bad input', () => {
    const preferences = createPreferencesStore(memoryStorage());
    expect(preferences.getState()).toMatchObject({ theme: 'dark', scrollback: 10_000 });
    preferences.getState().setScrollback(Number.NaN);
    expect(preferences.getState().scrollback).toBe(100);
    preferences.getState().setScrollback(1e9);
    expect(preferences.getState().scrollback).toBe(200_000);
  });
});

describe('connection store (no React)', () => {
  it('records when each channel last delivered an event', () => {
    const connection = createConnectionStore(INITIAL_STATE);
    connection.getState().noteDeliveries(
      [
        { kind: 'output', channel: 'agent:a', text: 'x' },
        { kind: 'subscribed', channel: 'issue:1', resumed: false },
      ],
      42,
    );
    expect(connection.getState().lastEventAt).toEqual({ 'agent:a': 42 });
  });
});

describe('projects store (no React)', () => {
  it('fetches while watched, once for every watcher, and again on refresh', async () => {
    let calls = 0;
    const projects = createProjectsStore({ listProjects: async () => [`p${++calls}`] }, 60_000);
    projects.refresh();
    expect(calls).toBe(0);
    const undoA = projects.watch();
    const undoB = projects.watch();
    expect(calls).toBe(1);
    await expect.poll(() => projects.getState()).toEqual({ listed: ['p1'], asked: true });
    projects.refresh();
    await expect.poll(() => projects.getState().listed).toEqual(['p2']);
    undoA();
    undoB();
    projects.refresh();
    expect(calls).toBe(2);
  });
});
