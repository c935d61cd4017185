import { afterEach, describe, expect, it } from 'vitest';
import { applyBoardEvent, createBoardState } from '../../src/shared/board-state';
import { RecordingConnection } from '../helpers/client';
import { ScriptedServer } from '../helpers/scripted-server';

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const undo of cleanup.splice(0).reverse()) await undo();
});

const event = (offset: number, data: unknown, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ type: 'event', channel: 'issue:1', event: 'issue_updated', data, offset, epoch: 'e1', ...extra });
const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

/** Frames no hub may send: the client must drop each one and count it in stats.invalidFrames. */
const INVALID: Array<[string, string | Uint8Array]> = [
  ['plain text', 'hello, client'],
  ['empty text', ''],
  ['truncated JSON', '{"type":"event","channel":"issue:1","event":"x","data":{'],
  ['JSON null', 'null'],
  ['a JSON number', '42'],
  ['a JSON string', '"event"'],
  ['a JSON array of a valid event', `[${event(7, { issueId: '1' })}]`],
  ['binary bytes', new Uint8Array([0xff, 0x00, 0xfe, 0x7b])],
  ['a valid event as a binary frame', new TextEncoder().encode(event(7, { issueId: '1', title: 'binary' }))],
  ['no type', JSON.stringify({ channel: 'issue:1', event: 'x', data: 1 })],
  ['an unknown type', JSON.stringify({ type: 'publish', channel: 'issue:1', event: 'x', data: 1 })],
  ['a type that names a prototype member', JSON.stringify({ type: 'toString' })],
  ['an event without a channel', JSON.stringify({ type: 'event', event: 'x', data: 1 })],
  ['an event on a malformed channel', event(7, { issueId: '1' }, { channel: 'issue:../1' })],
  ['an event without a name', event(7, { issueId: '1' }, { event: '' })],
  ['an event named with 65 characters', event(7, { issueId: '1' }, { event: 'x'.repeat(65) })],
  ['a negative offset', event(-1, { issueId: '1' })],
  ['a fractional offset', event(1.5, { issueId: '1' })],
  ['an offset as text', event(7, { issueId: '1' }, { offset: '7' })],
  ['an empty epoch', event(7, { issueId: '1' }, { epoch: '' })],
  ['subscribed with an offset as text', JSON.stringify({ type: 'subscribed', channel: 'issue:1', offset: 'x' })],
  ['connected with an object for clientId', JSON.stringify({ type: 'connected', clientId: {} })],
  ['an error with a numeric message', JSON.stringify({ type: 'error', message: 42 })],
  ['a tail whose lines are text', JSON.stringify({ type: 'tail', channel: 'issue:1', lines: 'x' })],
  ['a snapshot without lists', JSON.stringify({ type: 'snapshot', channel: 'issue:1', data: 'all of it' })],
  ['an event with a __proto__ key', event(7, JSON.parse('{"issueId":"1","__proto__":{"polluted":true}}'))],
  ['an event with a constructor key', `{"type":"event","channel":"issue:1","event":"x","data":{"constructor":1}}`],
  ['data nested 65 deep', `{"type":"event","channel":"issue:1","event":"x","data":${nested(65)}}`],
  ['an array nested 100 000 deep', nested(100_000)],
  ['17 MiB of text', event(7, { issueId: '1', title: 'z'.repeat(17 * 1024 * 1024) })],
];

/** Well-formed frames about things the client never asked for: dropped without a delivery (not invalid). */
const UNASKED: Array<[string, string]> = [
  ['an event on a channel not subscribed', event(1, { issueId: '2', title: 'not mine' }, { channel: 'issue:2' })],
  [
    'subscribed for a channel not subscribed',
    JSON.stringify({ type: 'subscribed', channel: 'issue:2', epoch: 'e1', offset: 0 }),
  ],
  [
    'a snapshot for a channel not subscribed',
    JSON.stringify({ type: 'snapshot', channel: 'issue:2', data: { issues: [], agents: [] } }),
  ],
  ['a tail for a channel not subscribed', JSON.stringify({ type: 'tail', channel: 'agent:x', lines: ['not mine\n'] })],
  ['connected again, out of order, while open', JSON.stringify({ type: 'connected', clientId: 'impostor' })],
  ['a pong nobody asked for', JSON.stringify({ type: 'pong', id: 'unasked' })],
  ['unsubscribed from a channel never subscribed', JSON.stringify({ type: 'unsubscribed', channel: 'issue:3' })],
  ['an event replayed at an offset already delivered', event(1, { issueId: '1', title: 'duplicate' })],
];

