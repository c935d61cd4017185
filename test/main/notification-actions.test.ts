import { describe, expect, it } from 'vitest';
import {
  MAX_BUTTON_TEXT,
  MAX_NOTIFICATION_BUTTONS,
  MAX_REPLY_PLACEHOLDER,
  type NotificationAnswer,
  NotificationAnswerer,
  answerConfirmation,
  notificationOffer,
  resolveResponse,
  supportsNotificationActions,
} from '../../src/main/notification-actions';
import { type AgentInput, type InputOutcome, MAX_INPUT_TEXT_LENGTH } from '../../src/shared/agent-input';
import type { DesktopNotification } from '../../src/shared/notification-policy';
import type { AgentState } from '../../src/shared/protocol';

const waiting: DesktopNotification = {
  title: 'opus-1 needs your input',
  body: 'Proceed?',
  urgency: 'critical',
  kind: 'waiting_for_input',
  target: { kind: 'agent', id: 'opus-1' },
  silent: false,
};

function agent(fields: Partial<AgentState> = {}): AgentState {
  return {
    agentId: 'opus-1',
    status: 'waiting_for_input',
    requestId: 'r-1',
    prompt: 'Run the migration on staging?',
    choices: [
      { id: 'approve', label: 'Yes' },
      { id: 'deny', label: 'No' },
    ],
    ...fields,
  } as AgentState;
}

const ALL = ['agent:*'];

