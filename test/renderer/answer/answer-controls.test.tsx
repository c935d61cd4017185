// @vitest-environment happy-dom
import { act, cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AgentInputBar } from '../../../src/renderer/src/components/answer/AgentInputBar';
import { QUICK_CHOICES, QuickAnswer } from '../../../src/renderer/src/components/answer/QuickAnswer';
import { answerFailureText } from '../../../src/renderer/src/lib/answer-ability';
import type { Services } from '../../../src/renderer/src/services';
import { type AgentInput, choiceInput, type InputOutcome } from '../../../src/shared/agent-input';
import { INITIAL_STATE } from '../../../src/shared/connection-state';
import type { AgentChoice, AgentState } from '../../../src/shared/protocol';
import { createTestServices, deliver, event, fakeBridge, renderWith, seed } from '../board/harness';

const CHOICES: AgentChoice[] = [
  { id: 'approve', label: 'Approve' },
  { id: 'deny', label: 'Deny' },
  { id: 'later', label: 'Ask me later' },
  { id: 'skip', label: 'Skip this step' },
];

const waitingAgent = (extra: Partial<AgentState> = {}): AgentState => ({
  agentId: 'agent-1',
  status: 'waiting_for_input',
  projectId: 'alpha',
  requestId: 'r1',
  prompt: 'Run the migration?',
  choices: CHOICES.slice(0, 2),
  ...extra,
});

/** A bridge whose sendInput answers are settled by the test (or at once with `outcome`). */
function setup(agent: AgentState = waitingAgent(), outcome?: InputOutcome) {
  const pending: Array<(outcome: InputOutcome) => void> = [];
  const bridge = {
    ...fakeBridge(),
    sendInput: vi.fn(
      (_agentId: string, _input: AgentInput) =>
        new Promise<InputOutcome>((settle) => (outcome ? settle(outcome) : pending.push(settle))),
    ),
  };
  const services = createTestServices(bridge);
  setConnection(services, 'open', null);
  seed(services, [], [agent]);
  return { services, bridge, pending };
}

function setConnection(services: Services, status: 'open' | 'reconnecting', actOn: string[] | null) {
  act(() => services.connection.getState().setState({ ...INITIAL_STATE, status, actOn }));
}

/** The agent's next status, as the hub would publish it. */
function agentStatus(services: Services, data: Partial<AgentState>) {
  act(() => deliver(services, [event('agent:agent-1', 'agent_status', { agentId: 'agent-1', ...data })], Date.now()));
}

const sent = (bridge: ReturnType<typeof setup>['bridge']) => bridge.sendInput.mock.calls.map(([, input]) => input);
const reply = () => screen.getByRole('textbox', { name: 'Reply to agent agent-1' });
/** Lets the bridge's settled promise reach the store and React. */
const settle = async (pending: Array<(outcome: InputOutcome) => void>, outcome: InputOutcome) => {
  await act(async () => pending.shift()?.(outcome));
};

afterEach(cleanup);

