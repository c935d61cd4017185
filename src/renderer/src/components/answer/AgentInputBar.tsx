import { type RefObject, useEffect, useId, useRef, useState } from 'react';
import { type InputSent, choiceInput, describeInput, MAX_INPUT_TEXT_LENGTH } from '../../../../shared/agent-input';
import { answerFailureText } from '../../lib/answer-ability';
import { useAnswers, useServices } from '../../services';
import { own } from '../../lib/id-record';
import { ChoiceButton } from './ChoiceButton';
import { shownLine, shownPrompt } from './shown-text';
import { useAnswer } from './use-answer';
import './answer.css';

export interface AgentInputBarProps {
  agentId: string;
  /** Where Escape in the reply box sends the keyboard (the pane's terminal). */
  onLeave?: () => void;
  /** The reply box, for the pane's Alt+R. */
  replyRef?: RefObject<HTMLTextAreaElement | null>;
  /** The pane's menu asked to interrupt the agent (working or waiting): the bar asks to confirm. */
  interruptAsked?: boolean;
  onInterruptDone?: () => void;
}

/** How long the interrupt button stays armed after the first press. */
const INTERRUPT_ARM_MS = 4000;

/**
 * The pane's answer bar, while its agent waits for input: what it asks, one
 * button per choice, a reply box (Enter sends, Shift+Enter is a new line) and
 * an interrupt (pressed twice: it stops the agent). Everything is reachable
 * with Tab. Controls stay focusable when they cannot act, with the reason
 * beside them; each answer's outcome is shown, a failure until dismissed.
 */
