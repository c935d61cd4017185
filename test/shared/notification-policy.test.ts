import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PaneTarget } from '../../src/shared/bridge';
import type { Delivery } from '../../src/shared/delivery';
import type { NotificationSettings } from '../../src/shared/ipc';
import type { Channel, Snapshot } from '../../src/shared/protocol';
import { NotificationPolicy, type DesktopNotification, type ViewedTarget } from '../../src/shared/notification-policy';
import { ChannelStore } from '../../src/client/index';

const START = 1_700_000_000_000;

const event = (event: string, data: unknown, channel: Channel = 'project:web'): Delivery => ({
  kind: 'event',
  channel,
  event,
  data,
});
// On the record's own channel: an event on project:X without a projectId would put the record in X.
const agentStatus = (agentId: string, status: string, extra: Record<string, unknown> = {}): Delivery =>
  event('agent_status', { agentId, status, ...extra }, `agent:${agentId}`);
const statusChanged = (issueId: string, newStatus: string, oldStatus?: string): Delivery =>
  event('status_changed', { issueId, newStatus, oldStatus }, `issue:${issueId}`);
const snapshot = (data: Snapshot): Delivery => ({ kind: 'snapshot', channel: 'project:web', data });

const agent = (id: string): PaneTarget => ({ kind: 'agent', id });
const issue = (id: string): PaneTarget => ({ kind: 'issue', id });

