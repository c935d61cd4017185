import { afterEach, describe, expect, it } from 'vitest';
import { INPUT_ANSWER_TIMEOUT_MS } from '../../src/client/index';
import { type AgentInput, type AgentInputMeta, INPUT_HANDLER_TIMEOUT_MS } from '../../src/server/index';
import { RecordingConnection } from '../helpers/client';
import { token } from '../helpers/hub';
import { HubFixture } from '../helpers/hub-fixture';
import { ScriptedServer } from '../helpers/scripted-server';
import { TcpProxy } from '../helpers/tcp-proxy';
import { publishWaitingA1 } from '../helpers/agent-request';

/**
 * The client core's `sendInput` through a real hub (both engines): the ack,
 * every refusal passed on with the hub's code, nothing sent while down, and an
 * input whose connection dies before the answer reported as such, never lost
 * in silence and never re-sent.
 */
const fixture = new HubFixture();
afterEach(() => fixture.dispose());

async function waitingHub() {
  const running = await fixture.startHub();
  await publishWaitingA1(running.hub);
  const received: Array<{ input: AgentInput; meta: AgentInputMeta }> = [];
  fixture.defer(running.hub.onAgentInput((input, meta) => void received.push({ input, meta })));
  return { running, received };
}

async function open(url: string, authToken: string): Promise<RecordingConnection> {
  const client = new RecordingConnection({ urls: url, token: authToken });
  fixture.defer(() => client.connection.close());
  client.connection.start();
  await client.until((state) => state.status === 'open');
  return client;
}

