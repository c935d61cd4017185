export interface GridDimensions {
  columns: number;
  rows: number;
}

/**
 * Columns × rows for `count` panes, filling wide before tall: 1 → 1×1,
 * 2 → 2×1, 3–4 → 2×2, 5–6 → 3×2, 7–9 → 3×3 (and more rows of 3 past that).
 */
export function gridDimensions(count: number): GridDimensions {
  if (!Number.isFinite(count) || count <= 0) return { columns: 0, rows: 0 };
  if (count === 1) return { columns: 1, rows: 1 };
  if (count === 2) return { columns: 2, rows: 1 };
  if (count <= 4) return { columns: 2, rows: 2 };
  return { columns: 3, rows: Math.ceil(count / 3) };
}

/**
 * The pane index (0-based) a Ctrl/Cmd + 1…9 key event asks for, or null.
 * Reads `code` as well as `key`, so layouts that type digits with Shift (AZERTY) work too.
 */
export function paneShortcutIndex(
  event: Pick<KeyboardEvent, 'key' | 'code' | 'ctrlKey' | 'metaKey' | 'altKey'>,
): number | null {
  if (!(event.ctrlKey || event.metaKey) || event.altKey) return null;
  const digit = /^[1-9]$/.test(event.key) ? event.key : /^(?:Digit|Numpad)([1-9])$/.exec(event.code)?.[1];
  return digit ? Number(digit) - 1 : null;
}
