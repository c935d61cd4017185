import { describe, expect, it } from 'vitest';
import { SubscriptionRegistry } from '../../src/client/subscription-registry';

describe('SubscriptionRegistry', () => {
  it('counts interests per channel and reports only the 0↔1 transitions', () => {
    const registry = new SubscriptionRegistry();
    const a = registry.add('agent:x', {});
    const b = registry.add('agent:x', {});
    expect([a.first, b.first]).toEqual([true, false]);
    expect(registry.remove('agent:x', a.interest)).toBe(false);
    expect(registry.remove('agent:x', a.interest)).toBe(false);
    expect(registry.remove('agent:x', b.interest)).toBe(true);
    expect(registry.has('agent:x')).toBe(false);
  });

  it('asks for fresh state when nothing is known, and resumes once a position is', () => {
    const registry = new SubscriptionRegistry();
    registry.add('agent:x', { tail: 100 });
    registry.add('agent:x', { tail: 500, snapshot: true });
    expect(registry.subscribeMessage('agent:x')).toEqual({
      type: 'subscribe',
      channel: 'agent:x',
      snapshot: true,
      tail: 500,
    });
    registry.setPosition('agent:x', { epoch: 'e', offset: 9 });
    expect(registry.subscribeMessage('agent:x')).toEqual({
      type: 'subscribe',
      channel: 'agent:x',
      since: { epoch: 'e', offset: 9 },
      snapshot: true,
      tail: 500,
    });
  });

  it('forgets the position when the last interest goes', () => {
    const registry = new SubscriptionRegistry();
    const { interest } = registry.add('issue:1', {});
    registry.setPosition('issue:1', { epoch: 'e', offset: 3 });
    registry.remove('issue:1', interest);
    registry.add('issue:1', {});
    expect(registry.position('issue:1')).toBeNull();
  });

  it('is urgent while any interest is', () => {
    const registry = new SubscriptionRegistry();
    const a = registry.add('agent:x', {});
    registry.add('agent:x', {});
    expect(registry.isUrgent('agent:x')).toBe(false);
    registry.setUrgent('agent:x', a.interest, true);
    expect(registry.isUrgent('agent:x')).toBe(true);
    registry.setUrgent('agent:x', a.interest, false);
    expect(registry.isUrgent('agent:x')).toBe(false);
  });

  it('carries urgency in the subscribe message, so a reconnect restores it', () => {
    const registry = new SubscriptionRegistry();
    const a = registry.add('agent:x', {});
    expect(registry.subscribeMessage('agent:x')).toEqual({ type: 'subscribe', channel: 'agent:x' });
    registry.setUrgent('agent:x', a.interest, true);
    expect(registry.subscribeMessage('agent:x')).toEqual({ type: 'subscribe', channel: 'agent:x', urgent: true });
  });
});
