/**
 * Output in the agent's own voice: stage banners, thinking, tool calls, edits
 * as diffs, summaries, and the lines around a question or a failure.
 */
import { NL, paint, sgr } from './ansi';
import { type OutputContext, agentLine, burst, hex } from './output-chunks';
import { type Rng, int, pick, sample } from './rng';

/** Output that interrupts the work, plus a plain-text message for `agent_status`. */
export interface Interruption {
  chunks: string[];
  message: string;
}

/** A question the agent asks, and the human's reply it prints when it resumes. */
export interface Question extends Interruption {
  reply: string[];
}

export const CODE_LINES = [
  'const pending = new Map<string, Deferred<void>>();',
  'if (!session || session.closed) return;',
  'await queue.flush({ timeoutMs: 2_000 });',
  "logger.debug({ issueId, stage }, 'stage changed');",
  'return Math.min(30_000, 250 * 2 ** attempt);',
  'for (const [id, agent] of agents) {',
  'const offset = lastSeen.get(channel) ?? 0;',
  'throw new RangeError(`limit must be 1–500, got ${limit}`);',
  'return items.slice(cursor, cursor + limit);',
  'const total = lines.reduce((sum, line) => sum + line.amount, 0n);',
  '// Rounded per line so the invoice total matches what Stripe charges.',
  'setStatus((prev) => (prev === next ? prev : next));',
  'clearTimeout(this.retryTimer);',
  "const label = t('status.blocked', { defaultValue: '已阻塞' });",
  'if (event.offset <= this.lastOffset) continue;',
  "emit({ type: 'stage_changed', issueId, oldStage, newStage });",
] as const;

const THOUGHTS = [
  'The failure only happens when two events arrive in the same tick, so this is ordering, not data.',
  'The existing helper already handles retries; reuse it instead of adding a second loop.',
  'A narrower fix is safer: keep the public signature and change only the internal cache.',
  'I should check the callers before renaming this — rg shows three of them.',
  'The test is flaky because it depends on wall-clock time; switch it to fake timers.',
  "The spec says offsets are per channel, so a global counter won't survive a reconnect.",
  'Rounding per line item vs. per invoice changes totals by a cent; per line matches the provider.',
] as const;

// Each question with the answer a human gives, so the transcript reads sensibly.
const QUESTIONS = [
  ['The migration drops column legacy_status. Run it against the staging database?', 'yes, staging is fine'],
  ['Two tests assert the old rounding. Update them to half-even, or keep both behind a flag?', 'update them'],
  ['This changes a public API response. Bump the API version to v3?', 'no — keep v2 and add the field'],
  ['npm audit wants to move ws to a new major version. Allow it?', 'not in this PR'],
  ["I can't reproduce the flake after 50 runs. Keep digging, or add a retry and move on?", 'add the retry'],
] as const;

const FAILURES = [
  {
    error: 'Error: connect ECONNREFUSED 127.0.0.1:5432',
    at: 'TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16)',
  },
  { error: 'APIError: 429 Too Many Requests (retries exhausted)', at: 'Agent.callModel (agent/runtime.ts:211:13)' },
  { error: 'Error: merge conflict in package-lock.json', at: 'Git.rebase (agent/tools/git.ts:88:11)' },
  {
    error: 'ContextOverflowError: context window exhausted while reading test logs',
    at: 'Agent.step (agent/runtime.ts:164:9)',
  },
  { error: 'Error: npm test exited with code 1 after 3 attempts', at: 'Bash.run (agent/tools/bash.ts:57:15)' },
] as const;

export function stageBanner(context: OutputContext): string[] {
  const text = ` ${context.stage} · #${context.issueId} ${context.title} `;
  return [`${NL}${paint('violet', `━━━${text}${'━'.repeat(Math.max(3, 72 - text.length))}`)}${NL}`];
}

export function thinking(rng: Rng): string[] {
  const lines = [`${paint('orange', '✻')} ${paint('italic', 'Thinking…')}${NL}`];
  for (const thought of sample(rng, THOUGHTS, int(rng, 1, 3)))
    lines.push(`  ${sgr.dim}${sgr.italic}${thought}${sgr.reset}${NL}`);
  return burst(rng, lines);
}

export function readFile(rng: Rng, context: OutputContext): string[] {
  return burst(rng, [
    agentLine(`${paint('bold', 'Read')}(${pick(rng, context.project.files)})`),
    `  ⎿  Read ${paint('bold', String(int(rng, 40, 600)))} lines ${paint('gray', '(ctrl+r to expand)')}${NL}`,
  ]);
}

