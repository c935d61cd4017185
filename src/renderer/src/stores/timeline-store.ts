import { createStore } from 'zustand/vanilla';
import { copyRecord, emptyRecord } from '../lib/id-record';
import { type BoardChange, applyBoardEvent, createBoardState } from '../../../shared/board-state';
import type { BridgeDelivery } from '../../../shared/relay-delivery';
import type { Channel, HistoryEvent } from '../../../shared/protocol';

/** One change of an issue's status, stage or agent, or its creation. */
export interface TimelineEntry {
  /** Where it was seen (`channel@epoch:offset`), so an event seen twice is kept once. */
  key: string;
  /** When it happened: the hub's publish time for history, the arrival time for live events (ms since epoch). */
  time: number;
  kind: 'created' | 'status' | 'stage' | 'agent';
  /** The value before; undefined when not known (the history starts after it). */
  from?: string | null;
  to: string | null;
  /** `history`: replayed from the hub's kept events when the details opened; `live`: received while the page ran. */
  source: 'live' | 'history';
}

export interface TimelineSlice {
  /** Entries per issue id, oldest first; each change replaces one issue's array. */
  timelines: Record<string, TimelineEntry[]>;
  /** Records what a batch of deliveries changed: live events by their `change`, a `history` by replaying it. */
  record(batch: readonly BridgeDelivery[], now: number): void;
}

export interface TimelineLimits {
  /** Entries kept per issue, the oldest dropped first (default 200). */
  entries: number;
  /** Issues with a timeline, the least recently changed dropped first (default 500). */
  issues: number;
}

const DEFAULT_LIMITS: TimelineLimits = { entries: 200, issues: 500 };

/**
 * Each issue's status, stage and agent changes, for the issue details.
 * Bounded per issue and in issues, so a day of events costs a fixed amount.
 * A transition reaches it twice when the hub publishes it on both `project:`
 * and `issue:` channels, or live and again in a history: entries are
 * deduplicated by where they were seen, and then by meaning (a status that
 * changes "to review" twice in a row changed once).
 */
export function createTimelineStore(limits: Partial<TimelineLimits> = {}) {
  const { entries: maxEntries, issues: maxIssues } = { ...DEFAULT_LIMITS, ...limits };
  let sequence = 0;
  return createStore<TimelineSlice>()((set) => ({
    timelines: emptyRecord(),
    record: (batch, now) =>
      set((current) => {
        const added = new Map<string, TimelineEntry[]>();
        const add = (issueId: string, entries: TimelineEntry[]) => {
          if (entries.length === 0) return;
          const list = added.get(issueId);
          if (list) list.push(...entries);
          else added.set(issueId, entries);
        };
        for (const delivery of batch) {
          if (delivery.kind === 'event' && delivery.change?.issue) {
            const key =
              delivery.offset !== undefined
                ? `${delivery.channel}@${delivery.epoch ?? ''}:${delivery.offset}`
                : `live:${++sequence}`;
            const time = delivery.change.issue.updatedAt ?? now;
            add(delivery.change.issue.issueId, transitions(delivery.change, delivery.event, time, key, 'live'));
          } else if (delivery.kind === 'history') {
            for (const [issueId, entries] of replay(delivery.channel, delivery.events)) add(issueId, entries);
          }
        }
        if (added.size === 0) return current;
        const timelines = copyRecord(current.timelines);
        for (const [issueId, entries] of added) {
          const merged = merge(timelines[issueId] ?? [], entries).slice(-maxEntries);
          // Most recently changed last: the bound drops from the front.
          delete timelines[issueId];
          timelines[issueId] = merged;
        }
        const ids = Object.keys(timelines);
        for (let i = 0; i < ids.length - maxIssues; i++) delete timelines[ids[i]];
        return { timelines };
      }),
  }));
}

export type TimelineStore = ReturnType<typeof createTimelineStore>;

/** The entries a history describes: its events through the board's one reducer, from an empty board. */
function replay(channel: Channel, events: readonly HistoryEvent[]): Map<string, TimelineEntry[]> {
  const board = createBoardState();
  const result = new Map<string, TimelineEntry[]>();
  // Issues whose history starts at their creation: a field they lack is really empty, not unknown.
  const whole = new Set<string>();
  for (const event of events) {
    const change = applyBoardEvent(board, event.event, event.data, event.time, channel);
    if (!change?.issue) continue;
    if (!change.before.issue && event.event === 'issue_created') whole.add(change.issue.issueId);
    const key = `${channel}@${event.epoch}:${event.offset}`;
    const partial = !whole.has(change.issue.issueId);
    const entries = transitions(change, event.event, event.time, key, 'history', partial ? event.data : undefined);
    const list = result.get(change.issue.issueId);
    if (list) list.push(...entries);
    else result.set(change.issue.issueId, entries);
  }
  return result;
}

/**
 * What one change did to an issue's status, stage and agent. `partial` is the
 * payload of an event from a history that starts after the issue's creation:
 * a field the replayed board lacks is then unknown, unless the event says
 * what it was (`oldStatus`, `oldStage`).
 */
function transitions(
  change: BoardChange,
  event: string,
  time: number,
  key: string,
  source: TimelineEntry['source'],
  partial?: unknown,
): TimelineEntry[] {
  const after = change.issue!;
  const before = change.before.issue;
  if (!before && event === 'issue_created') {
    return [{ key, time, kind: 'created', to: after.status ?? null, source }];
  }
  const said = (partial ?? {}) as { oldStatus?: unknown; oldStage?: unknown };
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  const was = (value: string | null | undefined, told?: unknown): string | null | undefined => {
    if (value !== undefined) return value;
    return partial === undefined && before ? null : text(told);
  };
  const entries: TimelineEntry[] = [];
  const push = (kind: TimelineEntry['kind'], from: string | null | undefined, to: string | null | undefined) => {
    if (to === undefined || from === to) return;
    entries.push({ key: `${key}/${kind}`, time, kind, from, to, source });
  };
  push('status', was(before?.status, said.oldStatus), after.status);
  push('stage', was(before?.stage, said.oldStage), after.stage);
  push('agent', was(before?.agentId), after.agentId);
  return entries;
}

/** Both lists in time order, each place once, and no change repeated back to back. */
function merge(kept: readonly TimelineEntry[], added: readonly TimelineEntry[]): TimelineEntry[] {
  const keys = new Set(kept.map((entry) => entry.key));
  const all = [...kept];
  for (const entry of added) {
    if (keys.has(entry.key)) continue;
    keys.add(entry.key);
    all.push(entry);
  }
  // Stable: equal times keep the order they were seen in.
  all.sort((a, b) => a.time - b.time);
  const last = new Map<TimelineEntry['kind'], TimelineEntry>();
  const result: TimelineEntry[] = [];
  for (const entry of all) {
    const previous = last.get(entry.kind);
    if (previous && (entry.kind === 'created' || previous.to === entry.to)) {
      // The same change seen again (on another channel, or live and in a history): keep the one
      // with the fuller story (a known value before), in the first one's place.
      if (previous.from === undefined && entry.from !== undefined) previous.from = entry.from;
      continue;
    }
    const copy = { ...entry };
    last.set(entry.kind, copy);
    result.push(copy);
  }
  return result;
}
