import type { AgentChoice } from '../../../../shared/protocol';
import { shownLine } from './shown-text';

export interface ChoiceButtonProps {
  className: string;
  choice: AgentChoice;
  /** Cannot answer now: stays focusable and clickable (aria-disabled), described by the reason. */
  blocked: boolean;
  reasonId?: string;
  title?: string;
  onChoose(choice: AgentChoice): void;
}

/** One of a waiting agent's choices, in the pane's bar or on a card: its label shown as text, never as markup. */
export function ChoiceButton({ className, choice, blocked, reasonId, title, onChoose }: ChoiceButtonProps) {
  return (
    <button
      type="button"
      className={className}
      data-choice-id={choice.id}
      aria-disabled={blocked}
      aria-describedby={reasonId}
      title={title}
      onClick={() => {
        if (!blocked) onChoose(choice);
      }}
    >
      {shownLine(choice.label)}
    </button>
  );
}
