/**
 * Shell commands as an agent runs them, with the output the real tools print:
 * ripgrep, vitest, tsc, npm, eslint, git and gh. Spinners and progress bars
 * arrive one redraw (`\r…`) per chunk.
 */
import { ERASE_LINE, NL, SPINNER_FRAMES, hyperlink, paint, prompt } from './ansi';
import { CODE_LINES } from './agent-lines';
import { type OutputContext, agentLine, branchOf, burst, hex } from './output-chunks';
import { type Rng, int, pick } from './rng';

const TEST_NAMES = [
  'resumes from the last offset after reconnect',
  'keeps the card in place when the stage changes',
  'rounds half-even per line item',
  'rejects an expired token with 401',
  'retries webhooks with exponential backoff',
  'renders 日本語 and 中文 names in the PDF',
] as const;

export function search(rng: Rng, context: OutputContext): string[] {
  const term = pick(rng, ['lastOffset', 'retryDelay', 'stage_changed', 'roundHalfEven', 'TODO']);
  const lines = [prompt(context.project.id, branchOf(context), `rg -n ${term} src`)];
  for (let f = int(rng, 1, 3); f > 0; f--) {
    lines.push(`${paint('magenta', pick(rng, context.project.files))}${NL}`);
    for (let m = int(rng, 1, 3); m > 0; m--) {
      const code = pick(rng, CODE_LINES);
      const cut = code.indexOf(' ');
      const hit = `${code.slice(0, cut + 1)}${paint('boldRed', term)}${code.slice(cut)}`;
      lines.push(`${paint('green', String(int(rng, 3, 480)))}:    ${hit}${NL}`);
    }
    lines.push(NL);
  }
  return burst(rng, lines);
}

