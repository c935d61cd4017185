import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { mayAct, secretKey, verifyToken } from '../../src/server/auth';
import { killRunningClis, runCli } from './cli-process';

const SECRET = 'cli-test-secret-that-is-at-least-32-bytes';
const dir = mkdtempSync(join(tmpdir(), 'falcon-token-act-'));
const secretFile = join(dir, 'secret');
writeFileSync(secretFile, SECRET);

afterEach(killRunningClis);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('falcon token --act', () => {
  it('signs the act globs into the token, apart from what it may read', async () => {
    const { code, stdout, stderr } = await runCli([
      'token',
      '--user',
      'ana',
      '--channels',
      'project:*,agent:*',
      '--act',
      'agent:opus-*, agent:x',
      '--secret-file',
      secretFile,
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const principal = await verifyToken(stdout.trim(), secretKey(SECRET));
    expect(principal.actOn).toEqual(['agent:opus-*', 'agent:x']);
    expect(mayAct(principal, 'agent:opus-1')).toBe(true);
    expect(mayAct(principal, 'agent:sonnet')).toBe(false);
  });

  it('grants no acting without --act, even with reading everything', async () => {
    const { code, stdout } = await runCli(['token', '--user', 'bo', '--channels', '*', '--secret-file', secretFile]);
    expect(code).toBe(0);
    const principal = await verifyToken(stdout.trim(), secretKey(SECRET));
    expect(principal.actOn).toBeUndefined();
    expect(mayAct(principal, 'agent:opus-1')).toBe(false);
  });

  it('exits 2 on a pattern that is no channel glob, naming --act', async () => {
    const { code, stderr } = await runCli([
      'token',
      '--user',
      'ana',
      '--channels',
      '*',
      '--act',
      'agent:a b',
      '--secret-file',
      secretFile,
    ]);
    expect(code).toBe(2);
    expect(stderr).toContain('--act');
  });
});
