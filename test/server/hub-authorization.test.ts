import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/shared/errors';
import type { Channel, Snapshot } from '../../src/shared/protocol';
import type { RunningHub } from '../../src/server/index';
import { verifyToken } from '../../src/server/auth';
import { publishGuard } from '../../src/server/publish-authorization';
import { KEY, TEST_ENGINE, token } from '../helpers/hub';
import { HubFixture } from '../helpers/hub-fixture';

const fixture = new HubFixture();
afterEach(() => fixture.dispose());

interface Answer {
  status: number;
  code?: string;
}

async function publishAs(running: RunningHub, bearer: string, channel: string, event: string, data: unknown) {
  const response = await fetch(`${running.url}/api/publish`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${bearer}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ channel, event, data }),
  });
  const body = (await response.json()) as { error?: { code?: string } };
  const answer: Answer = { status: response.status };
  if (body.error?.code) answer.code = body.error.code;
  return answer;
}

/** The snapshot a client with `channels` gets when subscribing to `channel`. */
async function snapshotAs(running: RunningHub, channels: string[], channel: Channel): Promise<Snapshot> {
  const client = await fixture.connect(running, await token({ channels }));
  client.send({ type: 'subscribe', channel, snapshot: true });
  const message = await client.waitFor((m) => m.type === 'snapshot' && m.channel === channel);
  await client.close();
  return message.data as Snapshot;
}

/** Every record as the engine stores it, for proving a refused publish changed nothing. */
async function board(running: RunningHub): Promise<unknown> {
  const ids = { issue: ['a1', 'b1', 'planted'], agent: ['x', 'pa', 'free'] };
  const records: Record<string, unknown> = {};
  for (const [kind, list] of Object.entries(ids))
    for (const id of list) {
      const snapshot = await running.hub.engine.snapshot(`${kind}:${id}` as Channel);
      records[`${kind}:${id}`] = (kind === 'issue' ? snapshot.issues : snapshot.agents).find(
        (record) => (record as { issueId?: string; agentId?: string })[`${kind}Id` as 'issueId'] === id,
      );
    }
  return records;
}

const issueIds = (snapshot: Snapshot) => snapshot.issues.map((issue) => issue.issueId).sort();
const agentIds = (snapshot: Snapshot) => snapshot.agents.map((agent) => agent.agentId).sort();
const idsOf = (snapshot: Snapshot) => ({ issues: issueIds(snapshot), agents: agentIds(snapshot) });