describe('AgentInputBar', () => {
  it('shows the prompt and sends a choice with the request id', async () => {
    const { services, bridge, pending } = setup();
    renderWith(services, <AgentInputBar agentId="agent-1" />);
    expect(screen.getByTestId('answer-prompt').textContent).toContain('Run the migration?');
    // The live region is there, empty, before its first words: screen readers announce only changes to one.
    expect(screen.getByRole('status').textContent).toBe('');
    fireEvent.click(screen.getByRole('button', { name: 'Deny' }));
    expect(sent(bridge)).toEqual([choiceInput(CHOICES[1], 'r1')]);
    expect(screen.getByTestId('answer-status').textContent).toBe('Sending: you chose “Deny”…');
    await settle(pending, { ok: true, inputId: 'in-1' });
    expect(screen.getByTestId('answer-status').textContent).toBe(
      'Sent: you chose “Deny”. Waiting for the agent to go on.',
    );
    expect(screen.getByTestId('answer-status').getAttribute('role')).toBe('status');
  });

  it('does not send a second answer while the first is on its way', () => {
    const { services, bridge } = setup();
    renderWith(services, <AgentInputBar agentId="agent-1" />);
    fireEvent.click(screen.getByRole('button', { name: 'Approve' }));
    expect(screen.getByRole('button', { name: 'Deny' }).getAttribute('aria-disabled')).toBe('true');
    fireEvent.click(screen.getByRole('button', { name: 'Deny' }));
    expect(sent(bridge)).toHaveLength(1);
  });

  it('sends the reply on Enter, not on Shift+Enter or while an IME composes, and empties the box once taken', async () => {
    const { services, bridge, pending } = setup();
    renderWith(services, <AgentInputBar agentId="agent-1" />);
    fireEvent.change(reply(), { target: { value: 'use the staging db  \n' } });
    fireEvent.keyDown(reply(), { key: 'Enter', shiftKey: true });
    fireEvent.keyDown(reply(), { key: 'Enter', isComposing: true });
    fireEvent.keyDown(reply(), { key: 'Enter', keyCode: 229 });
    expect(sent(bridge)).toEqual([]);
    fireEvent.keyDown(reply(), { key: 'Enter' });
    expect(sent(bridge)).toEqual([{ action: 'reply', text: 'use the staging db', requestId: 'r1' }]);
    expect((reply() as HTMLTextAreaElement).value).toBe('use the staging db  \n');
    await settle(pending, { ok: true, inputId: 'in-1' });
    expect((reply() as HTMLTextAreaElement).value).toBe('');
  });

  it('sends nothing for a blank reply, from Enter or the Send button', () => {
    const { services, bridge } = setup();
    renderWith(services, <AgentInputBar agentId="agent-1" />);
    fireEvent.change(reply(), { target: { value: ' \n\t ' } });
    fireEvent.keyDown(reply(), { key: 'Enter' });
    expect(screen.getByRole('button', { name: 'Send' }).getAttribute('aria-disabled')).toBe('true');
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    expect(sent(bridge)).toEqual([]);
  });

  it('keeps the reply when it fails, and shows the failure as an alert until dismissed', async () => {
    const { services, bridge, pending } = setup();
    renderWith(services, <AgentInputBar agentId="agent-1" />);
    fireEvent.change(reply(), { target: { value: 'go' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    expect(sent(bridge)).toHaveLength(1);
    await settle(pending, { ok: false, code: 'already_answered', message: 'ana was first' });
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain(answerFailureText('already_answered', ''));
    expect(screen.getByTestId('answer-bar').dataset.state).toBe('failed');
    expect((reply() as HTMLTextAreaElement).value).toBe('go');
    fireEvent.click(within(alert).getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByRole('alert')).toBeNull();
    // Dismissing hands the keyboard back to the reply box.
    expect(document.activeElement).toBe(reply());
  });

  it('leaves the reply box on Escape', () => {
    const { services } = setup();
    const onLeave = vi.fn();
    renderWith(services, <AgentInputBar agentId="agent-1" onLeave={onLeave} />);
    // Escape that cancels an IME composition is the IME's.
    fireEvent.keyDown(reply(), { key: 'Escape', isComposing: true });
    expect(onLeave).not.toHaveBeenCalled();
    fireEvent.keyDown(reply(), { key: 'Escape' });
    expect(onLeave).toHaveBeenCalledTimes(1);
  });

  it('interrupts on the second press only, and a new question disarms the first press', () => {
    const { services, bridge } = setup();
    renderWith(services, <AgentInputBar agentId="agent-1" />);
    fireEvent.click(screen.getByRole('button', { name: 'Interrupt' }));
    expect(sent(bridge)).toEqual([]);
    expect(screen.getByRole('button', { name: 'Press again to interrupt' }).dataset.armed).toBe('true');
    agentStatus(services, { status: 'waiting_for_input', requestId: 'r2', prompt: 'Another thing?' });
    const button = screen.getByRole('button', { name: 'Interrupt' });
    fireEvent.click(button);
    expect(sent(bridge)).toEqual([]);
    fireEvent.click(screen.getByRole('button', { name: 'Press again to interrupt' }));
    expect(sent(bridge)).toEqual([{ action: 'interrupt' }]);
  });

  it('confirms an interrupt asked from the pane menu, with focus on the confirm button', () => {
    const { services, bridge } = setup(waitingAgent({ status: 'working' }));
    const done = vi.fn();
    renderWith(services, <AgentInputBar agentId="agent-1" interruptAsked onInterruptDone={done} />);
    const dialog = screen.getByRole('alertdialog', { name: 'Interrupt agent agent-1?' });
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Interrupt' }));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Interrupt' }));
    expect(done).toHaveBeenCalledTimes(1);
    expect(sent(bridge)).toEqual([{ action: 'interrupt' }]);
  });

  it('without the right to act: every control says why, the box is read-only, nothing is sent', () => {
    const { services, bridge } = setup(waitingAgent({ choices: CHOICES }));
    setConnection(services, 'open', []);
    renderWith(services, <AgentInputBar agentId="agent-1" />);
    const reason = screen.getByTestId('answer-reason');
    expect(reason.textContent).toMatch(/may watch this agent but not answer it/);
    const controls = [
      ...CHOICES.map((choice) => screen.getByRole('button', { name: choice.label })),
      screen.getByRole('button', { name: 'Send' }),
      screen.getByRole('button', { name: 'Interrupt' }),
      reply(),
    ];
    for (const control of controls) {
      expect(control.getAttribute('aria-disabled')).toBe('true');
      expect(control.getAttribute('aria-describedby')?.split(' ')).toContain(reason.id);
      fireEvent.click(control);
    }
    fireEvent.click(screen.getByRole('button', { name: 'Press again to interrupt' }));
    expect((reply() as HTMLTextAreaElement).readOnly).toBe(true);
    fireEvent.keyDown(reply(), { key: 'Enter' });
    expect(sent(bridge)).toEqual([]);
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('while disconnected: says why, keeps the reply box editable, and Enter sends nothing', () => {
    const { services, bridge } = setup();
    setConnection(services, 'reconnecting', null);
    renderWith(services, <AgentInputBar agentId="agent-1" />);
    const reason = screen.getByTestId('answer-reason');
    expect(reason.textContent).toMatch(/Not connected/);
    expect(reply().getAttribute('aria-disabled')).toBe('false');
    expect((reply() as HTMLTextAreaElement).readOnly).toBe(false);
    expect(reply().getAttribute('aria-describedby')).toBe(`${reason.id} ${screen.getByTestId('answer-status').id}`);
    fireEvent.change(reply(), { target: { value: 'later' } });
    fireEvent.keyDown(reply(), { key: 'Enter' });
    fireEvent.click(screen.getByRole('button', { name: 'Approve' }));
    expect(sent(bridge)).toEqual([]);
    expect((reply() as HTMLTextAreaElement).value).toBe('later');
    // Back online: the same reply goes with Enter.
    setConnection(services, 'open', null);
    expect(screen.queryByTestId('answer-reason')).toBeNull();
    fireEvent.keyDown(reply(), { key: 'Enter' });
    expect(sent(bridge)).toEqual([{ action: 'reply', text: 'later', requestId: 'r1' }]);
  });

  it('shows “sent” against the request it answered only, not against the next question', async () => {
    const { services } = setup(waitingAgent(), { ok: true, inputId: 'in-1' });
    renderWith(services, <AgentInputBar agentId="agent-1" />);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Approve' })));
    expect(screen.getByTestId('answer-status').textContent).toMatch(/^Sent: you chose “Approve”/);
    agentStatus(services, { status: 'waiting_for_input', requestId: 'r2', prompt: 'Next?', choices: CHOICES });
    expect(screen.getByTestId('answer-status').textContent).toBe('');
    expect(screen.getByTestId('answer-bar').dataset.state).toBe('idle');
    // The agent goes on working: the bar is gone.
    agentStatus(services, { status: 'working' });
    expect(screen.queryByTestId('answer-bar')).toBeNull();
  });

  it('tells a new question without a request id from the one answered by its prompt', async () => {
    const { services } = setup(waitingAgent({ requestId: undefined }), { ok: true, inputId: 'in-1' });
    renderWith(services, <AgentInputBar agentId="agent-1" />);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Approve' })));
    expect(screen.getByTestId('answer-status').textContent).toMatch(/^Sent/);
    // The same question again (an agent_status that repeats it): still answered.
    agentStatus(services, { status: 'waiting_for_input', prompt: 'Run the migration?', choices: CHOICES });
    expect(screen.getByTestId('answer-status').textContent).toMatch(/^Sent/);
    agentStatus(services, { status: 'waiting_for_input', prompt: 'And drop the old table?', choices: CHOICES });
    expect(screen.getByTestId('answer-status').textContent).toBe('');
  });

  it('keeps a failure to an earlier request on screen after the agent moved on (nothing fails in silence)', async () => {
    const { services } = setup(waitingAgent(), { ok: false, code: 'input_unavailable', message: 'x' });
    renderWith(services, <AgentInputBar agentId="agent-1" />);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Approve' })));
    agentStatus(services, { status: 'working' });
    expect(screen.getByRole('alert').textContent).toContain(answerFailureText('input_unavailable', ''));
  });

  it('drops a reply focus request that finds the agent no longer waiting, so a later question takes no keyboard', () => {
    const { services } = setup(waitingAgent({ status: 'working' }));
    renderWith(services, <AgentInputBar agentId="agent-1" />);
    act(() => services.answers.getState().requestReplyFocus('agent-1'));
    expect(services.answers.getState().replyFocus['agent-1']).toBeUndefined();
    agentStatus(services, { status: 'waiting_for_input', requestId: 'r9' });
    expect(document.activeElement).not.toBe(reply());
  });

  it('hands the keyboard to the terminal when a failure is dismissed after the agent moved on', async () => {
    const { services } = setup(waitingAgent(), { ok: false, code: 'input_unavailable', message: 'x' });
    const onLeave = vi.fn();
    renderWith(services, <AgentInputBar agentId="agent-1" onLeave={onLeave} />);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Approve' })));
    agentStatus(services, { status: 'working' });
    fireEvent.click(screen.getByRole('button', { name: 'Dismiss' }));
    expect(onLeave).toHaveBeenCalledTimes(1);
    expect(screen.queryByTestId('answer-bar')).toBeNull();
    expect(services.answers.getState().replyFocus['agent-1']).toBeUndefined();
  });

  it('takes a reply focus request, once, when it has a reply box', () => {
    const { services } = setup();
    act(() => services.answers.getState().requestReplyFocus('agent-1'));
    renderWith(services, <AgentInputBar agentId="agent-1" />);
    expect(document.activeElement).toBe(reply());
    expect(services.answers.getState().takeReplyFocus('agent-1')).toBe(false);
  });

  it('gives every control an accessible name and uses role=alert for failures only', () => {
    const { services } = setup(waitingAgent({ choices: CHOICES }));
    renderWith(services, <AgentInputBar agentId="agent-1" />);
    const bar = screen.getByRole('group', { name: 'Answer agent agent-1' });
    for (const control of within(bar).getAllByRole('button')) expect(control.textContent?.trim()).not.toBe('');
    expect(screen.queryByRole('alert')).toBeNull();
    expect(reply().getAttribute('aria-describedby')).toBe(screen.getByTestId('answer-status').id);
  });
});

describe('answer controls with hostile text', () => {
  const NASTY = '<img src=x onerror=alert(1)>\u202Eynned\u202C\x1b[31m\x07 🙂';

  it('show prompt, labels and a hub’s message as text, without controls or bidi overrides', async () => {
    const choices = [{ id: 'c1', label: `a ${NASTY}` }];
    const { services } = setup(waitingAgent({ prompt: `line one\r\n${NASTY}`, choices }), {
      ok: false,
      code: 'input_rejected',
      message: `no\n${NASTY}`,
    });
    const { container } = renderWith(
      services,
      <>
        <AgentInputBar agentId="agent-1" />
        <QuickAnswer agentId="agent-1" />
      </>,
    );
    expect(container.querySelector('img')).toBeNull();
    expect(screen.getByTestId('answer-prompt').textContent).toBe('‖line one\n<img src=x onerror=alert(1)>ynned[31m 🙂');
    const shown = '<img src=x onerror=alert(1)>ynned[31m 🙂';
    for (const button of screen.getAllByRole('button', { name: `a ${shown}` })) expect(button).toBeTruthy();
    expect(screen.getAllByRole('button', { name: `a ${shown}` })).toHaveLength(2);
    await act(async () => fireEvent.click(screen.getAllByRole('button', { name: `a ${shown}` })[0]));
    for (const alert of screen.getAllByRole('alert')) expect(alert.textContent).toContain(`no ${shown}`);
    // What was sent is the label as the agent wrote it.
    expect(services.bridge.sendInput).toHaveBeenCalledWith('agent-1', choiceInput(choices[0], 'r1'));
  });

  it('names a card’s group with the start of a long prompt only', () => {
    const { services } = setup(waitingAgent({ prompt: 'p'.repeat(4000) }));
    renderWith(services, <QuickAnswer agentId="agent-1" />);
    const name = screen.getByTestId('quick-answer').getAttribute('aria-label') ?? '';
    expect(name.length).toBeLessThan(150);
    expect(
      screen.getByTestId('quick-answer').querySelector('.quick-answer-prompt')?.getAttribute('title'),
    ).toHaveLength(4000);
  });

  it('answers agents whose ids are names of object members like any other', async () => {
    // (`__proto__` is left out here: the board store cannot hold an agent of that name yet; the answer store can.)
    for (const agentId of ['constructor', 'toString', 'valueOf']) {
      const { services, bridge } = setup(waitingAgent({ agentId }), { ok: true, inputId: 'in-1' });
      renderWith(
        services,
        <>
          <AgentInputBar agentId={agentId} />
          <QuickAnswer agentId={agentId} />
          <AgentInputBar agentId="hasOwnProperty" />
        </>,
      );
      expect(screen.getAllByTestId('answer-bar')).toHaveLength(1);
      await act(async () => fireEvent.click(screen.getAllByRole('button', { name: 'Approve' })[0]));
      expect(bridge.sendInput).toHaveBeenCalledWith(agentId, choiceInput(CHOICES[0], 'r1'));
      expect(screen.getByTestId('answer-status').textContent).toMatch(/^Sent/);
      cleanup();
    }
  });
});

describe('QuickAnswer', () => {
  it('renders nothing while the agent is not waiting', () => {
    const { services } = setup(waitingAgent({ status: 'working' }));
    renderWith(services, <QuickAnswer agentId="agent-1" />);
    expect(screen.queryByTestId('quick-answer')).toBeNull();
  });

  it('sends a choice with the request id and says how it went', async () => {
    const { services, bridge, pending } = setup();
    renderWith(services, <QuickAnswer agentId="agent-1" />);
    fireEvent.click(screen.getByRole('button', { name: 'Approve' }));
    expect(sent(bridge)).toEqual([{ action: 'approve', choice: 'approve', requestId: 'r1' }]);
    expect(screen.getByRole('status').textContent).toBe('Sending…');
    await settle(pending, { ok: true, inputId: 'in-1' });
    expect(screen.getByRole('status').textContent).toBe('Sent');
  });

  it(`shows the first ${QUICK_CHOICES} choices and “More…”, which opens the pane with the reply box focused`, () => {
    const { services } = setup(waitingAgent({ choices: CHOICES }));
    renderWith(services, <QuickAnswer agentId="agent-1" />);
    const card = screen.getByTestId('quick-answer');
    expect([...card.querySelectorAll('.quick-answer-choice')].map((b) => b.textContent)).toEqual(
      CHOICES.slice(0, QUICK_CHOICES).map((choice) => choice.label),
    );
    fireEvent.click(screen.getByRole('button', { name: 'More…' }));
    expect(services.layout.getState().panes.map((pane) => pane.agentId)).toEqual(['agent-1']);
    expect(services.answers.getState().takeReplyFocus('agent-1')).toBe(true);
  });

  it('offers “Reply…” when every choice fits', () => {
    const { services } = setup();
    renderWith(services, <QuickAnswer agentId="agent-1" />);
    expect(screen.getByRole('button', { name: 'Reply…' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'More…' })).toBeNull();
  });

  it('shows the prompt unless the row shows it already', () => {
    const { services } = setup();
    renderWith(services, <QuickAnswer agentId="agent-1" />);
    expect(screen.getByTestId('quick-answer').textContent).toContain('Run the migration?');
    cleanup();
    renderWith(services, <QuickAnswer agentId="agent-1" promptShown />);
    expect(screen.getByTestId('quick-answer').textContent).not.toContain('Run the migration?');
    expect(screen.getByRole('group').getAttribute('aria-label')).toBe('Agent agent-1 asks: Run the migration?');
  });

  it('without rights: the choices are aria-disabled, linked to the reason, and send nothing; “Reply…” still opens the pane', () => {
    const { services, bridge } = setup();
    setConnection(services, 'open', []);
    renderWith(services, <QuickAnswer agentId="agent-1" />);
    const approve = screen.getByRole('button', { name: 'Approve' });
    expect(approve.getAttribute('aria-disabled')).toBe('true');
    const reasonId = approve.getAttribute('aria-describedby');
    expect(reasonId && document.getElementById(reasonId)?.textContent).toMatch(/not answer it/);
    fireEvent.click(approve);
    expect(sent(bridge)).toEqual([]);
    fireEvent.click(screen.getByRole('button', { name: 'Reply…' }));
    expect(services.layout.getState().panes).toHaveLength(1);
  });

  it('shows a failure as a dismissable alert with the mapped words', async () => {
    const { services } = setup(waitingAgent(), { ok: false, code: 'request_not_pending', message: 'x' });
    renderWith(services, <QuickAnswer agentId="agent-1" />);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Deny' })));
    expect(screen.getByRole('alert').textContent).toContain(answerFailureText('request_not_pending', ''));
    fireEvent.click(screen.getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('does not show an accepted answer to an earlier request against a newer one', async () => {
    const { services } = setup(waitingAgent(), { ok: true, inputId: 'in-1' });
    renderWith(services, <QuickAnswer agentId="agent-1" />);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Approve' })));
    expect(screen.getByRole('status').textContent).toBe('Sent');
    agentStatus(services, { status: 'waiting_for_input', requestId: 'r2', prompt: 'Next?', choices: CHOICES });
    expect(screen.queryByRole('status')).toBeNull();
  });
});
