import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { findSystemProgram } from '../helpers/system';
import { startTestHub, token } from '../helpers/hub';

const openssl = findSystemProgram('openssl');
const dir = mkdtempSync(join(tmpdir(), 'falcon-tls-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!openssl)('Hub over TLS', () => {
  it('serves wss:// and https:// directly with --tls-cert/--tls-key', async () => {
    execFileSync(
      openssl as string,
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-subj',
        '/CN=localhost',
        '-days',
        '1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    const running = await startTestHub({
      tls: { cert: readFileSync(join(dir, 'cert.pem')), key: readFileSync(join(dir, 'key.pem')) },
    });
    try {
      expect(running.wsUrl).toMatch(/^wss:\/\//);
      const ws = new WebSocket(`${running.wsUrl}?token=${await token()}`, { rejectUnauthorized: false });
      const first = await new Promise<string>((resolve, reject) => {
        ws.once('message', (data) => resolve(data.toString()));
        ws.once('error', reject);
      });
      expect(JSON.parse(first)).toMatchObject({ type: 'connected' });
      ws.close();
    } finally {
      await running.close();
    }
  });
});