export function todoList(rng: Rng, context: OutputContext): string[] {
  const steps = [
    'Reproduce the problem in a test',
    `Fix ${pick(rng, context.project.files)}`,
    'Run the suite and lint',
    'Open a PR',
  ];
  const done = int(rng, 0, 2);
  return burst(rng, [
    agentLine(paint('bold', 'Update Todos')),
    ...steps.map((step, i) => `  ${i === 0 ? '⎿' : ' '}  ${i < done ? `☒ ${paint('gray', step)}` : `☐ ${step}`}${NL}`),
  ]);
}

/** An edit shown as a unified diff with red removals and green additions. */
export function editDiff(rng: Rng, context: OutputContext): string[] {
  const file = pick(rng, context.project.files);
  const start = int(rng, 5, 300);
  const body: string[] = [];
  let removed = 0;
  let added = 0;
  for (let i = int(rng, 4, 12); i > 0; i--) {
    const roll = rng();
    const code = pick(rng, CODE_LINES);
    if (roll < 0.5) {
      body.push(`   ${code}${NL}`);
    } else if (roll < 0.72) {
      removed++;
      body.push(paint('red', `-  ${code}`) + NL);
    } else {
      added++;
      body.push(paint('green', `+  ${code}`) + NL);
    }
  }
  // Hunk counts match the body, so the diff is one `git apply` would accept in shape.
  const unchanged = body.length - removed - added;
  const hunk = `@@ -${start},${unchanged + removed} +${start},${unchanged + added} @@`;
  return burst(rng, [
    agentLine(`${paint('bold', 'Update')}(${file})`),
    `  ⎿  Updated ${file} with ${added} additions and ${removed} removals${NL}`,
    paint('bold', `diff --git a/${file} b/${file}`) + NL,
    paint('bold', `index ${hex(rng, 7)}..${hex(rng, 7)} 100644`) + NL,
    paint('bold', `--- a/${file}`) + NL,
    paint('bold', `+++ b/${file}`) + NL,
    `${paint('cyan', hunk)} export function ${pick(rng, ['handleEvent', 'applyRounding', 'render', 'subscribe'])}() {${NL}`,
    ...body,
  ]);
}

/** Box drawing, emoji and CJK together, as agents' summaries print them. */
export function summaryBox(rng: Rng, context: OutputContext): string[] {
  const rows = [
    `✅ ${int(rng, 20, 150)} passed   ❌ 0 failed   ⏱ ${(rng() * 9 + 0.5).toFixed(2)}s`,
    '🌐 i18n: 日本語 · 中文 · 한국어 — OK',
    `🚀 #${context.issueId} ready for review`,
  ];
  return burst(rng, [
    `╭─ ${paint('bold', 'Summary')} ${'─'.repeat(40)}╮${NL}`,
    ...rows.map((row) => `│ ${row.padEnd(48)}│${NL}`),
    `╰${'─'.repeat(50)}╯${NL}`,
  ]);
}

export function question(rng: Rng, context: OutputContext): Question {
  const [text, reply] = pick(rng, QUESTIONS);
  const border = paint('yellow', '│');
  const lines = [
    agentLine(`${paint('bold', 'Needs input')} on #${context.issueId}`),
    `${paint('yellow', `╭${'─'.repeat(60)}`)}${NL}`,
    `${border} ${paint('bold', '?')} ${text}${NL}`,
    `${border}${NL}`,
    `${border} ${paint('cyan', '❯ 1. Yes')}${NL}`,
    `${border}   2. No${NL}`,
    `${border}   3. Tell the agent what to do differently${NL}`,
    `${paint('yellow', `╰${'─'.repeat(60)}`)}${NL}`,
  ];
  return {
    chunks: burst(rng, lines),
    message: text,
    reply: [`${paint('gray', '> ')}${reply}${NL}`, agentLine('Got it — continuing.')],
  };
}

export function failure(rng: Rng, context: OutputContext): Interruption {
  const { error, at } = pick(rng, FAILURES);
  const lines = [
    `${paint('boldRed', `✗ ${error}`)}${NL}`,
    `${paint('gray', `    at ${at}`)}${NL}`,
    `${paint('gray', '    at processTicksAndRejections (node:internal/process/task_queues:95:5)')}${NL}`,
    agentLine(paint('red', `Stopping work on #${context.issueId}; it needs a human to unblock it.`), false),
  ];
  return { chunks: burst(rng, lines), message: error };
}