describe('notificationOffer', () => {
  it('offers one button per choice and an inline reply on Windows; on macOS the buttons alone (hasReply would hide them)', () => {
    const mac = notificationOffer(waiting, agent(), ALL, 'darwin');
    expect(mac.answer?.buttons.map((button) => button.text)).toEqual(['Yes', 'No']);
    expect(mac.answer?.reply).toBeNull();
    // A question without choices: the reply field, on both.
    for (const platform of ['darwin', 'win32']) {
      const open = notificationOffer(waiting, agent({ choices: undefined }), ALL, platform);
      expect(open.answer).toMatchObject({ buttons: [], reply: { placeholder: 'Run the migration on staging?' } });
    }
    for (const platform of ['win32']) {
      const offer = notificationOffer(waiting, agent(), ALL, platform);
      expect(offer.click).toEqual({ kind: 'agent', id: 'opus-1', reply: true });
      expect(offer.answer).toEqual({
        agentId: 'opus-1',
        requestId: 'r-1',
        buttons: [
          { text: 'Yes', input: { action: 'approve', choice: 'approve', requestId: 'r-1' } },
          { text: 'No', input: { action: 'deny', choice: 'deny', requestId: 'r-1' } },
        ],
        reply: { placeholder: 'Run the migration on staging?' },
      });
    }
  });

  it('offers nothing on Linux (and other systems): a click opens the pane with its reply box focused', () => {
    for (const platform of ['linux', 'freebsd', 'openbsd', '']) {
      expect(supportsNotificationActions(platform)).toBe(false);
      expect(notificationOffer(waiting, agent(), ALL, platform)).toEqual({
        answer: null,
        click: { kind: 'agent', id: 'opus-1', reply: true },
      });
    }
  });

  it('offers nothing, and a plain click, when the token may not act on the agent or the hub does not say', () => {
    for (const actOn of [null, [], ['agent:other'], ['agent:opus-'], ['project:*'], ['agent:opus-2*']]) {
      expect(notificationOffer(waiting, agent(), actOn, 'darwin')).toEqual({
        answer: null,
        click: { kind: 'agent', id: 'opus-1' },
      });
    }
    expect(notificationOffer(waiting, agent(), ['agent:opus-*'], 'darwin').answer).not.toBeNull();
    expect(notificationOffer(waiting, agent(), ['*'], 'win32').answer).not.toBeNull();
  });

  it('offers nothing when the agent no longer waits, is unknown, or the notification is not a question', () => {
    expect(notificationOffer(waiting, undefined, ALL, 'darwin').answer).toBeNull();
    expect(notificationOffer(waiting, agent({ status: 'working' }), ALL, 'darwin').answer).toBeNull();
    expect(notificationOffer(waiting, agent({ agentId: 'someone-else' }), ALL, 'darwin').answer).toBeNull();
    const failed = { ...waiting, kind: 'failed' as const };
    expect(notificationOffer(failed, agent(), ALL, 'darwin')).toEqual({
      answer: null,
      click: { kind: 'agent', id: 'opus-1' },
    });
    const summary = { ...waiting, kind: 'summary' as const, target: null };
    expect(notificationOffer(summary, agent(), ALL, 'darwin')).toEqual({ answer: null, click: null });
    const issue = { ...waiting, target: { kind: 'issue' as const, id: 'opus-1' } };
    expect(notificationOffer(issue, agent(), ALL, 'darwin').answer).toBeNull();
  });

  it('caps the buttons; the other choices are answered from the pane', () => {
    const choices = Array.from({ length: 16 }, (_, i) => ({ id: `c${i}`, label: `Choice ${i}` }));
    const offer = notificationOffer(waiting, agent({ choices }), ALL, 'darwin');
    expect(offer.answer?.buttons.map((button) => button.text)).toEqual(['Choice 0', 'Choice 1', 'Choice 2']);
    expect(offer.answer?.buttons).toHaveLength(MAX_NOTIFICATION_BUTTONS);
  });

  it('makes hostile labels one short line, skips invalid or repeated ids, and falls back to the id', () => {
    const choices = [
      { id: 'a', label: 'Ye\u0000s\u001b[31m\r\nred\u202e' },
      { id: 'bad id\n', label: 'Evil' },
      { id: 'a', label: 'Again' },
      { id: '..', label: 'Dots' },
      { id: 'b', label: '\u0007\u0008' },
      { id: 'c', label: 'x'.repeat(10_000) },
      { id: 'd', label: 'Four' },
    ];
    const buttons = notificationOffer(waiting, agent({ choices }), ALL, 'win32').answer?.buttons ?? [];
    expect(buttons.map((button) => button.text)).toEqual(['Ye s [31m red', 'b', `${'x'.repeat(MAX_BUTTON_TEXT - 1)}…`]);
    expect(buttons.map((button) => button.input.choice)).toEqual(['a', 'b', 'c']);
    for (const button of buttons) expect(button.text).not.toMatch(/[\p{Cc}\u202e]/u);
  });

  it('tolerates a record that is not what the parser lets through (no choices array, a bad requestId)', () => {
    const odd = agent({ choices: 'approve' as unknown as AgentState['choices'], requestId: 'not valid!' });
    const offer = notificationOffer(waiting, odd, ALL, 'darwin');
    expect(offer.answer?.buttons).toEqual([]);
    expect(offer.answer?.requestId).toBeUndefined();
    expect(offer.answer?.reply).not.toBeNull();
    const nulls = agent({ choices: [null, { id: 7 }] as unknown as AgentState['choices'] });
    expect(notificationOffer(waiting, nulls, ALL, 'darwin').answer?.buttons).toEqual([]);
  });

  it('shortens a huge prompt into a one-line placeholder, and names the agent when there is none', () => {
    const prompt = `${'Which database? '.repeat(500)}\n\u001b]8;;evil\u0007`;
    const placeholder = notificationOffer(waiting, agent({ prompt }), ALL, 'win32').answer?.reply?.placeholder ?? '';
    expect(placeholder.length).toBeLessThanOrEqual(MAX_REPLY_PLACEHOLDER);
    expect(placeholder).toMatch(/^Which database\? Which/);
    expect(placeholder.endsWith('…')).toBe(true);
    expect(placeholder).not.toMatch(/\p{Cc}/u);
    const none = agent({ prompt: undefined, message: undefined });
    expect(notificationOffer(waiting, none, ALL, 'win32').answer?.reply).toEqual({ placeholder: 'Reply to opus-1' });
    const blank = agent({ prompt: ' \n\t ', message: 'Proceed?' });
    expect(notificationOffer(waiting, blank, ALL, 'win32').answer?.reply).toEqual({ placeholder: 'Reply to opus-1' });
  });

  it('never cuts a surrogate pair in half', () => {
    const prompt = `${'a'.repeat(MAX_REPLY_PLACEHOLDER - 2)}😀😀😀`;
    const placeholder = notificationOffer(waiting, agent({ prompt }), ALL, 'win32').answer?.reply?.placeholder ?? '';
    expect(placeholder).toBe(`${'a'.repeat(MAX_REPLY_PLACEHOLDER - 2)}…`);
  });
});

