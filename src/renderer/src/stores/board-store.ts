import { createStore } from 'zustand/vanilla';
import type { Delivery } from '../../../shared/delivery';
import type { AgentState, IssueState } from '../../../shared/protocol';

export interface BoardSlice {
  /** Issues by id; each change replaces one issue object, so a card subscribed to its id re-renders alone. */
  issues: Record<string, IssueState>;
  agents: Record<string, AgentState>;
  /** Issue ids changed most recently, with when: cards flash briefly on change. */
  changedAt: Record<string, number>;
  applyDeliveries(batch: Delivery[], now: number): void;
}

/**
 * The board (issues and agents) in the renderer. It reduces nothing itself:
 * the client core has already validated every record and run every event
 * through the one reducer, so this store writes the records it is handed —
 * a snapshot's, and each delivery's `change`.
 */
export function createBoardStore() {
  return createStore<BoardSlice>()((set) => ({
    issues: {},
    agents: {},
    changedAt: {},
    applyDeliveries: (batch, now) =>
      set((current) => {
        let issues = current.issues;
        let agents = current.agents;
        let changedAt = current.changedAt;
        const writeIssue = (issue: IssueState, flash: boolean) => {
          if (issues === current.issues) issues = { ...issues };
          issues[issue.issueId] = issue;
          if (flash) {
            if (changedAt === current.changedAt) changedAt = { ...changedAt };
            changedAt[issue.issueId] = now;
          }
        };
        const writeAgent = (agent: AgentState) => {
          if (agents === current.agents) agents = { ...agents };
          agents[agent.agentId] = agent;
        };
        for (const delivery of batch) {
          if (delivery.kind === 'snapshot') {
            for (const issue of delivery.data.issues) writeIssue(issue, false);
            for (const agent of delivery.data.agents) writeAgent(agent);
          } else if (delivery.kind === 'event' || delivery.kind === 'output') {
            const { change } = delivery;
            if (change?.issue) writeIssue(change.issue, true);
            if (change?.agent) writeAgent(change.agent);
          }
        }
        if (issues === current.issues && agents === current.agents && changedAt === current.changedAt) return current;
        return { issues, agents, changedAt };
      }),
  }));
}

export type BoardStore = ReturnType<typeof createBoardStore>;
