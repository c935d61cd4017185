/**
 * The payload-id authorization fuzzer: publishers with random grants publish
 * events naming random issues, agents and projects (their own and others',
 * moves included) through the real `POST /api/publish`, while a trusted
 * publisher (the library call) keeps moving records around. After every
 * publish the whole board is read back from the engine and checked against
 * the rule stated independently of the hub's code: an accepted publish
 * changed only records the publisher's grants cover; a refused one answered
 * `forbidden` and changed nothing (board, offsets); and a reader of every
 * channel received exactly the accepted events.
 */
import fc from 'fast-check';
import { type Principal, mayAccess } from '../../src/server/auth';
import type { RunningHub } from '../../src/server/index';
import type { Channel } from '../../src/shared/protocol';
import { type TestClient, token } from './hub';

const PROJECTS = ['a', 'b', 'c'];
const ISSUES = ['i1', 'i2', 'i3', 'i4', 'i5'];
const AGENTS = ['x', 'y', 'z'];
const PATTERNS = [
  'project:a',
  'project:b',
  'project:c',
  'issue:i1',
  'issue:i2',
  'agent:x',
  'agent:y',
  'project:*',
  'issue:i*',
  'agent:*',
  '*',
];
export const FUZZ_CHANNELS: Channel[] = [
  ...PROJECTS.map((id) => `project:${id}` as const),
  ...ISSUES.map((id) => `issue:${id}` as const),
  ...AGENTS.map((id) => `agent:${id}` as const),
];

interface Step {
  publisher: number;
  trusted: boolean;
  channel: Channel;
  event: string;
  data: Record<string, unknown>;
}

const optional = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });
const project = fc.constantFrom(...PROJECTS);
const issue = fc.constantFrom(...ISSUES);
const agent = fc.constantFrom(...AGENTS);
const label = fc.constantFrom('todo', 'in_progress', 'done', 'plan', 'test');
const agentStatus = fc.constantFrom('working', 'waiting_for_input', 'failed', 'idle', 'offline');

/** Valid payloads of every event that writes records, plus events that write none. */
const payload: fc.Arbitrary<{ event: string; data: Record<string, unknown> }> = fc.oneof(
  fc.record({
    event: fc.constantFrom('issue_created', 'issue_updated'),
    data: fc.record(
      { issueId: issue, projectId: project, title: fc.constantFrom('T1', 'T2'), status: label, agentId: agent },
      { requiredKeys: ['issueId'] },
    ),
  }),
  fc.record({
    event: fc.constant('status_changed'),
    data: fc.record({ issueId: issue, projectId: optional(project), newStatus: label }),
  }),
  fc.record({
    event: fc.constant('stage_changed'),
    data: fc.record({ issueId: issue, projectId: optional(project), newStage: label }),
  }),
  fc.record({
    event: fc.constant('agent_assigned'),
    data: fc.record({ issueId: issue, projectId: optional(project), agentId: fc.option(agent) }),
  }),
  fc.record({
    event: fc.constant('agent_started'),
    data: fc.record({ agentId: agent, issueId: issue, projectId: optional(project) }),
  }),
  fc.record({
    event: fc.constant('agent_status'),
    data: fc.record(
      {
        agentId: agent,
        status: agentStatus,
        issueId: fc.option(issue),
        projectId: fc.option(project),
        message: fc.constantFrom('m1', 'm2'),
      },
      { requiredKeys: ['agentId', 'status'] },
    ),
  }),
  fc.record({
    event: fc.constant('note'),
    data: fc.record({ issueId: issue, projectId: project, agentId: agent }),
  }),
  fc.record({
    event: fc.constant('output'),
    data: fc.record({ timestamp: fc.constant(1), content: fc.constantFrom('a\n', 'b') }),
  }),
);

function steps(count: number, publishers: number, seed: number): Step[] {
  const step: fc.Arbitrary<Step> = fc
    .record({
      publisher: fc.nat(publishers - 1),
      trusted: fc.nat(99).map((n) => n < 15),
      channel: fc.constantFrom(...FUZZ_CHANNELS),
      // Most events go to a channel of an id they name (as falcon-pm publishes), the rest anywhere.
      ownChannel: fc.option(fc.constantFrom('project', 'issue', 'agent'), { freq: 3 }),
      payload,
    })
    .map(({ payload: { event, data }, channel, ownChannel, ...rest }) => {
      const named = ownChannel === null ? undefined : data[`${ownChannel}Id`];
      return {
        ...rest,
        event,
        data,
        channel: typeof named === 'string' ? (`${ownChannel}:${named}` as Channel) : channel,
      };
    });
  return fc.sample(step, { seed, numRuns: count });
}

function grants(publishers: number, seed: number): string[][] {
  const grant = fc.uniqueArray(fc.constantFrom(...PATTERNS), { minLength: 1, maxLength: 3 });
  return fc.sample(grant, { seed: seed + 1, numRuns: publishers });
}

type BoardRecord = Record<string, unknown>;
type Board = Map<string, BoardRecord>;

