import { createStore } from 'zustand/vanilla';
import { needsAttention } from '../../../shared/board-state';
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
   * The agent to jump to: the one after `currentAgentId` in the queue
   * (wrapping round), or the oldest when the current one is not queued; null
   * when nothing needs attention.
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
  return createStore<AttentionSlice>()((set, get) => ({
    queue: [],
    handled: {},
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
          if (handled === current.handled) handled = { ...handled };
          delete handled[agentId];
        }
        const queue = urgent
          .filter((item) => handled[item.agentId] !== item.key)
          .sort((a, b) => a.since - b.since || compareIds(a.agentId, b.agentId));
        const sameQueue =
          queue.length === current.queue.length && queue.every((item, i) => sameItem(item, current.queue[i]));
        if (sameQueue && handled === current.handled) return current;
        return { queue: sameQueue ? current.queue : queue, handled };
      }),
    next: (currentAgentId) => {
      const { queue } = get();
      if (queue.length === 0) return null;
      const index = queue.findIndex((item) => item.agentId === currentAgentId);
      return queue[(index + 1) % queue.length].agentId;
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
