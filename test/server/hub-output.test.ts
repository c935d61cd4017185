import { afterEach, describe, expect, it } from 'vitest';
import type { RunningHub } from '../../src/server/index';
import { TEST_ENGINE, TestClient, startTestHub, token } from '../helpers/hub';

let running: RunningHub;
afterEach(async () => {
  await running?.close();
});

describe('Hub agent output', () => {
  it('delivers 10 000 lines written over a second in about ten batches, in order, and then holds no timer', async () => {
    running = await startTestHub();
    const client = await TestClient.connect(`${running.wsUrl}?token=${await token()}`);
    client.send({ type: 'subscribe', channel: 'agent:opus-1' });
    await client.waitFor((m) => m.type === 'subscribed');
    let written = 0;
    const started = Date.now();
    while (written < 10_000) {
      // Spread the writes over about one second.
      const due = Math.min(10_000, Math.ceil(((Date.now() - started) / 1000) * 10_000) + 10);
      for (; written < due; written++) running.hub.streamAgentOutput('opus-1', `line ${written}\n`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    let lines: string[] = [];
    await expect
      .poll(() => {
        lines = client.events('agent:opus-1').flatMap((m) => (m.data as { lines: string[] }).lines);
        return lines.length;
      })
      .toBe(10_000);
    lines.forEach((line, index) => expect(line).toBe(`line ${index}\n`));
    const batches = client.events('agent:opus-1');
    expect(batches.every((m) => m.event === 'output_batch')).toBe(true);
    // ~10 at a 100 ms cadence; the bound only guards against per-write events on a loaded machine.
    expect(batches.length).toBeGreaterThanOrEqual(5);
    expect(batches.length).toBeLessThanOrEqual(30);
    expect(running.hub.pendingOutputAgents).toBe(0);
    await client.close();
  });

  it('keeps unbatched output events in order with batched ones', async () => {
    running = await startTestHub();
    const client = await TestClient.connect(`${running.wsUrl}?token=${await token()}`);
    client.send({ type: 'subscribe', channel: 'agent:a' });
    await client.waitFor((m) => m.type === 'subscribed');
    running.hub.streamAgentOutput('a', 'first\n');
    await running.hub.emitAgentOutput('a', 'second\n');
    const events = await client.waitForCount((m) => m.type === 'event', 2);
    expect(events.map((m) => m.event)).toEqual(['output_batch', 'output']);
    await client.close();
  });

  it('keeps one endless output line bounded, and answers a tail request with a tail, not 4008', async () => {
    running = await startTestHub({ outputBatch: { maxBytes: 64 * 1024 } });
    const jwt = await token();
    const chunk = 'y'.repeat(256 * 1024);
    // 8 MiB without a newline, as a stuck progress bar or a binary dump writes it.
    for (let i = 0; i < 32; i++) await running.hub.emitAgentOutput('opus-1', chunk);
    const live = await TestClient.connect(`${running.wsUrl}?token=${jwt}`);
    live.send({ type: 'subscribe', channel: 'agent:opus-1' });
    await live.waitFor((m) => m.type === 'subscribed');
    running.hub.streamAgentOutput('opus-1', chunk);
    running.hub.streamAgentOutput('opus-1', 'end');
    // One write larger than maxBytes goes out as batches of at most maxBytes.
    const batches = await live.waitForCount((m) => m.type === 'event', 5);
    for (const batch of batches)
      expect((batch.data as { lines: string[] }).lines.join('').length).toBeLessThanOrEqual(64 * 1024);
    const late = await TestClient.connect(`${running.wsUrl}?token=${jwt}`);
    late.send({ type: 'subscribe', channel: 'agent:opus-1', tail: 5000 });
    await late.waitFor((m) => m.type === 'subscribed');
    const tail = late.messages.find((m) => m.type === 'tail') as { lines: string[] } | undefined;
    expect(late.closeCode).toBeNull();
    const lines = tail?.lines ?? [];
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.at(-1)?.endsWith('end')).toBe(true);
    expect(lines.every((piece) => piece.length <= 16 * 1024)).toBe(true);
    // Within half the 1 MiB send buffer, so asking for it never makes a slow consumer.
    expect(Buffer.byteLength(JSON.stringify(lines))).toBeLessThanOrEqual(512 * 1024);
    // What the engine keeps of the line is bounded too (2 MiB per agent).
    const kept = await running.hub.engine.tail('agent:opus-1', 100_000);
    expect(kept.lines.join('').length).toBeLessThanOrEqual(2 * 1024 * 1024 + 16 * 1024);
    expect(kept.lines.join('').endsWith(`${chunk}end`.slice(-1000))).toBe(true);
    await live.close();
    await late.close();
  });

  it('rejects output for an invalid agent id with a stable code', () => {
    return startTestHub().then((hub) => {
      running = hub;
      expect(() => hub.hub.streamAgentOutput('../etc', 'x')).toThrowError(
        expect.objectContaining({ code: 'invalid_channel' }),
      );
    });
  });

  // The memory engine outlives its hub here; a Redis-backed hub closes its engine (tested in test/scale).
  it.skipIf(TEST_ENGINE === 'redis')('publishes pending output before it closes', async () => {
    running = await startTestHub();
    running.hub.streamAgentOutput('a', 'last words\n');
    await running.close();
    const tail = await running.hub.engine.tail('agent:a', 10);
    expect(tail.lines).toEqual(['last words\n']);
  });
});
