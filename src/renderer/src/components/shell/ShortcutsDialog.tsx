import { Dialog } from './Dialog';

export const SHORTCUTS: Array<[string, string]> = [
  ['j / k', 'Next / previous issue or agent'],
  ['Enter', "Open the selected agent's pane, or the selected issue's details"],
  ['o', "Open the selected issue's agent pane"],
  ['/', 'Filter issues'],
  ['Ctrl/Cmd + 1…9', 'Focus pane 1…9'],
  ['Ctrl/Cmd + Shift + Enter', 'Maximise / restore the focused pane'],
  ['Ctrl/Cmd + Shift + X', 'Close the focused pane'],
  ['g', 'Panes as a grid / as tabs'],
  ['b', 'Hide / show the board'],
  ['↑ / ↓, Home / End, Enter', 'On the splitter: resize the board, smallest / largest, reset'],
  ['p', 'Switch project (focuses the project list)'],
  ['Ctrl/Cmd + ,', 'Settings'],
  ['Ctrl/Cmd + F', 'Search in the focused pane'],
  ['Enter / Shift + Enter', 'Next / previous match'],
  ['Ctrl/Cmd + Shift + F', 'Search the output of all open panes'],
  ['Alt + Z', 'Wrap long lines on / off in the focused pane'],
  ['Alt + T', 'Show / hide timestamps in the focused pane'],
  ['Alt + L', 'Filter the focused pane’s lines (Escape clears)'],
  ['Ctrl/Cmd + S', 'Save the focused pane’s output to a file'],
  ['PageUp / PageDown / Home', 'Scroll the focused pane (pauses following)'],
  ['End', 'Jump to live output'],
  ['Escape', 'Close search, clear and leave the filter, close dialogs and issue details'],
  ['a', 'Jump to the next agent waiting for input or failed (oldest first)'],
  ['Ctrl/Cmd + Shift + A', 'The same, also from a focused terminal'],
  ['h', 'Mark the focused pane’s agent handled (until its status changes)'],
  ['?', 'Show these shortcuts'],
];

export function ShortcutsDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  return (
    <Dialog title="Keyboard shortcuts" open={open} onClose={onClose}>
      <table className="shortcuts">
        <tbody>
          {SHORTCUTS.map(([keys, action]) => (
            <tr key={keys}>
              <th scope="row">
                <kbd>{keys}</kbd>
              </th>
              <td>{action}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Dialog>
  );
}
