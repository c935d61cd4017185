import { createStore } from 'zustand/vanilla';
import { applyBoardEvent, createBoardState, touchAgent } from '../../../shared/board-state';
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
 * The board (issues and agents) in the renderer, fed by deliveries. It uses
 * the same reducer as the hub's snapshots, so both agree on what an event
 * means.
 */
export function createBoardStore() {
  // The reducer works on Maps; the store exposes plain records for selectors.
  const board = createBoardState();
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
            for (const issue of delivery.data.issues) {
              board.issues.set(issue.issueId, issue);
              writeIssue(issue, false);
            }
            for (const agent of delivery.data.agents) {
              board.agents.set(agent.agentId, agent);
              writeAgent(agent);
            }
          } else if (delivery.kind === 'event') {
            const change = applyBoardEvent(board, delivery.event, delivery.data, now, delivery.channel);
            if (change?.issue) writeIssue(change.issue, true);
            if (change?.agent) writeAgent(change.agent);
            if (delivery.event === 'output' || delivery.event === 'output_batch') {
              const agent = touchAgent(board, delivery.channel, now);
              if (agent && agents[agent.agentId]?.lastActivityAt !== now) writeAgent(agent);
            }
          }
        }
        if (issues === current.issues && agents === current.agents && changedAt === current.changedAt) return current;
        return { issues, agents, changedAt };
      }),
  }));
}

export type BoardStore = ReturnType<typeof createBoardStore>;
