/**
 * Turns simulator state changes into protocol events on the right channels:
 * issue events go to `issue:<id>` and `project:<id>`, agent events to
 * `agent:<id>` and the project the agent works in (every project when idle).
 */
import { type AgentStatus, type Channel, channelOf } from '../../shared/protocol';
import type { DemoIssue } from './demo-world';

/** Where the simulator's events go; the hub implements it. */
export interface DemoPublisher {
  publish(channel: string, event: string, data: unknown): void;
  /** Raw terminal output; the hub batches it into `output_batch` events. */
  streamAgentOutput(agentId: string, text: string): void;
}

export class DemoEvents {
  constructor(
    private readonly publisher: DemoPublisher,
    private readonly projectIds: readonly string[],
    private readonly now: () => number,
  ) {}

  issueCreated(issue: DemoIssue): void {
    this.toIssue(issue, 'issue_created', {
      ...this.issueFields(issue),
      createdAt: issue.createdAt,
      updatedAt: this.now(),
    });
  }

  /** A reopened issue: title, status, stage and assignee all reset at once. */
  issueUpdated(issue: DemoIssue): void {
    this.toIssue(issue, 'issue_updated', { ...this.issueFields(issue), updatedAt: this.now() });
  }

  statusChanged(issue: DemoIssue, oldStatus: string): void {
    this.toIssue(issue, 'status_changed', {
      issueId: issue.issueId,
      projectId: issue.project.id,
      oldStatus,
      newStatus: issue.status,
      updatedAt: this.now(),
    });
  }

  stageChanged(issue: DemoIssue, oldStage: string): void {
    this.toIssue(issue, 'stage_changed', {
      issueId: issue.issueId,
      projectId: issue.project.id,
      oldStage,
      newStage: issue.stage,
      updatedAt: this.now(),
    });
  }

  agentAssigned(issue: DemoIssue): void {
    this.toIssue(issue, 'agent_assigned', {
      issueId: issue.issueId,
      projectId: issue.project.id,
      agentId: issue.agentId,
      updatedAt: this.now(),
    });
  }

  agentStarted(agentId: string, issue: DemoIssue): void {
    this.toAgent(agentId, issue.project.id, 'agent_started', {
      agentId,
      issueId: issue.issueId,
      projectId: issue.project.id,
      stage: issue.stage,
    });
  }

  /** `issue` is what the agent works on (or failed on); null means idle and goes to every project. */
  agentStatus(
    agentId: string,
    status: AgentStatus,
    issue: DemoIssue | null,
    message?: string,
    request?: { requestId: string; prompt: string; choices: Array<{ id: string; label: string }> },
  ): void {
    const projectId = issue?.project.id ?? null;
    this.toAgent(agentId, projectId, 'agent_status', {
      agentId,
      status,
      issueId: issue?.issueId ?? null,
      projectId,
      stage: issue?.stage ?? null,
      lastActivityAt: this.now(),
      ...(message === undefined ? {} : { message }),
      // A question (issue 17's extension of waiting_for_input): what to answer, and with which choices.
      ...request,
    });
  }

  output(agentId: string, text: string): void {
    this.publisher.streamAgentOutput(agentId, text);
  }

  private issueFields(issue: DemoIssue): Record<string, unknown> {
    return {
      issueId: issue.issueId,
      projectId: issue.project.id,
      title: issue.title,
      status: issue.status,
      stage: issue.stage,
      agentId: issue.agentId,
    };
  }

  private toIssue(issue: DemoIssue, event: string, data: Record<string, unknown>): void {
    this.publisher.publish(channelOf.issue(issue.issueId), event, data);
    this.publisher.publish(channelOf.project(issue.project.id), event, data);
  }

  private toAgent(agentId: string, projectId: string | null, event: string, data: Record<string, unknown>): void {
    const channels: Channel[] = [channelOf.agent(agentId)];
    for (const id of projectId === null ? this.projectIds : [projectId]) channels.push(channelOf.project(id));
    for (const channel of channels) this.publisher.publish(channel, event, data);
  }
}
