import { afterEach, describe, expect, it } from 'vitest';
import { Worker } from '../../bench/lib/processes';
import { signToken, secretKey } from '../../src/server/auth';
import { TestClient } from '../helpers/hub';
import { OutputTail } from '../../src/server/output-tail';
import { heapAfterGc, recordFigure } from './record';

const SECRET = 'memory-bounds-secret-at-least-32-bytes!';
const MiB = 1024 * 1024;
/** History expires this soon here, so "after" can be read within the test; every other bound is the default. */
const HISTORY_TTL_MS = 8000;

interface Memory {
  rss: number;
  heapUsed: number;
  external: number;
  engine: { channels: number; historyBytes: number; tailChars: number };
}

const workers: Worker[] = [];
afterEach(async () => {
  for (const worker of workers.splice(0)) await worker.kill();
});

async function startHubProcess(): Promise<Worker<{ wsUrl: string }>> {
  const worker = await Worker.spawn<{ wsUrl: string }>('test/reliability/memory-hub-worker.ts', {
    name: 'hub',
    exposeGc: true,
    env: { SECRET, HUB_OPTIONS: JSON.stringify({ history: { ttlMs: HISTORY_TTL_MS } }) },
  });
  workers.push(worker);
  return worker;
}

/**
 * Runs one hostile input against a fresh hub process: memory after a full
 * collection before, the peak RSS while it arrives, and memory once history
 * has expired. Records the figures, and returns them for the assertions.
 */
async function measure(
  scenario: string,
  inputBytes: number,
  attack: (hub: Worker<{ wsUrl: string }>) => Promise<void>,
  budget: { peak: number; held: number },
) {
  const hub = await startHubProcess();
  const before = await hub.call<Memory>('memory');
  await attack(hub);
  const peak = await hub.call<number>('peakRss');
  const held = await hub.call<Memory>('memory');
  await new Promise((resolve) => setTimeout(resolve, HISTORY_TTL_MS + 1500));
  const after = await hub.call<Memory>('memory');
  const mib = (bytes: number) => (bytes / MiB).toFixed(0);
  const live = (memory: Memory) => memory.heapUsed + memory.external;
  const growth = peak - before.rss;
  const kept = live(held) - live(before);
  const residue = live(after) - live(before);
  recordFigure({
    scenario: 'memory-bounds',
    figure: `${scenario}: ${mib(inputBytes)} MiB in; RSS before / peak / after (MiB)`,
    value: `${mib(before.rss)} / ${mib(peak)} / ${mib(after.rss)}`,
    goal: `peak ≤ before + ${mib(budget.peak)} MiB`,
    met: growth <= budget.peak,
  });
  recordFigure({
    scenario: 'memory-bounds',
    figure: `${scenario}: live heap over baseline, at the end / once history expired (MiB)`,
    value: `${mib(kept)} / ${mib(residue)}`,
    goal: `≤ ${mib(budget.held)} / ≤ 16`,
    met: kept <= budget.held && residue <= 16 * MiB,
  });
  return { before, peak, held, after, growth, kept, residue };
}

/** One 64 MiB write into `tail`; in a function of its own, so no frame of the test holds the string. */
function writeHuge(tail: OutputTail): void {
  // A fresh flat string, as JSON.parse makes one from a request body.
  const text = JSON.parse(JSON.stringify('w'.repeat(64 * MiB))) as string;
  tail.append(text, 1);
}

describe('Memory bounds under hostile input', () => {
  it('800 events of 1 MiB on two channels: history stays within its byte bounds, then expires', async () => {
    const result = await measure(
      '800 × 1 MiB events on 2 channels',
      800 * MiB,
      (hub) => hub.call('publishLarge', { channels: ['issue:a', 'issue:b'], count: 800, bytes: MiB - 256 }),
      // Kept: 2 × 8 MiB of history. At the peak, also the garbage of 800 MiB that
      // the collector had not reclaimed yet (the input itself, frames evicted):
      // V8 collects large strings only in full collections, which it starts
      // once the old generation has grown by about its initial limit.
      { peak: 512 * MiB, held: 24 * MiB },
    );
    expect(result.held.engine.historyBytes).toBeLessThanOrEqual(16 * MiB);
    expect(result.kept).toBeLessThanOrEqual(24 * MiB);
    // Before the bounds: +1 664 MiB, and it stayed there.
    expect(result.growth).toBeLessThanOrEqual(512 * MiB);
    expect(result.after.engine.historyBytes).toBe(0);
    expect(result.residue).toBeLessThanOrEqual(16 * MiB);
  });

  it('50 000 one-event channels: history expires and what stays per channel is small', async () => {
    const result = await measure(
      '50 000 one-event channels',
      50_000 * 100,
      (hub) => hub.call('publishChannels', { count: 50_000 }),
      // Kept: 50 000 channel states with one event each (about 0.5 KiB apiece).
      { peak: 96 * MiB, held: 40 * MiB },
    );
    expect(result.held.engine.channels).toBe(50_000);
    expect(result.kept).toBeLessThanOrEqual(40 * MiB);
    expect(result.growth).toBeLessThanOrEqual(96 * MiB);
    expect(result.after.engine.historyBytes).toBe(0);
    expect(result.residue).toBeLessThanOrEqual(16 * MiB);
  });

  it('150 × 1 MiB of output without a newline: the tail stays bounded and a subscriber gets it, not 4008', async () => {
    let tailBytes = 0;
    const result = await measure(
      'one 150 MiB output line',
      150 * MiB,
      async (hub) => {
        await hub.call('streamLine', { agentId: 'opus-1', count: 150, bytes: MiB });
        const jwt = await signToken({ user: 'reader', channels: ['*'] }, secretKey(SECRET));
        const client = await TestClient.connect(`${hub.ready.wsUrl}?token=${jwt}`);
        client.send({ type: 'subscribe', channel: 'agent:opus-1', tail: 5000 });
        await client.waitFor((m) => m.type === 'subscribed', 20_000);
        const tail = client.messages.find((m) => m.type === 'tail') as { lines: string[] } | undefined;
        expect(client.closeCode).toBeNull();
        tailBytes = Buffer.byteLength(JSON.stringify(tail?.lines ?? null));
        expect(tail?.lines.length).toBeGreaterThan(0);
        await client.close();
      },
      // Kept: the agent's 8 MiB of history and its 2 MiB tail.
      { peak: 512 * MiB, held: 16 * MiB },
    );
    // Half the default 1 MiB send buffer at most.
    expect(tailBytes).toBeLessThanOrEqual(512 * 1024);
    expect(result.held.engine.tailChars).toBeLessThanOrEqual(2 * MiB + 16 * 1024);
    expect(result.kept).toBeLessThanOrEqual(16 * MiB);
    // Before the bounds: +760 MiB.
    expect(result.growth).toBeLessThanOrEqual(512 * MiB);
    expect(result.residue).toBeLessThanOrEqual(16 * MiB);
  });

  it('a tail of one 64 MiB write keeps its last 2 MiB, not the write', () => {
    const tail = new OutputTail(5000, 2 * MiB);
    const before = heapAfterGc();
    writeHuge(tail);
    const held = heapAfterGc() - before;
    recordFigure({
      scenario: 'memory-bounds',
      figure: 'heap held by a tail after one 64 MiB write',
      value: (held / MiB).toFixed(1),
      unit: 'MiB',
      goal: '≤ 4 MiB (2 MiB kept)',
      met: held <= 4 * MiB,
    });
    expect(tail.last(1000).join('')).toHaveLength(2 * MiB);
    expect(held).toBeLessThanOrEqual(4 * MiB);
  });
});
