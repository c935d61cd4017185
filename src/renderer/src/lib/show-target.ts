import type { FocusTarget } from '../../../shared/bridge';
import type { AnswerStore } from '../stores/answer-store';
import type { BoardStore } from '../stores/board-store';
import type { FilterStore } from '../stores/filter-store';
import type { LayoutStore } from '../stores/layout-store';

export interface ShowTargetStores {
  board: BoardStore;
  layout: LayoutStore;
  filter: FilterStore;
  answers: AnswerStore;
}

/**
 * Brings a notification's target into view, as the desktop's focus-target
 * does (App.tsx): an agent opens (or focuses) its pane; an issue shows its
 * project, narrows the board to it and opens its agent if it has one.
 * With `reply`, the agent's pane puts the keyboard in its reply box.
 * Returns the pane id opened, if any.
 */
export function showTarget({ board, layout, filter, answers }: ShowTargetStores, target: FocusTarget): string | null {
  if (target.kind === 'agent') {
    if (target.reply) answers.getState().requestReplyFocus(target.id);
    return layout.getState().openPane(target.id);
  }
  const issue = board.getState().issues[target.id];
  if (issue?.projectId) layout.getState().selectProject(issue.projectId);
  filter.getState().setText(`#${target.id}`);
  return issue?.agentId ? layout.getState().openPane(issue.agentId) : null;
}

/** How long focusPaneSoon waits for a pane to be drawn: the first pane's code loads lazily (LazyAgentPane). */
const FOCUS_WAIT_FRAMES = 300;

/**
 * Puts keyboard focus on a pane, once React has drawn it: on its terminal
 * (`terminal`: scroll keys work, but single-letter keys then go to the
 * terminal) or on the pane itself (single-letter keys keep working). The
 * first pane of a session may take a few frames to appear (its code is
 * fetched on first use), so it looks again each frame, for about 5 s at most.
 * Returns the undo (cancels the pending frame).
 */
export function focusPaneSoon(paneId: string, terminal: boolean): () => void {
  let frame = 0;
  let left = FOCUS_WAIT_FRAMES;
  const attempt = () => {
    const pane = document.querySelector<HTMLElement>(`[data-pane-id="${paneId.replace(/["\\]/g, '\\$&')}"]`);
    if (!pane) {
      if (--left > 0) frame = requestAnimationFrame(attempt);
      return;
    }
    ((terminal && pane.querySelector<HTMLElement>('.xterm-helper-textarea')) || pane).focus();
  };
  frame = requestAnimationFrame(attempt);
  return () => cancelAnimationFrame(frame);
}
