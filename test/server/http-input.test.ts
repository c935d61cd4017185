import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/shared/errors';
import type { RunningHub } from '../../src/server/index';
import { startTestHub, token } from '../helpers/hub';
import { metricValue } from '../helpers/probes';

/**
 * How the HTTP API reads what a client sends: body limits (declared and
 * streamed), the publish body, agent output, the SSE channel list, and the
 * errors each refusal answers with. One hub for the file (a small body limit),
 * real requests on port 0.
 */
const LIMIT = 64;
let running: RunningHub;
beforeAll(async () => {
  running = await startTestHub({ maxBodyBytes: LIMIT });
});
afterAll(() => running.close());

interface Reply {
  status: number;
  body: { error?: { code: string; message: string } } & Record<string, unknown>;
}

/** A raw request, so the test decides Content-Length and chunking. */
function send(
  method: string,
  path: string,
  options: { body?: string | string[]; headers?: Record<string, string | number> } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${running.url}${path}`, { method, headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as Reply['body']) : {} });
      });
    });
    // The hub may answer and close before the whole body is sent.
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? undefined : reject(error)));
    for (const chunk of [options.body ?? []].flat()) req.write(chunk);
    req.end();
  });
}

const auth = async (grants: { publish?: boolean; channels?: string[] } = {}) => ({
  authorization: `Bearer ${await token({ channels: ['*'], publish: true, ...grants })}`,
});

const publish = async (body: string, grants?: { publish?: boolean; channels?: string[] }) =>
  send('POST', '/api/publish', { body, headers: { ...(await auth(grants)), 'content-type': 'application/json' } });

/** A publish body of exactly `size` bytes. */
function bodyOf(size: number): string {
  const base = JSON.stringify({ channel: 'issue:1', event: 'note', data: '' });
  return JSON.stringify({ channel: 'issue:1', event: 'note', data: 'x'.repeat(size - base.length) });
}

describe('HTTP input', () => {
  describe('body limit', () => {
    it('accepts a body of exactly maxBodyBytes', async () => {
      expect(await publish(bodyOf(LIMIT))).toMatchObject({ status: 202 });
    });

    it('refuses a declared Content-Length over the limit with 413 before reading it', async () => {
      const body = bodyOf(LIMIT + 1);
      const reply = await send('POST', '/api/publish', {
        body,
        headers: { ...(await auth()), 'content-length': Buffer.byteLength(body) },
      });
      expect(reply).toEqual({
        status: 413,
        body: { error: { code: ErrorCode.MessageTooLarge, message: `body is larger than ${LIMIT} bytes` } },
      });
    });

    it('refuses a chunked body that grows past the limit with 413', async () => {
      const body = bodyOf(LIMIT + 1);
      const reply = await send('POST', '/api/publish', {
        body: [body.slice(0, 40), body.slice(40)],
        headers: { ...(await auth()), 'transfer-encoding': 'chunked' },
      });
      expect(reply).toEqual({
        status: 413,
        body: { error: { code: ErrorCode.MessageTooLarge, message: `body is larger than ${LIMIT} bytes` } },
      });
    });

    it('accepts a chunked body of exactly the limit', async () => {
      const body = bodyOf(LIMIT);
      const reply = await send('POST', '/api/publish', {
        body: [body.slice(0, 40), body.slice(40)],
        headers: { ...(await auth()), 'transfer-encoding': 'chunked' },
      });
      expect(reply.status).toBe(202);
    });
  });

  describe('POST /api/publish', () => {
    it.each([
      ['not JSON', '{', ErrorCode.InvalidJson, 'body is not valid JSON', 400],
      [
        'the wrong shape',
        '{"channel":"issue:1"}',
        ErrorCode.InvalidMessage,
        'body must be {channel, event, data}',
        400,
      ],
      ['a bad channel', '{"channel":"nope","event":"x","data":1}', ErrorCode.InvalidChannel, 'invalid channel', 400],
    ])('refuses %s', async (_case, body, code, message, status) => {
      expect(await publish(body)).toEqual({ status, body: { error: { code, message } } });
    });

    it('refuses a channel the token does not cover, naming it', async () => {
      expect(await publish('{"channel":"issue:2","event":"x","data":1}', { channels: ['issue:1'] })).toEqual({
        status: 403,
        body: { error: { code: ErrorCode.Forbidden, message: 'not allowed to publish to issue:2' } },
      });
    });

    it('refuses a token without publish', async () => {
      expect(await publish('{"channel":"issue:1","event":"x","data":1}', { publish: false })).toEqual({
        status: 403,
        body: { error: { code: ErrorCode.Forbidden, message: 'token may not publish' } },
      });
    });

    it('counts a refusal by its code', async () => {
      const before = await metricValue(running.hub, 'falcon_hub_protocol_errors_total', { code: 'invalid_json' });
      await publish('nope');
      expect(await metricValue(running.hub, 'falcon_hub_protocol_errors_total', { code: 'invalid_json' })).toBe(
        before + 1,
      );
    });

    it('answers 401 with the reason, and counts it', async () => {
      const before = await metricValue(running.hub, 'falcon_hub_auth_failures_total', { reason: 'missing' });
      expect(await send('POST', '/api/publish', { body: '{}' })).toEqual({
        status: 401,
        body: { error: { code: ErrorCode.Unauthorized, message: 'unauthorized: no token' } },
      });
      expect(await metricValue(running.hub, 'falcon_hub_auth_failures_total', { reason: 'missing' })).toBe(before + 1);
    });
  });

  describe('POST /api/agents/:id/output', () => {
    const output = async (id: string, body: string, grants?: { publish?: boolean; channels?: string[] }) =>
      send('POST', `/api/agents/${id}/output`, { body, headers: await auth(grants) });

    it('accepts text and says how much', async () => {
      expect(await output('opus-1', 'hello\n')).toEqual({ status: 202, body: { accepted: 6 } });
    });

    it.each([
      ['a bad agent id', 'a%20b', {}, 400, ErrorCode.InvalidChannel, 'invalid agent id'],
      ['an agent the token does not cover', 'b', { channels: ['agent:a'] }, 403, ErrorCode.Forbidden, 'not allowed'],
      ['a token without publish', 'a', { publish: false }, 403, ErrorCode.Forbidden, 'token may not publish'],
    ])('refuses %s', async (_case, id, grants, status, code, message) => {
      expect(await output(id, 'x', grants)).toEqual({ status, body: { error: { code, message } } });
    });

    it('refuses a body over the limit', async () => {
      expect((await output('a', 'x'.repeat(LIMIT + 1))).status).toBe(413);
    });
  });

  describe('GET /events', () => {
    const events = async (channels: string[], grants?: { channels?: string[] }) =>
      send('GET', `/events?${channels.map((c) => `channel=${encodeURIComponent(c)}`).join('&')}`, {
        headers: await auth(grants),
      });

    it.each([
      ['no channel', [], 400, ErrorCode.InvalidMessage, 'give 1–64 ?channel= parameters'],
      [
        '65 channels',
        Array.from({ length: 65 }, (_, i) => `issue:${i}`),
        400,
        ErrorCode.InvalidMessage,
        'give 1–64 ?channel= parameters',
      ],
      ['a bad channel', ['nope'], 400, ErrorCode.InvalidChannel, 'invalid channel'],
    ])('refuses %s', async (_case, channels, status, code, message) => {
      expect(await events(channels)).toEqual({ status, body: { error: { code, message } } });
    });

    it('refuses a channel the token does not cover, naming it', async () => {
      expect(await events(['issue:1', 'agent:x'], { channels: ['issue:*'] })).toEqual({
        status: 403,
        body: { error: { code: ErrorCode.Forbidden, message: 'not allowed to read agent:x' } },
      });
    });

    it('opens a stream of 64 channels, counting a repeated one once', async () => {
      const channels = [...Array.from({ length: 64 }, (_, i) => `issue:${i}`), 'issue:0'];
      const controller = new AbortController();
      const response = await fetch(`${running.url}/events?${channels.map((c) => `channel=${c}`).join('&')}`, {
        headers: await auth(),
        signal: controller.signal,
      });
      expect(response.status).toBe(200);
      controller.abort();
    });
  });
});
