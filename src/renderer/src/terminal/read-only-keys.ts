import type { Terminal } from '@xterm/xterm';

type Scrollable = Pick<Terminal, 'scrollPages' | 'scrollLines' | 'scrollToTop'>;

/**
 * A key handler for `attachCustomKeyEventHandler` on a read-only terminal
 * (true = let xterm handle the key). The navigation keys scroll (End jumps to
 * live output); Ctrl/Cmd and Alt chords go to the app and the browser —
 * Ctrl/Cmd+F (search), Ctrl/Cmd+1…9 (panes), Ctrl/Cmd+C (copy the selection),
 * Alt+Z/T/L (pane tools) — instead of becoming input nobody reads.
 */
export function readOnlyKeyHandler(terminal: Scrollable, jumpToLive: () => void): (event: KeyboardEvent) => boolean {
  const actions: Record<string, () => void> = {
    PageUp: () => terminal.scrollPages(-1),
    PageDown: () => terminal.scrollPages(1),
    ArrowUp: () => terminal.scrollLines(-1),
    ArrowDown: () => terminal.scrollLines(1),
    Home: () => terminal.scrollToTop(),
    End: jumpToLive,
  };
  return (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return false;
    if (event.shiftKey) return true;
    const action = Object.hasOwn(actions, event.key) ? actions[event.key] : undefined;
    if (!action) return true;
    // xterm asks about keydown, keypress and keyup alike: act once, swallow all three.
    if (event.type === 'keydown') {
      action();
      event.preventDefault();
    }
    return false;
  };
}
