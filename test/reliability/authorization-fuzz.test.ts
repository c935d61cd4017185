/**
 * Payload-id authorization fuzzing on both engines: publishers with random
 * grants publish events naming random issues, agents and projects (others'
 * included, moves included) through POST /api/publish while a trusted
 * publisher moves records around; the board is read back after every
 * publish (test/helpers/authorization-fuzz.ts). FUZZ_SEED=<n> replays a run.
 */
import { afterEach, describe, expect, it, inject } from 'vitest';
import { FUZZ_CHANNELS, fuzzPublishAuthorization } from '../helpers/authorization-fuzz';
import { startTestHub } from '../helpers/hub';
import { HubFixture } from '../helpers/hub-fixture';
import { recordFigure } from './record';

const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const STEPS = 4000;
const fixture = new HubFixture();
afterEach(() => fixture.dispose());

const redisUrl = inject('redisUrl');
const engines: Array<{ engine: string; options: { redisUrl?: string } }> = [
  { engine: 'memory', options: {} },
  ...(redisUrl ? [{ engine: 'redis', options: { redisUrl } }] : []),
];

describe('Fuzzing publish authorization', { timeout: 180_000 }, () => {
  it.each(engines)(
    'on the $engine engine, no publish writes a record outside its grants and no refusal applies anything',
    async ({ engine, options }) => {
      console.info(`[fuzz] authorization seed ${SEED} (replay with FUZZ_SEED=${SEED})`);
      const running = await startTestHub(options);
      fixture.defer(() => running.close());
      const watcher = await fixture.connect(running);
      for (const channel of FUZZ_CHANNELS) watcher.send({ type: 'subscribe', channel });
      await watcher.waitForCount((m) => m.type === 'subscribed', FUZZ_CHANNELS.length);

      const result = await fuzzPublishAuthorization(running, watcher, { count: STEPS, publishers: 16, seed: SEED });
      for (const violation of result.violations.slice(0, 20)) console.error(`[fuzz] ${violation}`);

      const scenario = 'fuzzing · authz';
      recordFigure({
        scenario,
        figure: `${engine}: publishes tried (random grants and payload ids)`,
        value: result.tried,
        goal: 'informational',
        met: true,
      });
      recordFigure({
        scenario,
        figure: `${engine}: accepted / refused with forbidden`,
        value: `${result.accepted} / ${result.refused}`,
        goal: 'both > 0',
        met: result.accepted > 0 && result.refused > 0,
      });
      recordFigure({
        scenario,
        figure: `${engine}: violations (writes outside grants, refusals not inert)`,
        value: result.violations.length,
        goal: '0',
        met: result.violations.length === 0,
      });
      expect(result.violations).toEqual([]);
      expect(result.accepted).toBeGreaterThan(0);
      expect(result.refused).toBeGreaterThan(0);
    },
  );
});
