import { describe, expect, it } from 'vitest';
import { ChannelStore } from '../../../src/client/index';
import type { Delivery } from '../../../src/shared/delivery';
import type { Channel, HistoryEvent } from '../../../src/shared/protocol';
import { createTimelineStore } from '../../../src/renderer/src/stores/timeline-store';

const T = 1_700_000_000_000;

/** Live deliveries as the client core hands them over: through its reducer, which sets `change`. */
function live(store: ChannelStore, channel: Channel, offset: number, event: string, data: unknown, now: number) {
  const delivery: Delivery = { kind: 'event', channel, event, data, offset, epoch: 'e1' };
  store.apply([delivery], now);
  return delivery;
}

function history(channel: Channel, events: Array<[string, unknown, number]>): Delivery {
  const list: HistoryEvent[] = events.map(([event, data, time], index) => ({
    event,
    data,
    time,
    offset: index + 1,
    epoch: 'e1',
  }));
  return { kind: 'history', channel, events: list };
}

const summary = (entries: Array<{ kind: string; from?: string | null; to: string | null; source: string }>) =>
  entries.map((e) => `${e.kind}:${e.from === undefined ? '?' : e.from}>${e.to}:${e.source}`);

describe('timeline store', () => {
  it('records status, stage and agent changes from live events, in order', () => {
    const client = new ChannelStore(null);
    const timeline = createTimelineStore();
    timeline
      .getState()
      .record(
        [
          live(client, 'project:p', 1, 'issue_created', { issueId: '7', status: 'todo', title: 'x' }, T),
          live(client, 'project:p', 2, 'agent_assigned', { issueId: '7', agentId: 'a1' }, T + 1),
          live(client, 'project:p', 3, 'status_changed', { issueId: '7', newStatus: 'in_progress' }, T + 2),
          live(client, 'project:p', 4, 'stage_changed', { issueId: '7', newStage: 'implement' }, T + 3),
          live(client, 'project:p', 5, 'issue_updated', { issueId: '7', title: 'only the title' }, T + 4),
        ],
        T + 5,
      );
    expect(summary(timeline.getState().timelines['7'])).toEqual([
      'created:?>todo:live',
      'agent:null>a1:live',
      'status:todo>in_progress:live',
      'stage:null>implement:live',
    ]);
  });

  it('replays a history into entries, without a board, taking the value before from the event', () => {
    const timeline = createTimelineStore();
    timeline.getState().record(
      [
        history('issue:7', [
          ['status_changed', { issueId: '7', oldStatus: 'todo', newStatus: 'in_progress' }, T],
          ['stage_changed', { issueId: '7', oldStage: 'plan', newStage: 'implement' }, T + 10],
          ['status_changed', { issueId: '7', oldStatus: 'in_progress', newStatus: 'in_review' }, T + 20],
        ]),
      ],
      T + 30,
    );
    const entries = timeline.getState().timelines['7'];
    expect(summary(entries)).toEqual([
      'status:todo>in_progress:history',
      'stage:plan>implement:history',
      'status:in_progress>in_review:history',
    ]);
    expect(entries.map((e) => e.time)).toEqual([T, T + 10, T + 20]);
  });

  it('keeps a change once when seen live on two channels and again in a history', () => {
    const client = new ChannelStore(null);
    const timeline = createTimelineStore();
    const data = { issueId: '7', oldStatus: 'todo', newStatus: 'done' };
    timeline.getState().record([live(client, 'project:p', 1, 'issue_created', { issueId: '7', status: 'todo' }, T)], T);
    timeline.getState().record([live(client, 'project:p', 2, 'status_changed', data, T + 100)], T + 100);
    timeline.getState().record([live(client, 'issue:7', 1, 'status_changed', data, T + 101)], T + 101);
    const replay = history('issue:7', [
      ['issue_created', { issueId: '7', status: 'todo' }, T - 5],
      ['status_changed', data, T + 99],
    ]);
    timeline.getState().record([replay], T + 200);
    // The same history again (the details opened twice): nothing new.
    timeline.getState().record([replay], T + 300);
    expect(summary(timeline.getState().timelines['7'])).toEqual(['created:?>todo:history', 'status:todo>done:history']);
  });

  it('keeps a status that really went back and forth', () => {
    const timeline = createTimelineStore();
    timeline.getState().record(
      [
        history('issue:7', [
          ['status_changed', { issueId: '7', newStatus: 'in_review' }, T],
          ['status_changed', { issueId: '7', newStatus: 'in_progress' }, T + 1],
          ['status_changed', { issueId: '7', newStatus: 'in_review' }, T + 2],
        ]),
      ],
      T,
    );
    expect(timeline.getState().timelines['7'].map((e) => e.to)).toEqual(['in_review', 'in_progress', 'in_review']);
  });

  it('is bounded per issue and in issues', () => {
    const timeline = createTimelineStore({ entries: 3, issues: 2 });
    const events: Array<[string, unknown, number]> = [];
    for (let i = 0; i < 10; i++) events.push(['status_changed', { issueId: '1', newStatus: `s${i}` }, T + i]);
    timeline.getState().record([history('issue:1', events)], T);
    expect(timeline.getState().timelines['1'].map((e) => e.to)).toEqual(['s7', 's8', 's9']);
    timeline.getState().record([history('issue:2', [['status_changed', { issueId: '2', newStatus: 'x' }, T]])], T);
    timeline.getState().record([history('issue:3', [['status_changed', { issueId: '3', newStatus: 'x' }, T]])], T);
    expect(Object.keys(timeline.getState().timelines).sort()).toEqual(['2', '3']);
  });

  it('leaves the state alone for a batch that changes no issue', () => {
    const timeline = createTimelineStore();
    const before = timeline.getState().timelines;
    timeline.getState().record([{ kind: 'output', channel: 'agent:a', text: 'hi' }], T);
    expect(timeline.getState().timelines).toBe(before);
  });
});
