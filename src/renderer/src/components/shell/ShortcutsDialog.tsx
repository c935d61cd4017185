import { Dialog } from './Dialog';

export const SHORTCUTS: Array<[string, string]> = [
  ['j / k', 'Next / previous issue or agent'],
  ['Enter', "Open the selected agent's pane, or the selected issue's details"],
  ['o', "Open the selected issue's agent pane"],
  ['/', 'Filter issues'],
  ['Ctrl/Cmd + 1…9', 'Focus pane 1…9'],
  ['Ctrl/Cmd + F', 'Search in the focused pane'],
  ['Enter / Shift + Enter', 'Next / previous match'],
  ['PageUp / PageDown / Home', 'Scroll the focused pane (pauses following)'],
  ['End', 'Jump to live output'],
  ['Escape', 'Close search, clear and leave the filter, close dialogs and issue details'],
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
