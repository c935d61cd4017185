import { type IncomingMessage, get } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { CloseCode } from '../../src/shared/errors';
import type { RunningHub } from '../../src/server/index';
import { type FloodTally, FloodReader, Throttle, accountFor } from '../../bench/lib/flood-reader';
import { TEST_ENGINE, token } from '../helpers/hub';
import { HubFixture } from '../helpers/hub-fixture';
import { eventually, metricValue } from '../helpers/probes';

const fixture = new HubFixture();
afterEach(() => fixture.dispose());

const MB = 1_000_000;
const CHUNK = 'x'.repeat(64 * 1024 - 16);
// A short history (64 events of 64 KiB), so a reader that falls far enough behind meets trimmed history on both engines.
const HISTORY = { size: 64 };

const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Sums the frames the engine carries for `channel`: what was published, as the hub sees it. */
function publishedBytes(running: RunningHub, channel: string): { readonly bytes: number } {
  const tally = { bytes: 0 };
  fixture.defer(
    running.hub.engine.onEvent((event) => {
      if (event.channel === channel) tally.bytes += Buffer.byteLength(event.frame);
    }),
  );
  return tally;
}

/** Writes `bytes` of output to `agentId` in 64 KiB events, yielding between them as a PTY read loop does. */
async function flood(
  running: RunningHub,
  agentId: string,
  bytes: number,
  until?: () => boolean,
  eventsPerYield = 1,
): Promise<number> {
  let last = 0;
  for (let written = 0, n = 0; written < bytes && !until?.(); written += CHUNK.length + 16, n++) {
    last = (await running.hub.emitAgentOutput(agentId, `${String(n).padStart(15, '0')}\n${CHUNK}`)).offset;
    if ((n + 1) % eventsPerYield === 0) await yieldToIo();
  }
  return last;
}

async function reader(running: RunningHub, channel: string, bytesPerSecond: number): Promise<FloodReader> {
  const opened = await FloodReader.open(`${running.wsUrl}?token=${await token()}`, channel, bytesPerSecond);
  fixture.defer(async () => {
    if (opened.tally.closeCode !== null) return;
    opened.close();
    await opened.closed;
  });
  return opened;
}

