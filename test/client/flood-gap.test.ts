import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { nodeWebSocket } from '../../src/client/index';
import type { Delivery } from '../../src/shared/delivery';
import { Throttle } from '../../bench/lib/flood-reader';
import { RecordingConnection } from '../helpers/client';
import { HubFixture } from '../helpers/hub-fixture';
import { token } from '../helpers/hub';
import { ScriptedServer } from '../helpers/scripted-server';

const fixture = new HubFixture();
afterEach(() => fixture.dispose());

const CHUNK = 'x'.repeat(64 * 1024 - 16);
const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));
type Gap = Extract<Delivery, { kind: 'gap' }>;

describe('the client core under an output flood', () => {
  it('surfaces every skip as a gap delivery with what was skipped, and stays on one connection', async () => {
    const running = await fixture.startHub({ history: { size: 64 } });
    const throttles: Throttle[] = [];
    const client = new RecordingConnection({
      urls: running.wsUrl,
      token: await token(),
      // The client core's socket read no faster than 6 MB/s, as behind a busy renderer.
      createWebSocket: (url) => {
        const ws = new WebSocket(url);
        const throttle = new Throttle(ws, 6e6);
        throttles.push(throttle);
        ws.on('message', (data: Buffer) => throttle.took(data.length));
        return nodeWebSocket(ws);
      },
    });
    fixture.defer(() => {
      for (const throttle of throttles) throttle.dispose();
      client.connection.close();
    });
    client.connection.subscribe('agent:flood');
    client.connection.start();
    await client.waitFor((d) => d.kind === 'subscribed');

    const total = 384; // 24 MB of 64 KiB events
    let last = 0;
    for (let n = 0; n < total; n++) {
      last = (await running.hub.emitAgentOutput('flood', `${String(n).padStart(15, '0')}\n${CHUNK}`)).offset;
      await yieldToIo();
    }
    await client.waitFor(
      (d) => (d.kind === 'output' && d.offset === last) || (d.kind === 'gap' && d.skipped?.to === last),
      1,
      60_000,
    );

    const gaps = client.deliveries.filter((d): d is Gap => d.kind === 'gap');
    // 6 MB/s cannot take 24 MB in the time 64 events stay in history: something was skipped, and said so.
    expect(gaps.length).toBeGreaterThanOrEqual(1);
    // Every gap names what it skipped: none is the bare "something may be missing" of a hub without offsets.
    expect(gaps.every((gap) => gap.skipped !== undefined)).toBe(true);
    const numbers = [...client.text('agent:flood').matchAll(/(\d{15})\n/g)].map((match) => Number(match[1]));
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    const skippedEvents = gaps.reduce((sum, gap) => sum + (gap.skipped?.events ?? 0), 0);
    expect(numbers.length + skippedEvents).toBe(total);
    expect(new Set(numbers).size).toBe(numbers.length);
    expect(client.connection.stats).toMatchObject({ connects: 1, gaps: gaps.length, resyncs: 0 });
  }, 90_000);

  it('moves its position past a gap, so the event after it is contiguous, and ignores a gap already passed', async () => {
    const server = await ScriptedServer.start();
    fixture.defer(() => server.close());
    const client = new RecordingConnection({ urls: server.url, token: 't' });
    fixture.defer(() => client.connection.close());
    client.connection.subscribe('agent:a');
    client.connection.start();
    await client.waitFor((d) => d.kind === 'subscribed');
    const output = (offset: number, content: string) =>
      JSON.stringify({ type: 'event', channel: 'agent:a', event: 'output', data: { content }, offset, epoch: 'e1' });
    const gap = (from: number, to: number) =>
      JSON.stringify({
        type: 'gap',
        channel: 'agent:a',
        epoch: 'e1',
        from,
        to,
        skippedEvents: to - from + 1,
        skippedBytes: 1000,
      });
    await server.send(output(1, 'one\n'));
    await server.send(gap(2, 9));
    await server.send(gap(3, 5)); // already passed: no delivery
    await server.send(JSON.stringify({ type: 'gap', channel: 'agent:a', epoch: 'e1', from: 9, to: 2 })); // invalid
    await server.send(output(10, 'ten\n'));
    await client.waitFor((d) => d.kind === 'output' && d.offset === 10);
    expect(client.deliveries.filter((d) => d.kind !== 'subscribed').map((d) => ({ ...d }))).toEqual([
      expect.objectContaining({ kind: 'output', text: 'one\n', offset: 1 }),
      { kind: 'gap', channel: 'agent:a', skipped: { from: 2, to: 9, events: 8, bytes: 1000 } },
      expect.objectContaining({ kind: 'output', text: 'ten\n', offset: 10 }),
    ]);
    expect(client.connection.stats).toMatchObject({ gaps: 1, invalidFrames: 1 });
  });
});
