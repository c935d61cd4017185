import { afterEach, describe, expect, it } from 'vitest';
import { killRunningClis, runCli } from './cli-process';

afterEach(killRunningClis);

describe('falcon', () => {
  it('lists every command with a one-line description in --help', async () => {
    const { code, stdout } = await runCli(['--help']);
    expect(code).toBe(0);
    for (const command of ['hub', 'token', 'publish']) {
      expect(stdout).toMatch(new RegExp(`^\\s+${command}\\b.*\\S\\s{2,}\\w.+$`, 'm'));
    }
  });

  it('exits 2 with one line on stderr for an unknown option of a subcommand', async () => {
    const { code, stdout, stderr } = await runCli(['hub', '--bogus']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^falcon: .*--bogus.*\n$/);
  });

  it('exits 2 for an unknown command', async () => {
    const { code, stderr } = await runCli(['bogus']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^falcon: .*bogus.*\n$/);
  });
});