describe('Hub publish authorization', () => {
  let running: RunningHub;
  /** Grants `project:a,agent:pa`: the attacker of issue #13. */
  let attacker: string;

  beforeEach(async () => {
    running = await fixture.startHub();
    attacker = await token({ user: 'pa', channels: ['project:a', 'agent:pa'], publish: true });
    const { hub } = running;
    await hub.publish('project:a', 'issue_created', { issueId: 'a1', projectId: 'a', title: 'A one', status: 'todo' });
    await hub.publish('project:b', 'issue_created', { issueId: 'b1', projectId: 'b', title: 'B secret' });
    await hub.publish('agent:x', 'agent_started', { agentId: 'x', issueId: 'b1', projectId: 'b' });
    await hub.publish('agent:pa', 'agent_status', { agentId: 'pa', status: 'idle' });
    await hub.publish('agent:free', 'agent_status', { agentId: 'free', status: 'idle', message: 'secret note' });
  });

  /** Publishes as `bearer` and proves the refusal: forbidden, no offset, no board change, nothing sent. */
  async function expectRefused(bearer: string, channel: Channel, event: string, data: unknown): Promise<void> {
    const watcher = await fixture.connect(running);
    watcher.send({ type: 'subscribe', channel });
    await watcher.waitFor((m) => m.type === 'subscribed' && m.channel === channel);
    const before = await board(running);
    const offset = (await running.hub.engine.recover(channel)).offset;

    expect(await publishAs(running, bearer, channel, event, data)).toEqual({ status: 403, code: ErrorCode.Forbidden });

    expect(await board(running)).toEqual(before);
    expect((await running.hub.engine.recover(channel)).offset).toBe(offset);
    // The next event on the channel is the first the watcher gets, at the next offset.
    await running.hub.publish(channel, 'note', 'after');
    const first = await watcher.waitFor((m) => m.type === 'event');
    expect(first).toMatchObject({ event: 'note', offset: offset + 1 });
  }

  describe('refuses with forbidden, applying nothing', () => {
    it('rewriting another project\u2019s issue through its own project channel', async () => {
      await expectRefused(attacker, 'project:a', 'issue_updated', { issueId: 'b1', projectId: 'b', title: 'pwned' });
    });

    it('planting an issue in another project', async () => {
      await expectRefused(attacker, 'project:a', 'issue_created', { issueId: 'planted', projectId: 'b', title: 'x' });
      expect(issueIds(await running.hub.engine.snapshot('project:b'))).toEqual(['b1']);
    });

    it('changing another project\u2019s issue with an event that names no project', async () => {
      await expectRefused(attacker, 'project:a', 'status_changed', { issueId: 'b1', newStatus: 'done' });
    });

    it('moving another project\u2019s issue into its own project, so its snapshot never shows it', async () => {
      await expectRefused(attacker, 'project:a', 'issue_updated', { issueId: 'b1', projectId: 'a' });
      expect(issueIds(await snapshotAs(running, ['project:a'], 'project:a'))).toEqual(['a1']);
    });

    it('forging another agent\u2019s status on its own agent channel', async () => {
      await expectRefused(attacker, 'agent:pa', 'agent_status', { agentId: 'x', status: 'failed', message: 'forged' });
    });

    it('forging another agent through its own project channel', async () => {
      await expectRefused(attacker, 'project:a', 'agent_status', { agentId: 'x', status: 'failed', projectId: 'a' });
    });

    it('putting its own agent in a project it cannot read', async () => {
      await expectRefused(attacker, 'agent:pa', 'agent_status', { agentId: 'pa', status: 'working', projectId: 'b' });
    });

    it('starting its own agent on another project\u2019s issue', async () => {
      await expectRefused(attacker, 'agent:pa', 'agent_started', { agentId: 'pa', issueId: 'b1' });
    });

    it('naming another issue on an issue channel', async () => {
      const issueToken = await token({ channels: ['issue:a1', 'issue:b1'], publish: true });
      await expectRefused(issueToken, 'issue:a1', 'status_changed', { issueId: 'b1', newStatus: 'done' });
    });

    it('moving an issue it holds by id into a project it cannot read', async () => {
      const issueToken = await token({ channels: ['issue:a1'], publish: true });
      await expectRefused(issueToken, 'issue:a1', 'issue_updated', { issueId: 'a1', projectId: 'c' });
    });

    it('moving an issue out of a project it cannot read, even into one it can', async () => {
      const mover = await token({ channels: ['issue:b1', 'project:a'], publish: true });
      await expectRefused(mover, 'issue:b1', 'issue_updated', { issueId: 'b1', projectId: 'a' });
    });

    it('a library publish that passes the principal', async () => {
      const principal = await verifyToken(attacker, KEY);

      await expect(
        running.hub.publish('project:a', 'issue_updated', { issueId: 'b1', projectId: 'b' }, { principal }),
      ).rejects.toMatchObject({ code: ErrorCode.Forbidden });
      expect((await running.hub.engine.snapshot('issue:b1')).issues[0]).toMatchObject({ projectId: 'b' });
    });
  });

  it.each([
    {
      name: 'an update of its project\u2019s issue',
      channel: 'project:a',
      event: 'issue_updated',
      data: { issueId: 'a1', projectId: 'a', title: 'ok' },
    },
    {
      name: 'a change that names no project, of an issue stored in its project',
      channel: 'project:a',
      event: 'status_changed',
      data: { issueId: 'a1', newStatus: 'done' },
    },
    {
      name: 'a new issue in its project',
      channel: 'project:a',
      event: 'issue_created',
      data: { issueId: 'a2', projectId: 'a' },
    },
    {
      name: 'its own agent\u2019s status in its project',
      channel: 'agent:pa',
      event: 'agent_status',
      data: { agentId: 'pa', status: 'working', projectId: 'a', issueId: 'a1' },
    },
    {
      name: 'its own agent starting on its project\u2019s issue',
      channel: 'agent:pa',
      event: 'agent_started',
      data: { agentId: 'pa', issueId: 'a1' },
    },
    {
      name: 'its own agent going idle, out of any project',
      channel: 'agent:pa',
      event: 'agent_status',
      data: { agentId: 'pa', status: 'idle', projectId: null },
    },
    {
      name: 'an unknown event, whatever its payload names (it changes no record)',
      channel: 'project:a',
      event: 'note',
      data: { projectId: 'b', issueId: 'b1' },
    },
    { name: 'output of its own agent', channel: 'agent:pa', event: 'output', data: { timestamp: 1, content: 'hi\n' } },
  ])('accepts $name', async ({ channel, event, data }) => {
    expect(await publishAs(running, attacker, channel, event, data)).toEqual({ status: 202 });
  });

  it('accepts a move between two projects the publisher holds', async () => {
    const mover = await token({ channels: ['project:a', 'project:c'], publish: true });

    expect(await publishAs(running, mover, 'project:c', 'issue_updated', { issueId: 'a1', projectId: 'c' })).toEqual({
      status: 202,
    });
    expect((await running.hub.engine.snapshot('issue:a1')).issues[0]).toMatchObject({ projectId: 'c' });
  });

  it('keeps the library publish without a principal trusted (falcon-pm itself)', async () => {
    await running.hub.publish('project:a', 'issue_updated', { issueId: 'b1', projectId: 'b', title: 'by falcon-pm' });

    expect((await running.hub.engine.snapshot('issue:b1')).issues[0]).toMatchObject({ title: 'by falcon-pm' });
  });

  describe.runIf(TEST_ENGINE === 'redis')('on Redis, when the issue moves between the check and the write', () => {
    it('decides again on the issue\u2019s new project and refuses', async () => {
      const principal = await verifyToken(attacker, KEY);
      const may = (channel: Channel) => principal.channels.includes(channel);
      const inner = publishGuard(may, 'project:a', 'status_changed', { issueId: 'a1', newStatus: 'done' });
      const seen: Array<string | undefined> = [];
      const guard = {
        issueId: inner.issueId,
        decide(stored: string | undefined) {
          seen.push(stored);
          // Another hub moves the issue right after this decision: its script runs before ours.
          if (seen.length === 1)
            void running.hub.engine.publish('project:b', 'issue_updated', { issueId: 'a1', projectId: 'b' });
          return inner.decide(stored);
        },
      };

      await expect(
        running.hub.engine.publish('project:a', 'status_changed', { issueId: 'a1', newStatus: 'done' }, guard),
      ).rejects.toMatchObject({ code: ErrorCode.Forbidden });
      expect(seen).toEqual(['a', 'b']);
      expect((await running.hub.engine.snapshot('issue:a1')).issues[0]).toMatchObject({
        projectId: 'b',
        status: 'todo',
      });
    });
  });
});

