import { Dialog } from './Dialog';

export interface ShortcutGroup {
  title: string;
  rows: Array<[keys: string, action: string]>;
}

/**
 * Every keyboard shortcut, by area. docs/renderer.md ("Keyboard") carries the
 * same table; test/renderer/shell/shortcuts-docs.test.ts keeps the two equal.
 * Single letters act only when focus is not in a text field or a terminal,
 * and no key acts while a dialog is open.
 */
export const SHORTCUT_GROUPS: ShortcutGroup[] = [
  {
    title: 'Board and agents',
    rows: [
      ['j / k', 'Next / previous issue or agent'],
      ['Enter', "Open the selected agent's pane, or the selected issue's details"],
      ['o', "Open the selected issue's agent pane"],
      ['/', 'Filter issues'],
      ['p', 'Switch project (focuses the project list)'],
      ['b', 'Hide / show the board'],
      ['↑ / ↓, Home / End, Enter', 'On the splitter: resize the board, smallest / largest, reset'],
    ],
  },
  {
    title: 'Attention',
    rows: [
      ['a', 'Jump to the next agent waiting for input or failed (oldest first)'],
      ['Ctrl/Cmd + Shift + A', 'The same, also from a focused terminal'],
      ['h', 'Mark the focused pane’s agent handled (until its status changes)'],
    ],
  },
  {
    title: 'Panes',
    rows: [
      ['Ctrl/Cmd + 1…9', 'Focus pane 1…9'],
      ['Ctrl/Cmd + Shift + Enter', 'Maximise / restore the focused pane'],
      ['Ctrl/Cmd + Shift + X', 'Close the focused pane'],
      ['g', 'Panes as a grid / as tabs'],
      ['←/→, Home / End', 'In the tab bar: previous / next, first / last tab'],
    ],
  },
  {
    title: 'Output',
    rows: [
      ['Ctrl/Cmd + F', 'Search in the focused pane'],
      ['Enter / Shift + Enter', 'Next / previous match'],
      ['Ctrl/Cmd + Shift + F', 'Search the output of all open panes'],
      ['Alt + Z', 'Wrap long lines on / off in the focused pane'],
      ['Alt + T', 'Show / hide timestamps in the focused pane'],
      ['Alt + L', 'Filter the focused pane’s lines (Escape clears)'],
      ['Ctrl/Cmd + S', 'Save the focused pane’s output to a file'],
      ['PageUp / PageDown / Home', 'Scroll the focused pane (pauses following)'],
      ['End', 'Jump to live output'],
    ],
  },
  {
    title: 'Answering agents',
    rows: [
      ['Alt + R', 'Go to the focused pane’s reply box (while its agent waits)'],
      ['Enter', 'In the reply box: send the reply'],
      ['Shift + Enter', 'In the reply box: new line'],
      ['Escape', 'In the reply box: back to the terminal'],
      ['Tab', 'Through the choices, the reply box, Send and Interrupt'],
    ],
  },
  {
    title: 'Everywhere',
    rows: [
      ['Ctrl/Cmd + ,', 'Settings'],
      ['Escape', 'Close search, clear and leave the filter, close dialogs and issue details'],
      ['?', 'Show these shortcuts'],
    ],
  },
];

/** All shortcuts in one list. */
export const SHORTCUTS: Array<[string, string]> = SHORTCUT_GROUPS.flatMap((group) => group.rows);

export function ShortcutsDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  return (
    <Dialog title="Keyboard shortcuts" open={open} onClose={onClose}>
      <div className="shortcut-groups">
        {SHORTCUT_GROUPS.map((group) => (
          <table className="shortcuts" key={group.title}>
            <caption>{group.title}</caption>
            <tbody>
              {group.rows.map(([keys, action]) => (
                <tr key={keys}>
                  <th scope="row">
                    <kbd>{keys}</kbd>
                  </th>
                  <td>{action}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
      </div>
    </Dialog>
  );
}
