import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type HubFlags, resolveHubConfig } from '../../src/cli/commands/hub';
import { UsageError } from '../../src/cli/errors';
import { readHubSecrets } from '../../src/cli/secret';
import { upgradeStatus } from '../helpers/hub';
import { CliProcess, killRunningClis, runCli } from './cli-process';

const OLD_SECRET = 'cli-old-secret-that-is-at-least-32-bytes';
const NEW_SECRET = 'cli-new-secret-that-is-at-least-32-bytes';
const dir = mkdtempSync(join(tmpdir(), 'falcon-hub-tokens-'));
const oldFile = join(dir, 'old');
const newFile = join(dir, 'new');
writeFileSync(oldFile, `${OLD_SECRET}\n`);
writeFileSync(newFile, `${NEW_SECRET}\n`);

afterEach(killRunningClis);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const WS_URL = /WebSocket\s+(ws:\/\/\S+)/;

async function mint(flags: string[], secretFile: string): Promise<string> {
  const { code, stdout, stderr } = await runCli([
    'token',
    '--user',
    'ana',
    '--channels',
    '*',
    ...flags,
    '--secret-file',
    secretFile,
  ]);
  expect(stderr).toBe('');
  expect(code).toBe(0);
  return stdout.trim();
}

describe('falcon hub token flags', () => {
  it('rotates keys, checks the audience and the maximum lifetime, with tokens from falcon token', async () => {
    const hub = new CliProcess([
      'hub',
      '--port',
      '0',
      '--log-level',
      'silent',
      '--secret-file',
      oldFile,
      '--secret-file',
      `2026-12=${newFile}`,
      '--max-token-ttl',
      '2h',
      '--token-audience',
      'falcon-prod',
    ]);
    const [, wsUrl] = await hub.waitForStdout(WS_URL);
    const [rotated, old, mislabelled, tooLong, otherAudience, forever] = await Promise.all([
      mint(['--kid', '2026-12', '--audience', 'falcon-prod', '--ttl', '1h'], newFile),
      mint(['--audience', 'falcon-prod', '--ttl', '1h'], oldFile),
      mint(['--kid', '2026-12', '--audience', 'falcon-prod', '--ttl', '1h'], oldFile),
      mint(['--kid', '2026-12', '--audience', 'falcon-prod', '--ttl', '3h'], newFile),
      mint(['--kid', '2026-12', '--audience', 'falcon-staging', '--ttl', '1h'], newFile),
      mint(['--kid', '2026-12', '--audience', 'falcon-prod', '--ttl', 'never'], newFile),
    ]);

    expect(await upgradeStatus(`${wsUrl}?token=${rotated}`)).toBe(101);
    expect(await upgradeStatus(`${wsUrl}?token=${old}`)).toBe(101);
    expect(await upgradeStatus(`${wsUrl}?token=${mislabelled}`)).toBe(401);
    expect(await upgradeStatus(`${wsUrl}?token=${tooLong}`)).toBe(401);
    expect(await upgradeStatus(`${wsUrl}?token=${otherAudience}`)).toBe(401);
    expect(await upgradeStatus(`${wsUrl}?token=${forever}`)).toBe(401);
  });

  it('accepts a --ttl never token only with --allow-non-expiring-tokens', async () => {
    const hub = new CliProcess([
      'hub',
      '--port',
      '0',
      '--log-level',
      'silent',
      '--secret-file',
      oldFile,
      '--allow-non-expiring-tokens',
    ]);
    const [, wsUrl] = await hub.waitForStdout(WS_URL);

    expect(await upgradeStatus(`${wsUrl}?token=${await mint(['--ttl', 'never'], oldFile)}`)).toBe(101);
  });

  it('with --demo prints a token within --max-token-ttl that the hub accepts', async () => {
    const hub = new CliProcess(['hub', '--demo', '--port', '0', '--log-level', 'silent', '--max-token-ttl', '1h']);
    const [, wsUrl] = await hub.waitForStdout(WS_URL);
    const [, token] = await hub.waitForStdout(/valid 1 hour\):\n\s+([\w-]+\.[\w-]+\.[\w-]+)$/m);

    expect(await upgradeStatus(`${wsUrl}?token=${token}`)).toBe(101);
  });

  it('refuses a bad --kid for falcon token with exit code 2', async () => {
    const { code, stderr } = await runCli(['token', '--user', 'a', '--channels', '*', '--kid', 'a b'], {
      env: { FALCON_SECRET: OLD_SECRET },
    });
    expect(code).toBe(2);
    expect(stderr).toMatch(/--kid/);
  });
});

