import { afterEach, describe, expect, it } from 'vitest';
import { TailPrinter } from '../../src/cli/commands/tail';
import { Throttle } from '../../bench/lib/flood-reader';
import type { RunningHub } from '../../src/server/standalone';
import { startTestHub, token } from '../helpers/hub';
import { CliProcess, killRunningClis } from './cli-process';

let hub: RunningHub | undefined;
afterEach(async () => {
  await killRunningClis();
  await hub?.close();
  hub = undefined;
});

const skipped = { from: 12, to: 40, events: 29, bytes: 1_900_000 };

describe('falcon tail and skipped output', () => {
  it('prints a notice line for output the hub skipped, naming how much', () => {
    const err: string[] = [];
    const printer = new TailPrinter(
      { json: false, keepColor: true },
      () => {},
      (t) => err.push(t),
    );
    printer.delivery({ kind: 'gap', channel: 'agent:a', skipped });
    expect(err).toEqual(['falcon: agent:a: skipped 29 events, 1.9 MB of output (came faster than it could be read)\n']);
  });

  it('puts the skip in its NDJSON with --json', () => {
    const out: string[] = [];
    const printer = new TailPrinter(
      { json: true, keepColor: false },
      (t) => out.push(t),
      () => {},
    );
    printer.delivery({ kind: 'gap', channel: 'agent:a', skipped });
    expect(out.map((line) => JSON.parse(line) as unknown)).toEqual([{ channel: 'agent:a', notice: 'gap', skipped }]);
  });

  it('tells a reader whose stdout drains slowly what a 24 MB flood skipped, and keeps following', async () => {
    hub = await startTestHub({ history: { size: 64 } });
    const tail = new CliProcess(['tail', 'agent:flood', '--url', hub.wsUrl, '--token', await token()]);
    // Whoever reads the tail's stdout takes 6 MB/s: the tail blocks on its pipe and reads its socket no faster.
    const stdout = tail.child.stdout;
    if (!stdout) throw new Error('no stdout');
    const throttle = new Throttle(stdout, 6e6);
    stdout.on('data', (text: string) => throttle.took(text.length));
    await expect
      .poll(async () => (await hub!.hub.metrics.subscriptions.get()).values[0]?.value ?? 0, { timeout: 15_000 })
      .toBe(1);
    const chunk = 'x'.repeat(64 * 1024 - 16);
    for (let n = 0; n < 384; n++) {
      await hub.hub.emitAgentOutput('flood', `${String(n).padStart(15, '0')}\n${chunk}`);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await hub.hub.emitAgentOutput('flood', 'the end\n');
    await tail.waitForStdout(/the end\n/, 60_000);
    throttle.dispose();
    expect(tail.stderr).toMatch(/falcon: agent:flood: skipped \d+ events?, [\d.]+ [KM]?B of output/);
    expect(tail.stderr).not.toMatch(/slow consumer|reconnecting/i);
    tail.kill('SIGINT');
    expect((await tail.exited).code).toBe(0);
  }, 90_000);
});
