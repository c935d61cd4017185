import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentInput } from '../../src/shared/agent-input';
import { DemoSimulator, answerDemoInputs } from '../../src/server/demo/index';
import type { RunningHub } from '../../src/server/standalone';
import { startTestHub, token } from '../helpers/hub';
import { killRunningClis, runCli } from './cli-process';

let hub: RunningHub;
let received: Array<{ agentId: string; by: string; input: AgentInput }>;
beforeEach(async () => {
  hub = await startTestHub();
  received = [];
});
afterEach(async () => {
  await killRunningClis();
  await hub.close();
});

const acting = () => token({ actOn: ['agent:*'] });
const waiting = (requestId = 'q1') =>
  hub.hub.publish('agent:opus-1', 'agent_status', {
    agentId: 'opus-1',
    status: 'waiting_for_input',
    requestId,
    prompt: 'Run the migration?',
    choices: [
      { id: 'approve', label: 'Yes' },
      { id: 'deny', label: 'No' },
    ],
  });
const record = () =>
  hub.hub.onAgentInput((input, meta) => {
    received.push({ agentId: meta.agentId, by: meta.by, input });
  });

describe('falcon reply', () => {
  it.each([
    [['opus-1', 'use the staging copy'], { action: 'reply', text: 'use the staging copy' }],
    [['opus-1', '--approve', '--request', 'q1'], { action: 'approve', requestId: 'q1' }],
    [['opus-1', '--deny'], { action: 'deny' }],
    [['opus-1', '--interrupt'], { action: 'interrupt' }],
    [['opus-1', '--choice', 'deny'], { action: 'reply', text: 'deny', choice: 'deny' }],
  ])('sends %j to the hub, which hands it to falcon-pm and answers 202 with the input id', async (args, input) => {
    record();
    await waiting();
    const result = await runCli(['reply', ...args, '--url', hub.url, '--token', await acting()]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ inputId: expect.any(String) });
    expect(received).toEqual([{ agentId: 'opus-1', by: 'tester', input }]);
  });

  it('reads the reply from stdin with "-"', async () => {
    record();
    await waiting();
    const result = await runCli(['reply', 'opus-1', '-', '--url', hub.url, '--token', await acting()], {
      input: 'two lines\nof reply\n',
    });
    expect(result.code).toBe(0);
    expect(received[0].input).toEqual({ action: 'reply', text: 'two lines\nof reply' });
  });

  it('exits 1 with the hub’s code: already answered, no act right, unknown agent, refused by falcon-pm', async () => {
    const undo = record();
    await waiting();
    const first = await runCli([
      'reply',
      'opus-1',
      '--approve',
      '--request',
      'q1',
      '--url',
      hub.url,
      '--token',
      await acting(),
    ]);
    expect(first.code).toBe(0);
    const second = await runCli([
      'reply',
      'opus-1',
      '--deny',
      '--request',
      'q1',
      '--url',
      hub.url,
      '--token',
      await acting(),
    ]);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/^falcon: already_answered: /);

    const readOnly = await runCli(['reply', 'opus-1', 'hi', '--url', hub.url, '--token', await token()]);
    expect(readOnly.code).toBe(1);
    expect(readOnly.stderr).toMatch(/^falcon: forbidden: /);

    const unknown = await runCli(['reply', 'nobody', 'hi', '--url', hub.url, '--token', await acting()]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^falcon: unknown_agent: /);

    undo();
    hub.hub.onAgentInput(() => ({ reject: 'the agent already moved on' }));
    const refused = await runCli(['reply', 'opus-1', 'hi', '--url', hub.url, '--token', await acting()]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^falcon: input_rejected: .*the agent already moved on/);
    expect(received).toHaveLength(1);
  });

  it.each([
    [['reply', 'opus-1', '--token', 't'], /give the reply text/],
    [['reply', 'opus-1', '--approve', '--deny', '--token', 't'], /choose one of/],
    [['reply', '../x', 'hi', '--token', 't'], /invalid agent id/],
    [['reply', 'opus-1', 'hi'], /no token/],
    [['reply', 'opus-1', '   ', '--token', 't'], /a reply needs text/],
    [['reply', 'opus-1', '--approve', '--request', 'bad id!', '--token', 't'], /invalid_input/],
    [['reply', 'opus-1', 'hi', '--token', 't', '--url', 'ws://x'], /--url/],
  ])('exits 2 without sending for bad input: %j', async (args, message) => {
    const result = await runCli(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('answers the demo’s waiting agent, which resumes showing the answer and who sent it', async () => {
    let resolveAsked: (question: { agentId: string; requestId: string }) => void = () => {};
    const asked = new Promise<{ agentId: string; requestId: string }>((resolve) => (resolveAsked = resolve));
    let output = '';
    let resolveShown: () => void = () => {};
    const shown = new Promise<void>((resolve) => (resolveShown = resolve));
    const demo = new DemoSimulator({
      seed: 5,
      speed: 200,
      agents: 2,
      publisher: {
        publish: (channel, event, data) => {
          const d = data as { status?: string; agentId?: string; requestId?: string };
          if (event === 'agent_status' && channel.startsWith('agent:') && d.status === 'waiting_for_input')
            resolveAsked({ agentId: d.agentId as string, requestId: d.requestId as string });
          void hub.hub.publish(channel, event, data);
        },
        streamAgentOutput: (agentId, text) => {
          output += text;
          if (/Approved — going ahead/.test(output)) resolveShown();
          hub.hub.streamAgentOutput(agentId, text);
        },
      },
    });
    const undo = answerDemoInputs(hub.hub, demo);
    demo.start();
    try {
      const { agentId, requestId } = await asked;
      const args = ['reply', agentId, '--approve', '--request', requestId, '--url', hub.url, '--token', await acting()];
      const result = await runCli(args);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      await shown;
      expect(output).toMatch(/Yes.*\(tester\)/);
      const again = await runCli(args);
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(/already_answered/);
    } finally {
      undo();
      demo.stop();
    }
  });
});
