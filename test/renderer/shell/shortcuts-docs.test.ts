import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHORTCUT_GROUPS } from '../../../src/renderer/src/components/shell/ShortcutsDialog';

const docs = readFileSync(join(import.meta.dirname, '../../../docs/renderer.md'), 'utf8');

/** The "### Keyboard" section of docs/renderer.md as groups of [keys, action] rows. */
function documentedShortcuts(): Array<{ title: string; rows: Array<[string, string]> }> {
  const start = docs.indexOf('\n### Keyboard\n');
  expect(start, 'docs/renderer.md has a "### Keyboard" section').toBeGreaterThan(-1);
  const end = docs.indexOf('\n## ', start + 1);
  const section = docs.slice(start, end === -1 ? undefined : end);
  const groups: Array<{ title: string; rows: Array<[string, string]> }> = [];
  for (const line of section.split('\n')) {
    const heading = /^#### (.+)$/.exec(line);
    if (heading) groups.push({ title: heading[1].trim(), rows: [] });
    const row = /^\| `(.+?)` +\| (.+?) +\|$/.exec(line);
    if (row && groups.length > 0) groups[groups.length - 1].rows.push([row[1], row[2]]);
  }
  return groups;
}

describe('the shortcuts overlay and docs/renderer.md', () => {
  it('list the same shortcuts, in the same groups and order', () => {
    expect(documentedShortcuts()).toEqual(SHORTCUT_GROUPS);
  });

  it('give every key combination one meaning within a group', () => {
    for (const group of SHORTCUT_GROUPS) {
      const keys = group.rows.map(([combo]) => combo);
      expect(new Set(keys).size, group.title).toBe(keys.length);
    }
  });
});
