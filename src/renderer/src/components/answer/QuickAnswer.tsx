import { useId } from 'react';
import { choiceInput } from '../../../../shared/agent-input';
import { answerFailureText } from '../../lib/answer-ability';
import { useServices } from '../../services';
import { ChoiceButton } from './ChoiceButton';
import { shownLine } from './shown-text';
import { useAnswer } from './use-answer';
import './answer.css';

/** Choices shown on a card or row; the rest are in the pane. */
export const QUICK_CHOICES = 3;

export interface QuickAnswerProps {
  agentId: string;
  /** The prompt is shown beside it already (an agent row's message): only the badge and the choices. */
  promptShown?: boolean;
}

/**
 * The waiting badge of a card or agent row: what the agent asks (one line,
 * all of it on hover), its first choices as buttons, and "Reply…", which opens
 * the agent's pane with the keyboard in its reply box. Renders nothing while
 * the agent is not waiting and no answer of this page is pending or failed.
 */
export function QuickAnswer({ agentId, promptShown = false }: QuickAnswerProps) {
  const { agent, waiting, ability, progress, send, clear } = useAnswer(agentId);
  const { layout, answers } = useServices();
  const reasonId = useId();
  if (!waiting && !progress) return null;
  const choices = waiting ? (agent?.choices ?? []) : [];
  const shown = choices.slice(0, QUICK_CHOICES);
  const sending = progress?.state === 'sending';
  const blocked = !ability.ok || sending;
  const reason = ability.ok ? null : ability.reason;
  const prompt = shownLine(agent?.prompt ?? '') || 'Waiting for input';
  const openReply = () => {
    layout.getState().openPane(agentId);
    answers.getState().requestReplyFocus(agentId);
  };
  const status =
    progress?.state === 'failed'
      ? shownLine(answerFailureText(progress.code, progress.message))
      : progress?.state === 'sending'
        ? 'Sending…'
        : progress?.state === 'sent'
          ? 'Sent'
          : '';
  return (
    <div
      className="quick-answer"
      data-testid="quick-answer"
      data-agent-id={agentId}
      data-can-answer={String(ability.ok)}
      role="group"
      aria-label={`Agent ${agentId} asks: ${brief(prompt)}`}
    >
      {waiting ? (
        <p className="quick-answer-prompt" title={prompt}>
          <span className="quick-answer-badge">‖ Waiting</span> {promptShown ? null : prompt}
        </p>
      ) : null}
      {waiting ? (
        <div className="quick-answer-choices">
          {shown.map((choice) => (
            <ChoiceButton
              key={choice.id}
              className="quick-answer-choice"
              choice={choice}
              blocked={blocked}
              reasonId={reason ? reasonId : undefined}
              title={reason ?? `Answer ${agentId}: ${shownLine(choice.label)}`}
              onChoose={(picked) => void send(choiceInput(picked, agent?.requestId))}
            />
          ))}
          <button
            type="button"
            className="quick-answer-reply"
            title={choices.length > shown.length ? 'More choices and a reply box, in the pane' : 'Reply in the pane'}
            onClick={openReply}
          >
            {choices.length > shown.length ? 'More…' : 'Reply…'}
          </button>
        </div>
      ) : null}
      {reason ? (
        <span id={reasonId} className="visually-hidden">
          {reason}
        </span>
      ) : null}
      {status ? (
        <p
          key={progress?.state === 'failed' ? 'alert' : 'status'}
          className="quick-answer-status"
          data-state={progress?.state}
          role={progress?.state === 'failed' ? 'alert' : 'status'}
        >
          {status}
          {progress?.state === 'failed' ? (
            <button type="button" className="answer-dismiss" aria-label="Dismiss" onClick={clear}>
              ✕
            </button>
          ) : null}
        </p>
      ) : null}
    </div>
  );
}

/** The group's name: what the agent asks, its start only (the whole prompt is in the pane; a name is read out at every visit). */
function brief(prompt: string): string {
  return prompt.length > 120 ? `${prompt.slice(0, 119)}…` : prompt;
}
