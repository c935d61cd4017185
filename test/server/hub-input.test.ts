import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentInput, AgentInputMeta, RunningHub } from '../../src/server/index';
import { token } from '../helpers/hub';
import { HubFixture } from '../helpers/hub-fixture';
import { metricValue } from '../helpers/probes';
import { hostileString, jsonValue } from '../reliability/fuzz-values';
import { publishWaitingA1 } from '../helpers/agent-request';

/**
 * Answering agents through a real hub (both engines: the redis project runs
 * this file against a real redis-server): every status code over HTTP and
 * over WebSocket, rights, first answer wins, the handler's word, the audit
 * event.
 */
const fixture = new HubFixture();
afterEach(() => fixture.dispose());

interface Received {
  input: AgentInput;
  meta: AgentInputMeta;
}

/** A hub with agent a1 waiting on request r1, and a handler that accepts (and records) every input. */
async function waitingHub(options: Parameters<HubFixture['startHub']>[0] = {}) {
  const running = await fixture.startHub(options);
  await publishWaitingA1(running.hub);
  const received: Received[] = [];
  fixture.defer(running.hub.onAgentInput((input, meta) => void received.push({ input, meta })));
  return { running, received };
}

const actor = () => token({ user: 'ana', channels: ['*'], actOn: ['agent:*'] });

