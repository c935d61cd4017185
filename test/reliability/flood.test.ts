import { afterEach, describe, expect, inject, it } from 'vitest';
import { CloseCode } from '../../src/shared/errors';
import type { RunningHub } from '../../src/server/index';
import { FloodReader, accountFor } from '../../bench/lib/flood-reader';
import { LOAD_TEST_LIMITS, startTestHub, token } from '../helpers/hub';
import { eventually, metricValue } from '../helpers/probes';
import { recordFigure } from './record';

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const undo of cleanup.splice(0).reverse()) await undo();
});

const MB = 1_000_000;
const FLOOD_BYTES = 24 * MB;
/** Readers of one agent's output at the pace of a fast client, a busy renderer, and two slower ones. */
const RATES = [200 * MB, 6 * MB, 2 * MB, 1 * MB];

/**
 * An agent writes 24 MB as fast as its PTY gives it (64 KiB reads, batched
 * by the hub into output_batch events) while four readers follow it at
 * different paces and a fifth stops reading. Goals: no reader that keeps
 * reading is disconnected; none loses anything silently (every offset is
 * received or inside a gap notice, and delivered + skipped bytes equal what
 * was published); the one that stopped is still closed with 4008.
 */
async function floodScenario(engine: 'memory' | 'redis', running: RunningHub): Promise<void> {
  const channel = 'agent:flood';
  const published = { bytes: 0 };
  cleanup.push(
    running.hub.engine.onEvent((event) => {
      if (event.channel === channel) published.bytes += Buffer.byteLength(event.frame);
    }),
  );
  const url = `${running.wsUrl}?token=${await token()}`;
  const readers = await Promise.all(RATES.map((rate) => FloodReader.open(url, channel, rate)));
  const stalled = await FloodReader.open(url, channel, 1);
  stalled.stop();
  for (const reader of [...readers, stalled]) cleanup.push(() => reader.close());

  const piece = 'y'.repeat(64 * 1024 - 1) + '\n';
  for (let written = 0; written < FLOOD_BYTES; written += piece.length) {
    running.hub.streamAgentOutput('flood', piece);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  const { offset: last } = await running.hub.emitAgentOutput('flood', 'the end\n');
  await Promise.all(readers.map((reader) => reader.reach(last)));
  await eventually(
    async () => (await metricValue(running.hub, 'falcon_hub_slow_consumer_closes_total')) >= 1,
    'the stopped reader to be closed',
    60_000,
  );

  const disconnects = readers.filter((reader) => reader.tally.closeCode !== null).length;
  const problems = readers.flatMap((reader, i) =>
    accountFor(reader.tally, last, published.bytes).map((p) => `${RATES[i] / MB} MB/s: ${p}`),
  );
  const skipped = readers.reduce((sum, r) => sum + r.tally.gaps.reduce((s, gap) => s + gap.skippedBytes, 0), 0);
  const gaps = readers.reduce((sum, r) => sum + r.tally.gaps.length, 0);
  const scenario = `output flood (${engine} engine)`;
  recordFigure({
    scenario,
    figure: 'disconnects of readers that keep reading (4 readers, 1–200 MB/s, 24 MB)',
    value: disconnects,
    goal: '0',
    met: disconnects === 0,
  });
  recordFigure({
    scenario,
    figure: 'offsets or bytes lost without a gap notice',
    value: problems.length,
    goal: '0',
    met: problems.length === 0,
  });
  recordFigure({
    scenario,
    figure: 'skipped, each announced (all readers)',
    value: `${(skipped / MB).toFixed(1)} MB in ${gaps} gap notices`,
    goal: 'reported',
    met: true,
  });
  expect(disconnects).toBe(0);
  expect(problems).toEqual([]);
  expect(await metricValue(running.hub, 'falcon_hub_output_skipped_bytes_total')).toBe(skipped);
  await eventually(async () => (await metricValue(running.hub, 'falcon_hub_output_lagging')) === 0, 'every lag to end');
  // It does not read its close frame either: cut it here, as the hub does after its grace period.
  stalled.close();
  expect([CloseCode.SlowConsumer, 1006]).toContain(await stalled.closed);
}

describe('Output floods', () => {
  it('keeps every reader that keeps reading, and loses nothing silently (memory engine)', async () => {
    const running = await startTestHub({ ...LOAD_TEST_LIMITS, lagStallMs: 2000 });
    cleanup.push(() => running.close());
    await floodScenario('memory', running);
  });

  const redisUrl = inject('redisUrl');
  it.skipIf(!redisUrl)('keeps every reader that keeps reading, and loses nothing silently (Redis engine)', async () => {
    const running = await startTestHub({ ...LOAD_TEST_LIMITS, lagStallMs: 2000, redisUrl });
    cleanup.push(() => running.close());
    await floodScenario('redis', running);
  });
});
