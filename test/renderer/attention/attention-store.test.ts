import { describe, expect, it } from 'vitest';
import { ChannelStore } from '../../../src/client/index';
import { createAttentionStore } from '../../../src/renderer/src/stores/attention-store';
import type { Delivery } from '../../../src/shared/delivery';
import type { AgentState } from '../../../src/shared/protocol';

const agents = (...list: AgentState[]): Record<string, AgentState> =>
  Object.fromEntries(list.map((agent) => [agent.agentId, agent]));
const waiting = (agentId: string, extra: Partial<AgentState> = {}): AgentState => ({
  agentId,
  status: 'waiting_for_input',
  ...extra,
});

describe('attention store', () => {
  describe('#sync', () => {
    it('queues agents waiting for input or failed, oldest first by statusSince', () => {
      const store = createAttentionStore();
      store
        .getState()
        .sync(
          agents(
            waiting('a', { statusSince: 300 }),
            { agentId: 'b', status: 'failed', statusSince: 100 },
            { agentId: 'c', status: 'working', statusSince: 50 },
            { agentId: 'd', status: 'idle' },
            waiting('e', { statusSince: 200 }),
          ),
          1000,
        );
      expect(store.getState().queue.map((item) => [item.agentId, item.status, item.since])).toEqual([
        ['b', 'failed', 100],
        ['e', 'waiting_for_input', 200],
        ['a', 'waiting_for_input', 300],
      ]);
    });

    it('falls back to the last activity, then to when the page first saw the wait, and keeps that time', () => {
      const store = createAttentionStore();
      store.getState().sync(agents(waiting('a', { lastActivityAt: 500 }), waiting('b')), 400);
      expect(store.getState().queue.map((item) => [item.agentId, item.since])).toEqual([
        ['b', 400],
        ['a', 500],
      ]);
      // Output moves lastActivityAt; the wait still began when it was first seen.
      store.getState().sync(agents(waiting('a', { lastActivityAt: 900 }), waiting('b')), 1000);
      expect(store.getState().queue.map((item) => [item.agentId, item.since])).toEqual([
        ['b', 400],
        ['a', 500],
      ]);
    });

    it('orders ties by agent id, naturally', () => {
      const store = createAttentionStore();
      store.getState().sync(agents(waiting('agent-10', { statusSince: 1 }), waiting('agent-9', { statusSince: 1 })), 5);
      expect(store.getState().queue.map((item) => item.agentId)).toEqual(['agent-9', 'agent-10']);
    });

    it('drops an agent once it works again, and keeps the same queue object when nothing changed', () => {
      const store = createAttentionStore();
      store.getState().sync(agents(waiting('a', { statusSince: 1 })), 5);
      const before = store.getState().queue;
      store.getState().sync(agents(waiting('a', { statusSince: 1, lastActivityAt: 9 })), 9);
      expect(store.getState().queue).toBe(before);
      store.getState().sync(agents({ agentId: 'a', status: 'working', statusSince: 10 }), 10);
      expect(store.getState().queue).toEqual([]);
    });
  });

  describe('#next', () => {
    it('starts at the oldest, goes to the one after the current agent, and wraps round', () => {
      const store = createAttentionStore();
      expect(store.getState().next(null)).toBeNull();
      store.getState().sync(agents(waiting('a', { statusSince: 1 }), waiting('b', { statusSince: 2 })), 5);
      expect(store.getState().next(null)).toBe('a');
      expect(store.getState().next('a')).toBe('b');
      expect(store.getState().next('b')).toBe('a');
      expect(store.getState().next('not-queued')).toBe('a');
    });
  });

  describe('#markHandled', () => {
    it('leaves the agent out of the queue while its status holds', () => {
      const store = createAttentionStore();
      store.getState().sync(agents(waiting('a', { statusSince: 1 }), waiting('b', { statusSince: 2 })), 5);
      expect(store.getState().markHandled('a')).toBe(true);
      expect(store.getState().queue.map((item) => item.agentId)).toEqual(['b']);
      store
        .getState()
        .sync(agents(waiting('a', { statusSince: 1, message: 'still?' }), waiting('b', { statusSince: 2 })), 9);
      expect(store.getState().queue.map((item) => item.agentId)).toEqual(['b']);
      expect(store.getState().next(null)).toBe('b');
    });

    it('goes on from a just-handled agent to the next one after it, not back to the oldest', () => {
      const store = createAttentionStore();
      const three = agents(
        waiting('a', { statusSince: 1 }),
        waiting('b', { statusSince: 2 }),
        waiting('c', { statusSince: 3 }),
      );
      store.getState().sync(three, 5);
      store.getState().markHandled('b');
      // A later sync with the same records keeps the queue object; next still finds its items.
      store.getState().sync({ ...three }, 6);
      expect(store.getState().next('b')).toBe('c');
      store.getState().markHandled('c');
      expect(store.getState().next('c')).toBe('a');
    });

    it('lets a new wait back in: a later statusSince', () => {
      const store = createAttentionStore();
      store.getState().sync(agents(waiting('a', { statusSince: 1 })), 5);
      store.getState().markHandled('a');
      store.getState().sync(agents(waiting('a', { statusSince: 20 })), 20);
      expect(store.getState().queue.map((item) => [item.agentId, item.since])).toEqual([['a', 20]]);
    });

    it('lets a new wait back in after the agent worked in between, even without statusSince', () => {
      const store = createAttentionStore();
      store.getState().sync(agents(waiting('a')), 5);
      store.getState().markHandled('a');
      store.getState().sync(agents({ agentId: 'a', status: 'working' }), 6);
      expect(store.getState().handled).toEqual({});
      store.getState().sync(agents(waiting('a')), 7);
      expect(store.getState().queue.map((item) => [item.agentId, item.since])).toEqual([['a', 7]]);
    });

    it('lets a new wait back in when "working" and the new wait came in one batch', () => {
      const store = createAttentionStore();
      const core = new ChannelStore(null);
      const status = (status: string): Delivery => ({
        kind: 'event',
        channel: 'agent:a',
        event: 'agent_status',
        data: { agentId: 'a', status },
      });
      const deliver = (batch: Delivery[], time: number) => {
        core.apply(batch, time);
        store.getState().noteDeliveries(batch);
        store.getState().sync(Object.fromEntries(core.board.agents), time);
      };
      deliver([status('waiting_for_input')], 1);
      store.getState().markHandled('a');
      deliver([status('waiting_for_input')], 2);
      expect(store.getState().queue).toEqual([]);
      deliver([status('working'), status('waiting_for_input')], 3);
      expect(store.getState().queue.map((item) => item.agentId)).toEqual(['a']);
    });

    it('lets a failure after a handled wait back in', () => {
      const store = createAttentionStore();
      store.getState().sync(agents(waiting('a', { statusSince: 1 })), 5);
      store.getState().markHandled('a');
      store.getState().sync(agents({ agentId: 'a', status: 'failed', statusSince: 8 }), 8);
      expect(store.getState().queue.map((item) => item.status)).toEqual(['failed']);
    });

    it('does nothing for an agent not in the queue', () => {
      const store = createAttentionStore();
      store.getState().sync(agents({ agentId: 'a', status: 'working' }), 5);
      expect(store.getState().markHandled('a')).toBe(false);
      expect(store.getState().handled).toEqual({});
    });

    it('forgets agents the board no longer has', () => {
      const store = createAttentionStore();
      store.getState().sync(agents(waiting('a')), 5);
      store.getState().markHandled('a');
      store.getState().sync({}, 6);
      expect(store.getState().handled).toEqual({});
      store.getState().sync(agents(waiting('a')), 9);
      expect(store.getState().queue.map((item) => item.since)).toEqual([9]);
    });
  });
});