describe('ReconnectingConnection.sendInput', () => {
  it('learns who it is and what it may answer from connected', async () => {
    const { running } = await waitingHub();
    const actor = await open(running.wsUrl, await token({ user: 'ana', channels: ['*'], actOn: ['agent:a*'] }));
    expect(actor.connection.state).toMatchObject({ user: 'ana', actOn: ['agent:a*'] });
    const reader = await open(running.wsUrl, await token({ user: 'bo', channels: ['*'] }));
    expect(reader.connection.state).toMatchObject({ user: 'bo', actOn: [] });
  });

  it('resolves with the ack; the handler gets the input with the sender', async () => {
    const { running, received } = await waitingHub();
    const client = await open(running.wsUrl, await token({ user: 'ana', channels: ['*'], actOn: ['agent:*'] }));
    const outcome = await client.connection.sendInput('a1', { action: 'approve', requestId: 'r1', choice: 'approve' });
    expect(outcome).toEqual({ ok: true, inputId: expect.any(String) });
    expect(received).toHaveLength(1);
    expect(received[0].meta).toMatchObject({ agentId: 'a1', by: 'ana' });
    if (outcome.ok) expect(received[0].meta.inputId).toBe(outcome.inputId);
    // The hub's answer went to the sender only: no error delivery in the stream.
    expect(client.notices('error')).toEqual([]);
  });

  it('passes every refusal on with the hub code, without an error delivery', async () => {
    const { running } = await waitingHub();
    const client = await open(running.wsUrl, await token({ user: 'ana', channels: ['*'], actOn: ['agent:a1'] }));
    const send = (agentId: string, input: AgentInput) => client.connection.sendInput(agentId, input);
    expect(await send('a1', { action: 'approve', requestId: 'r1', choice: 'maybe' })).toMatchObject({
      ok: false,
      code: 'invalid_choice',
    });
    expect(await send('zz', { action: 'interrupt' })).toMatchObject({ ok: false, code: 'forbidden' });
    const wide = await open(running.wsUrl, await token({ user: 'cy', channels: ['*'], actOn: ['agent:*'] }));
    expect(await wide.connection.sendInput('zz', { action: 'interrupt' })).toMatchObject({
      ok: false,
      code: 'unknown_agent',
    });
    expect(await send('a1', { action: 'reply', text: 'yes', requestId: 'r1' })).toMatchObject({ ok: true });
    expect(await wide.connection.sendInput('a1', { action: 'deny', requestId: 'r1' })).toMatchObject({
      ok: false,
      code: 'already_answered',
    });
    expect(client.notices('error')).toEqual([]);
  });

  it('refuses malformed inputs before sending them', async () => {
    const { running, received } = await waitingHub();
    const client = await open(running.wsUrl, await token({ user: 'ana', channels: ['*'], actOn: ['agent:*'] }));
    expect(await client.connection.sendInput('a1', { action: 'reply', text: '  ' })).toMatchObject({
      ok: false,
      code: 'invalid_input',
    });
    expect(await client.connection.sendInput('bad id', { action: 'interrupt' })).toMatchObject({
      ok: false,
      code: 'invalid_input',
    });
    const bogus = { action: 'explode' } as unknown as AgentInput;
    expect(await client.connection.sendInput('a1', bogus)).toMatchObject({ ok: false, code: 'invalid_input' });
    expect(received).toEqual([]);
  });

  it('sends nothing while not connected', async () => {
    const { running, received } = await waitingHub();
    const client = new RecordingConnection({ urls: running.wsUrl, token: await token({ actOn: ['agent:*'] }) });
    fixture.defer(() => client.connection.close());
    expect(await client.connection.sendInput('a1', { action: 'interrupt' })).toMatchObject({
      ok: false,
      code: 'not_connected',
    });
    client.connection.close();
    expect(await client.connection.sendInput('a1', { action: 'interrupt' })).toMatchObject({
      ok: false,
      code: 'not_connected',
    });
    expect(received).toEqual([]);
  });

  it('reports an input whose connection died before the answer as connection_lost, and does not re-send it', async () => {
    const running = await fixture.startHub();
    await running.hub.publish('agent:a1', 'agent_status', { agentId: 'a1', status: 'waiting_for_input' });
    let calls = 0;
    let arrived!: () => void;
    const handlerCalled = new Promise<void>((resolve) => (arrived = resolve));
    // falcon-pm takes its time: the connection dies while the hub waits for it.
    fixture.defer(
      running.hub.onAgentInput(async () => {
        calls++;
        arrived();
        await new Promise((resolve) => setTimeout(resolve, 300));
      }),
    );
    const proxy = await new TcpProxy(running.port).listen();
    fixture.defer(() => proxy.close());
    const client = await open(proxy.url(), await token({ actOn: ['agent:*'] }));
    const outcome = client.connection.sendInput('a1', { action: 'reply', text: 'go on' });
    await handlerCalled;
    proxy.dropAll();
    expect(await outcome).toMatchObject({ ok: false, code: 'connection_lost' });
    await client.until((state) => state.status === 'open');
    expect(calls).toBe(1);
  });

  it('gives up on a hub that never answers after its deadline, and ignores the late answer', async () => {
    const server = await ScriptedServer.start();
    fixture.defer(() => server.close());
    const client = new RecordingConnection({ urls: server.url, inputAnswerTimeoutMs: 200 });
    fixture.defer(() => client.connection.close());
    client.connection.start();
    await client.until((state) => state.status === 'open');
    // A hub that does not say who we are leaves the identity unknown, not "may not act".
    expect(client.connection.state).toMatchObject({ user: null, actOn: null });
    expect(await client.connection.sendInput('a1', { action: 'interrupt' })).toMatchObject({
      ok: false,
      code: 'no_answer',
    });
    const sent = server.received.find((message) => message.type === 'input');
    expect(sent).toMatchObject({ type: 'input', agentId: 'a1', action: 'interrupt', id: expect.any(String) });
    await server.send(JSON.stringify({ type: 'input_ack', id: sent?.id, inputId: 'late' }));
    await server.send(JSON.stringify({ type: 'error', code: 'forbidden', message: 'late', id: sent?.id }));
    await client.waitFor((delivery) => delivery.kind === 'error');
    expect(client.connection.state.status).toBe('open');
  });

  it('defaults its deadline past the hub handler deadline', () => {
    expect(INPUT_ANSWER_TIMEOUT_MS).toBeGreaterThan(INPUT_HANDLER_TIMEOUT_MS);
  });
});
