import { createStore } from 'zustand/vanilla';
import { copyRecord, emptyRecord } from '../lib/id-record';
import type { BridgeDelivery } from '../../../shared/relay-delivery';
import { type AgentState, type IssueState, parseChannel } from '../../../shared/protocol';

/** The board was reloaded from the hub because it could not resume: said once, until dismissed. */
export interface BoardReload {
  /** When it happened (ms since epoch). */
  at: number;
  /** The hub's history started over (it restarted), rather than only being trimmed. */
  restarted: boolean;
}

export interface BoardSlice {
  /** Issues by id; each change replaces one issue object, so a card subscribed to its id re-renders alone. */
  issues: Record<string, IssueState>;
  agents: Record<string, AgentState>;
  /** Issue ids changed most recently, with when: cards flash briefly on change. */
  changedAt: Record<string, number>;
  /** Set when a project's board was reloaded from the hub (resync), until dismissed. */
  reload: BoardReload | null;
  applyDeliveries(batch: BridgeDelivery[], now: number): void;
  dismissReload(): void;
}

/**
 * The board (issues and agents) in the renderer. It reduces nothing itself:
 * the client core has already validated every record and run every event
 * through the one reducer, so this store writes the records it is handed —
 * a snapshot's (and removes those it lists in `removed`: a snapshot is
 * the whole truth about its channel), and each delivery's `change`.
 */
export function createBoardStore() {
  return createStore<BoardSlice>()((set) => ({
    issues: emptyRecord(),
    agents: emptyRecord(),
    changedAt: emptyRecord(),
    reload: null,
    dismissReload: () => set({ reload: null }),
    applyDeliveries: (batch, now) =>
      set((current) => {
        let issues = current.issues;
        let agents = current.agents;
        let changedAt = current.changedAt;
        let reload = current.reload;
        const writeIssue = (issue: IssueState, flash: boolean) => {
          if (issues === current.issues) issues = copyRecord(issues);
          issues[issue.issueId] = issue;
          if (flash) {
            if (changedAt === current.changedAt) changedAt = copyRecord(changedAt);
            changedAt[issue.issueId] = now;
          }
        };
        const writeAgent = (agent: AgentState) => {
          if (agents === current.agents) agents = copyRecord(agents);
          agents[agent.agentId] = agent;
        };
        for (const delivery of batch) {
          if (delivery.kind === 'snapshot') {
            const { removed } = delivery;
            if (removed?.issues.length) {
              if (issues === current.issues) issues = copyRecord(issues);
              for (const id of removed.issues) delete issues[id];
            }
            if (removed?.agents.length) {
              if (agents === current.agents) agents = copyRecord(agents);
              for (const id of removed.agents) delete agents[id];
            }
            for (const issue of delivery.data.issues) writeIssue(issue, false);
            for (const agent of delivery.data.agents) writeAgent(agent);
          } else if (delivery.kind === 'event' || delivery.kind === 'output') {
            const { change } = delivery;
            if (change?.issue) writeIssue(change.issue, true);
            if (change?.agent) writeAgent(change.agent);
          } else if (delivery.kind === 'resync' && parseChannel(delivery.channel)?.kind === 'project') {
            // The board channels' fresh snapshots follow: say so, instead of resetting without a word.
            reload = { at: now, restarted: delivery.newEpoch || (reload?.restarted ?? false) };
          }
        }
        if (
          issues === current.issues &&
          agents === current.agents &&
          changedAt === current.changedAt &&
          reload === current.reload
        )
          return current;
        return { issues, agents, changedAt, reload };
      }),
  }));
}

export type BoardStore = ReturnType<typeof createBoardStore>;
