/**
 * The layout's keyboard shortcuts, as a pure function of a key event, so
 * which key does what is tested without a page. Letters act only outside
 * text fields (the caller checks); the Ctrl/Cmd chords act everywhere,
 * a pane's terminal included (its key handler leaves Ctrl/Cmd chords to the
 * page).
 */
export type LayoutAction =
  'toggle-board' | 'toggle-mode' | 'focus-project' | 'open-settings' | 'maximize-pane' | 'close-pane';

type KeyFields = Pick<KeyboardEvent, 'key' | 'code' | 'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey'>;

const LETTERS: Record<string, LayoutAction> = { b: 'toggle-board', g: 'toggle-mode', p: 'focus-project' };

/** The action a key asks for, or null. `letter` tells whether it is a single-letter one. */
export function layoutAction(event: KeyFields): { action: LayoutAction; letter: boolean } | null {
  if (event.altKey) return null;
  const command = event.ctrlKey || event.metaKey;
  if (!command) {
    if (event.shiftKey || !Object.hasOwn(LETTERS, event.key)) return null;
    return { action: LETTERS[event.key], letter: true };
  }
  if (event.shiftKey) {
    if (event.key === 'Enter') return { action: 'maximize-pane', letter: false };
    if (event.key.toLowerCase() === 'x') return { action: 'close-pane', letter: false };
    return null;
  }
  // `code` too: some layouts type the comma with Shift or elsewhere.
  if (event.key === ',' || event.code === 'Comma') return { action: 'open-settings', letter: false };
  return null;
}
