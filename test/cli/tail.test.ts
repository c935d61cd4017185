import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TailPrinter, describe as describeEvent, printable, websocketUrl } from '../../src/cli/commands/tail';
import type { RunningHub } from '../../src/server/standalone';
import { startTestHub, token } from '../helpers/hub';
import { CliProcess, killRunningClis, runCli } from './cli-process';

let hub: RunningHub;
beforeEach(async () => {
  hub = await startTestHub({ outputBatch: { intervalMs: 10 } });
});
afterEach(async () => {
  await killRunningClis();
  await hub.close();
});

/** Waits until the hub has this many subscriptions: the tail is listening. */
async function subscribed(count: number): Promise<void> {
  await expect
    .poll(async () => (await hub.hub.metrics.subscriptions.get()).values[0]?.value ?? 0, { timeout: 15_000 })
    .toBe(count);
}

describe('falcon tail', () => {
  it('prints agent output raw and other events one readable line each', async () => {
    hub.hub.streamAgentOutput('opus-1', 'earlier line\n');
    // Once the batch is stored, a new subscriber's tail holds it.
    await expect
      .poll(async () => (await hub.hub.engine.tail('agent:opus-1', 10)).lines, { timeout: 5000 })
      .toEqual(['earlier line\n']);
    const tail = new CliProcess([
      'tail',
      'agent:opus-1',
      'issue:42',
      '--url',
      hub.wsUrl,
      '--token',
      await token(),
      '--color',
    ]);
    await tail.waitForStdout(/earlier line\n/);
    await subscribed(2);
    await hub.hub.publish('issue:42', 'status_changed', { issueId: '42', oldStatus: 'in_progress', newStatus: 'done' });
    hub.hub.streamAgentOutput('opus-1', '\x1b[32m✓ 12 tests passed\x1b[0m\n');
    await tail.waitForStdout(/\d\d:\d\d:\d\d issue:42 status_changed in_progress → done/);
    await tail.waitForStdout(/✓ 12 tests passed/);
    expect(tail.stdout).toContain('\x1b[32m✓ 12 tests passed\x1b[0m\n');
    expect(tail.stderr).toMatch(/falcon: connected to ws:/);
    tail.kill('SIGINT');
    expect((await tail.exited).code).toBe(0);
  });

  it('prints NDJSON with --json, one parseable line per event with its offset', async () => {
    const tail = new CliProcess(['tail', 'issue:7', '--json', '--url', hub.url, '--token', await token()]);
    await subscribed(1);
    await hub.hub.publish('issue:7', 'issue_updated', { issueId: '7', title: 'a' });
    await hub.hub.publish('issue:7', 'custom_event', { any: ['thing'] });
    await tail.waitForStdout(/custom_event.*\n/);
    const lines = tail.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toEqual([
      { channel: 'issue:7', event: 'issue_updated', data: { issueId: '7', title: 'a' }, offset: 1 },
      { channel: 'issue:7', event: 'custom_event', data: { any: ['thing'] }, offset: 2 },
    ]);
    tail.kill('SIGINT');
    expect((await tail.exited).code).toBe(0);
  });

  it('strips colours when stdout is not a terminal', async () => {
    const tail = new CliProcess(['tail', 'agent:a', '--url', hub.wsUrl, '--token', await token()]);
    await subscribed(1);
    hub.hub.streamAgentOutput('a', '\x1b[31mred\x1b[0m and \x1b]8;;https://x.example\x07link\x1b]8;;\x07\n');
    await tail.waitForStdout(/red and link\n/);
    expect(tail.stdout).not.toContain('\x1b');
  });

  it('keeps following across a hub restart, and says when history was lost', async () => {
    const port = hub.port;
    const tail = new CliProcess(['tail', 'issue:1', '--url', hub.wsUrl, '--token', await token()]);
    await subscribed(1);
    await hub.hub.publish('issue:1', 'issue_updated', { issueId: '1', title: 'before' });
    await tail.waitForStdout(/before/);
    await hub.close();
    hub = await startTestHub({ port });
    await subscribed(1);
    await hub.hub.publish('issue:1', 'issue_updated', { issueId: '1', title: 'after' });
    await tail.waitForStdout(/after/);
    expect(tail.stderr).toMatch(/reconnecting in/);
    expect(tail.stderr).toMatch(/could not be recovered/);
  });

  it('exits 2 with a clear message when the hub refuses the token', async () => {
    const result = await runCli(['tail', 'issue:1', '--url', hub.wsUrl, '--token', 'forged']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/the hub refused the token/);
  });

  it('exits 2 when the token may read none of the channels, instead of waiting forever', async () => {
    const narrow = await token({ channels: ['project:*'] });
    const result = await runCli(['tail', 'agent:a', 'issue:1', '--url', hub.wsUrl, '--token', narrow]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/forbidden: .*\(agent:a\)/);
    expect(result.stderr).toMatch(/may read none of these channels/);
  });

  it('keeps following the channels it may read when others are refused', async () => {
    const narrow = await token({ channels: ['issue:*'] });
    const tail = new CliProcess(['tail', 'agent:a', 'issue:1', '--url', hub.wsUrl, '--token', narrow]);
    await subscribed(1);
    await hub.hub.publish('issue:1', 'issue_updated', { issueId: '1', title: 'Still here' });
    // waitForStdout fails if the process has exited.
    await tail.waitForStdout(/issue:1 issue_updated #1 "Still here"/);
    expect(tail.stderr).toMatch(/forbidden: .*\(agent:a\)/);
    expect(tail.child.exitCode).toBeNull();
  });

  describe('--wait <agentId>', () => {
    const agentStatus = (status: string, message?: string) =>
      hub.hub.publish('agent:opus-1', 'agent_status', { agentId: 'opus-1', status, ...(message ? { message } : {}) });

    it.each([
      ['idle', 0],
      ['waiting_for_input', 3],
      ['failed', 4],
      ['offline', 5],
    ])('follows the agent while it works, then exits when it is %s with code %i', async (final, code) => {
      await agentStatus('working');
      const tail = new CliProcess(['tail', '--wait', 'opus-1', '--url', hub.wsUrl, '--token', await token()]);
      await subscribed(1);
      hub.hub.streamAgentOutput('opus-1', 'still going\n');
      // Output is printed while it waits; the process has not exited (waitForStdout would fail).
      await tail.waitForStdout(/still going/);
      await agentStatus(final, final === 'failed' ? 'tests failed' : undefined);
      const result = await tail.exited;
      expect(result.code).toBe(code);
      expect(result.stderr).toContain(`opus-1 is ${final.replace(/_/g, ' ')}`);
      if (final === 'failed') expect(result.stderr).toContain('tests failed');
    });

    it('exits at once for an agent that is not working when the hub answers, and with other channels followed', async () => {
      await agentStatus('waiting_for_input', 'Run the migration?');
      const result = await runCli([
        'tail',
        'issue:1',
        '--wait',
        'opus-1',
        '--url',
        hub.wsUrl,
        '--token',
        await token(),
      ]);
      expect(result.code).toBe(3);
      expect(result.stderr).toContain('opus-1 is waiting for input: Run the migration?');
    });

    it('waits for an agent the hub does not know yet, saying so once', async () => {
      const tail = new CliProcess(['tail', '--wait', 'new-agent', '--url', hub.wsUrl, '--token', await token()]);
      await tail.waitForStderr(/new-agent is not known to the hub yet; waiting for it/);
      await hub.hub.publish('agent:new-agent', 'agent_status', { agentId: 'new-agent', status: 'working' });
      await hub.hub.publish('agent:new-agent', 'agent_status', { agentId: 'new-agent', status: 'idle' });
      const result = await tail.exited;
      expect(result.code).toBe(0);
      expect(result.stderr.match(/not known to the hub yet/g)).toHaveLength(1);
    });

    it('exits 2 when the token may not read the agent it should wait for', async () => {
      const narrow = await token({ channels: ['issue:*'] });
      const result = await runCli(['tail', 'issue:1', '--wait', 'opus-1', '--url', hub.wsUrl, '--token', narrow]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/may not read agent:opus-1, so it cannot wait for it/);
    });
  });

  it.each([
    [['tail', '--token', 't'], /at least one channel/],
    [['tail', '--wait', '../x', '--token', 't'], /--wait needs an agent id/],
    [['tail', 'issue:../x', '--token', 't'], /invalid channel/],
    [['tail', 'issue:1'], /no token/],
    [['tail', 'issue:1', '--token', 't', '--tail', '-4'], /--tail/],
    [['tail', 'issue:1', '--token', 't', '--url', 'ftp://x'], /--url/],
  ])('exits 2 on bad input: %j', async (args, message) => {
    const result = await runCli(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});

describe('TailPrinter', () => {
  it('writes notices to stderr, in place', () => {
    const out: string[] = [];
    const err: string[] = [];
    const printer = new TailPrinter(
      { json: false, keepColor: true },
      (t) => out.push(t),
      (t) => err.push(t),
    );
    printer.delivery({ kind: 'gap', channel: 'agent:a' });
    printer.delivery({ kind: 'error', code: 'forbidden', message: 'no', channel: 'agent:b' });
    expect(err).toEqual([
      'falcon: agent:a: some events may be missing here (the hub cannot resume)\n',
      'falcon: forbidden: no (agent:b)\n',
    ]);
    expect(out).toEqual([]);
  });

  it('describes the seed events readably', () => {
    expect(describeEvent('stage_changed', { issueId: '4', oldStage: 'plan', newStage: 'implement' })).toBe(
      'plan → implement (#4)',
    );
    expect(describeEvent('agent_assigned', { issueId: '4', agentId: null })).toBe('#4 → unassigned');
    expect(describeEvent('issue_updated', { issueId: '4', title: 'Renamed', status: 'done' })).toBe(
      '#4 "Renamed" [done]',
    );
    expect(
      describeEvent('agent_status', { agentId: 'a', status: 'waiting_for_input', issueId: '4', message: 'Proceed?' }),
    ).toBe('a waiting_for_input on #4: Proceed?');
    expect(
      describeEvent('agent_status', {
        agentId: 'a',
        status: 'waiting_for_input',
        prompt: 'Apply the patch?',
        choices: [
          { id: 'approve', label: 'Yes' },
          { id: 'deny', label: 'No' },
        ],
      }),
    ).toBe('a waiting_for_input — Apply the patch? [approve: Yes | deny: No]');
    expect(
      describeEvent('input_sent', { inputId: 'i', agentId: 'a', action: 'reply', text: 'go on', by: 'ana', at: 1 }),
    ).toBe('ana replied “go on”');
    expect(
      describeEvent('input_sent', {
        inputId: 'i',
        agentId: 'a',
        action: 'approve',
        requestId: 'r1',
        choice: 'approve',
        by: 'bo',
        at: 1,
      }),
    ).toBe('bo approved (request r1)');
  });

  it('never lets event text drive the terminal', () => {
    const out: string[] = [];
    const printer = new TailPrinter({ json: false, keepColor: true }, (t) => out.push(t));
    printer.delivery({
      kind: 'event',
      channel: 'agent:a',
      event: 'agent_status',
      data: { agentId: 'a', status: 'working', message: 'ok\u001b]0;pwned\u0007 \u001b[2J\rgone\u202eevil' },
    });
    expect(out).toHaveLength(1);
    // eslint-disable-next-line no-control-regex
    expect(out[0]).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
    expect(out[0]).toContain('ok');
    expect(out[0]).toContain('\\u000dgone\\u202eevil');
    expect(printable('plain text')).toBe('plain text');
  });

  it('accepts ws and http addresses', () => {
    expect(websocketUrl('ws://h:1/ws')).toBe('ws://h:1/ws');
    expect(websocketUrl('http://h:1')).toBe('ws://h:1/ws');
    expect(websocketUrl('https://h/falcon/')).toBe('wss://h/falcon/ws');
  });
});