describe('Hub snapshots', () => {
  let running: RunningHub;

  beforeEach(async () => {
    running = await fixture.startHub();
    const { hub } = running;
    await hub.publish('project:a', 'issue_created', { issueId: 'a1', projectId: 'a', title: 'A one' });
    await hub.publish('project:b', 'issue_created', { issueId: 'b1', projectId: 'b', title: 'B secret' });
    await hub.publish('agent:x', 'agent_started', { agentId: 'x', issueId: 'b1', projectId: 'b' });
    await hub.publish('agent:free', 'agent_status', { agentId: 'free', status: 'idle', message: 'secret note' });
  });

  it('leave out an agent\u2019s current issue that the reader cannot read', async () => {
    const hidden = await snapshotAs(running, ['agent:x'], 'agent:x');
    const shown = await snapshotAs(running, ['agent:x', 'project:b'], 'agent:x');

    expect(idsOf(hidden)).toEqual({ issues: [], agents: ['x'] });
    expect(issueIds(shown)).toEqual(['b1']);
  });

  it('leave out an issue\u2019s agent that the reader cannot read', async () => {
    const hidden = await snapshotAs(running, ['issue:b1'], 'issue:b1');
    const shown = await snapshotAs(running, ['issue:b1', 'agent:x'], 'issue:b1');

    expect(idsOf(hidden)).toEqual({ issues: ['b1'], agents: [] });
    expect(agentIds(shown)).toEqual(['x']);
  });

  it('leave out agents without a project, and their messages, unless the reader holds the agent', async () => {
    const hidden = await snapshotAs(running, ['project:a'], 'project:a');
    const shown = await snapshotAs(running, ['project:a', 'agent:*'], 'project:a');

    expect(idsOf(hidden)).toEqual({ issues: ['a1'], agents: [] });
    expect(shown.agents).toEqual([expect.objectContaining({ agentId: 'free', message: 'secret note' })]);
  });

  it('show a reader with every channel the whole selection', async () => {
    const all = await snapshotAs(running, ['*'], 'issue:b1');

    expect(idsOf(all)).toEqual({ issues: ['b1'], agents: ['x'] });
  });

  it('hold nothing back from a project reader about the project\u2019s own records', async () => {
    await running.hub.publish('agent:y', 'agent_status', { agentId: 'y', status: 'working', projectId: 'a' });

    const snapshot = await snapshotAs(running, ['project:a'], 'project:a');

    expect(idsOf(snapshot)).toEqual({ issues: ['a1'], agents: ['y'] });
  });
});
