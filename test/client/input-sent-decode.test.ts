import { afterEach, describe, expect, it } from 'vitest';
import { type InputSent, isInputSentDelivery } from '../../src/shared/agent-input';
import type { Delivery } from '../../src/shared/delivery';
import { ErrorCode } from '../../src/shared/errors';
import { RecordingConnection } from '../helpers/client';
import { ScriptedServer } from '../helpers/scripted-server';

/**
 * The client core checks an `input_sent` payload once, as it arrives, so the
 * renderer (answer store, pane markers) can read its fields as they are. A
 * bad one is an `invalid_event` error delivery; a good one is delivered with
 * only the fields InputSent names: anything else a hub (or whatever stands in
 * for one) adds is dropped there, not passed on unchecked.
 */
const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const undo of cleanup.splice(0).reverse()) await undo();
});

const GOOD: InputSent = {
  inputId: 'in-1',
  agentId: 'agent-1',
  action: 'reply',
  text: 'yes, go on',
  requestId: 'r1',
  by: 'ana',
  at: 1_700_000_000_000,
};

let offset = 0;
const frame = (data: unknown) =>
  JSON.stringify({ type: 'event', channel: 'agent:agent-1', event: 'input_sent', data, offset: ++offset, epoch: 'e1' });

async function subscribedClient() {
  offset = 0;
  const server = await ScriptedServer.start();
  cleanup.push(() => server.close());
  const client = new RecordingConnection({ urls: server.url, token: 't' });
  cleanup.push(() => client.connection.close());
  client.connection.subscribe('agent:agent-1');
  client.connection.start();
  await client.waitFor((d) => d.kind === 'subscribed');
  return { server, client };
}

const BAD: Array<[string, unknown]> = [
  ['not an object', 'approved'],
  ['null', null],
  ['no inputId', { ...GOOD, inputId: undefined }],
  ['an empty inputId', { ...GOOD, inputId: '' }],
  ['an inputId of 129 characters', { ...GOOD, inputId: 'i'.repeat(129) }],
  ['an agent id outside the grammar', { ...GOOD, agentId: '../agent-1' }],
  ['an unknown action', { ...GOOD, action: 'rm -rf' }],
  ['text that is not a string', { ...GOOD, text: { html: '<b>' } }],
  ['text past the input bound', { ...GOOD, text: 'x'.repeat(16_001) }],
  ['a choice outside the id grammar', { ...GOOD, choice: 'a b' }],
  ['a requestId that is a number', { ...GOOD, requestId: 7 }],
  ['no by', { ...GOOD, by: undefined }],
  ['a by of 257 characters', { ...GOOD, by: 'b'.repeat(257) }],
  ['an at that is text', { ...GOOD, at: 'now' }],
];

describe('client core: input_sent payloads checked once', () => {
  it('turns each bad payload into an invalid_event error delivery on the channel, and delivers what follows', async () => {
    const { server, client } = await subscribedClient();
    for (const [, data] of BAD) await server.send(frame(data));
    await server.send(frame(GOOD));
    await client.waitFor((d) => d.kind === 'event');
    const errors = client.deliveries.filter((d) => d.kind === 'error');
    expect(errors).toHaveLength(BAD.length);
    for (const error of errors) {
      expect(error).toEqual({
        kind: 'error',
        channel: 'agent:agent-1',
        code: ErrorCode.InvalidEvent,
        message: 'invalid input_sent payload dropped',
      });
    }
    expect(client.events()).toHaveLength(1);
    // Still open: a bad audit event is not a reason to drop the connection.
    expect(client.connection.state.status).toBe('open');
    expect(server.connections).toBe(1);
  });

  it('delivers a good payload as an input_sent event with its fields, and drops fields InputSent does not name', async () => {
    const { server, client } = await subscribedClient();
    const { text: _text, ...approve } = { ...GOOD, inputId: 'in-2', action: 'approve' as const, choice: 'approve' };
    await server.send(frame({ ...GOOD, extra: '<img src=x onerror=alert(1)>', nested: { deep: [1, 2] } }));
    await server.send(frame(approve));
    const events = (await client.waitFor((d) => d.kind === 'event', 2)) as Array<Extract<Delivery, { kind: 'event' }>>;
    expect(events.every((d) => isInputSentDelivery(d))).toBe(true);
    expect(events.map((d) => d.data)).toEqual([GOOD, approve]);
    expect(events[0]).toMatchObject({ channel: 'agent:agent-1', event: 'input_sent', offset: 1, epoch: 'e1' });
    expect(Object.keys(events[0].data as object).sort()).toEqual(Object.keys(GOOD).sort());
  });
});
