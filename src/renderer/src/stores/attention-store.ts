import { createStore } from 'zustand/vanilla';
import { copyRecord, emptyRecord } from '../lib/id-record';
import { needsAttention } from '../../../shared/board-state';
import type { BridgeDelivery } from '../../../shared/relay-delivery';
import type { AgentState } from '../../../shared/protocol';
import { compareIds } from '../lib/board-view';

export type AttentionStatus = 'waiting_for_input' | 'failed';

export interface AttentionItem {
  agentId: string;
  status: AttentionStatus;
  /**
   * When the agent entered this status: its `statusSince`, else its last
   * activity when this page first saw it there, else that moment itself.
   */
  since: number;
  /** Names this wait (or failure): marking it handled holds until the key changes. */
  key: string;
}

export interface AttentionSlice {
  /** Agents waiting for input or failed, oldest first, without those marked handled. */
  queue: AttentionItem[];
  /** Agent id → the key of the wait marked handled (dropped once the agent's status moves on). */
  handled: Record<string, string>;
  /**
   * Takes the board's agents (the board store owns them; this store derives
   * from them). `now` dates what the page sees needing attention for the first
   * time when the record carries no time of its own.
   */
  sync(agents: Record<string, AgentState>, now: number): void;
  /**
   * Notes the status changes in a batch before the board store applies it:
   * a batch may carry "working" and a new "waiting" together, which the
   * board's records alone would show as one unbroken wait. (With the record's
   * `statusSince` the new wait has a new time anyway.)
   */
  noteDeliveries(batch: readonly BridgeDelivery[]): void;
  /**
   * The agent to jump to: the first queued one after `currentAgentId` in
   * oldest-first order (also when the current one was just marked handled),
   * wrapping round to the oldest; the oldest when the current one needs no
   * attention; null when nothing is queued.
   */
  next(currentAgentId: string | null): string | null;
  /** Leaves the agent out of the queue until its status changes again. False when it was not queued. */
  markHandled(agentId: string): boolean;
}

/** What this page saw of an agent's current status: when it entered it, as far as the page can tell. */
interface Episode {
  status: AttentionStatus;
  fallbackSince: number;
}

/**
 * The attention queue: which agents need a person, oldest first, and which
 * the person marked handled. Derived from the board store's records (services
 * feeds `sync` on every change of its agents); it owns only what it adds —
 * the handled marks and when it first saw each wait.
 */
export function createAttentionStore() {
  const episodes = new Map<string, Episode>();
  /** Every agent needing attention, handled ones too, oldest first: where `next` goes on from. */
  let ordered: AttentionItem[] = [];
  return createStore<AttentionSlice>()((set, get) => ({
    queue: [],
    handled: emptyRecord(),
    sync: (agents, now) =>
      set((current) => {
        const urgent: AttentionItem[] = [];
        const seen = new Set<string>();
        for (const agent of Object.values(agents)) {
          if (!needsAttention(agent)) continue;
          const status = agent.status as AttentionStatus;
          seen.add(agent.agentId);
          let episode = episodes.get(agent.agentId);
          if (episode?.status !== status) {
            // lastActivityAt moves with every line of output: it is read once, when the wait is first seen.
            episode = { status, fallbackSince: agent.lastActivityAt ?? now };
            episodes.set(agent.agentId, episode);
          }
          const since = agent.statusSince ?? episode.fallbackSince;
          urgent.push({ agentId: agent.agentId, status, since, key: `${status}@${since}` });
        }
        for (const agentId of episodes.keys()) if (!seen.has(agentId)) episodes.delete(agentId);

        let handled = current.handled;
        for (const [agentId, key] of Object.entries(current.handled)) {
          if (urgent.some((item) => item.agentId === agentId && item.key === key)) continue;
          // The agent moved on (answered, working, failed anew): a later wait is news again.
          if (handled === current.handled) handled = copyRecord(handled);
          delete handled[agentId];
        }
        ordered = urgent.sort((a, b) => a.since - b.since || compareIds(a.agentId, b.agentId));
        const queue = ordered.filter((item) => handled[item.agentId] !== item.key);
        const sameQueue =
          queue.length === current.queue.length && queue.every((item, i) => sameItem(item, current.queue[i]));
        if (sameQueue && handled === current.handled) return current;
        return { queue: sameQueue ? current.queue : queue, handled };
      }),
    noteDeliveries: (batch) => {
      for (const delivery of batch) {
        if (delivery.kind !== 'event' || !delivery.change?.agent) continue;
        const { agent, before } = delivery.change;
        // The episode ends; the next sync starts a new one, dated by the record's own times.
        if (before.agent?.status !== agent.status) episodes.delete(agent.agentId);
      }
    },
    next: (currentAgentId) => {
      const { queue } = get();
      if (queue.length === 0) return null;
      const position = ordered.findIndex((item) => item.agentId === currentAgentId);
      if (position < 0) return queue[0].agentId;
      const later = ordered.slice(position + 1).find((item) => queue.some((queued) => queued.agentId === item.agentId));
      return (later ?? queue[0]).agentId;
    },
    markHandled: (agentId) => {
      const item = get().queue.find((queued) => queued.agentId === agentId);
      if (!item) return false;
      set((current) => ({
        handled: { ...current.handled, [agentId]: item.key },
        queue: current.queue.filter((queued) => queued !== item),
      }));
      return true;
    },
  }));
}

function sameItem(a: AttentionItem, b: AttentionItem): boolean {
  return a.agentId === b.agentId && a.key === b.key;
}

export type AttentionStore = ReturnType<typeof createAttentionStore>;
