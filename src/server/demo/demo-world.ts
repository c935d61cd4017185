/**
 * The simulator's mutable model of issues and agents, and the factory that
 * numbers and titles new issues. No timers and no publishing here.
 */
import type { AgentStatus } from '../../shared/protocol';
import { AGENT_MODELS, type DemoProject, FIRST_ISSUE_NUMBER } from './demo-data';

export interface DemoIssue {
  issueId: string;
  project: DemoProject;
  title: string;
  status: string;
  stage: string;
  agentId: string | null;
  createdAt: number;
  /** Simulated ms after which a blocked issue goes back to `todo`. */
  blockedUntil: number;
  /** Simulated ms it reached `done`; the longest-done issue is reopened first. */
  doneAt: number;
}

export interface DemoAgent {
  agentId: string;
  status: AgentStatus;
  issue: DemoIssue | null;
  /** The agent's one pending timer, if any. */
  timer: unknown;
  /** Output chunks of the current step still to stream. */
  queue: string[];
  /** Simulated ms when the current stage has had its time. */
  stageEndsAt: number;
}

/** Agent ids like `opus-1`, `sonnet-2`, `haiku-3`, `opus-4`. */
export function createAgents(count: number): DemoAgent[] {
  return Array.from({ length: count }, (_, i) => ({
    agentId: `${AGENT_MODELS[i % AGENT_MODELS.length]}-${i + 1}`,
    status: 'idle',
    issue: null,
    timer: null,
    queue: [],
    stageEndsAt: 0,
  }));
}

/** Hands out tracker-like numeric ids and each project's titles in turn. */
export class IssueFactory {
  private nextNumber = FIRST_ISSUE_NUMBER;
  private readonly titlesUsed = new Map<string, number>();

  create(project: DemoProject, createdAt: number): DemoIssue {
    const used = this.titlesUsed.get(project.id) ?? 0;
    this.titlesUsed.set(project.id, used + 1);
    const base = project.titles[used % project.titles.length];
    // Once a project's titles run out, new issues read as follow-ups rather than duplicates.
    const title = used < project.titles.length ? base : `Follow-up: ${base}`;
    return {
      issueId: String(this.nextNumber++),
      project,
      title,
      status: 'todo',
      stage: 'plan',
      agentId: null,
      createdAt,
      blockedUntil: 0,
      doneAt: 0,
    };
  }
}