describe('NotificationPolicy', () => {
  let settings: NotificationSettings;
  let viewing: ViewedTarget[];
  let shown: DesktopNotification[];
  let policy: NotificationPolicy;
  /** The client core's store: the board the policy reads, which sets each delivery's change first. */
  let store: ChannelStore;

  /** Hands a batch over as the connection does: applied to its store, then to the policy. */
  const ingest = (batch: Delivery[]): void => {
    store.apply(batch, Date.now());
    policy.ingest(batch);
  };

  /** Ingests a batch and lets the coalescing window run out. */
  const settle = (...batch: Delivery[]): DesktopNotification[] => {
    ingest(batch);
    vi.advanceTimersByTime(2000);
    return shown;
  };

  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(START);
    settings = {
      enabled: true,
      statuses: ['waiting_for_input', 'failed', 'done'],
      projects: [],
      pausedUntil: null,
      secureStorage: true,
      trayEnabled: true,
    };
    viewing = [];
    shown = [];
    store = new ChannelStore(null);
    policy = new NotificationPolicy({
      board: () => store.board,
      settings: () => settings,
      viewing: () => viewing,
      show: (notification) => shown.push(notification),
    });
    ingest([
      event('issue_created', { issueId: '42', projectId: 'web', title: 'Fix login', status: 'in_progress' }),
      event('agent_started', { agentId: 'opus-1', issueId: '42' }),
    ]);
  });

  afterEach(() => {
    policy.dispose();
    vi.useRealTimers();
  });

  describe('agent statuses', () => {
    it('tells loudly when an agent starts waiting for input, with its question', () => {
      expect(settle(agentStatus('opus-1', 'waiting_for_input', { message: 'Run the migration?' }))).toEqual([
        {
          title: 'opus-1 needs your input',
          body: 'Run the migration?',
          urgency: 'critical',
          kind: 'waiting_for_input',
          target: agent('opus-1'),
          silent: false,
        },
      ]);
    });

    it('names the issue when the agent gave no message', () => {
      expect(settle(agentStatus('opus-1', 'waiting_for_input'))[0].body).toBe('#42 Fix login');
    });

    it('tells a failure apart from a question, also as critical', () => {
      expect(settle(agentStatus('opus-1', 'failed', { message: 'tests failed' }))).toEqual([
        expect.objectContaining({
          title: 'opus-1 failed',
          kind: 'failed',
          urgency: 'critical',
          target: agent('opus-1'),
        }),
      ]);
    });

    it('notifies only on a transition, not for a repeated status', () => {
      settle(agentStatus('opus-1', 'waiting_for_input'));
      settle(agentStatus('opus-1', 'waiting_for_input'), agentStatus('opus-1', 'waiting_for_input'));
      expect(shown).toHaveLength(1);
    });

    it('notifies once for the same event arriving on two channels', () => {
      const data = { agentId: 'opus-1', status: 'failed' };
      settle(event('agent_status', data, 'agent:opus-1'), event('agent_status', data, 'project:web'));
      expect(shown).toHaveLength(1);
    });

    it('notifies again after the agent left the status and came back', () => {
      settle(agentStatus('opus-1', 'waiting_for_input'));
      settle(agentStatus('opus-1', 'working'));
      settle(agentStatus('opus-1', 'waiting_for_input'));
      expect(shown.map((n) => n.kind)).toEqual(['waiting_for_input', 'waiting_for_input']);
    });

    it('notifies about other agent statuses only when the settings ask for them, quietly', () => {
      settle(agentStatus('opus-1', 'idle'));
      expect(shown).toEqual([]);
      settings.statuses.push('idle');
      settle(agentStatus('opus-1', 'working'), agentStatus('opus-1', 'idle'));
      expect(shown).toEqual([
        expect.objectContaining({ title: 'opus-1 → Idle', kind: 'status', urgency: 'normal', silent: true }),
      ]);
    });

    it('leaves out agent statuses missing from the settings', () => {
      settings.statuses = ['waiting_for_input', 'done'];
      expect(settle(agentStatus('opus-1', 'failed'))).toEqual([]);
    });

    it('ignores payloads that are not valid', () => {
      expect(settle(agentStatus('opus-1', 'asleep'), event('agent_status', { status: 'failed' }))).toEqual([]);
    });
  });

  describe('snapshots', () => {
    it('replaces state without notifying, even for agents waiting or failed', () => {
      settle(
        snapshot({
          issues: [{ issueId: '7', projectId: 'web', status: 'done' }],
          agents: [
            { agentId: 'opus-2', status: 'waiting_for_input' },
            { agentId: 'opus-3', status: 'failed' },
          ],
        }),
      );
      expect(shown).toEqual([]);
    });

    it('makes a later event with the same status a repeat, and a different one a transition', () => {
      settle(snapshot({ issues: [], agents: [{ agentId: 'opus-2', status: 'waiting_for_input' }] }));
      settle(agentStatus('opus-2', 'waiting_for_input'));
      expect(shown).toEqual([]);
      settle(agentStatus('opus-2', 'failed'));
      expect(shown.map((n) => n.title)).toEqual(['opus-2 failed']);
    });

    it('stays silent on resync and keeps the state it had', () => {
      settle(agentStatus('opus-1', 'failed'));
      settle({ kind: 'resync', channel: 'project:web', newEpoch: true }, agentStatus('opus-1', 'failed'));
      expect(shown).toHaveLength(1);
    });
  });

  describe('issue statuses', () => {
    it('tells quietly when an issue reaches a chosen status, and opens the issue', () => {
      expect(settle(statusChanged('42', 'done', 'in_progress'))).toEqual([
        {
          title: '#42 Fix login → Done',
          body: 'web · was In progress',
          urgency: 'normal',
          kind: 'status',
          target: issue('42'),
          silent: true,
        },
      ]);
    });

    it('leaves out statuses missing from the settings', () => {
      expect(settle(statusChanged('42', 'in_review'))).toEqual([]);
    });

    it('notifies only when the status actually changed', () => {
      settle(statusChanged('42', 'done'));
      settle(statusChanged('42', 'done'));
      settle(statusChanged('99', 'done', 'done'));
      expect(shown.map((n) => n.title)).toEqual(['#42 Fix login → Done']);
    });

    it('names an unknown issue by its number', () => {
      expect(settle(statusChanged('77', 'done'))[0].title).toBe('#77 → Done');
    });
  });

  describe('filters', () => {
    it('shows nothing when notifications are off', () => {
      settings.enabled = false;
      expect(settle(agentStatus('opus-1', 'waiting_for_input'), statusChanged('42', 'done'))).toEqual([]);
    });

    it('shows nothing while paused, and again once the pause is over', () => {
      settings.pausedUntil = START + 60_000;
      settle(agentStatus('opus-1', 'waiting_for_input'));
      expect(shown).toEqual([]);
      vi.setSystemTime(START + 60_001);
      settle(agentStatus('opus-1', 'failed'));
      expect(shown.map((n) => n.kind)).toEqual(['failed']);
    });

    it('drops what it held when notifications are paused before the window ends', () => {
      ingest([agentStatus('opus-1', 'waiting_for_input')]);
      settings.pausedUntil = START + 3_600_000;
      vi.advanceTimersByTime(2000);
      expect(shown).toEqual([]);
    });

    it('keeps to the chosen projects, finding an agent’s project through its issue', () => {
      settings.projects = ['api'];
      ingest([
        event('issue_created', { issueId: '9', projectId: 'api', title: 'Rate limits' }),
        event('agent_assigned', { issueId: '9', agentId: 'opus-2' }, 'issue:9'),
        agentStatus('opus-2', 'working', { issueId: '9' }),
      ]);
      settle(
        agentStatus('opus-1', 'waiting_for_input'),
        statusChanged('42', 'done'),
        agentStatus('opus-2', 'waiting_for_input'),
        agentStatus('opus-4', 'failed'),
      );
      expect(shown.map((n) => n.target)).toEqual([agent('opus-2')]);
    });
  });

  describe('focus', () => {
    it('stays quiet about what a focused window shows', () => {
      viewing = [{ target: agent('opus-1'), focused: true }];
      expect(settle(agentStatus('opus-1', 'waiting_for_input'))).toEqual([]);
      viewing = [{ target: issue('42'), focused: true }];
      expect(settle(statusChanged('42', 'done'))).toEqual([]);
    });

    it('still notifies when the window showing it is not focused', () => {
      viewing = [
        { target: agent('opus-1'), focused: false },
        { target: agent('opus-2'), focused: true },
      ];
      expect(settle(agentStatus('opus-1', 'waiting_for_input'))).toHaveLength(1);
    });

    it('matches the exact target only: viewing the agent’s issue does not hide the agent', () => {
      viewing = [{ target: issue('42'), focused: true }];
      expect(settle(agentStatus('opus-1', 'failed'))).toHaveLength(1);
    });

    it('drops a held notification when its target comes into view before the window ends', () => {
      ingest([agentStatus('opus-1', 'waiting_for_input')]);
      viewing = [{ target: agent('opus-1'), focused: true }];
      vi.advanceTimersByTime(2000);
      expect(shown).toEqual([]);
    });
  });

  describe('coalescing', () => {
    it('holds candidates for the window, then shows one or two individually', () => {
      ingest([agentStatus('opus-1', 'waiting_for_input')]);
      vi.advanceTimersByTime(500);
      ingest([statusChanged('7', 'done')]);
      vi.advanceTimersByTime(1499);
      expect(shown).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(shown.map((n) => n.kind)).toEqual(['waiting_for_input', 'status']);
    });

    it('turns three or more into one summary, critical when any of them is', () => {
      settle(
        statusChanged('7', 'done'),
        agentStatus('opus-1', 'waiting_for_input'),
        agentStatus('opus-2', 'failed'),
        statusChanged('8', 'done'),
        statusChanged('9', 'done'),
      );
      expect(shown).toEqual([
        {
          title: '5 updates',
          body: 'opus-1 needs your input, opus-2 failed, #7 → Done and 2 more',
          urgency: 'critical',
          kind: 'summary',
          target: null,
          silent: false,
        },
      ]);
    });

    it('keeps a summary of normal updates quiet', () => {
      settle(statusChanged('7', 'done'), statusChanged('8', 'done'), statusChanged('9', 'done'));
      expect(shown).toEqual([expect.objectContaining({ kind: 'summary', urgency: 'normal', silent: true })]);
    });

    it('starts a new window for events 2.5 s apart', () => {
      ingest([agentStatus('opus-1', 'waiting_for_input')]);
      vi.advanceTimersByTime(2500);
      ingest([agentStatus('opus-2', 'failed')]);
      vi.advanceTimersByTime(2500);
      ingest([statusChanged('7', 'done')]);
      vi.advanceTimersByTime(2000);
      expect(shown.map((n) => n.kind)).toEqual(['waiting_for_input', 'failed', 'status']);
    });

    it('runs one timer at a time', () => {
      ingest([agentStatus('opus-1', 'waiting_for_input')]);
      ingest([agentStatus('opus-2', 'failed')]);
      expect(vi.getTimerCount()).toBe(1);
      vi.advanceTimersByTime(2000);
      expect(vi.getTimerCount()).toBe(0);
    });

    it('shows only the latest change of a target, and nothing once it no longer holds', () => {
      settle(agentStatus('opus-1', 'waiting_for_input'), agentStatus('opus-1', 'failed'));
      expect(shown.map((n) => n.kind)).toEqual(['failed']);
      settle(agentStatus('opus-1', 'waiting_for_input'), agentStatus('opus-1', 'working'));
      expect(shown).toHaveLength(1);
    });

    it('honours coalesceMs and burstSize', () => {
      policy.dispose();
      policy = new NotificationPolicy({
        board: () => store.board,
        settings: () => settings,
        viewing: () => viewing,
        show: (notification) => shown.push(notification),
        coalesceMs: 100,
        burstSize: 2,
      });
      ingest([statusChanged('7', 'done'), statusChanged('8', 'done')]);
      vi.advanceTimersByTime(100);
      expect(shown.map((n) => n.kind)).toEqual(['summary']);
    });

    it('rejects options out of range', () => {
      const base = { board: () => store.board, settings: () => settings, viewing: () => viewing, show: () => {} };
      expect(() => new NotificationPolicy({ ...base, coalesceMs: -1 })).toThrow(RangeError);
      expect(() => new NotificationPolicy({ ...base, burstSize: 1 })).toThrow(RangeError);
    });
  });

  describe('#dispose', () => {
    it('clears the timer and drops what it held', () => {
      ingest([agentStatus('opus-1', 'waiting_for_input')]);
      expect(vi.getTimerCount()).toBe(1);
      policy.dispose();
      expect(vi.getTimerCount()).toBe(0);
      vi.advanceTimersByTime(5000);
      expect(shown).toEqual([]);
    });

    it('ignores later batches and can be called twice', () => {
      policy.dispose();
      policy.dispose();
      ingest([agentStatus('opus-1', 'failed')]);
      expect(vi.getTimerCount()).toBe(0);
    });
  });

  describe('.describeStatus', () => {
    it('reads statuses as words', () => {
      expect(NotificationPolicy.describeStatus('in_progress')).toBe('In progress');
      expect(NotificationPolicy.describeStatus('waiting_for_input')).toBe('Waiting for input');
      expect(NotificationPolicy.describeStatus('todo')).toBe('To do');
      expect(NotificationPolicy.describeStatus('done')).toBe('Done');
    });
  });
});
