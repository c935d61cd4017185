import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { CloseCode, ErrorCode } from '../../src/shared/errors';
import { Hub, secretKey, signToken } from '../../src/server/index';
import { KEY, SECRET, TestClient, token, upgradeStatus } from '../helpers/hub';
import { HubFixture } from '../helpers/hub-fixture';
import { eventually, metricValue, rejectedUpgrade } from '../helpers/probes';

const fixture = new HubFixture();
afterEach(() => fixture.dispose());

const OTHER_KEY = secretKey('another-secret-that-is-also-32-bytes-long');

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('Hub', () => {
  describe('authentication', () => {
    it.each([
      { name: 'no token', reason: 'missing', query: async () => '' },
      {
        name: 'a token signed with another secret',
        reason: 'invalid',
        query: async () => `?token=${await signToken({ user: 'mallory', channels: ['*'] }, OTHER_KEY)}`,
      },
      { name: 'a token that is not a JWT', reason: 'invalid', query: async () => '?token=not.a.jwt' },
      {
        name: 'an unsigned ("alg: none") token',
        reason: 'invalid',
        query: async () => `?token=${base64url({ alg: 'none' })}.${base64url({ sub: 'mallory', channels: ['*'] })}.`,
      },
      {
        name: 'a token without channels',
        reason: 'invalid',
        query: async () =>
          `?token=${await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('x').sign(KEY)}`,
      },
      { name: 'an expired token', reason: 'expired', query: async () => `?token=${await token({ ttlSeconds: -60 })}` },
    ])('rejects $name with 401 unauthorized and counts no connection', async ({ reason, query }) => {
      const running = await fixture.startHub();

      const rejected = await rejectedUpgrade(`${running.wsUrl}${await query()}`);

      expect(rejected).toEqual({
        status: 401,
        body: { error: { code: ErrorCode.Unauthorized, message: expect.any(String) } },
      });
      expect(running.hub.connectionCount).toBe(0);
      expect(await metricValue(running.hub, 'falcon_hub_auth_failures_total', { reason })).toBe(1);
    });

    it('accepts a token in an Authorization: Bearer header', async () => {
      const running = await fixture.startHub();

      const client = fixture.track(
        await TestClient.connect(running.wsUrl, { headers: { Authorization: `Bearer ${await token()}` } }),
      );

      expect(client.messages[0]).toMatchObject({ type: 'connected', clientId: expect.any(String) });
      expect(running.hub.connectionCount).toBe(1);
    });

    it('accepts the Bearer scheme in any letter case', async () => {
      const running = await fixture.startHub();

      // RFC 9110 §11.1: the authentication scheme is case-insensitive.
      expect(await upgradeStatus(running.wsUrl, { Authorization: `bearer ${await token()}` })).toBe(101);
    });

    it('closes a connection with 4001 when its token expires', async () => {
      const running = await fixture.startHub();
      // Expiry is in whole seconds: 2 s leaves the token valid for at least 1 s, plenty to connect.
      const client = await fixture.connect(running, await token({ ttlSeconds: 2 }));

      expect(await client.closed).toBe(CloseCode.TokenExpired);
      await eventually(() => running.hub.connectionCount === 0, 'the hub to drop the connection');
    });
  });

  describe('channel permissions', () => {
    it('answers a subscribe outside the token\u2019s channels with forbidden and the channel', async () => {
      const running = await fixture.startHub();
      const client = await fixture.connect(running, await token({ channels: ['project:*'] }));

      client.send({ type: 'subscribe', channel: 'agent:x' });

      expect(await client.waitFor((m) => m.type === 'error')).toMatchObject({
        code: ErrorCode.Forbidden,
        channel: 'agent:x',
      });
      expect(await metricValue(running.hub, 'falcon_hub_subscriptions')).toBe(0);
    });

    it('delivers nothing from a forbidden channel while allowed channels work', async () => {
      const running = await fixture.startHub();
      const client = await fixture.connect(running, await token({ channels: ['project:*'] }));
      client.send({ type: 'subscribe', channel: 'agent:x' });
      client.send({ type: 'subscribe', channel: 'project:p' });
      await client.waitFor((m) => m.type === 'subscribed' && m.channel === 'project:p');

      await running.hub.publish('agent:x', 'agent_status', { agentId: 'x', status: 'working' });
      await running.hub.publish('project:p', 'issue_created', { issueId: '1', projectId: 'p' });

      // Published after the forbidden event and delivered in order: had agent:x been subscribed, its event came first.
      await client.waitFor((m) => m.type === 'event' && m.channel === 'project:p');
      expect(client.events().map((m) => m.channel)).toEqual(['project:p']);
    });
  });

  describe('origins', () => {
    const allowedOrigins = ['https://ok.example'];

    it('rejects a browser origin that is not allowed with 403 forbidden', async () => {
      const running = await fixture.startHub({ allowedOrigins });

      const rejected = await rejectedUpgrade(`${running.wsUrl}?token=${await token()}`, {
        Origin: 'https://evil.example',
      });

      expect(rejected).toEqual({
        status: 403,
        body: { error: { code: ErrorCode.Forbidden, message: expect.any(String) } },
      });
      expect(running.hub.connectionCount).toBe(0);
    });

    it('accepts an allowed origin', async () => {
      const running = await fixture.startHub({ allowedOrigins });

      const client = await fixture.connect(running, undefined, { headers: { Origin: 'https://ok.example' } });

      expect(client.messages[0]).toMatchObject({ type: 'connected' });
    });

    it('accepts a non-browser client that sends no Origin', async () => {
      const running = await fixture.startHub({ allowedOrigins });

      const client = await fixture.connect(running);

      expect(client.messages[0]).toMatchObject({ type: 'connected' });
    });
  });

  describe('upgrade paths', () => {
    it('answers an upgrade on another path of a standalone hub with 404', async () => {
      const running = await fixture.startHub();
      const base = running.url.replace(/^http/, 'ws');

      expect(await upgradeStatus(`${base}/other?token=${await token()}`)).toBe(404);
      expect(await upgradeStatus(`${base}/ws/deeper?token=${await token()}`)).toBe(404);
      expect(running.hub.connectionCount).toBe(0);
    });

    it('leaves other upgrade paths of a user\u2019s own server to its other listeners', async () => {
      const server = createServer();
      const hub = new Hub({ secret: SECRET });
      const detach = hub.attach(server);
      const custom = new WebSocketServer({ noServer: true });
      server.on('upgrade', (request, socket, head) => {
        if (request.url === '/custom') custom.handleUpgrade(request, socket, head, (ws) => ws.send('custom hello'));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      fixture.defer(async () => {
        await hub.close();
        detach();
        custom.close();
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      });
      const { port } = server.address() as AddressInfo;

      const greeting = await new Promise<string>((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/custom`);
        ws.once('message', (data) => {
          resolve(data.toString());
          ws.terminate();
        });
        ws.once('error', reject);
      });
      const client = fixture.track(await TestClient.connect(`ws://127.0.0.1:${port}/ws?token=${await token()}`));

      expect(greeting).toBe('custom hello');
      expect(client.messages[0]).toMatchObject({ type: 'connected' });
      expect(hub.connectionCount).toBe(1);
    });
  });
});
