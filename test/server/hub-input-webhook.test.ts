import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  INPUT_ID_HEADER,
  type RunningHub,
  SIGNATURE_HEADER,
  inputWebhookHandler,
  signInputBody,
} from '../../src/server/index';
import { token } from '../helpers/hub';
import { HubFixture } from '../helpers/hub-fixture';
import { publishWaitingA1 } from '../helpers/agent-request';

/**
 * The hub forwarding answers to falcon-pm (`--input-webhook`), through a real
 * hub (both engines) and a real HTTP server playing falcon-pm: signed
 * bodies, retries while it is down or overloaded, its refusals and its
 * absence as clear errors for the sender.
 */
const fixture = new HubFixture();
afterEach(() => fixture.dispose());

const SECRET = 'falcon-pm-webhook-secret-at-least-32-chars';

interface Call {
  headers: IncomingMessage['headers'];
  body: string;
}

/** falcon-pm: answers each POST with what `reply` says, and records it. */
async function falconPm(reply: (call: Call, index: number) => { status: number; body?: string } | 'hang') {
  const calls: Call[] = [];
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      const call = { headers: request.headers, body };
      calls.push(call);
      const answer = reply(call, calls.length - 1);
      if (answer === 'hang') return;
      response.writeHead(answer.status, { 'Content-Type': 'application/json' }).end(answer.body ?? '{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fixture.defer(() => new Promise<void>((resolve) => server.close(() => resolve())));
  fixture.defer(() => server.closeAllConnections());
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/falcon/inputs`, calls };
}

async function hubForwardingTo(url: string): Promise<RunningHub> {
  const running = await fixture.startHub();
  await publishWaitingA1(running.hub);
  fixture.defer(
    running.hub.onAgentInput(
      inputWebhookHandler({ url, secret: SECRET, backoffMs: 20, attemptTimeoutMs: 500, deadlineMs: 4000 }),
    ),
  );
  return running;
}

async function answer(running: RunningHub, body: unknown) {
  const response = await fetch(`${running.url}/api/agents/a1/input`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Authorization: `Bearer ${await token({ user: 'ana', actOn: ['agent:*'] })}`,
    },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as { inputId?: string; error?: { code?: string; message?: string } };
  return { status: response.status, inputId: json.inputId, code: json.error?.code, message: json.error?.message };
}

describe('--input-webhook: answers forwarded to falcon-pm', () => {
  it('POSTs the input with who and when, signed, and the sender gets 202 once falcon-pm took it', async () => {
    const pm = await falconPm(() => ({ status: 200 }));
    const running = await hubForwardingTo(pm.url);
    const result = await answer(running, { action: 'approve', requestId: 'r1' });
    expect(result).toMatchObject({ status: 202, inputId: expect.any(String) });
    expect(pm.calls).toHaveLength(1);
    const [call] = pm.calls;
    expect(JSON.parse(call.body)).toEqual({
      inputId: result.inputId,
      agentId: 'a1',
      by: 'ana',
      at: expect.any(Number),
      action: 'approve',
      requestId: 'r1',
    });
    expect(call.headers[INPUT_ID_HEADER.toLowerCase()]).toBe(result.inputId);
    // falcon-pm recomputes the signature over "<t>.<body>" with the shared key.
    const signature = String(call.headers[SIGNATURE_HEADER.toLowerCase()]);
    const time = Number(/^t=(\d+),v1=[0-9a-f]{64}$/.exec(signature)?.[1]);
    expect(signature).toBe(signInputBody(SECRET, time, call.body));
    expect(signature).not.toBe(signInputBody(`${SECRET}x`, time, call.body));
  });

  it('retries while falcon-pm is overloaded or failing, with the same input id, then succeeds', async () => {
    const pm = await falconPm((_, index) => (index < 2 ? { status: index === 0 ? 503 : 429 } : { status: 204 }));
    const running = await hubForwardingTo(pm.url);
    const result = await answer(running, { action: 'reply', text: 'use staging' });
    expect(result.status).toBe(202);
    expect(pm.calls).toHaveLength(3);
    expect(new Set(pm.calls.map((call) => call.headers[INPUT_ID_HEADER.toLowerCase()])).size).toBe(1);
  });

  it('passes falcon-pm’s refusal to the sender as input_rejected with its reason, without retrying', async () => {
    const pm = await falconPm(() => ({ status: 409, body: JSON.stringify({ error: { message: 'agent moved on' } }) }));
    const running = await hubForwardingTo(pm.url);
    const result = await answer(running, { action: 'deny', requestId: 'r1' });
    expect(result).toMatchObject({ status: 422, code: 'input_rejected' });
    expect(result.message).toBe('falcon-pm refused the input (409: agent moved on)');
    expect(pm.calls).toHaveLength(1);
    // Refused, the request is still open: a later answer may be taken.
    expect((await answer(running, { action: 'approve', requestId: 'r1' })).code).toBe('input_rejected');
  });

  it('tells the sender falcon-pm could not be reached when it is down, and when it never answers', async () => {
    const down = await falconPm(() => ({ status: 200 }));
    const closed = down.url;
    // Nothing listens there any more.
    await fixture.dispose();
    const running = await hubForwardingTo(closed);
    const result = await answer(running, { action: 'approve' });
    expect(result).toMatchObject({ status: 503, code: 'input_unavailable' });
    expect(result.message).toMatch(/^falcon-pm could not be reached: /);

    const hanging = await falconPm(() => 'hang');
    const slow = await hubForwardingTo(hanging.url);
    const timedOut = await answer(slow, { action: 'approve' });
    expect(timedOut).toMatchObject({ status: 503, code: 'input_unavailable' });
    expect(timedOut.message).toMatch(/no answer within 500 ms/);
    expect(hanging.calls.length).toBe(3);
  });

  it('refuses to forward anywhere but http(s), or with a short key', () => {
    expect(() => inputWebhookHandler({ url: 'file:///etc/passwd', secret: SECRET })).toThrow(/http\(s\)/);
    expect(() => inputWebhookHandler({ url: 'http://127.0.0.1:1/', secret: 'short' })).toThrow(/32 characters/);
  });
});
