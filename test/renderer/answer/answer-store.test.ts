import { describe, expect, it } from 'vitest';
import { type AgentInput, type InputOutcome, type InputSent } from '../../../src/shared/agent-input';
import type { Delivery } from '../../../src/shared/delivery';
import { own } from '../../../src/renderer/src/lib/id-record';
import { createAnswerStore, MAX_REMEMBERED_AGENTS } from '../../../src/renderer/src/stores/answer-store';

/** A sendInput whose answers the test settles by hand, recording what was sent. */
function pendingSender() {
  const sent: Array<{ agentId: string; input: AgentInput; settle: (outcome: InputOutcome) => void }> = [];
  const sendInput = (agentId: string, input: AgentInput) =>
    new Promise<InputOutcome>((settle) => sent.push({ agentId, input, settle }));
  return { sent, sendInput };
}

const inputSent = (agentId: string, inputId: string, extra: Partial<InputSent> = {}): Delivery => ({
  kind: 'event',
  channel: `agent:${agentId}`,
  event: 'input_sent',
  data: { inputId, agentId, action: 'approve', by: 'ana', at: 1, ...extra } satisfies InputSent,
});

const approve: AgentInput = { action: 'approve', requestId: 'r1' };

describe('answer store', () => {
  it('records an answer as sending, then sent with the hub’s input id and the request it answered', async () => {
    const { sent, sendInput } = pendingSender();
    const store = createAnswerStore(sendInput);
    const result = store.getState().send('agent-1', approve);
    expect(store.getState().progress['agent-1']).toEqual({ state: 'sending', input: approve });
    expect(sent.map((s) => [s.agentId, s.input])).toEqual([['agent-1', approve]]);
    sent[0].settle({ ok: true, inputId: 'in-1' });
    expect(await result).toEqual({ ok: true, inputId: 'in-1' });
    expect(store.getState().progress['agent-1']).toEqual({
      state: 'sent',
      input: approve,
      inputId: 'in-1',
      requestId: 'r1',
    });
  });

  it('keeps the prompt an accepted answer was given to', async () => {
    const store = createAnswerStore(async () => ({ ok: true, inputId: 'in-1' }));
    await store.getState().send('agent-1', { action: 'approve' }, 'Run it?');
    expect(store.getState().progress['agent-1']).toMatchObject({ state: 'sent', prompt: 'Run it?' });
  });

  it('records a refusal as failed with its code and message', async () => {
    const { sent, sendInput } = pendingSender();
    const store = createAnswerStore(sendInput);
    const result = store.getState().send('agent-1', approve);
    sent[0].settle({ ok: false, code: 'already_answered', message: 'ana answered first' });
    expect(await result).toMatchObject({ ok: false, code: 'already_answered' });
    expect(store.getState().progress['agent-1']).toEqual({
      state: 'failed',
      input: approve,
      code: 'already_answered',
      message: 'ana answered first',
      requestId: 'r1',
    });
  });

  it('refuses a second answer to the same agent while the first is on its way, without sending it', async () => {
    const { sent, sendInput } = pendingSender();
    const store = createAnswerStore(sendInput);
    const first = store.getState().send('agent-1', approve);
    const second = await store.getState().send('agent-1', { action: 'deny' });
    expect(second).toMatchObject({ ok: false, code: 'busy' });
    expect(sent).toHaveLength(1);
    // The busy refusal does not overwrite the answer on its way.
    expect(store.getState().progress['agent-1']).toEqual({ state: 'sending', input: approve });
    // Another agent is not held up.
    void store.getState().send('agent-2', approve);
    expect(sent.map((s) => s.agentId)).toEqual(['agent-1', 'agent-2']);
    sent[0].settle({ ok: true, inputId: 'in-1' });
    await first;
    void store.getState().send('agent-1', { action: 'deny' });
    expect(sent).toHaveLength(3);
  });

  it('forgets an answer on clear, and clearing an agent it never answered changes nothing', async () => {
    const store = createAnswerStore(async () => ({ ok: false, code: 'forbidden', message: 'no' }));
    await store.getState().send('agent-1', approve);
    const before = store.getState();
    store.getState().clear('agent-2');
    store.getState().clear('constructor');
    expect(store.getState()).toBe(before);
    store.getState().clear('agent-1');
    expect(own(store.getState().progress, 'agent-1')).toBeUndefined();
  });

  it('keeps the latest input_sent per agent and ignores other deliveries', () => {
    const store = createAnswerStore(async () => ({ ok: true, inputId: 'x' }));
    const before = store.getState().lastSent;
    store.getState().noteDeliveries([
      { kind: 'event', channel: 'agent:agent-1', event: 'agent_status', data: { agentId: 'agent-1' } },
      { kind: 'output', channel: 'agent:agent-1', text: 'hi' },
    ]);
    expect(store.getState().lastSent).toBe(before);
    store.getState().noteDeliveries([inputSent('agent-1', 'a'), inputSent('agent-2', 'b'), inputSent('agent-1', 'c')]);
    expect(store.getState().lastSent['agent-1'].inputId).toBe('c');
    expect(store.getState().lastSent['agent-2'].inputId).toBe('b');
    store.getState().noteDeliveries([inputSent('agent-2', 'd')]);
    expect(Object.keys(store.getState().lastSent).sort()).toEqual(['agent-1', 'agent-2']);
    expect(store.getState().lastSent['agent-2'].inputId).toBe('d');
  });

  it(`remembers at most ${MAX_REMEMBERED_AGENTS} agents, forgetting the least recently answered, numeric ids too`, () => {
    const store = createAnswerStore(async () => ({ ok: true, inputId: 'x' }));
    // "42" is answered first, then refreshed last: it is the newest, though an object would list it first.
    store.getState().noteDeliveries([inputSent('42', 'old'), inputSent('7', 'seven')]);
    const many = Array.from({ length: MAX_REMEMBERED_AGENTS - 1 }, (_, i) => inputSent(`agent-${i}`, `in-${i}`));
    store.getState().noteDeliveries([...many, inputSent('42', 'new')]);
    const kept = store.getState().lastSent;
    expect(Object.keys(kept)).toHaveLength(MAX_REMEMBERED_AGENTS);
    // "7" was the oldest untouched one: it goes; "42" (touched last) and the newest stay.
    expect(own(kept, '7')).toBeUndefined();
    expect(own(kept, '42')?.inputId).toBe('new');
    expect(own(kept, 'agent-0')?.inputId).toBe('in-0');
    // One more agent: now agent-0 is the oldest.
    store.getState().noteDeliveries([inputSent('1000', 'n')]);
    expect(own(store.getState().lastSent, 'agent-0')).toBeUndefined();
    expect(own(store.getState().lastSent, '42')?.inputId).toBe('new');
    expect(own(store.getState().lastSent, '1000')?.inputId).toBe('n');
  });

  it(`bounds this page’s own answers to ${MAX_REMEMBERED_AGENTS} agents the same way`, async () => {
    const store = createAnswerStore(async () => ({ ok: true, inputId: 'x' }));
    await store.getState().send('9', approve);
    for (let i = 0; i < MAX_REMEMBERED_AGENTS - 1; i++) await store.getState().send(`agent-${i}`, approve);
    await store.getState().send('9', approve);
    await store.getState().send('agent-last', approve);
    const kept = store.getState().progress;
    expect(Object.keys(kept)).toHaveLength(MAX_REMEMBERED_AGENTS);
    expect(own(kept, 'agent-0')).toBeUndefined();
    expect(own(kept, '9')?.state).toBe('sent');
    // A cleared agent leaves the order too: it does not count against the bound.
    store.getState().clear('9');
    await store.getState().send('agent-0', approve);
    expect(own(store.getState().progress, 'agent-1')?.state).toBe('sent');
  });

  it('finds only what it stored for agents named like object members', async () => {
    const store = createAnswerStore(async () => ({ ok: true, inputId: 'x' }));
    for (const agentId of ['constructor', 'toString', 'hasOwnProperty']) {
      expect(own(store.getState().progress, agentId)).toBeUndefined();
      expect(store.getState().takeReplyFocus(agentId)).toBe(false);
    }
    await store.getState().send('__proto__', approve);
    store.getState().noteDeliveries([inputSent('__proto__', 'p')]);
    store.getState().requestReplyFocus('__proto__');
    expect(own(store.getState().progress, '__proto__')?.state).toBe('sent');
    expect(own(store.getState().lastSent, '__proto__')?.inputId).toBe('p');
    expect(Object.getPrototypeOf(store.getState().lastSent)).toBeNull();
    expect(store.getState().takeReplyFocus('__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).inputId).toBeUndefined();
  });

  it('hands a reply focus request over once', () => {
    const store = createAnswerStore(async () => ({ ok: true, inputId: 'x' }));
    expect(store.getState().takeReplyFocus('agent-1')).toBe(false);
    store.getState().requestReplyFocus('agent-1');
    store.getState().requestReplyFocus('agent-1');
    expect(store.getState().replyFocus['agent-1']).toBe(true);
    expect(store.getState().takeReplyFocus('agent-2')).toBe(false);
    expect(store.getState().takeReplyFocus('agent-1')).toBe(true);
    expect(store.getState().takeReplyFocus('agent-1')).toBe(false);
  });
});