describe(`Hub output floods (${TEST_ENGINE} engine)`, () => {
  it('keeps a reader throttled to 6 MB/s connected through a 24 MB flood and announces every skip', async () => {
    const running = await fixture.startHub({ history: HISTORY });
    const published = publishedBytes(running, 'agent:flood');
    const slow = await reader(running, 'agent:flood', 6 * MB);

    const last = await flood(running, 'flood', 24 * MB);
    await slow.reach(last);

    expect(slow.tally.closeCode).toBeNull();
    expect(accountFor(slow.tally, last, published.bytes)).toEqual([]);
    // It did fall behind (the test tests the lag path), and every episode ended back on live output.
    expect(await metricValue(running.hub, 'falcon_hub_output_lag_episodes_total')).toBeGreaterThanOrEqual(1);
    await eventually(async () => (await metricValue(running.hub, 'falcon_hub_output_lagging')) === 0, 'lag to end');
    expect(await metricValue(running.hub, 'falcon_hub_output_catch_ups_total')).toBe(
      await metricValue(running.hub, 'falcon_hub_output_lag_episodes_total'),
    );
    const skipped = slow.tally.gaps.reduce((sum, gap) => sum + gap.skippedBytes, 0);
    expect(await metricValue(running.hub, 'falcon_hub_output_skipped_bytes_total')).toBe(skipped);
    expect(await metricValue(running.hub, 'falcon_hub_output_gaps_total')).toBe(slow.tally.gaps.length);
    expect(await metricValue(running.hub, 'falcon_hub_slow_consumer_closes_total')).toBe(0);
  }, 90_000);

  it('still closes a reader that stops reading altogether with 4008', async () => {
    const running = await fixture.startHub({ history: { size: 16 }, lagStallMs: 300 });
    const stalled = await reader(running, 'agent:stall', 6 * MB);
    stalled.stop();
    // Until the kernel's socket buffers are full and the hub's stall timer fires; bounded in case it never does.
    await flood(running, 'stall', 256 * MB, () => stalled.tally.closeCode !== null);
    await eventually(
      async () => (await metricValue(running.hub, 'falcon_hub_slow_consumer_closes_total')) === 1,
      'the stalled reader to be closed',
      30_000,
    );
    expect(await metricValue(running.hub, 'falcon_hub_output_lag_episodes_total')).toBe(1);
    await eventually(
      async () => (await metricValue(running.hub, 'falcon_hub_output_lagging')) === 0,
      'lag state freed',
    );
    stalled.close();
    expect([CloseCode.SlowConsumer, 1006]).toContain(await stalled.closed);
  }, 90_000);

  it('still cuts a reader that falls behind on a board channel', async () => {
    const running = await fixture.startHub();
    const stalled = await reader(running, 'issue:big', 6 * MB);
    stalled.stop();
    const pad = 'y'.repeat(10 * 1024);
    for (
      let n = 0;
      n < 25_000 && (await metricValue(running.hub, 'falcon_hub_slow_consumer_closes_total')) === 0;
      n++
    ) {
      await running.hub.publish('issue:big', 'blob', { n, pad });
      if (n % 16 === 0) await yieldToIo();
    }
    expect(await metricValue(running.hub, 'falcon_hub_slow_consumer_closes_total')).toBe(1);
    expect(await metricValue(running.hub, 'falcon_hub_output_lag_episodes_total')).toBe(0);
    stalled.close();
    expect([CloseCode.SlowConsumer, 1006]).toContain(await stalled.closed);
  }, 90_000);

  it('lets a reader that resumes mid-flood lag instead of closing it when its replay outlasts the hold', async () => {
    const running = await fixture.startHub({ history: { size: 1000, maxBytes: 64 * 1024 * 1024 } });
    const frames = new Map<number, number>();
    fixture.defer(
      running.hub.engine.onEvent((event) => {
        if (event.channel === 'agent:resume') frames.set(event.offset, Buffer.byteLength(event.frame));
      }),
    );
    const start = await flood(running, 'resume', 4 * MB);
    const { epoch } = await running.hub.engine.recover('agent:resume');
    // Resuming 60 events (4 MiB) back at 6 MB/s while the flood goes on: the live events held meanwhile
    // pass the subscription's 4 MiB hold, which used to close it with 4008.
    const since = { epoch, offset: start - 60 };
    let opened: FloodReader | null = null;
    const flooding = (async () => {
      let last = start;
      while (opened === null || last < start + 256) {
        last = await flood(running, 'resume', 16 * 64 * 1024, undefined, 16);
      }
      return last;
    })();
    opened = await FloodReader.open(`${running.wsUrl}?token=${await token()}`, 'agent:resume', 6 * MB, { since });
    const slow = opened;
    fixture.defer(async () => {
      if (slow.tally.closeCode !== null) return;
      slow.close();
      await slow.closed;
    });
    const last = await flooding;
    await slow.reach(last);
    expect(slow.tally.closeCode).toBeNull();
    let bytes = 0;
    for (let offset = since.offset + 1; offset <= last; offset++) bytes += frames.get(offset) ?? 0;
    expect(accountFor(slow.tally, last, bytes, since.offset + 1).join('; ')).toBe('');
    expect(await metricValue(running.hub, 'falcon_hub_slow_consumer_closes_total')).toBe(0);
    // The hold did overflow (the path under test), and the lag it became ended back on live output.
    expect(await metricValue(running.hub, 'falcon_hub_output_lag_episodes_total')).toBeGreaterThanOrEqual(1);
    await eventually(async () => (await metricValue(running.hub, 'falcon_hub_output_lagging')) === 0, 'lag to end');
  }, 90_000);

  it('holds an SSE stream to the same policy: no disconnect, every skip an event hub.gap', async () => {
    const running = await fixture.startHub({ history: HISTORY });
    const frames = new Map<number, number>();
    fixture.defer(
      running.hub.engine.onEvent((event) => {
        if (event.channel === 'agent:sse') frames.set(event.offset, Buffer.byteLength(event.frame));
      }),
    );
    // What the stream carried, in the terms of a WebSocket reader's tally: offsets from each event's id.
    const tally: FloodTally = { offsets: [], eventBytes: 0, gaps: [], closeCode: null };
    let ended = false;
    let wake: () => void = () => {};
    const url = `${running.url}/events/sse?token=${await token()}`;
    const response = await new Promise<IncomingMessage>((resolve, reject) => get(url, resolve).on('error', reject));
    fixture.defer(() => response.destroy());
    const throttle = new Throttle(response, 6 * MB);
    fixture.defer(() => throttle.dispose());
    let buffered = '';
    response.setEncoding('utf8');
    response.on('data', (text: string) => {
      throttle.took(Buffer.byteLength(text));
      buffered += text;
      const blocks = buffered.split('\n\n');
      buffered = blocks.pop() ?? '';
      for (const block of blocks) {
        const field = (name: string) =>
          block
            .split('\n')
            .find((line) => line.startsWith(`${name}: `))
            ?.slice(name.length + 2);
        const event = field('event');
        if (event === 'output') {
          const offset = Number(/@[^:]+:(\d+)$/.exec(field('id') ?? '')?.[1]);
          tally.offsets.push(offset);
          tally.eventBytes += frames.get(offset) ?? 0;
        } else if (event === 'hub.gap') tally.gaps.push(JSON.parse(field('data') ?? '{}'));
      }
      wake();
    });
    response.on('close', () => {
      ended = true;
      wake();
    });
    await eventually(async () => (await metricValue(running.hub, 'falcon_hub_subscriptions')) === 1, 'the stream');

    const last = await flood(running, 'sse', 24 * MB);
    const reached = () => Math.max(tally.offsets.at(-1) ?? 0, tally.gaps.at(-1)?.to ?? 0);
    while (reached() < last && !ended) await new Promise<void>((resolve) => (wake = resolve));

    expect(ended).toBe(false);
    let published = 0;
    for (const bytes of frames.values()) published += bytes;
    expect(accountFor(tally, last, published).join('; ')).toBe('');
    expect(tally.gaps.length).toBeGreaterThanOrEqual(1);
    expect(await metricValue(running.hub, 'falcon_hub_slow_consumer_closes_total')).toBe(0);
  }, 90_000);

  it('frees a lag when its channel is unsubscribed mid-flood', async () => {
    const running = await fixture.startHub({ history: HISTORY });
    const slow = await reader(running, 'agent:gone', 2 * MB);
    let unsubscribed = false;
    const flooding = flood(running, 'gone', 256 * MB, () => unsubscribed);
    await eventually(
      async () => (await metricValue(running.hub, 'falcon_hub_output_lagging')) === 1,
      'a lag to start',
      30_000,
    );
    slow.send({ type: 'unsubscribe', channel: 'agent:gone' });
    await eventually(
      async () => (await metricValue(running.hub, 'falcon_hub_output_lagging')) === 0,
      'the lag to be freed',
      30_000,
    );
    unsubscribed = true;
    await flooding;
    expect(await metricValue(running.hub, 'falcon_hub_subscriptions')).toBe(0);
    expect(slow.tally.closeCode).toBeNull();
  }, 90_000);
});
