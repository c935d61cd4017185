/**
 * What every output builder shares: the session it writes for and how its
 * lines are cut into the chunks a PTY would deliver.
 */
import { NL, paint } from './ansi';
import type { DemoProject } from './demo-data';
import { type Rng, chance, int } from './rng';

/** The agent session a block of output is written for. */
export interface OutputContext {
  agentId: string;
  issueId: string;
  title: string;
  stage: string;
  project: DemoProject;
}

/** Groups lines into PTY-sized chunks; now and then a chunk ends mid-line, as real reads do. */
export function burst(rng: Rng, lines: readonly string[]): string[] {
  const chunks: string[] = [];
  for (let i = 0; i < lines.length;) {
    const count = int(rng, 1, 4);
    const text = lines.slice(i, i + count).join('');
    i += count;
    // Splitting only at a space never cuts an escape sequence, a surrogate pair or a CRLF.
    const space = chance(rng, 0.15) ? text.indexOf(' ', int(rng, 1, Math.max(1, text.length - 2))) : -1;
    if (space > 0) chunks.push(text.slice(0, space), text.slice(space));
    else chunks.push(text);
  }
  return chunks;
}

export function branchOf(context: OutputContext): string {
  return `falcon-${context.issueId}`;
}

/** A line in the agent's own voice (tool calls, notes), marked like coding-agent CLIs do. */
export function agentLine(text: string, ok = true): string {
  return `${paint(ok ? 'green' : 'red', '⏺')} ${text}${NL}`;
}

export function hex(rng: Rng, length: number): string {
  let out = '';
  while (out.length < length) out += Math.floor(rng() * 16).toString(16);
  return out;
}
