import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { secretKey, verifyToken } from '../../src/server/auth';
import { killRunningClis, runCli } from './cli-process';

const SECRET = 'cli-test-secret-that-is-at-least-32-bytes';
const dir = mkdtempSync(join(tmpdir(), 'falcon-token-'));
const secretFile = join(dir, 'secret');
writeFileSync(secretFile, `  ${SECRET}\n`);

afterEach(killRunningClis);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('falcon token', () => {
  it('prints exactly one line, a token the hub accepts with the requested grants', async () => {
    const before = Math.floor(Date.now() / 1000);
    const { code, stdout, stderr } = await runCli([
      'token',
      '--user',
      'alice',
      '--channels',
      'project:*, agent:*',
      '--publish',
      '--ttl',
      '2h',
      '--secret-file',
      secretFile,
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const principal = await verifyToken(stdout.trim(), secretKey(SECRET));
    expect(principal).toMatchObject({ user: 'alice', channels: ['project:*', 'agent:*'], publish: true });
    const expiresIn = (principal.expiresAt ?? 0) / 1000 - before;
    expect(expiresIn).toBeGreaterThanOrEqual(7200);
    expect(expiresIn).toBeLessThanOrEqual(7200 + 60);
  });

  it('reads the secret from FALCON_SECRET, defaults to 24 h and no publish', async () => {
    const { code, stdout } = await runCli(['token', '--user', 'bob', '--channels', 'issue:42'], {
      env: { FALCON_SECRET: SECRET },
    });
    expect(code).toBe(0);
    const principal = await verifyToken(stdout.trim(), secretKey(SECRET));
    expect(principal).toMatchObject({ user: 'bob', channels: ['issue:42'], publish: false });
    expect((principal.expiresAt ?? 0) - Date.now()).toBeGreaterThan(23 * 3600 * 1000);
  });

  it('signs a token without expiry for --ttl never, which hubs refuse unless they allow it', async () => {
    const { code, stdout } = await runCli(['token', '--user', 'svc', '--channels', '*', '--ttl', 'never'], {
      env: { FALCON_SECRET: SECRET },
    });
    expect(code).toBe(0);
    await expect(verifyToken(stdout.trim(), secretKey(SECRET))).rejects.toMatchObject({ reason: 'no-expiry' });
    expect((await verifyToken(stdout.trim(), secretKey(SECRET), { allowNonExpiring: true })).expiresAt).toBeNull();
  });

  it('exits 2 naming --secret-file and FALCON_SECRET when there is no secret', async () => {
    const { code, stdout, stderr } = await runCli(['token', '--user', 'alice', '--channels', '*']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^falcon: .*--secret-file.*FALCON_SECRET.*\n$/);
  });

  it.each([
    ['a secret shorter than 32 bytes', ['--channels', '*'], { FALCON_SECRET: 'short' }, /32 bytes/],
    ['a bad --ttl', ['--channels', '*', '--ttl', 'soon'], { FALCON_SECRET: SECRET }, /--ttl/],
    ['a bad --channels', ['--channels', 'project:a b'], { FALCON_SECRET: SECRET }, /--channels/],
  ])('exits 2 for %s', async (_case, flags, env, message) => {
    const { code, stdout, stderr } = await runCli(['token', '--user', 'alice', ...flags], { env });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
  });

  it('puts --kid, --audience and --issuer in the token', async () => {
    const { code, stdout } = await runCli(
      ['token', '--user', 'a', '--channels', '*', '--kid', 'k1', '--audience', 'hub', '--issuer', 'ci'],
      { env: { FALCON_SECRET: SECRET } },
    );
    expect(code).toBe(0);
    expect(decodeProtectedHeader(stdout.trim()).kid).toBe('k1');
    expect(decodeJwt(stdout.trim())).toMatchObject({ aud: 'hub', iss: 'ci' });
  });

  it('explains in --help that a glob such as project:a* also matches project:admin', async () => {
    const { code, stdout } = await runCli(['token', '--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/project:a\*.*project:admin/s);
    expect(stdout).toMatch(/--allow-non-expiring-tokens/);
  });

  it('exits 2 without --user', async () => {
    const { code, stderr } = await runCli(['token', '--channels', '*'], { env: { FALCON_SECRET: SECRET } });
    expect(code).toBe(2);
    expect(stderr).toMatch(/--user/);
  });
});
