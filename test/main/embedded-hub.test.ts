import { afterEach, describe, expect, it } from 'vitest';
import { type EmbeddedHub, startEmbeddedHub } from '../../src/main/embedded-hub';

let hub: EmbeddedHub | undefined;
afterEach(async () => {
  await hub?.close();
  hub = undefined;
});

describe('the desktop app’s built-in demo hub', () => {
  it('gives the app a token that may answer the demo’s agents, and the demo takes the answers', async () => {
    hub = await startEmbeddedHub();
    const headers = { Authorization: `Bearer ${hub.token}`, 'Content-Type': 'application/json' };
    const whoami = (await (await fetch(`${hub.httpUrl}/api/whoami`, { headers })).json()) as { actOn?: string[] };
    expect(whoami.actOn).toEqual(['agent:*']);
    // A demo agent that is not waiting: the answer reaches the simulator, which says why it cannot take it.
    const response = await fetch(`${hub.httpUrl}/api/agents/opus-1/input`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ action: 'approve' }),
    });
    const body = (await response.json()) as { error?: { code?: string; message?: string } };
    expect(response.status).toBe(422);
    expect(body.error?.code).toBe('input_rejected');
    expect(body.error?.message).toMatch(/not_waiting/);
  });
});