describe('resolveResponse', () => {
  const answer = notificationOffer(waiting, agent(), ALL, 'win32').answer as NotificationAnswer;

  it('maps an action index to its button’s input, and refuses one out of range', () => {
    expect(resolveResponse(answer, { kind: 'action', index: 0 })).toEqual({
      ok: true,
      input: { action: 'approve', choice: 'approve', requestId: 'r-1' },
      label: 'Yes',
    });
    for (const index of [-1, 2, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER]) {
      expect(resolveResponse(answer, { kind: 'action', index })).toMatchObject({ ok: false, code: 'invalid_input' });
    }
  });

  it('sends a reply as typed, with the request it answers', () => {
    expect(resolveResponse(answer, { kind: 'reply', text: 'use postgres\nand index it' })).toEqual({
      ok: true,
      input: { action: 'reply', text: 'use postgres\nand index it', requestId: 'r-1' },
      label: 'use postgres and index it',
    });
  });

  it('takes a reply of exactly MAX_INPUT_TEXT_LENGTH and refuses a longer one instead of cutting it', () => {
    const longest = 'x'.repeat(MAX_INPUT_TEXT_LENGTH);
    const taken = resolveResponse(answer, { kind: 'reply', text: longest });
    expect(taken.ok && taken.input.text).toBe(longest);
    expect(taken.ok && taken.label.length).toBeLessThanOrEqual(60);
    expect(resolveResponse(answer, { kind: 'reply', text: `${longest}x` })).toMatchObject({
      ok: false,
      code: 'invalid_input',
    });
  });

  it('refuses an empty reply, a non-string one, and a reply where none was offered', () => {
    for (const text of ['', '   ', '\n\t', undefined as unknown as string, 42 as unknown as string]) {
      expect(resolveResponse(answer, { kind: 'reply', text })).toMatchObject({ ok: false, code: 'invalid_input' });
    }
    const noReply = { ...answer, reply: null };
    expect(resolveResponse(noReply, { kind: 'reply', text: 'hi' })).toMatchObject({ ok: false });
  });

  it('answers without a requestId when the agent gave none', () => {
    const bare = notificationOffer(waiting, agent({ requestId: undefined }), ALL, 'win32').answer as NotificationAnswer;
    expect(resolveResponse(bare, { kind: 'reply', text: 'ok' })).toMatchObject({
      ok: true,
      input: { action: 'reply', text: 'ok' },
    });
    expect(bare.buttons[0].input).toEqual({ action: 'approve', choice: 'approve' });
  });
});

describe('answerConfirmation', () => {
  it('confirms a sent answer quietly, on the agent', () => {
    expect(answerConfirmation('opus-1', 'Approve', { ok: true, inputId: 'i-1' })).toEqual({
      title: 'Answered opus-1: Approve',
      body: '',
      urgency: 'normal',
      kind: 'answer',
      target: { kind: 'agent', id: 'opus-1' },
      silent: true,
    });
  });

  it('says why an answer failed, for every code a sender can see', () => {
    const reasons: Array<[string, RegExp]> = [
      ['already_answered', /^someone already answered$/],
      ['request_not_pending', /no longer waiting/],
      ['forbidden', /may not answer/],
      ['unknown_agent', /does not know/],
      ['input_rejected', /^refused: the agent has stopped$/],
      ['input_unavailable', /nothing on the hub/],
      ['not_connected', /not connected.*nothing was sent/],
      ['connection_lost', /connection ended/],
      ['no_answer', /did not answer in time/],
      ['invalid_choice', /^the agent has stopped$/],
    ];
    for (const [code, reason] of reasons) {
      const shown = answerConfirmation('opus-1', 'Yes', { ok: false, code, message: 'the agent has stopped' });
      expect(shown.title).toBe('Could not answer opus-1');
      expect(shown.body, code).toMatch(reason);
      expect(shown.silent).toBe(false);
    }
  });

  it('names who answered first when it is known, and keeps a hostile hub message to one short line', () => {
    const first = answerConfirmation('opus-1', 'Yes', { ok: false, code: 'already_answered', message: '' }, 'alice\n');
    expect(first.body).toBe('someone already answered (by alice)');
    const hostile = answerConfirmation('opus-1', 'Yes', {
      ok: false,
      code: 'input_rejected',
      message: `\u001b[2J${'spam '.repeat(1000)}`,
    });
    expect(hostile.body.length).toBeLessThanOrEqual(200);
    expect(hostile.body).not.toMatch(/\p{Cc}/u);
  });
});

