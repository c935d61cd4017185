import { Dialog } from './Dialog';

export const SHORTCUTS: Array<[string, string]> = [
  ['j / k', 'Next / previous issue or agent'],
  ['Enter', 'Open the selected agent (or the agent of the selected issue)'],
  ['/', 'Filter issues'],
  ['Ctrl/Cmd + 1…9', 'Focus pane 1…9'],
  ['Ctrl/Cmd + F', 'Search in the focused pane'],
  ['Enter / Shift + Enter', 'Next / previous match'],
  ['Ctrl/Cmd + Shift + F', 'Search the output of all open panes'],
  ['Alt + Z', 'Wrap long lines on / off in the focused pane'],
  ['Alt + T', 'Show / hide timestamps in the focused pane'],
  ['Alt + L', 'Filter the focused pane’s lines (Escape clears)'],
  ['Ctrl/Cmd + S', 'Save the focused pane’s output to a file'],
  ['PageUp / PageDown / Home', 'Scroll the focused pane (pauses following)'],
  ['End', 'Jump to live output'],
  ['Escape', 'Close search, clear and leave the filter, close dialogs'],
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
