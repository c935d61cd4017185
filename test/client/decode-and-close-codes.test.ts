import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket as ServerSocket } from 'ws';
import { CloseCode, ErrorCode } from '../../src/shared/errors';
import { RecordingConnection } from '../helpers/client';

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const undo of cleanup.splice(0).reverse()) await undo();
});

/** A hub stand-in on port 0 that runs `script` for each connection. */
async function server(script: (socket: ServerSocket) => void): Promise<string> {
  const wss = new WebSocketServer({ port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  wss.on('connection', script);
  cleanup.push(() => new Promise<void>((resolve) => wss.close(() => resolve())));
  cleanup.push(() => wss.clients.forEach((client) => client.terminate()));
  return `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/ws`;
}

/** An HTTP server that refuses every upgrade with `status`. */
async function refusing(status: number): Promise<string> {
  const http: Server = createServer();
  http.on('upgrade', (_request, socket) => {
    socket.end(`HTTP/1.1 ${status} Refused\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', () => resolve()));
  cleanup.push(() => new Promise<void>((resolve) => http.close(() => resolve())));
  return `ws://127.0.0.1:${(http.address() as AddressInfo).port}/ws`;
}

function record(url: string): RecordingConnection {
  const client = new RecordingConnection({ urls: url, token: 't', backoff: { initialDelayMs: 50, maxDelayMs: 50 } });
  cleanup.push(() => client.connection.close());
  client.connection.start();
  return client;
}

describe('client core: auth failure by close code, never by the reason’s text', () => {
  it('takes a refused upgrade (HTTP 401) as an auth failure, coded Unauthorized', async () => {
    const client = record(await refusing(401));
    const state = await client.until((s) => s.status === 'authFailed');
    expect(state.lastClose).toEqual({ code: CloseCode.Unauthorized, reason: 'HTTP 401' });
  });

  it('retries any other refused upgrade (HTTP 503) as a lost connection', async () => {
    const client = record(await refusing(503));
    const state = await client.until((s) => s.status === 'reconnecting');
    expect(state.lastClose).toEqual({ code: 1006, reason: 'HTTP 503' });
    // A second attempt follows (backoff ≤ 50 ms): it never settles into authFailed.
    await client.until((s) => s.status === 'reconnecting' && s.attempt === 2);
    expect(client.states.some((s) => s.status === 'authFailed')).toBe(false);
  });

  it('retries a close whose reason merely mentions 401', async () => {
    const url = await server((socket) => {
      socket.send(JSON.stringify({ type: 'connected', clientId: 'c1' }));
      socket.close(CloseCode.InternalError, 'upstream said 401');
    });
    const client = record(url);
    await client.until((s) => s.status === 'reconnecting' && s.attempt === 2);
    expect(client.states.some((s) => s.status === 'authFailed')).toBe(false);
    expect(client.states.find((s) => s.status === 'reconnecting')?.lastClose).toEqual({
      code: CloseCode.InternalError,
      reason: 'upstream said 401',
    });
  });

  it('takes the hub’s auth close codes as auth failures', async () => {
    const url = await server((socket) => socket.close(CloseCode.TokenExpired, 'token expired'));
    const client = record(url);
    const state = await client.until((s) => s.status === 'authFailed');
    expect(state.lastClose?.code).toBe(CloseCode.TokenExpired);
  });
});

describe('client core: output decoded once', () => {
  it('turns output and output_batch into text, and reports an output payload that is not text', async () => {
    const url = await server((socket) => {
      socket.send(JSON.stringify({ type: 'connected', clientId: 'c1' }));
      socket.on('message', (raw) => {
        const message = JSON.parse(String(raw)) as { type: string; channel?: string };
        if (message.type !== 'subscribe') return;
        const channel = message.channel;
        const event = (offset: number, name: string, data: unknown) =>
          socket.send(JSON.stringify({ type: 'event', channel, event: name, data, offset, epoch: 'e' }));
        socket.send(JSON.stringify({ type: 'subscribed', channel, epoch: 'e', offset: 0 }));
        event(1, 'output', { timestamp: 1, content: 'one\n' });
        event(2, 'output', { timestamp: 2, content: 5 });
        event(3, 'output_batch', { timestamp: 3, lines: ['two\n', 'three\n'] });
        event(4, 'output_batch', { timestamp: 4, lines: ['x', 7] });
        event(5, 'output', { timestamp: 5, content: 'four\n' });
      });
    });
    const client = record(url);
    client.connection.subscribe('agent:a');
    await client.waitFor((d) => d.kind === 'output' && d.text.endsWith('four\n'));
    expect(client.text('agent:a')).toBe('one\ntwo\nthree\nfour\n');
    const errors = client.notices('error');
    expect(errors).toEqual([
      { kind: 'error', channel: 'agent:a', code: ErrorCode.InvalidEvent, message: 'invalid output payload dropped' },
      {
        kind: 'error',
        channel: 'agent:a',
        code: ErrorCode.InvalidEvent,
        message: 'invalid output_batch payload dropped',
      },
    ]);
    // Positions still move past the dropped events: nothing is reported as a gap.
    expect(client.notices('gap')).toEqual([]);
    expect(client.connection.store.tailText('agent:a', 10)).toBe('one\ntwo\nthree\nfour\n');
  });
});