export function testRun(rng: Rng, context: OutputContext, failing: boolean): string[] {
  const files = context.project.testFiles;
  const chunks = burst(rng, [
    prompt(context.project.id, branchOf(context), 'npm test'),
    NL,
    `> ${context.project.id}@0.${int(rng, 1, 9)}.${int(rng, 0, 20)} test${NL}`,
    `> vitest run${NL}`,
    NL,
  ]);
  const frames = int(rng, 4, 10);
  for (let i = 0; i < frames; i++) {
    // Redrawn in place with `\r`, one frame per chunk, as a spinner reaches the PTY.
    chunks.push(`\r${SPINNER_FRAMES[i % SPINNER_FRAMES.length]} Running tests… ${i}/${frames}`);
  }
  const testFile = pick(rng, files);
  const name = pick(rng, TEST_NAMES);
  // The first result line also wipes the last spinner frame.
  const lines = [`\r${ERASE_LINE}`];
  let total = 0;
  for (const file of files) {
    const count = int(rng, 3, 40);
    total += count;
    if (failing && file === testFile) {
      const summary = `${paint('gray', `(${count} tests | `)}${paint('red', '1 failed')}${paint('gray', ')')}`;
      lines.push(
        ` ${paint('yellow', '❯')} ${file} ${summary}${NL}`,
        `   ${paint('red', '✗')} ${name} ${paint('gray', `${int(rng, 2, 80)}ms`)}${NL}`,
        `     ${paint('red', '→ expected 3 to be 2 // Object.is equality')}${NL}`,
      );
    } else {
      lines.push(` ${paint('green', '✓')} ${file} ${paint('gray', `(${count} tests) ${int(rng, 4, 900)}ms`)}${NL}`);
    }
  }
  const passed = failing ? total - 1 : total;
  if (failing) {
    const lineNo = int(rng, 12, 200);
    lines.push(
      NL,
      `${paint('failBadge', ' FAIL ')} ${testFile} > ${name}${NL}`,
      `${paint('boldRed', 'AssertionError')}${paint('red', ': expected 3 to be 2 // Object.is equality')}${NL}`,
      NL,
      `${paint('green', '- Expected')}${NL}${paint('red', '+ Received')}${NL}${NL}`,
      `${paint('green', '- 2')}${NL}${paint('red', '+ 3')}${NL}${NL}`,
      ` ${paint('cyan', '❯')} ${testFile}:${lineNo}:17${NL}`,
      `    ${paint('gray', `${lineNo}|`)}     expect(received).toBe(2);${NL}`,
      `     ${paint('gray', '|')}                      ${paint('red', '^')}${NL}`,
      `${paint('gray', `    at Object.<anonymous> (${testFile}:${lineNo}:17)`)}${NL}`,
      `${paint('gray', '    at processTicksAndRejections (node:internal/process/task_queues:95:5)')}${NL}`,
      NL,
      ` Test Files  ${paint('boldRed', '1 failed')} | ${paint('boldGreen', `${files.length - 1} passed`)} (${files.length})${NL}`,
      `      Tests  ${paint('boldRed', '1 failed')} | ${paint('boldGreen', `${passed} passed`)} (${total})${NL}`,
    );
  } else {
    lines.push(
      NL,
      ` Test Files  ${paint('boldGreen', `${files.length} passed`)} (${files.length})${NL}`,
      `      Tests  ${paint('boldGreen', `${passed} passed`)} (${total})${NL}`,
    );
  }
  lines.push(`   Duration  ${(rng() * 9 + 0.5).toFixed(2)}s${NL}`);
  return [...chunks, ...burst(rng, lines)];
}

export function compilerErrors(rng: Rng, context: OutputContext): string[] {
  const file = pick(rng, context.project.files);
  const lineNo = int(rng, 10, 400);
  const column = int(rng, 5, 20);
  return burst(rng, [
    prompt(context.project.id, branchOf(context), 'npx tsc --noEmit'),
    `${paint('cyan', file)}:${paint('yellow', String(lineNo))}:${paint('yellow', String(column))} - ${paint('red', 'error')}${paint('gray', ' TS2322: ')}Type 'string | undefined' is not assignable to type 'string'.${NL}`,
    NL,
    `${paint('inverse', String(lineNo))}     const id: string = params.get('id');${NL}`,
    `${paint('inverse', ' '.repeat(String(lineNo).length))}${' '.repeat(column)}${paint('red', '~~')}${NL}`,
    NL,
    `Found 1 error in ${file}${paint('gray', `:${lineNo}`)}${NL}`,
  ]);
}

export function installProgress(rng: Rng, context: OutputContext): string[] {
  const chunks = [prompt(context.project.id, branchOf(context), 'npm ci')];
  const width = 30;
  for (let percent = 0; percent < 100; percent += int(rng, 7, 25)) {
    const filled = Math.round((percent / 100) * width);
    const bar = `${'█'.repeat(filled)}${paint('gray', '░'.repeat(width - filled))}`;
    chunks.push(
      `\r${SPINNER_FRAMES[percent % SPINNER_FRAMES.length]} ▕${bar}▏ ${String(percent).padStart(3)}% reify:${pick(rng, ['zod', 'vite', 'typescript', 'ws', 'pino'])}`,
    );
  }
  chunks.push(
    `\r${ERASE_LINE}${NL}added ${int(rng, 200, 900)} packages, and audited ${int(rng, 900, 1000)} packages in ${int(rng, 2, 30)}s${NL}`,
  );
  chunks.push(`${NL}found ${paint('boldGreen', '0')} vulnerabilities${NL}`);
  return chunks;
}

/** A structured log line well over 200 columns, to exercise wrapping. */
export function longLogLine(rng: Rng, context: OutputContext): string[] {
  const record = {
    level: 30,
    time: 1_718_035_200_000 + int(rng, 0, 86_400_000),
    pid: int(rng, 1000, 99_999),
    hostname: 'falcon-dev-7f9c',
    reqId: `req-${hex(rng, 6)}`,
    agentId: context.agentId,
    msg: 'request completed',
    req: {
      method: 'GET',
      url: `/api/projects/${context.project.id}/issues?status=in_progress&stage=${context.stage}&limit=50&cursor=${hex(rng, 24)}`,
    },
    res: {
      statusCode: 200,
      headers: { 'content-type': 'application/json; charset=utf-8', 'x-request-id': hex(rng, 32) },
    },
    responseTime: Number((rng() * 40).toFixed(3)),
  };
  return burst(rng, [`${paint('gray', JSON.stringify(record))}${NL}`]);
}

export function diffStat(rng: Rng, context: OutputContext): string[] {
  const files = [...context.project.files.slice(0, int(rng, 1, 3)), pick(rng, context.project.testFiles)];
  let insertions = 0;
  let deletions = 0;
  const lines = [prompt(context.project.id, branchOf(context), 'git diff --stat main...')];
  for (const file of files) {
    const plus = int(rng, 1, 40);
    const minus = int(rng, 0, 15);
    insertions += plus;
    deletions += minus;
    const graph =
      paint('green', '+'.repeat(Math.ceil(plus / 2))) +
      (minus > 0 ? paint('red', '-'.repeat(Math.ceil(minus / 2))) : '');
    lines.push(` ${file.padEnd(40)} | ${String(plus + minus).padStart(3)} ${graph}${NL}`);
  }
  lines.push(` ${files.length} files changed, ${insertions} insertions(+), ${deletions} deletions(-)${NL}`);
  return burst(rng, lines);
}

export function lint(rng: Rng, context: OutputContext): string[] {
  const file = pick(rng, context.project.files);
  return burst(rng, [
    prompt(context.project.id, branchOf(context), 'npx eslint --max-warnings 0 .'),
    NL,
    `${paint('underline', `/home/agent/src/${context.project.id}/${file}`)}${NL}`,
    `  ${paint('gray', `${int(rng, 3, 300)}:${int(rng, 1, 30)}`)}  ${paint('yellow', 'warning')}  'retries' is assigned a value but never used  ${paint('gray', '@typescript-eslint/no-unused-vars')}${NL}`,
    NL,
    `${paint('yellow', '✖ 1 problem (0 errors, 1 warning)')}${NL}`,
  ]);
}

/** Both link kinds: an OSC 8 hyperlink the agent prints and the plain URL `gh` prints. */
export function pullRequest(rng: Rng, context: OutputContext): string[] {
  const number = int(rng, 1000, 4999);
  const url = `https://github.com/falcon-pm/${context.project.id}/pull/${number}`;
  return burst(rng, [
    prompt(context.project.id, branchOf(context), 'gh pr create --fill'),
    `Creating pull request for ${paint('cyan', branchOf(context))} into ${paint('cyan', 'main')} in falcon-pm/${context.project.id}${NL}`,
    NL,
    `${url}${NL}`,
    agentLine(
      `Opened ${hyperlink(url, paint('underline', `PR #${number}`))} for #${context.issueId}: ${context.title}`,
    ),
    `  ⎿  CI: https://ci.falcon.dev/runs/${int(rng, 100_000, 999_999)}${NL}`,
  ]);
}