describe('resolveHubConfig token flags', () => {
  const flags = (extra: Partial<HubFlags>): HubFlags => ({
    port: '0',
    host: '127.0.0.1',
    demoSpeed: '1',
    allowedOrigin: [],
    logLevel: 'info',
    secretFile: [oldFile],
    tokenAudience: [],
    tokenIssuer: [],
    webRoot: dir,
    ...extra,
  });
  const resolve = (extra: Partial<HubFlags>, env: NodeJS.ProcessEnv = {}) =>
    resolveHubConfig(flags({ webRoot: undefined, ...extra }), env);

  it('defaults to a 30-day maximum, no non-expiring tokens, no aud or iss check', () => {
    const config = resolve({});
    expect(config).toMatchObject({
      secret: OLD_SECRET,
      keys: [],
      maxTokenTtlMs: 30 * 86_400_000,
      allowNonExpiringTokens: false,
      tokenAudience: null,
      tokenIssuer: null,
    });
  });

  it('reads every token flag', () => {
    const config = resolve({
      secretFile: [oldFile, `k1=${newFile}`],
      maxTokenTtl: '12h',
      allowNonExpiringTokens: true,
      tokenAudience: ['a', ' b '],
      tokenIssuer: ['falcon-pm'],
    });
    expect(config).toMatchObject({
      secret: OLD_SECRET,
      keys: [{ kid: 'k1', secret: NEW_SECRET }],
      maxTokenTtlMs: 12 * 3_600_000,
      allowNonExpiringTokens: true,
      tokenAudience: ['a', 'b'],
      tokenIssuer: ['falcon-pm'],
    });
  });

  it('runs with keyed secrets only, and takes FALCON_SECRET as the kid-less one', () => {
    expect(resolve({ secretFile: [`k1=${newFile}`] })).toMatchObject({ secret: null, keys: [{ kid: 'k1' }] });
    expect(resolve({ secretFile: [`k1=${newFile}`] }, { FALCON_SECRET: OLD_SECRET })).toMatchObject({
      secret: OLD_SECRET,
    });
  });

  it.each([
    ['two kid-less --secret-file', { secretFile: [oldFile, newFile] }, /once/],
    ['a kid given twice', { secretFile: [`k=${oldFile}`, `k=${newFile}`] }, /twice/],
    ['a bad kid', { secretFile: [`a b=${oldFile}`] }, /kid/],
    ['an unreadable keyed file', { secretFile: [`k=${join(dir, 'none')}`] }, /k=.*ENOENT/],
    ['a bad --max-token-ttl', { maxTokenTtl: 'forever' }, /--max-token-ttl/],
    ['an empty --token-audience', { tokenAudience: [' '] }, /--token-audience/],
    ['an empty --token-issuer', { tokenIssuer: [''] }, /--token-issuer/],
  ])('is a usage error for %s', (_case, extra, message) => {
    expect(() => resolve(extra)).toThrow(UsageError);
    expect(() => resolve(extra)).toThrow(message);
  });

  it('reads a path with "=" after a "/" as a plain file', () => {
    const odd = join(dir, 'with=equals');
    writeFileSync(odd, OLD_SECRET);
    expect(readHubSecrets([odd]).secret).toBe(OLD_SECRET);
  });
});
