import { afterEach, describe, expect, it } from 'vitest';
import { FUZZ_CHANNELS, fuzzPublishAuthorization } from '../helpers/authorization-fuzz';
import { HubFixture } from '../helpers/hub-fixture';

const fixture = new HubFixture();
afterEach(() => fixture.dispose());

describe('Hub publish authorization under random grants and payload ids', () => {
  it('accepts only publishes whose records the grants cover, and refusals apply nothing', async () => {
    const running = await fixture.startHub();
    const watcher = await fixture.connect(running);
    for (const channel of FUZZ_CHANNELS) watcher.send({ type: 'subscribe', channel });
    await watcher.waitForCount((m) => m.type === 'subscribed', FUZZ_CHANNELS.length);

    // A fixed seed: the same 300 steps every run (the reliability suite runs random seeds at scale).
    const result = await fuzzPublishAuthorization(running, watcher, { count: 300, publishers: 6, seed: 1313 });

    expect(result.violations).toEqual([]);
    expect(result.accepted).toBeGreaterThan(10);
    expect(result.refused).toBeGreaterThan(10);
  });
});
