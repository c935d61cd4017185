/**
 * Realistic coding-agent terminal output: the simulator streams it to the hub
 * and the benchmarks replay it, so both meet the escape sequences, redraws,
 * long lines and wide characters a real agent session produces.
 */
import { editDiff, failure, question, readFile, stageBanner, summaryBox, thinking, todoList } from './agent-lines';
import {
  compilerErrors,
  diffStat,
  installProgress,
  lint,
  longLogLine,
  pullRequest,
  search,
  testRun,
} from './command-output';
import { AGENT_MODELS, DEMO_PROJECTS, FIRST_ISSUE_NUMBER, WORK_STAGES } from './demo-data';
import type { OutputContext } from './output-chunks';
import { type Rng, chance, createRng, int, pick, weighted } from './rng';

export { createRng, type Rng } from './rng';
export type { OutputContext } from './output-chunks';
export { type Interruption, type Question, failure, question, stageBanner } from './agent-lines';

type Block = (rng: Rng, context: OutputContext) => string[];

const failingOrPassingTests: Block = (rng, context) => testRun(rng, context, chance(rng, 0.35));
const passingTests: Block = (rng, context) => testRun(rng, context, false);

// Weights follow what agents spend each stage on: reading in plan, editing in
// implement, running tests in test, summarising and opening PRs in review.
const BLOCKS_BY_STAGE: Record<string, readonly (readonly [number, Block])[]> = {
  plan: [
    [3, thinking],
    [3, readFile],
    [2, search],
    [1, todoList],
    [1, longLogLine],
  ],
  implement: [
    [2, thinking],
    [4, editDiff],
    [1, compilerErrors],
    [1, installProgress],
    [1, readFile],
    [1, longLogLine],
  ],
  test: [
    [4, failingOrPassingTests],
    [1, thinking],
    [1, editDiff],
    [1, lint],
  ],
  review: [
    [2, diffStat],
    [1, lint],
    [1, pullRequest],
    [2, summaryBox],
    [1, thinking],
    [1, passingTests],
  ],
};

/** The chunks of the agent's next step in its current stage (unknown stages look like `implement`). */
export function nextBlock(rng: Rng, context: OutputContext): string[] {
  const blocks = BLOCKS_BY_STAGE[context.stage] ?? BLOCKS_BY_STAGE.implement;
  return weighted(rng, blocks)(rng, context);
}

/**
 * At least `bytes` bytes (UTF-8) of agent output: whole sessions, stage by
 * stage, with the occasional question and failure. Same seed, same text.
 */
export function generateCorpus(bytes: number, seed = 1): string {
  if (!Number.isFinite(bytes) || bytes < 0) throw new RangeError('bytes must be a finite number >= 0');
  const rng = createRng(seed);
  const parts: string[] = [];
  let size = 0;
  const add = (chunks: readonly string[]): void => {
    for (const chunk of chunks) {
      parts.push(chunk);
      size += Buffer.byteLength(chunk, 'utf8');
    }
  };
  for (let session = 0; size < bytes; session++) {
    const project = DEMO_PROJECTS[session % DEMO_PROJECTS.length];
    const context: OutputContext = {
      agentId: `${AGENT_MODELS[session % AGENT_MODELS.length]}-${(session % 6) + 1}`,
      issueId: String(FIRST_ISSUE_NUMBER + session),
      title: pick(rng, project.titles),
      stage: WORK_STAGES[0],
      project,
    };
    for (const stage of WORK_STAGES) {
      context.stage = stage;
      add(stageBanner(context));
      for (let step = int(rng, 3, 8); step > 0 && size < bytes; step--) {
        add(nextBlock(rng, context));
        if (chance(rng, 0.05)) {
          const { chunks, reply } = question(rng, context);
          add([...chunks, ...reply]);
        }
      }
    }
    if (chance(rng, 0.1)) add(failure(rng, context).chunks);
  }
  return parts.join('');
}
