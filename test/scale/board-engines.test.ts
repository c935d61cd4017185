import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MemoryEngine } from '../../src/server/index';
import { RedisEngine } from '../../src/server/redis/index';
import { boardEvents } from '../helpers/board-events';
import type { Channel, Snapshot } from '../../src/shared/protocol';

/**
 * One table of cases for both engines' boards: random sequences of board
 * events, published on random channels (a project's, an issue's, an agent's),
 * go to the memory engine (whose snapshots are the shared reducer's) and to
 * the Redis engine (whose publish script applies boardPatch's field writes);
 * every channel's snapshot must then say the same, times aside.
 */
const event = boardEvents({ issues: ['1', '2', '3'], projects: ['a', 'b'], agents: ['x', 'y'] });
/** Where it is published: the record's own channel, or a project's (which supplies a missing projectId). */
const channel = fc.constantFrom<'own' | 'project:a' | 'project:b'>('own', 'project:a', 'project:b');

function channelFor(where: 'own' | Channel, data: { issueId?: string; agentId?: string | null }): Channel {
  if (where !== 'own') return where;
  return data.issueId !== undefined ? `issue:${data.issueId}` : `agent:${data.agentId}`;
}

const TIMES = new Set(['createdAt', 'updatedAt', 'statusSince', 'lastActivityAt']);

/** A snapshot with times reduced to whether they are set, sorted by id. */
function normal(snapshot: Snapshot): unknown {
  const strip = (record: object) =>
    Object.fromEntries(Object.entries(record).map(([key, value]) => [key, TIMES.has(key) ? 'set' : value]));
  return {
    issues: snapshot.issues.map(strip).sort((a, b) => String(a.issueId).localeCompare(String(b.issueId))),
    agents: snapshot.agents.map(strip).sort((a, b) => String(a.agentId).localeCompare(String(b.agentId))),
  };
}

const CHANNELS: Channel[] = ['project:a', 'project:b', 'issue:1', 'issue:2', 'issue:3', 'agent:x', 'agent:y'];

describe('board engines: one table of cases for the reducer and the Redis patch', () => {
  let url: string | undefined;
  let run = 0;
  beforeAll(() => {
    url = inject('redisUrl');
  });
  afterAll(() => undefined);

  it('gives the same snapshot on every channel after any sequence of board events', async () => {
    expect(url, 'the redis project starts a redis-server').toBeTruthy();
    await fc.assert(
      // In one tick or one by one: the Redis engine sends a tick's publishes as one script call.
      fc.asyncProperty(
        fc.array(fc.tuple(event, channel), { minLength: 1, maxLength: 16 }),
        fc.boolean(),
        async (steps, oneTick) => {
          const memory = new MemoryEngine();
          const redis = await RedisEngine.connect({
            url: url as string,
            prefix: `board-engines:${process.pid}:${++run}:`,
          });
          try {
            const tick: Array<Promise<unknown>> = [];
            for (const [step, where] of steps) {
              const target = channelFor(where, step.data);
              await memory.publish(target, step.event, step.data);
              const published = redis.publish(target, step.event, step.data);
              if (oneTick) tick.push(published);
              else await published;
            }
            await Promise.all(tick);
            for (const target of CHANNELS) {
              expect(normal(await redis.snapshot(target)), target).toEqual(normal(await memory.snapshot(target)));
            }
          } finally {
            await memory.close();
            await redis.close();
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});
