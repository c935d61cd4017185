/**
 * What of a snapshot its reader may see. A channel's snapshot gathers records
 * by relation (an agent's current issue, an issue's agent, a project's idle
 * agents), and a related record can belong to a channel the reader's token
 * does not cover. Each record is kept only when the reader holds one of that
 * record's own channels: an issue's `issue:<id>` or `project:<its project>`,
 * an agent's `agent:<id>` or `project:<its project>`.
 */
import { type Channel, type Snapshot, channelOf } from '../shared/protocol';

export function visibleSnapshot(snapshot: Snapshot, may: (channel: Channel) => boolean): Snapshot {
  const inProject = (projectId: unknown) => typeof projectId === 'string' && may(channelOf.project(projectId));
  return {
    issues: snapshot.issues.filter((issue) => may(channelOf.issue(issue.issueId)) || inProject(issue.projectId)),
    agents: snapshot.agents.filter((agent) => may(channelOf.agent(agent.agentId)) || inProject(agent.projectId)),
  };
}
