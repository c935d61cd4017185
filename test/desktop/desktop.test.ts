/**
 * `npm run test:desktop`: every scenario on every available driver (see
 * drivers/available.ts and docs/desktop.md, "The desktop suite").
 */
import { afterEach, describe, it } from 'vitest';
import { availableDrivers } from './drivers/available';
import { Session } from './scenarios/helpers';
import { scenarios } from './scenarios/scenarios';

const { drivers, skipped } = availableDrivers();
for (const reason of skipped) console.warn(`\n  ⚠ SKIPPED desktop driver — ${reason}\n`);

for (const driver of drivers) {
  describe(`desktop app (${driver.name} driver)`, { timeout: 300_000 }, () => {
    let session: Session | null = null;
    afterEach(async (context) => {
      if (context.task.result?.state === 'fail' && session)
        console.error(`[${driver.name}] app output:\n${session.output()}`);
      await session?.dispose();
      session = null;
    });
    for (const scenario of scenarios) {
      const missing = (scenario.needs ?? []).filter((need) => !driver.capabilities.has(need));
      if (missing.length > 0) {
        it.skip(`${scenario.name} — not on the ${driver.name} driver: needs ${missing.join(', ')}`, () => {});
        continue;
      }
      it(scenario.name, async () => {
        session = new Session(driver);
        await scenario.run(session);
      });
    }
  });
}

if (drivers.length === 0) {
  describe('desktop app', () => {
    it.skip(`no driver available: ${skipped.join('; ')}`, () => {});
  });
}
