import { formatMet, formatRatio, formatSummary, label } from './format';
import { OURS, type Figure, type ScenarioResult } from './scenario';

/** The table `npm run bench` prints and docs/performance.md shows: one row per figure, or per failed scenario. */
export interface Row {
  scenario: string;
  metric: string;
  ours: string;
  peers: string;
  ratio: string;
  goal: string;
  met: string;
}

const HEADER: Row = {
  scenario: 'Scenario',
  metric: 'Metric',
  ours: 'Ours',
  peers: 'Peer(s)',
  ratio: 'Ratio',
  goal: 'Goal',
  met: 'Met?',
};

export function rowsOf(results: readonly ScenarioResult[]): Row[] {
  return results.flatMap((result): Row[] => {
    if (result.error) {
      const error = result.error.split('\n')[0].slice(0, 160);
      return [{ scenario: result.id, metric: 'FAILED', ours: error, peers: '', ratio: '', goal: '', met: '' }];
    }
    return result.figures.map((figure) => rowOf(result.id, figure));
  });
}

function rowOf(scenario: string, figure: Figure): Row {
  const ours = figure.values[OURS];
  const peers = Object.entries(figure.values)
    .filter(([variant]) => variant !== OURS)
    .map(([variant, summary]) => `${label(variant)} ${formatSummary(summary)}`)
    .join('; ');
  return {
    scenario,
    metric: `${figure.metric} [${figure.unit}]`,
    ours: ours ? formatSummary(ours) : '—',
    peers: peers || '—',
    ratio: formatRatio(figure),
    goal: figure.goal?.text ?? '—',
    met: formatMet(figure),
  };
}

/** A plain-text table for the terminal. */
export function textTable(rows: readonly Row[]): string {
  const all = [HEADER, ...rows];
  const keys = Object.keys(HEADER) as Array<keyof Row>;
  const widths = keys.map((key) => Math.max(...all.map((row) => [...row[key]].length)));
  const line = (row: Row): string =>
    keys
      .map((key, index) => row[key] + ' '.repeat(widths[index] - [...row[key]].length))
      .join('  ')
      .trimEnd();
  return [line(HEADER), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

const cell = (text: string): string => text.replace(/\|/g, '\\|');

export function markdownTable(rows: readonly Row[]): string {
  const keys = Object.keys(HEADER) as Array<keyof Row>;
  return [
    `| ${keys.map((key) => HEADER[key]).join(' | ')} |`,
    `| ${keys.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${keys.map((key) => cell(row[key])).join(' | ')} |`),
  ].join('\n');
}

/** Every missed goal, with the figure's note (why, and what would close it) when the scenario gave one. */
export function missedGoals(results: readonly ScenarioResult[]): string[] {
  return results.flatMap((result) =>
    result.figures
      .filter((figure) => figure.goal && !figure.goal.met)
      .map((figure) => {
        const ours = figure.values[OURS];
        const measured = [
          ours ? `ours ${formatSummary(ours)} ${figure.unit}` : '',
          figure.ratio ? formatRatio(figure) : '',
        ]
          .filter(Boolean)
          .join(', ');
        return `${result.id} — ${figure.metric}: goal ${figure.goal?.text}, measured ${measured}.${figure.note ? ` ${figure.note}` : ''}`;
      }),
  );
}