export function AgentInputBar({ agentId, onLeave, replyRef, interruptAsked, onInterruptDone }: AgentInputBarProps) {
  const { agent, waiting, ability, progress, send, clear, answeredBy } = useAnswer(agentId);
  const { answers } = useServices();
  const focusRequested = useAnswers((s) => own(s.replyFocus, agentId) === true);
  const ownRef = useRef<HTMLTextAreaElement>(null);
  const textRef = replyRef ?? ownRef;
  const [text, setText] = useState('');
  // The request the interrupt was armed for: a new question disarms it (it was meant for the last one).
  const [armedFor, setArmedFor] = useState<string | null>(null);
  const armKey = agent?.requestId ?? '';
  const armed = armedFor === armKey;
  const setArmed = (on: boolean) => setArmedFor(on ? armKey : null);
  const reasonId = useId();
  const statusId = useId();

  useEffect(() => {
    if (armedFor === null) return;
    const timer = setTimeout(() => setArmedFor(null), INTERRUPT_ARM_MS);
    return () => clearTimeout(timer);
  }, [armedFor]);

  // A card's "Reply…" or a notification asked for the reply box (maybe while opening this pane).
  // One that finds the agent no longer waiting is dropped: kept, it would take the keyboard from wherever it is
  // the next time the agent asks something, maybe hours later.
  useEffect(() => {
    if (!focusRequested) return;
    if (!waiting) {
      answers.getState().takeReplyFocus(agentId);
      return;
    }
    if (textRef.current && answers.getState().takeReplyFocus(agentId)) textRef.current.focus();
  }, [focusRequested, textRef, waiting, answers, agentId]);

  const confirmRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (interruptAsked) confirmRef.current?.focus();
  }, [interruptAsked]);

  if (!waiting && !progress && !interruptAsked) return null;
  const sending = progress?.state === 'sending';
  const blocked = !ability.ok || sending;
  const choices = waiting ? (agent?.choices ?? []) : [];
  const requestOf = () => (waiting ? agent?.requestId : undefined);

  const answer = (input: Parameters<typeof send>[0], after?: () => void) => {
    if (blocked) return;
    void send(input).then((outcome) => {
      if (outcome.ok) after?.();
    });
  };
  const sendReply = () => {
    const body = text.replace(/\s+$/, '');
    if (body.trim() === '') return;
    const request = requestOf();
    answer({ action: 'reply', text: body, ...(request !== undefined ? { requestId: request } : {}) }, () =>
      setText(''),
    );
  };
  const interrupt = () => {
    if (!armed) return setArmed(true);
    setArmed(false);
    answer({ action: 'interrupt' });
  };

  const reason = ability.ok ? null : ability.reason;
  const outcome = progressText(progress, agent?.choices, answeredBy);
  return (
    <div
      className="answer-bar"
      data-testid="answer-bar"
      data-state={progress?.state ?? 'idle'}
      data-can-answer={String(ability.ok)}
      role="group"
      aria-label={`Answer agent ${agentId}`}
    >
      {waiting ? (
        <p className="answer-prompt" data-testid="answer-prompt">
          <span className="answer-prompt-sign" aria-hidden="true">
            ‖
          </span>
          {shownPrompt(agent?.prompt ?? '').trim() || 'The agent is waiting for input.'}
        </p>
      ) : null}
      {waiting ? (
        <div className="answer-controls">
          {choices.map((choice) => (
            <ChoiceButton
              key={choice.id}
              className="answer-choice"
              choice={choice}
              blocked={blocked}
              reasonId={reason ? reasonId : undefined}
              onChoose={(picked) => answer(choiceInput(picked, requestOf()))}
            />
          ))}
          <textarea
            ref={textRef}
            className="answer-reply"
            rows={Math.min(6, Math.max(1, text.split('\n').length))}
            value={text}
            maxLength={MAX_INPUT_TEXT_LENGTH}
            // The placeholder carries the reason too: in a short pane the reason line is hidden (answer.css).
            placeholder={
              ability.ok
                ? 'Reply… (Enter sends, Shift+Enter new line)'
                : ability.why === 'no_rights'
                  ? 'Read-only: this token may not answer'
                  : 'Not connected: write now, send when back'
            }
            aria-label={`Reply to agent ${agentId}`}
            aria-describedby={reason ? `${reasonId} ${statusId}` : statusId}
            // While disconnected a reply can still be written (it is sent with Enter once the hub is back).
            aria-disabled={!ability.ok && ability.why === 'no_rights'}
            readOnly={!ability.ok && ability.why === 'no_rights'}
            onChange={(event) => setText(event.target.value)}
            onKeyDown={(event) => {
              // Keys that end or cancel an IME composition are the IME's (Safari reports the Enter that
              // commits one with isComposing false but keyCode 229).
              if (event.nativeEvent.isComposing || event.nativeEvent.keyCode === 229) return;
              if (event.key === 'Escape') {
                event.preventDefault();
                onLeave?.();
                return;
              }
              if (event.key !== 'Enter' || event.shiftKey) return;
              event.preventDefault();
              sendReply();
            }}
          />
          <button
            type="button"
            className="answer-send"
            aria-disabled={blocked || text.trim() === ''}
            aria-describedby={reason ? reasonId : undefined}
            onClick={sendReply}
          >
            Send
          </button>
          <button
            type="button"
            className="answer-interrupt"
            data-armed={String(armed)}
            aria-disabled={blocked}
            aria-describedby={reason ? reasonId : undefined}
            title="Stops the agent; press twice"
            onClick={interrupt}
            onBlur={() => setArmed(false)}
          >
            {armed ? 'Press again to interrupt' : 'Interrupt'}
          </button>
        </div>
      ) : null}
      {interruptAsked ? (
        <div className="answer-confirm" role="alertdialog" aria-label={`Interrupt agent ${agentId}?`}>
          <span>Interrupt {agentId}? It stops the agent.</span>
          <button
            ref={confirmRef}
            type="button"
            className="answer-interrupt"
            data-armed="true"
            aria-disabled={blocked}
            aria-describedby={reason ? reasonId : undefined}
            onClick={() => {
              if (blocked) return;
              onInterruptDone?.();
              answer({ action: 'interrupt' });
            }}
          >
            Interrupt
          </button>
          <button
            type="button"
            onClick={() => {
              onInterruptDone?.();
              onLeave?.();
            }}
          >
            Cancel
          </button>
        </div>
      ) : null}
      {reason ? (
        <p id={reasonId} className="answer-reason" data-testid="answer-reason">
          {reason}
        </p>
      ) : null}
      <p
        // A failure is a new alert element (a live region that changes its role is not reliably announced).
        key={progress?.state === 'failed' ? 'alert' : 'status'}
        id={statusId}
        className="answer-status"
        data-testid="answer-status"
        role={progress?.state === 'failed' ? 'alert' : 'status'}
      >
        {outcome}
        {progress?.state === 'failed' ? (
          <button
            type="button"
            className="answer-dismiss"
            aria-label="Dismiss"
            onClick={() => {
              clear();
              // The keyboard goes back to the reply box, or to the terminal when there is none any more.
              if (textRef.current) textRef.current.focus();
              else onLeave?.();
            }}
          >
            ✕
          </button>
        ) : null}
      </p>
    </div>
  );
}

/** The line under the controls: what became of this page's answer. */
export function progressText(
  progress: ReturnType<typeof useAnswer>['progress'],
  choices?: readonly { id: string; label: string }[],
  answeredBy?: InputSent,
): string {
  if (!progress) return '';
  const what = shownLine(describeInput(progress.input, choices));
  if (progress.state === 'sending') return `Sending: you ${what}…`;
  if (progress.state === 'sent') return `Sent: you ${what}. Waiting for the agent to go on.`;
  return shownLine(answerFailureText(progress.code, progress.message, answeredBy));
}
