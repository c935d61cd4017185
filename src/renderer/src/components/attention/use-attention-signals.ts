import { useEffect } from 'react';
import { faviconHref, titleWithCount } from '../../lib/favicon-badge';
import { focusPaneSoon } from '../../lib/show-target';
import { type Services, useAttention, useServices } from '../../services';
import { isTypingTarget } from '../board/typing';

/** index.html's title, read before anything adds a count to it. */
const BASE_TITLE = typeof document === 'undefined' ? 'Falcon Monitor' : document.title || 'Falcon Monitor';

/**
 * What the attention queue shows outside the page and does from the keyboard:
 * the count in the tab title ("(2) Falcon Monitor") and as a favicon badge,
 * and the keys — `a` (or Ctrl/Cmd+Shift+A, which also works from a focused
 * terminal) jumps to the next agent needing you, `h` marks the focused
 * pane's agent handled. A detached desktop window shows one pane and takes
 * no part.
 */
export function useAttentionSignals(): void {
  const services = useServices();
  const { bridge } = services;
  const count = useAttention((s) => s.queue.length);
  const detached = bridge.target !== null && bridge.target !== undefined;

  useEffect(() => {
    if (detached) return;
    document.title = titleWithCount(BASE_TITLE, count);
  }, [detached, count]);

  useEffect(() => {
    const link = document.querySelector<HTMLLinkElement>('link#favicon');
    if (detached || !link) return;
    const original = link.getAttribute('href') ?? '';
    if (count > 0) link.setAttribute('href', faviconHref(count));
    return () => link.setAttribute('href', original);
  }, [detached, count]);

  useEffect(() => {
    if (detached) return;
    let undoFocus = () => {};
    const onKey = (event: KeyboardEvent) => {
      const action = attentionKey(event);
      if (!action) return;
      event.preventDefault();
      undoFocus();
      if (action === 'next') {
        // From a terminal the jump lands in the next terminal; elsewhere on the pane, where `a` keeps working.
        const fromTerminal = event.target instanceof Element && event.target.closest('.xterm') !== null;
        undoFocus = jumpToNext(services, fromTerminal);
      } else {
        markFocusedHandled(services);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('keydown', onKey);
      undoFocus();
    };
  }, [detached, services]);
}

/** Which attention action a key press asks for, if any. */
export function attentionKey(event: KeyboardEvent): 'next' | 'handled' | null {
  if (event.defaultPrevented || event.altKey) return null;
  // A modal dialog is open: keys belong to it, not to the page behind it.
  if (document.querySelector('dialog[open]')) return null;
  const command = event.ctrlKey || event.metaKey;
  if (command) return event.shiftKey && event.key.toLowerCase() === 'a' ? 'next' : null;
  if (event.shiftKey || event.repeat || isTypingTarget(event.target)) return null;
  if (event.key === 'a') return 'next';
  if (event.key === 'h') return 'handled';
  return null;
}

/** Opens (or focuses) the pane of the next agent in the queue; returns the undo of the pending focus. */
export function jumpToNext(
  { attention, layout }: Pick<Services, 'attention' | 'layout'>,
  focusTerminal: boolean,
): () => void {
  const state = layout.getState();
  const current = state.panes.find((pane) => pane.id === state.focusedPaneId)?.agentId ?? null;
  const agentId = attention.getState().next(current);
  if (!agentId) return () => {};
  return focusPaneSoon(state.openPane(agentId), focusTerminal);
}

/** Marks the focused pane's agent handled, when it is in the queue. */
export function markFocusedHandled({ attention, layout }: Pick<Services, 'attention' | 'layout'>): boolean {
  const state = layout.getState();
  const agentId = state.panes.find((pane) => pane.id === state.focusedPaneId)?.agentId;
  return agentId !== undefined && attention.getState().markHandled(agentId);
}
