import { SignJWT, decodeProtectedHeader } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/shared/errors';
import { Hub, secretKey, signToken } from '../../src/server/index';
import { KEY, SECRET, token, upgradeStatus } from '../helpers/hub';
import { HubFixture } from '../helpers/hub-fixture';
import { metricValue, rejectedUpgrade } from '../helpers/probes';

const fixture = new HubFixture();
afterEach(() => fixture.dispose());

const NEW_SECRET = 'the-new-secret-after-rotation-32-bytes!!';
const NEW_KEY = secretKey(NEW_SECRET);

async function expectRefused(wsUrl: string, jwt: string, hub: Hub, reason: string): Promise<void> {
  expect(await rejectedUpgrade(`${wsUrl}?token=${jwt}`)).toEqual({
    status: 401,
    body: { error: { code: ErrorCode.Unauthorized, message: expect.any(String) } },
  });
  expect(await metricValue(hub, 'falcon_hub_auth_failures_total', { reason })).toBe(1);
  expect(hub.connectionCount).toBe(0);
}

describe('Hub token policy', () => {
  describe('lifetime', () => {
    it('refuses a token living longer than maxTokenTtlMs with 401 and reason lifetime', async () => {
      const running = await fixture.startHub({ maxTokenTtlMs: 3600_000 });

      await expectRefused(running.wsUrl, await token({ ttlSeconds: 3601 }), running.hub, 'lifetime');
      expect(await upgradeStatus(`${running.wsUrl}?token=${await token({ ttlSeconds: 3600 })}`)).toBe(101);
    });

    it('refuses a 31-day token by default and accepts a 30-day one', async () => {
      const running = await fixture.startHub();

      await expectRefused(running.wsUrl, await token({ ttlSeconds: 31 * 86_400 }), running.hub, 'lifetime');
      expect(await upgradeStatus(`${running.wsUrl}?token=${await token({ ttlSeconds: 30 * 86_400 })}`)).toBe(101);
    });

    it('refuses a token without exp with reason no-expiry unless allowNonExpiringTokens', async () => {
      const strict = await fixture.startHub();
      const forever = await token({ ttlSeconds: null });

      await expectRefused(strict.wsUrl, forever, strict.hub, 'no-expiry');

      const lenient = await fixture.startHub({ allowNonExpiringTokens: true });
      expect(await upgradeStatus(`${lenient.wsUrl}?token=${forever}`)).toBe(101);
    });

    it('refuses a non-expiring token on the HTTP API too', async () => {
      const running = await fixture.startHub();
      const response = await fetch(`${running.url}/api/publish`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${await token({ publish: true, ttlSeconds: null })}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ channel: 'issue:1', event: 'status_changed', data: { issueId: '1' } }),
      });

      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ error: { code: ErrorCode.Unauthorized } });
      expect(await metricValue(running.hub, 'falcon_hub_auth_failures_total', { reason: 'no-expiry' })).toBe(1);
    });
  });

  describe('audience and issuer', () => {
    it('refuses tokens without the configured aud or iss and accepts matching ones', async () => {
      const running = await fixture.startHub({ tokenAudience: ['falcon-prod'], tokenIssuer: ['falcon-pm'] });

      await expectRefused(running.wsUrl, await token({ issuer: 'falcon-pm' }), running.hub, 'audience');
      expect(await rejectedUpgrade(`${running.wsUrl}?token=${await token({ audience: 'falcon-prod' })}`)).toMatchObject(
        { status: 401 },
      );
      expect(await metricValue(running.hub, 'falcon_hub_auth_failures_total', { reason: 'issuer' })).toBe(1);
      const staging = await token({ audience: 'falcon-staging', issuer: 'falcon-pm' });
      expect(await rejectedUpgrade(`${running.wsUrl}?token=${staging}`)).toMatchObject({ status: 401 });
      expect(await metricValue(running.hub, 'falcon_hub_auth_failures_total', { reason: 'audience' })).toBe(2);

      const good = await token({ audience: 'falcon-prod', issuer: 'falcon-pm' });
      expect(await upgradeStatus(`${running.wsUrl}?token=${good}`)).toBe(101);
    });
  });

  describe('key rotation', () => {
    it('accepts old kid-less tokens and new kid tokens while both secrets are configured', async () => {
      const running = await fixture.startHub({ secret: SECRET, keys: [{ kid: '2026-12', secret: NEW_SECRET }] });
      const old = await token();
      const rotated = await signToken({ user: 'ana', channels: ['*'], kid: '2026-12' }, NEW_KEY);

      expect(await upgradeStatus(`${running.wsUrl}?token=${old}`)).toBe(101);
      expect(await upgradeStatus(`${running.wsUrl}?token=${rotated}`)).toBe(101);
    });

    it('verifies a kid token with that key only', async () => {
      const running = await fixture.startHub({ secret: SECRET, keys: [{ kid: '2026-12', secret: NEW_SECRET }] });
      // Signed with the hub's other (default) secret but claiming the new kid.
      const mislabelled = await signToken({ user: 'mallory', channels: ['*'], kid: '2026-12' }, KEY);

      await expectRefused(running.wsUrl, mislabelled, running.hub, 'invalid');
    });

    it('refuses old tokens once the old secret is removed, with reason unknown-kid', async () => {
      const running = await fixture.startHub({ secret: undefined, keys: [{ kid: '2026-12', secret: NEW_SECRET }] });

      await expectRefused(running.wsUrl, await token(), running.hub, 'unknown-kid');
      const rotated = await signToken({ user: 'ana', channels: ['*'], kid: '2026-12' }, NEW_KEY);
      expect(await upgradeStatus(`${running.wsUrl}?token=${rotated}`)).toBe(101);
    });

    it('signs its own tokens with its newest key and kid', async () => {
      const running = await fixture.startHub({
        keys: [
          { kid: 'a', secret: SECRET },
          { kid: 'b', secret: NEW_SECRET },
        ],
      });
      const own = await running.hub.signToken({ user: 'demo', channels: ['*'] });

      expect(decodeProtectedHeader(own).kid).toBe('b');
      expect(running.hub.key).toEqual(NEW_KEY);
      expect(await upgradeStatus(`${running.wsUrl}?token=${own}`)).toBe(101);
    });
  });

  describe('options', () => {
    it.each([
      ['no secret and no keys', { secret: undefined }, TypeError],
      ['a zero maxTokenTtlMs', { maxTokenTtlMs: 0 }, RangeError],
      ['an empty tokenAudience', { tokenAudience: [] }, TypeError],
      ['an empty string in tokenIssuer', { tokenIssuer: [''] }, TypeError],
      [
        'a duplicate kid',
        {
          keys: [
            { kid: 'a', secret: SECRET },
            { kid: 'a', secret: NEW_SECRET },
          ],
        },
        TypeError,
      ],
    ])('throws for %s', (_case, options, error) => {
      expect(() => new Hub({ secret: SECRET, ...options })).toThrow(error);
    });
  });

  it('still accepts a hand-made token with iat and exp inside the maximum', async () => {
    const running = await fixture.startHub({ maxTokenTtlMs: 120_000 });
    const now = Math.floor(Date.now() / 1000);
    const jwt = await new SignJWT({ channels: ['*'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('x')
      .setIssuedAt(now)
      .setExpirationTime(now + 120)
      .sign(KEY);

    expect(await upgradeStatus(`${running.wsUrl}?token=${jwt}`)).toBe(101);
  });
});