function send(running: RunningHub, agentId: string, body: unknown, authToken?: string): Promise<Response> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (authToken) headers.Authorization = `Bearer ${authToken}`;
  return fetch(`${running.url}/api/agents/${agentId}/input`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** A hostile id as a path segment: escaped where it can be, else as its UTF-16 units in %XX (malformed on purpose). */
function pathSegment(id: string): string {
  let segment: string;
  try {
    segment = encodeURIComponent(id);
  } catch {
    segment = [...id].map((unit) => `%${(unit.charCodeAt(0) & 0xff).toString(16).padStart(2, '0')}`).join('');
  }
  return segment.slice(0, 300) || 'x';
}

async function outcome(response: Response): Promise<{ status: number; code?: string; inputId?: string }> {
  const body = (await response.json()) as { inputId?: string; error?: { code?: string } };
  return { status: response.status, code: body.error?.code, inputId: body.inputId };
}

describe('POST /api/agents/:agentId/input', () => {
  it('answers 202 {inputId}, hands the handler the input with who and when, and publishes input_sent', async () => {
    const { running, received } = await waitingHub();
    const viewer = await fixture.connect(running, await token({ user: 'bo', channels: ['agent:*'] }));
    viewer.send({ type: 'subscribe', channel: 'agent:a1' });
    await viewer.waitFor((m) => m.type === 'subscribed');
    const sse = await fixture.sse(`${running.url}/events/a1?token=${await token({ channels: ['agent:a1'] })}`);

    const before = Date.now();
    const result = await outcome(
      await send(running, 'a1', { action: 'approve', requestId: 'r1', choice: 'approve' }, await actor()),
    );
    expect(result.status).toBe(202);
    expect(result.inputId).toMatch(/^[0-9a-f-]{36}$/);
    expect(received).toHaveLength(1);
    expect(received[0].input).toEqual({ action: 'approve', requestId: 'r1', choice: 'approve' });
    expect(received[0].meta).toMatchObject({ inputId: result.inputId, agentId: 'a1', by: 'ana' });
    expect(received[0].meta.at).toBeGreaterThanOrEqual(before);

    const audit = await viewer.waitFor((m) => m.type === 'event' && m.event === 'input_sent');
    expect(audit).toMatchObject({
      channel: 'agent:a1',
      data: {
        inputId: result.inputId,
        agentId: 'a1',
        action: 'approve',
        requestId: 'r1',
        choice: 'approve',
        by: 'ana',
      },
    });
    const [streamed] = (await sse.waitForCount(1)).filter((event) => event.event === 'input_sent');
    expect(JSON.parse(streamed.data)).toMatchObject({ inputId: result.inputId, by: 'ana' });

    const later = await fixture.connect(running);
    later.send({ type: 'subscribe', channel: 'agent:a1', history: 10 });
    const history = await later.waitFor((m) => m.type === 'history');
    expect(history.events).toEqual(
      expect.arrayContaining([expect.objectContaining({ event: 'input_sent', data: audit.data })]),
    );
  });

  it('takes a reply with text and an interrupt without a request', async () => {
    const { running, received } = await waitingHub();
    const authToken = await actor();
    expect((await send(running, 'a1', { action: 'reply', text: 'use main', requestId: 'r1' }, authToken)).status).toBe(
      202,
    );
    expect((await send(running, 'a1', { action: 'interrupt' }, authToken)).status).toBe(202);
    expect(received.map((r) => r.input)).toEqual([
      { action: 'reply', text: 'use main', requestId: 'r1' },
      { action: 'interrupt' },
    ]);
  });

  it('answers 400 with a stable code for anything malformed, and hands nothing on', async () => {
    const { running, received } = await waitingHub();
    const authToken = await actor();
    const cases: Array<[unknown, string]> = [
      ['{"action":', 'invalid_json'],
      ['[1,2]', 'invalid_input'],
      [{ action: 'shout' }, 'invalid_input'],
      [{ action: 'reply' }, 'invalid_input'],
      [{ action: 'reply', text: '' }, 'invalid_input'],
      [{ action: 'approve', extra: true }, 'invalid_input'],
      [{ action: 'reply', text: 'x'.repeat(16_001) }, 'invalid_input'],
      [{ action: 'approve', requestId: 'r1', choice: 'maybe' }, 'invalid_choice'],
      ['{"__proto__":{"action":"approve"}}', 'forbidden_key'],
      [`${'['.repeat(50)}${']'.repeat(50)}`, 'too_deep'],
    ];
    for (const [body, code] of cases) {
      expect(await outcome(await send(running, 'a1', body, authToken)), String(body).slice(0, 60)).toMatchObject({
        status: 400,
        code,
      });
    }
    expect(await outcome(await send(running, 'a%2Fb', { action: 'deny' }, authToken))).toMatchObject({
      status: 400,
      code: 'invalid_channel',
    });
    expect(await outcome(await send(running, 'a%20b', { action: 'deny' }, authToken))).toMatchObject({
      status: 400,
      code: 'invalid_channel',
    });
    const huge = JSON.stringify({ action: 'reply', text: 'x'.repeat(70 * 1024) });
    expect(await outcome(await send(running, 'a1', huge, authToken))).toMatchObject({
      status: 413,
      code: 'message_too_large',
    });
    expect(received).toHaveLength(0);
  });

  it('answers 401 without a token, and 403 to a token that may read (or publish) but not act', async () => {
    const { running, received } = await waitingHub();
    expect((await outcome(await send(running, 'a1', { action: 'deny' }))).status).toBe(401);
    const readOnly = await token({ channels: ['*'], publish: true });
    expect(await outcome(await send(running, 'a1', { action: 'deny' }, readOnly))).toMatchObject({
      status: 403,
      code: 'forbidden',
    });
    const otherAgent = await token({ channels: ['*'], actOn: ['agent:b*'] });
    expect((await outcome(await send(running, 'a1', { action: 'deny' }, otherAgent))).status).toBe(403);
    const whoami = async (authToken: string) =>
      (await fetch(`${running.url}/api/whoami`, { headers: { Authorization: `Bearer ${authToken}` } })).json();
    expect(await whoami(readOnly)).not.toHaveProperty('actOn');
    expect(await whoami(await actor())).toMatchObject({ actOn: ['agent:*'] });
    // Without the right, an unknown agent is refused the same way: nothing says whether it exists.
    expect((await outcome(await send(running, 'ghost', { action: 'deny' }, readOnly))).status).toBe(403);
    expect(received).toHaveLength(0);
  });

  it('answers 404 unknown_agent for an agent the hub has never seen', async () => {
    const { running } = await waitingHub();
    expect(await outcome(await send(running, 'ghost', { action: 'interrupt' }, await actor()))).toMatchObject({
      status: 404,
      code: 'unknown_agent',
    });
  });

  it('lets the first answer win: later answers to the request get 409 already_answered', async () => {
    const { running, received } = await waitingHub();
    const authToken = await actor();
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        send(running, 'a1', { action: i % 2 ? 'approve' : 'deny', requestId: 'r1' }, authToken).then(outcome),
      ),
    );
    expect(answers.filter((a) => a.status === 202)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 409 && a.code === 'already_answered')).toHaveLength(5);
    expect(received).toHaveLength(1);
    expect(await outcome(await send(running, 'a1', { action: 'deny', requestId: 'r1' }, authToken))).toMatchObject({
      status: 409,
      code: 'already_answered',
    });
    expect(await metricValue(running.hub, 'falcon_hub_agent_inputs_total', { outcome: 'accepted' })).toBe(1);
    expect(await metricValue(running.hub, 'falcon_hub_agent_inputs_total', { outcome: 'already_answered' })).toBe(6);
  });

  it('answers 409 request_not_pending to a request the agent is not waiting on', async () => {
    const { running } = await waitingHub();
    const authToken = await actor();
    expect(await outcome(await send(running, 'a1', { action: 'deny', requestId: 'r0' }, authToken))).toMatchObject({
      status: 409,
      code: 'request_not_pending',
    });
    await running.hub.publish('agent:a1', 'agent_status', { agentId: 'a1', status: 'working' });
    expect(await outcome(await send(running, 'a1', { action: 'deny', requestId: 'r1' }, authToken))).toMatchObject({
      status: 409,
      code: 'request_not_pending',
    });
  });

  it('passes a handler refusal on as 422 input_rejected, publishes nothing, and leaves the request open', async () => {
    const running = await fixture.startHub();
    await running.hub.publish('agent:a1', 'agent_status', {
      agentId: 'a1',
      status: 'waiting_for_input',
      requestId: 'r1',
    });
    let refusals = 2;
    const undo = running.hub.onAgentInput(() => {
      if (refusals-- === 2) throw new Error('falcon-pm lost the agent');
      if (refusals === 0) return { reject: 'not now' };
    });
    fixture.defer(undo);
    const authToken = await actor();
    const first = await send(running, 'a1', { action: 'deny', requestId: 'r1' }, authToken);
    expect(first.status).toBe(422);
    expect(await first.json()).toEqual({ error: { code: 'input_rejected', message: 'falcon-pm lost the agent' } });
    const second = await send(running, 'a1', { action: 'deny', requestId: 'r1' }, authToken);
    expect(await second.json()).toEqual({ error: { code: 'input_rejected', message: 'not now' } });
    expect((await send(running, 'a1', { action: 'deny', requestId: 'r1' }, authToken)).status).toBe(202);
    const viewer = await fixture.connect(running);
    viewer.send({ type: 'subscribe', channel: 'agent:a1', history: 10 });
    const history = await viewer.waitFor((m) => m.type === 'history');
    expect((history.events as Array<{ event: string }>).filter((e) => e.event === 'input_sent')).toHaveLength(1);
  });

  it('answers 503 input_unavailable while no handler is registered', async () => {
    const running = await fixture.startHub();
    await running.hub.publish('agent:a1', 'agent_status', { agentId: 'a1', status: 'waiting_for_input' });
    expect(await outcome(await send(running, 'a1', { action: 'interrupt' }, await actor()))).toMatchObject({
      status: 503,
      code: 'input_unavailable',
    });
    const undo = running.hub.onAgentInput(() => undefined);
    expect(() => running.hub.onAgentInput(() => undefined)).toThrow(/registered already/);
    undo();
    expect((await send(running, 'a1', { action: 'interrupt' }, await actor())).status).toBe(503);
  });

  it('rate-limits inputs per token with 429 and Retry-After', async () => {
    const { running } = await waitingHub({ httpRateLimit: { perSecond: 0.01, burst: 2 } });
    const authToken = await actor();
    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let i = 0; i < 3; i++) {
      const response = await send(running, 'a1', { action: 'interrupt' }, authToken);
      statuses.push(response.status);
      if (response.status === 429) limited = response;
    }
    expect(statuses).toEqual([202, 202, 429]);
    expect(limited?.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await outcome(limited as Response)).code).toBe('rate_limited');
    // Another token has its own budget.
    expect((await send(running, 'a1', { action: 'interrupt' }, await token({ actOn: ['agent:a1'] }))).status).toBe(202);
  });

  it('refuses to let a publisher forge input_sent', async () => {
    const running = await fixture.startHub();
    const response = await fetch(`${running.url}/api/publish`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${await token({ publish: true, actOn: ['*'] })}` },
      body: JSON.stringify({ channel: 'agent:a1', event: 'input_sent', data: { by: 'someone-else' } }),
    });
    expect(await outcome(response)).toMatchObject({ status: 403, code: 'forbidden' });
  });

  it('never answers 5xx or accepts a hostile body or agent id', async () => {
    const { running, received } = await waitingHub();
    const authToken = await actor();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          hostileString,
          jsonValue.map((value) => JSON.stringify(value) ?? 'null'),
          fc.record({ action: hostileString, text: hostileString }).map((value) => JSON.stringify(value)),
        ),
        fc.oneof(fc.constant('a1'), hostileString.map(pathSegment)),
        async (body, agentId) => {
          const response = await send(running, agentId, body, authToken);
          await response.arrayBuffer();
          expect(response.status, `${agentId} ${body.slice(0, 80)}`).toBeGreaterThanOrEqual(400);
          expect(response.status).toBeLessThan(500);
        },
      ),
      { numRuns: 60 },
    );
    expect(received).toHaveLength(0);
    expect((await send(running, 'a1', { action: 'interrupt' }, authToken)).status).toBe(202);
  });
});

describe('WebSocket input messages', () => {
  it('acks an accepted input with its id and inputId, and the audit event reaches subscribers', async () => {
    const { running, received } = await waitingHub();
    const client = await fixture.connect(running, await actor());
    expect((await client.waitFor((m) => m.type === 'connected')).features).toContain('agent-input');
    client.send({ type: 'subscribe', channel: 'agent:a1' });
    await client.waitFor((m) => m.type === 'subscribed');
    client.send({ type: 'input', agentId: 'a1', action: 'approve', requestId: 'r1', choice: 'approve', id: 'q1' });
    const ack = await client.waitFor((m) => m.type === 'input_ack');
    expect(ack).toEqual({ type: 'input_ack', id: 'q1', inputId: expect.any(String) });
    expect(received[0]).toMatchObject({ input: { action: 'approve', choice: 'approve' }, meta: { by: 'ana' } });
    const audit = await client.waitFor((m) => m.type === 'event' && m.event === 'input_sent');
    expect(audit.data).toMatchObject({ inputId: ack.inputId, action: 'approve', by: 'ana' });
  });

  it('answers each refusal with an error carrying its code and the message id', async () => {
    const { running } = await waitingHub();
    const client = await fixture.connect(running, await actor());
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ agentId: 'a1', action: 'shout' }, 'invalid_input'],
      [{ agentId: 'a1', action: 'reply' }, 'invalid_input'],
      [{ agentId: 'a1', action: 'approve', surprise: 1 }, 'invalid_input'],
      [{ agentId: '../a1', action: 'deny' }, 'invalid_channel'],
      [{ agentId: 'a1', action: 'approve', requestId: 'r1', choice: 'later' }, 'invalid_choice'],
      [{ agentId: 'ghost', action: 'deny' }, 'unknown_agent'],
      [{ agentId: 'a1', action: 'deny', requestId: 'r9' }, 'request_not_pending'],
    ];
    for (const [index, [fields, code]] of cases.entries()) {
      client.send({ type: 'input', id: index, ...fields });
      const error = await client.waitFor((m) => m.type === 'error' && m.id === index);
      expect(error.code, JSON.stringify(fields)).toBe(code);
    }
    client.send({ type: 'input', id: 'first', agentId: 'a1', action: 'deny', requestId: 'r1' });
    client.send({ type: 'input', id: 'second', agentId: 'a1', action: 'approve', requestId: 'r1' });
    expect(await client.waitFor((m) => m.id === 'first')).toMatchObject({ type: 'input_ack' });
    expect(await client.waitFor((m) => m.id === 'second')).toMatchObject({ type: 'error', code: 'already_answered' });
    expect(client.closeCode).toBeNull();
  });

  it('answers forbidden to a token that may read but not act', async () => {
    const { running, received } = await waitingHub();
    const client = await fixture.connect(running, await token({ channels: ['*'] }));
    client.send({ type: 'input', id: 1, agentId: 'a1', action: 'deny' });
    expect(await client.waitFor((m) => m.id === 1)).toMatchObject({ type: 'error', code: 'forbidden' });
    expect(received).toHaveLength(0);
  });

  it('answers input_rejected and input_unavailable as HTTP does', async () => {
    const running = await fixture.startHub();
    await running.hub.publish('agent:a1', 'agent_status', { agentId: 'a1', status: 'waiting_for_input' });
    const client = await fixture.connect(running, await actor());
    client.send({ type: 'input', id: 1, agentId: 'a1', action: 'interrupt' });
    expect(await client.waitFor((m) => m.id === 1)).toMatchObject({ code: 'input_unavailable' });
    fixture.defer(running.hub.onAgentInput(() => ({ reject: 'agent is gone' })));
    client.send({ type: 'input', id: 2, agentId: 'a1', action: 'interrupt' });
    expect(await client.waitFor((m) => m.id === 2)).toMatchObject({ code: 'input_rejected', message: 'agent is gone' });
  });

  it('rate-limits inputs per token with rate_limited', async () => {
    const { running } = await waitingHub({ httpRateLimit: { perSecond: 0.01, burst: 1 } });
    const client = await fixture.connect(running, await actor());
    client.send({ type: 'input', id: 1, agentId: 'a1', action: 'interrupt' });
    client.send({ type: 'input', id: 2, agentId: 'a1', action: 'interrupt' });
    expect(await client.waitFor((m) => m.id === 1)).toMatchObject({ type: 'input_ack' });
    expect(await client.waitFor((m) => m.id === 2)).toMatchObject({ type: 'error', code: 'rate_limited' });
  });
});
