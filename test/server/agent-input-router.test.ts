import { describe, expect, it } from 'vitest';
import { AgentInputRouter } from '../../src/server/agent-input-router';
import { HubError } from '../../src/server/hub-error';

const meta = (agentId = 'a1') => ({ inputId: 'i', agentId, by: 'ana', at: 1 });

async function codeOf(work: Promise<unknown>): Promise<string> {
  try {
    await work;
    return 'accepted';
  } catch (error) {
    return error instanceof HubError ? error.code : 'not a HubError';
  }
}

describe('AgentInputRouter', () => {
  it('forgets the oldest answered requests past its bound, never one still being answered', async () => {
    const router = new AgentInputRouter(2);
    let release: () => void = () => {};
    router.register((input) =>
      input.requestId === 'slow' ? new Promise<void>((resolve) => (release = resolve)) : undefined,
    );
    const slow = router.deliver({ action: 'deny', requestId: 'slow' }, meta());
    for (const requestId of ['r1', 'r2', 'r3']) await router.deliver({ action: 'deny', requestId }, meta());
    expect(router.isTaken('a1', 'slow')).toBe(true);
    expect(router.isTaken('a1', 'r1')).toBe(false);
    expect(router.isTaken('a1', 'r3')).toBe(true);
    release();
    await slow;
  });

  it('keeps requests apart per agent', async () => {
    const router = new AgentInputRouter();
    router.register(() => undefined);
    await router.deliver({ action: 'deny', requestId: 'r1' }, meta('a1'));
    expect(await codeOf(router.deliver({ action: 'deny', requestId: 'r1' }, meta('a2')))).toBe('accepted');
    expect(await codeOf(router.deliver({ action: 'deny', requestId: 'r1' }, meta('a1')))).toBe('already_answered');
  });

  it('takes a handler that does not answer in time as unavailable, and gives the request back', async () => {
    const router = new AgentInputRouter(10, 20);
    const undo = router.register(() => new Promise<void>(() => {}));
    expect(await codeOf(router.deliver({ action: 'deny', requestId: 'r1' }, meta()))).toBe('input_unavailable');
    expect(router.isTaken('a1', 'r1')).toBe(false);
    undo();
    expect(router.hasHandler).toBe(false);
    expect(() => router.register('nope' as never)).toThrow(TypeError);
  });

  it('bounds the rejection message and supplies one when the handler gives none', async () => {
    const router = new AgentInputRouter();
    let reason: unknown = 'x'.repeat(2000);
    router.register(() => {
      throw reason;
    });
    const long = await router.deliver({ action: 'deny' }, meta()).catch((error: HubError) => error);
    expect((long as HubError).message).toHaveLength(500);
    reason = undefined;
    const none = await router.deliver({ action: 'deny' }, meta()).catch((error: HubError) => error);
    expect(none).toMatchObject({ code: 'input_rejected', message: 'the input was refused' });
  });
});