describe('NotificationAnswerer', () => {
  function answerer(outcome: InputOutcome = { ok: true, inputId: 'i-1' }) {
    const sent: Array<[string, AgentInput]> = [];
    const confirmed: DesktopNotification[] = [];
    const it = new NotificationAnswerer({
      sendInput: (agentId, input) => {
        sent.push([agentId, input]);
        return Promise.resolve(outcome);
      },
      confirm: (notification) => void confirmed.push(notification),
    });
    return { answerer: it, sent, confirmed };
  }
  const offered = () => notificationOffer(waiting, agent(), ALL, 'win32').answer as NotificationAnswer;

  it('sends the pressed button’s input and confirms it', async () => {
    const { answerer: a, sent, confirmed } = answerer();
    expect(await a.respond(offered(), { kind: 'action', index: 1 })).toEqual({ ok: true, inputId: 'i-1' });
    expect(sent).toEqual([['opus-1', { action: 'deny', choice: 'deny', requestId: 'r-1' }]]);
    expect(confirmed.map((n) => n.title)).toEqual(['Answered opus-1: No']);
  });

  it('answers a notification once, even when the OS reports the reply twice', async () => {
    const { answerer: a, sent, confirmed } = answerer();
    const answer = offered();
    const [first, second] = await Promise.all([
      a.respond(answer, { kind: 'reply', text: 'go' }),
      a.respond(answer, { kind: 'reply', text: 'go' }),
    ]);
    expect(first).toEqual({ ok: true, inputId: 'i-1' });
    expect(second).toBeNull();
    expect(await a.respond(answer, { kind: 'action', index: 0 })).toBeNull();
    expect(sent).toHaveLength(1);
    expect(confirmed).toHaveLength(1);
  });

  it('sends nothing for a reply it cannot take, says why, and lets the notification be answered again', async () => {
    const { answerer: a, sent, confirmed } = answerer();
    const answer = offered();
    expect(await a.respond(answer, { kind: 'reply', text: 'x'.repeat(MAX_INPUT_TEXT_LENGTH + 1) })).toMatchObject({
      ok: false,
      code: 'invalid_input',
    });
    expect(sent).toEqual([]);
    expect(confirmed[0]).toMatchObject({ title: 'Could not answer opus-1', silent: false });
    expect(confirmed[0].body).toMatch(/longer than 16000 characters/);
    expect(await a.respond(answer, { kind: 'reply', text: 'short' })).toEqual({ ok: true, inputId: 'i-1' });
  });

  it('says who answered first, from the input_sent events it noted', async () => {
    const { answerer: a, confirmed } = answerer({ ok: false, code: 'already_answered', message: 'answered already' });
    a.noteAnswered('opus-1', 'r-1', 'alice');
    a.noteAnswered('opus-1', undefined, 'bob');
    await a.respond(offered(), { kind: 'action', index: 0 });
    expect(confirmed[0].body).toBe('someone already answered (by alice)');
  });

  it('forgets the oldest answers it noted past its budget', async () => {
    const { answerer: a, confirmed } = answerer({ ok: false, code: 'already_answered', message: '' });
    a.noteAnswered('opus-1', 'r-1', 'alice');
    for (let i = 0; i < 500; i++) a.noteAnswered('other', `r-${i}`, 'bob');
    await a.respond(offered(), { kind: 'action', index: 0 });
    expect(confirmed[0].body).toBe('someone already answered');
  });
});
