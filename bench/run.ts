import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { machineInfo } from './lib/machine';
import { generatedSection, updatePerformanceDoc, writeCharts } from './lib/perf-doc';
import { REPO_ROOT, killAllWorkers } from './lib/processes';
import { missedGoals, rowsOf, textTable } from './lib/report';
import { type ResultsFile, mergeResults, readResults, writeResults } from './lib/results';
import type { Scenario, ScenarioResult } from './lib/scenario';

/**
 * `npm run bench [-- --quick] [-- --only fanout,reconnect]`: runs every
 * scenario in bench/scenarios/ (each file default-exports a Scenario), prints
 * one table, writes bench/results/latest.json and the generated part of
 * docs/performance.md with its charts. A scenario that throws becomes a
 * FAILED row; the others still run.
 */
const SCENARIOS_DIR = join(REPO_ROOT, 'bench/scenarios');
const RESULTS_PATH = join(REPO_ROOT, 'bench/results/latest.json');
const DOC_PATH = join(REPO_ROOT, 'docs/performance.md');
const IMAGES_DIR = join(REPO_ROOT, 'docs/images');

const USAGE = `Usage: npm run bench -- [--quick] [--only <id,…>] [--report]
  --quick        3 repetitions and smaller loads (the whole suite in under 3 minutes)
  --only <ids>   run only these scenarios (ids or file names, comma-separated); other
                 scenarios' previous results stay in latest.json and the docs table
  --report       run nothing: redraw the docs table and charts from latest.json`;

interface Args {
  quick: boolean;
  only: string[] | null;
  report: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { quick: false, only: null, report: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick') args.quick = true;
    else if (arg === '--report') args.report = true;
    else if (arg === '--only' || arg.startsWith('--only=')) {
      const value = arg === '--only' ? argv[++i] : arg.slice('--only='.length);
      if (!value) throw new RangeError('--only needs a comma-separated list of scenario ids');
      args.only = value
        .split(',')
        .map((id) => id.trim())
        .filter(Boolean);
    } else if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else throw new RangeError(`Unknown argument ${arg}\n${USAGE}`);
  }
  return args;
}

interface Discovered {
  file: string;
  scenario?: Scenario;
  error?: string;
}

/** Imports every bench/scenarios/*.ts, so scenarios written by others plug in without touching this file. */
async function discover(): Promise<Discovered[]> {
  const files = readdirSync(SCENARIOS_DIR)
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts') && !file.endsWith('.test.ts'))
    .sort();
  return Promise.all(
    files.map(async (file): Promise<Discovered> => {
      try {
        const module = (await import(pathToFileURL(join(SCENARIOS_DIR, file)).href)) as { default?: Scenario };
        const scenario = module.default;
        if (!scenario || typeof scenario.id !== 'string' || typeof scenario.run !== 'function') {
          return { file, error: 'does not default-export a Scenario ({ id, title, run })' };
        }
        return { file, scenario };
      } catch (error) {
        return { file, error: `cannot be imported: ${(error as Error).message}` };
      }
    }),
  );
}

const stem = (file: string): string => file.replace(/\.ts$/, '');

async function runScenario(scenario: Scenario, args: Args): Promise<ScenarioResult> {
  const ranAt = new Date().toISOString();
  const started = performance.now();
  const log = (line: string): void => console.log(`[${scenario.id}] ${line}`);
  console.log(`\n▶ ${scenario.id}: ${scenario.title}`);
  let result: ScenarioResult;
  try {
    result = await scenario.run({ quick: args.quick, repeats: args.quick ? 3 : 5, log });
    result = { ...result, id: scenario.id };
  } catch (error) {
    const message = (error as Error)?.stack ?? String(error);
    log(`FAILED: ${message}`);
    result = { id: scenario.id, title: scenario.title, figures: [], error: (error as Error)?.message ?? String(error) };
  } finally {
    // Whatever a failed scenario left running must not disturb the next one.
    await killAllWorkers();
  }
  const durationMs = performance.now() - started;
  log(`done in ${(durationMs / 1000).toFixed(1)} s`);
  return { ...result, ranAt, quick: args.quick, durationMs };
}

async function publish(file: ResultsFile): Promise<number> {
  const charts = writeCharts(file, IMAGES_DIR);
  await updatePerformanceDoc(DOC_PATH, generatedSection(file, charts));
  return [...charts.values()].flat().length;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.report) {
    const file = readResults(RESULTS_PATH);
    if (!file) throw new Error('No bench/results/latest.json yet: run npm run bench first');
    const charts = await publish(file);
    console.log(`${textTable(rowsOf(file.results))}\n\nRewrote docs/performance.md and ${charts} charts.`);
    return;
  }
  const machine = machineInfo();
  const startedAt = new Date().toISOString();
  const started = performance.now();
  const discovered = await discover();
  const wanted = (entry: Discovered): boolean =>
    args.only === null || args.only.includes(stem(entry.file)) || args.only.includes(entry.scenario?.id ?? '');
  if (args.only) {
    const known = discovered.flatMap((d) => [stem(d.file), d.scenario?.id ?? '']);
    const unknown = args.only.filter((id) => !known.includes(id));
    if (unknown.length > 0)
      throw new RangeError(
        `No scenario ${unknown.join(', ')}; known: ${[...new Set(known)].filter(Boolean).join(', ')}`,
      );
  }

  const results: ScenarioResult[] = [];
  for (const entry of discovered.filter(wanted)) {
    if (entry.scenario) results.push(await runScenario(entry.scenario, args));
    else {
      console.log(`\n✗ bench/scenarios/${entry.file} ${entry.error}`);
      results.push({
        id: stem(entry.file),
        title: entry.file,
        figures: [],
        error: entry.error,
        ranAt: new Date().toISOString(),
      });
    }
  }

  const current: ResultsFile = { date: new Date().toISOString(), startedAt, machine, quick: args.quick, results };
  const order = discovered.map((d) => d.scenario?.id ?? stem(d.file));
  const merged = mergeResults(readResults(RESULTS_PATH), current, order);
  writeResults(RESULTS_PATH, merged);
  const charts = await publish(merged);

  console.log(`\n${textTable(rowsOf(results))}\n`);
  const missed = missedGoals(results);
  if (missed.length > 0) console.log(`Missed goals:\n${missed.map((text) => `  - ${text}`).join('\n')}\n`);
  console.log(
    `Wrote bench/results/latest.json, docs/performance.md and ${charts} charts in docs/images/ ` +
      `(${((performance.now() - started) / 1000).toFixed(0)} s).`,
  );
  if (results.some((result) => result.error)) process.exitCode = 1;
}

process.on('SIGINT', () => {
  void killAllWorkers().finally(() => process.exit(130));
});

main().catch(async (error: unknown) => {
  console.error((error as Error)?.message ?? error);
  await killAllWorkers();
  process.exit(2);
});
