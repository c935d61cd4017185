import { afterEach, describe, expect, it } from 'vitest';
import { MemoryEngine, type MemoryEngineOptions } from '../../src/server/memory-engine';
import type { Channel } from '../../src/shared/protocol';

const MiB = 1024 * 1024;
const engines: MemoryEngine[] = [];
afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.close();
});

/** An engine on a clock the test moves. */
function engineAt(options: MemoryEngineOptions = {}): { engine: MemoryEngine; clock: { now: number } } {
  const clock = { now: 1_000_000 };
  const engine = new MemoryEngine({ now: () => clock.now, ...options });
  engines.push(engine);
  return { engine, clock };
}

describe('MemoryEngine bounds', () => {
  it('keeps at most maxHistoryBytes of history across channels, and says so to a resuming client', async () => {
    const { engine } = engineAt({ maxHistoryBytes: 4 * MiB });
    const payload = 'x'.repeat(MiB);
    const first = engine.publishNow('issue:a', 'note', { payload });
    for (let i = 0; i < 50; i++) engine.publishNow(i % 2 ? 'issue:a' : 'issue:b', 'note', { payload });
    expect(engine.usage().historyBytes).toBeLessThanOrEqual(4 * MiB);
    const resumed = await engine.recover('issue:a', { epoch: first.epoch, offset: 0 });
    expect(resumed.recovered).toBe(false);
    // The newest events are the ones kept.
    const latest = await engine.recover('issue:a', { epoch: first.epoch, offset: resumed.offset - 1 });
    expect(latest.recovered).toBe(true);
    expect(latest.events).toHaveLength(1);
  });

  it('bounds history per channel in bytes', async () => {
    const { engine } = engineAt({ history: { maxBytes: 3 * MiB } });
    for (let i = 0; i < 20; i++) engine.publishNow('issue:a', 'note', { payload: 'x'.repeat(MiB) });
    expect(engine.usage().historyBytes).toBeLessThanOrEqual(3 * MiB);
    expect(engine.usage().historyEvents).toBe(2);
  });

  it('expires history of an idle channel without a publish on it', () => {
    const { engine, clock } = engineAt({ history: { ttlMs: 1000 } });
    for (let i = 0; i < 1000; i++) engine.publishNow(`issue:n${i}` as Channel, 'note', { n: i });
    expect(engine.usage().historyEvents).toBe(1000);
    clock.now += 1001;
    engine.sweep();
    expect(engine.usage()).toMatchObject({ historyEvents: 0, historyBytes: 0 });
  });

  it('forgets the least recently published channel past maxChannels, never reusing an (epoch, offset)', async () => {
    const { engine } = engineAt({ maxChannels: 2 });
    const seen = new Set<string>();
    const publish = (channel: Channel) => {
      const event = engine.publishNow(channel, 'note', {});
      const id = `${event.epoch}:${event.offset}`;
      expect(seen.has(`${channel}@${id}`)).toBe(false);
      seen.add(`${channel}@${id}`);
      return event;
    };
    const old = publish('issue:a');
    publish('issue:a');
    publish('issue:b');
    publish('issue:c');
    expect(engine.usage().channels).toBe(2);
    // issue:a was evicted: a client that saw offset 2 is told it cannot resume.
    const resumed = await engine.recover('issue:a', { epoch: old.epoch, offset: 2 });
    expect(resumed.recovered).toBe(false);
    // Its next event starts over at 1 under a new epoch, so no client mistakes it for one it saw.
    const again = publish('issue:a');
    expect(again.offset).toBe(1);
    expect(again.epoch).not.toBe(old.epoch);
    for (let i = 0; i < 20; i++) publish(i % 2 ? 'issue:a' : (`issue:z${i}` as Channel));
  });

  it('forgets a channel idle for longer than the retention time', async () => {
    const { engine, clock } = engineAt({ retention: { finishedTtlMs: 60_000 } });
    const event = engine.publishNow('issue:a', 'note', {});
    clock.now += 60_001;
    engine.sweep();
    expect(engine.usage().channels).toBe(0);
    expect((await engine.recover('issue:a', { epoch: event.epoch, offset: 1 })).recovered).toBe(false);
  });

  it('keeps one endless output line within the tail bound, and a tail within what it was asked for', async () => {
    const { engine } = engineAt({ tailChars: 2 * MiB });
    const line = 'y'.repeat(MiB);
    for (let i = 0; i < 20; i++) engine.publishNow('agent:a', 'output', { timestamp: 0, content: line });
    const { tailChars } = engine.usage();
    expect(tailChars).toBeLessThanOrEqual(2 * MiB + 16 * 1024);
    const tail = await engine.tail('agent:a', 100);
    expect(tail.lines).toHaveLength(100);
    expect(tail.lines.every((piece) => piece.length <= 16 * 1024)).toBe(true);
  });

  it('bounds all tails together, forgetting the least recently written one', async () => {
    const { engine } = engineAt({ maxTailChars: 3 * MiB });
    for (const agent of ['a', 'b', 'c', 'd'])
      engine.publishNow(`agent:${agent}` as Channel, 'output', { timestamp: 0, content: `${'z'.repeat(MiB - 1)}\n` });
    expect(engine.usage().tailChars).toBeLessThanOrEqual(3 * MiB);
    expect((await engine.tail('agent:a', 10)).lines).toEqual([]);
    expect((await engine.tail('agent:d', 100)).lines.join('')).toHaveLength(1024 * 1024);
  });
});

describe('MemoryEngine board retention', () => {
  const issue = (issueId: string, status: string) => ({ issueId, projectId: 'web', title: issueId, status });

  it('forgets finished issues and quiet agents after finishedTtlMs, like the Redis engine', async () => {
    const { engine, clock } = engineAt();
    engine.publishNow('project:web', 'issue_created', issue('1', 'done'));
    engine.publishNow('project:web', 'issue_created', issue('2', 'in_progress'));
    engine.publishNow('agent:opus-1', 'agent_status', { agentId: 'opus-1', status: 'idle' });
    clock.now += 24 * 3600_000 + 1;
    engine.sweep();
    const snapshot = await engine.snapshot('project:web');
    expect(snapshot.issues.map((i) => i.issueId)).toEqual(['2']);
    expect(snapshot.agents).toEqual([]);
  });

  it('keeps at most maxFinishedIssues finished issues, the most recently updated', async () => {
    const { engine, clock } = engineAt({ retention: { maxFinishedIssues: 3 } });
    for (let i = 1; i <= 10; i++) {
      clock.now += 1;
      engine.publishNow('project:web', 'issue_created', issue(String(i), 'done'));
    }
    clock.now += 60_000;
    engine.sweep();
    const snapshot = await engine.snapshot('project:web');
    expect(snapshot.issues.map((i) => i.issueId).sort()).toEqual(['10', '8', '9']);
  });

  it('never holds more than maxIssues issues, however many are created', () => {
    const { engine } = engineAt({ retention: { maxIssues: 100 } });
    for (let i = 1; i <= 1000; i++) engine.publishNow('project:web', 'issue_created', issue(String(i), 'todo'));
    expect(engine.usage().issues).toBeLessThanOrEqual(100);
  });
});