/** A scripted hub and a client core subscribed to issue:1 on it. */
async function subscribedClient(): Promise<{ server: ScriptedServer; client: RecordingConnection }> {
  const server = await ScriptedServer.start();
  cleanup.push(() => server.close());
  const client = new RecordingConnection({ urls: server.url, token: 't' });
  cleanup.push(() => client.connection.close());
  client.connection.subscribe('issue:1');
  client.connection.start();
  await client.waitFor((d) => d.kind === 'subscribed');
  return { server, client };
}

describe('ReconnectingConnection against a hub that sends hostile frames', () => {
  it('drops and counts every invalid frame, delivers nothing for them, and still delivers what follows', async () => {
    const { server, client } = await subscribedClient();
    const opened = client.connection.state;
    expect(opened).toMatchObject({ status: 'open', clientId: 'scripted-1' });

    await server.send(event(1, { issueId: '1', title: 'before' }));
    for (const [, frame] of INVALID) await server.send(frame);
    for (const [, frame] of UNASKED) await server.send(frame);
    // Frames are handled in order: once this one is delivered, every frame above has been dealt with.
    await server.send(event(2, { issueId: '1', title: 'after' }));
    await client.waitFor((d) => d.kind === 'event' && d.offset === 2);

    expect(client.connection.stats.invalidFrames).toBe(INVALID.length);
    expect(client.deliveries).toEqual([
      { kind: 'subscribed', channel: 'issue:1', resumed: false },
      {
        kind: 'event',
        channel: 'issue:1',
        event: 'issue_updated',
        data: { issueId: '1', title: 'before' },
        offset: 1,
        epoch: 'e1',
        change: { issue: expect.objectContaining({ issueId: '1', title: 'before' }), before: {} },
      },
      {
        kind: 'event',
        channel: 'issue:1',
        event: 'issue_updated',
        data: { issueId: '1', title: 'after' },
        offset: 2,
        epoch: 'e1',
        change: {
          issue: expect.objectContaining({ issueId: '1', title: 'after' }),
          before: { issue: expect.objectContaining({ title: 'before' }) },
        },
      },
    ]);
    expect(client.connection.stats.duplicatesDropped).toBe(1);
    // Still the same connection: no frame closed it, and the impostor `connected` changed nothing.
    expect(client.connection.state).toEqual(opened);
    expect(client.states.filter((state) => state.status !== 'open').map((state) => state.status)).toEqual([
      'connecting',
    ]);
    expect(server.connections).toBe(1);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // And it still talks: wake() on an open connection pings the hub at once.
    client.connection.wake();
    await server.until(() => server.received.some((m) => m.type === 'ping'), 'a ping');
  });

  it('passes event payloads through as data, so a board built from them holds only the valid ones', async () => {
    const { server, client } = await subscribedClient();

    const invalidPayloads = [
      { issueId: {} },
      { issueId: '1', title: { html: '<script>' } },
      { issueId: '1', status: 'exploded' },
      'not an object',
      null,
    ];
    let offset = 0;
    for (const data of invalidPayloads) await server.send(event(++offset, data, { event: 'issue_created' }));
    await server.send(
      event(++offset, { issueId: '1', title: 'Fix login', status: 'todo' }, { event: 'issue_created' }),
    );
    await client.waitFor((d) => d.kind === 'event' && d.offset === offset);

    // The core does not judge payloads (a newer hub may send events it does not know); what applies them does.
    const board = createBoardState();
    for (const delivery of client.events('issue:1'))
      applyBoardEvent(board, delivery.event, delivery.data, 1, delivery.channel);
    expect([...board.issues.values()]).toEqual([
      expect.objectContaining({ issueId: '1', title: 'Fix login', status: 'todo' }),
    ]);
    expect(client.connection.stats.invalidFrames).toBe(0);
    expect(client.connection.state.status).toBe('open');
  });
});
