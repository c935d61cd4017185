import { useEffect, useEffectEvent } from 'react';
import { layoutAction } from '../../lib/layout-keys';
import { useServices } from '../../services';
import { isTypingTarget } from '../board/typing';

/**
 * The main window's layout keys: `b` hides/shows the board, `g` switches
 * grid/tabs, `p` focuses the project switcher, Ctrl/Cmd+, opens Settings.
 * (The pane keys, maximise and close, live in PaneGrid.) Nothing happens
 * while a dialog is open, or for a letter typed into a text field.
 */
export function useLayoutShortcuts(openSettings: () => void): void {
  const { layout } = useServices();
  const onOpenSettings = useEffectEvent(openSettings);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const found = layoutAction(event);
      if (!found || event.defaultPrevented || dialogOpen()) return;
      if (found.letter && isTypingTarget(event.target)) return;
      const state = layout.getState();
      switch (found.action) {
        case 'toggle-board':
          state.toggleBoard();
          break;
        case 'toggle-mode':
          state.setMode(state.mode === 'tabs' ? 'grid' : 'tabs');
          break;
        case 'focus-project': {
          const select = document.querySelector<HTMLElement>('.project-switcher select');
          if (!select) return;
          select.focus();
          break;
        }
        case 'open-settings':
          onOpenSettings();
          break;
        default:
          return;
      }
      event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [layout]);
}

/** A modal dialog is open: its keys are its own. */
export function dialogOpen(): boolean {
  return document.querySelector('dialog[open]') !== null;
}
