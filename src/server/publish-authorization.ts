/**
 * What a publisher may write with one event, beyond the channel it names.
 * A token's grants cover channels; an event's payload names records (an
 * issue, an agent, projects) that other channels' readers see. Every record
 * the reducer would write must be covered too, decided against the issue's
 * stored project so that an issue cannot be moved out of, or into, a project
 * the publisher cannot read. docs/hub.md#security-model states the rule.
 */
import { type BoardEvent, boardTargets, parseBoardEvent } from '../shared/board-event';
import { ErrorCode, type ProtocolError, protocolError } from '../shared/errors';
import { type Channel, channelOf, parseChannel } from '../shared/protocol';

/**
 * The decision an engine takes atomically with the write: it reads the stored
 * project of `issueId` (when given) and applies the event only if `decide`
 * returns null, with that project unchanged.
 */
export interface PublishGuard {
  /** The issue whose stored `projectId` the decision depends on. */
  issueId?: string;
  /**
   * The refusal, given the issue's stored project (undefined: no such issue,
   * or none) and whether the issue exists at all (default: it exists when it
   * has a stored project).
   */
  decide(storedProjectId: string | undefined, issueExists?: boolean): ProtocolError | null;
}

/** Whether the publisher's grants cover a channel. */
export type ChannelGrant = (channel: Channel) => boolean;

const ID_FIELDS = { issue: 'issueId', agent: 'agentId', project: 'projectId' } as const;

/**
 * The guard for one publish by a principal whose grants are `may` (the
 * channel itself is checked by the caller). Events that change no record
 * (output, unknown names) need only the channel: they are delivered on it
 * and nowhere else.
 */
export function publishGuard(may: ChannelGrant, channel: Channel, event: string, data: unknown): PublishGuard {
  const parsed = parseBoardEvent(event, data, channel);
  if (!parsed) return { decide: () => null };
  const mismatch = channelMismatch(channel, parsed);
  const targets = boardTargets(parsed);
  return {
    issueId: targets.issue?.issueId,
    decide(stored, exists = stored !== undefined) {
      if (mismatch) return mismatch;
      const { issue, agent } = targets;
      if (issue && !mayWriteIssue(may, issue.issueId, stored, issue.projectId, exists)) {
        return forbidden(`not allowed to write issue ${issue.issueId}`);
      }
      if (agent) {
        if (!may(channelOf.agent(agent.agentId))) return forbidden(`not allowed to write agent ${agent.agentId}`);
        // Stryker disable next-line OptionalChaining: every event whose agent takes its issue's project (agent_started) writes that issue too
        const project = agent.projectOfIssue ? (issue?.projectId ?? stored) : agent.projectId;
        if (typeof project === 'string' && !may(channelOf.project(project))) {
          return forbidden(`not allowed to put agent ${agent.agentId} in project ${project}`);
        }
      }
      return null;
    },
  };
}

/**
 * An event on `project:X` names only project X, on `issue:N` only issue N,
 * on `agent:A` only agent A: subscribers of a channel never get another
 * record's changes passed off as their channel's. Null fields name nothing.
 */
function channelMismatch(channel: Channel, parsed: BoardEvent): ProtocolError | null {
  const target = parseChannel(channel);
  if (!target) return forbidden('invalid channel');
  const named = (parsed.data as Record<string, unknown>)[ID_FIELDS[target.kind]];
  if (typeof named === 'string' && named !== target.id) {
    return forbidden(`an event on ${channel} cannot name ${ID_FIELDS[target.kind]} ${named}`);
  }
  return null;
}

/**
 * An issue is the publisher's to write when it holds `issue:<id>` or the
 * issue's stored project. Putting it in another project (a move, or a new
 * issue's first project) needs that project, and the one it leaves; an
 * existing issue that has no project is left only with `issue:<id>` (a
 * project grant alone must not claim it).
 */
function mayWriteIssue(
  may: ChannelGrant,
  issueId: string,
  stored: string | undefined,
  next: string | undefined,
  exists: boolean,
) {
  if (next !== undefined && next !== stored) {
    const leaves = stored !== undefined ? may(channelOf.project(stored)) : !exists || may(channelOf.issue(issueId));
    return may(channelOf.project(next)) && leaves;
  }
  return may(channelOf.issue(issueId)) || (stored !== undefined && may(channelOf.project(stored)));
}

function forbidden(message: string): ProtocolError {
  return protocolError(ErrorCode.Forbidden, message);
}