/** Every issue and agent of the universe as the engine stores it. */
async function readBoard(running: RunningHub): Promise<Board> {
  const board: Board = new Map();
  for (const id of ISSUES) {
    const found = (await running.hub.engine.snapshot(`issue:${id}`)).issues.find((record) => record.issueId === id);
    if (found) board.set(`issue:${id}`, { ...found });
  }
  for (const id of AGENTS) {
    const found = (await running.hub.engine.snapshot(`agent:${id}`)).agents.find((record) => record.agentId === id);
    if (found) board.set(`agent:${id}`, { ...found });
  }
  return board;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** What in the change from `before` to `after` the principal was not allowed to write. */
function outsideGrants(principal: Principal, before: Board, after: Board): string[] {
  const may = (channel: string) => mayAccess(principal, channel as Channel);
  const problems: string[] = [];
  for (const [key, next] of after) {
    const previous = before.get(key);
    if (same(previous, next)) continue;
    const [kind, id] = key.split(':') as ['issue' | 'agent', string];
    const was = previous?.projectId;
    const now = next.projectId;
    const holds = (record: BoardRecord | undefined) =>
      may(`${kind}:${id}`) ||
      (kind === 'issue' && typeof record?.projectId === 'string' && may(`project:${record.projectId}`));
    if ((previous && !holds(previous)) || !holds(next)) problems.push(`wrote ${key} without its grant`);
    if (typeof now === 'string' && now !== was && !may(`project:${now}`)) problems.push(`put ${key} in project ${now}`);
    if (kind === 'issue' && typeof was === 'string' && now !== was && !may(`project:${was}`))
      problems.push(`moved ${key} out of project ${was}`);
  }
  for (const key of before.keys()) if (!after.has(key)) problems.push(`deleted ${key}`);
  return problems;
}

/** An event on `kind:id` naming another id of that kind (seen by the wrong channel's readers). */
function namesAnotherId(step: Step): boolean {
  if (step.event === 'note' || step.event === 'output') return false;
  const [kind, id] = step.channel.split(':');
  const named = step.data[`${kind}Id`];
  return typeof named === 'string' && named !== id;
}

export interface AuthorizationFuzzResult {
  tried: number;
  accepted: number;
  refused: number;
  trusted: number;
  /** Accepted publishes that wrote outside the grants, refusals that were not `forbidden` or changed something. */
  violations: string[];
}

/**
 * Runs `count` steps from `seed` against a hub. `watcher` is a client with a
 * token for every channel, subscribed to FUZZ_CHANNELS.
 */
export async function fuzzPublishAuthorization(
  running: RunningHub,
  watcher: TestClient,
  options: { count: number; publishers: number; seed: number },
): Promise<AuthorizationFuzzResult> {
  const grantSets = grants(options.publishers, options.seed);
  const principals: Principal[] = grantSets.map((channels, n) => ({
    user: `p${n}`,
    channels,
    publish: true,
    expiresAt: null,
  }));
  const bearers = await Promise.all(grantSets.map((channels, n) => token({ user: `p${n}`, channels, publish: true })));
  const result: AuthorizationFuzzResult = { tried: 0, accepted: 0, refused: 0, trusted: 0, violations: [] };
  const published = new Set<string>();
  for (const [index, step] of steps(options.count, options.publishers, options.seed).entries()) {
    if (step.trusted) {
      const { offset } = await running.hub.publish(step.channel, step.event, step.data);
      published.add(`${step.channel}@${offset}`);
      result.trusted++;
      continue;
    }
    result.tried++;
    const where = `step ${index} (${grantSets[step.publisher].join(',')} → ${step.channel} ${step.event} ${JSON.stringify(step.data)})`;
    const before = await readBoard(running);
    const offsetBefore = (await running.hub.engine.recover(step.channel)).offset;
    const response = await fetch(`${running.url}/api/publish`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${bearers[step.publisher]}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ channel: step.channel, event: step.event, data: step.data }),
    });
    const body = (await response.json()) as { offset?: number; error?: { code?: string } };
    const after = await readBoard(running);
    const offsetAfter = (await running.hub.engine.recover(step.channel)).offset;
    if (response.status === 202) {
      result.accepted++;
      published.add(`${step.channel}@${body.offset}`);
      const problems = outsideGrants(principals[step.publisher], before, after);
      if (namesAnotherId(step)) problems.push('accepted an event naming another id than its channel');
      if (offsetAfter !== offsetBefore + 1) problems.push(`offset ${offsetBefore} → ${offsetAfter}`);
      for (const problem of problems) result.violations.push(`${where}: ${problem}`);
    } else {
      result.refused++;
      if (response.status !== 403 || body.error?.code !== 'forbidden')
        result.violations.push(`${where}: refused with ${response.status} ${body.error?.code}`);
      if (!same([...before], [...after])) result.violations.push(`${where}: a refused publish changed the board`);
      if (offsetAfter !== offsetBefore) result.violations.push(`${where}: a refused publish took an offset`);
    }
  }
  // Fan-out: the reader of every channel got exactly what was published, refusals never.
  const events = await watcher.waitForCount((m) => m.type === 'event', published.size, 30_000);
  const received = new Set(events.map((m) => `${String(m.channel)}@${String(m.offset)}`));
  for (const key of received) if (!published.has(key)) result.violations.push(`delivered unpublished ${key}`);
  for (const key of published) if (!received.has(key)) result.violations.push(`never delivered ${key}`);
  return result;
}
