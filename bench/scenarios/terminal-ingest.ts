import { alternate, figureOf, valuesOf } from '../lib/alternate';
import { type BenchOptions, type Figure, OURS, type Scenario, type ScenarioResult } from '../lib/scenario';
import { median } from '../lib/stats';
import type { IngestResult, PaneLayout } from '../terminal/page-api';
import { TerminalBench, type TerminalVariant } from '../terminal/terminal-bench';

/**
 * Scenario 3 — terminal ingest in Chromium: our pane write path (TerminalView,
 * its flow-controlled WriteQueue and the page's one FrameBudget, DOM renderer)
 * against a bare page that `term.write`s the same bytes as they come. One
 * pane, then a 3 × 3 grid of nine: one focused, eight visible and unfocused,
 * all flooding at once. Issue 18's goal for the grid: frame interval p95
 * ≤ 50 ms while draining ≥ 0.8× bare.
 */
const ID = 'terminal-ingest';
const TITLE = 'Terminal ingest in Chromium: TerminalView vs bare xterm.js';
const BARE = 'bare';
const VARIANTS: TerminalVariant[] = [BARE, OURS];
const CHUNK_CHARS = 32 * 1024;

const layoutOf = (panes: number): PaneLayout => ({ panes, cols: 120, rows: 40, scrollback: 10_000, focused: 0 });

interface Plan {
  singleBytes: number;
  gridBytesPerPane: number;
}

const planFor = (quick: boolean): Plan =>
  quick ? { singleBytes: 8e6, gridBytesPerPane: 2e6 } : { singleBytes: 20e6, gridBytesPerPane: 3e6 };

async function run(options: BenchOptions): Promise<ScenarioResult> {
  const plan = planFor(options.quick);
  const bench = await TerminalBench.start();
  const raw: Record<string, { single: IngestResult[]; grid: IngestResult[] }> = {
    [BARE]: { single: [], grid: [] },
    [OURS]: { single: [], grid: [] },
  };
  try {
    const singleCorpus = bench.corpus(plan.singleBytes);
    const gridCorpus = bench.corpus(plan.gridBytesPerPane);
    const ingest = (variant: TerminalVariant, panes: number, corpusUrl: string) =>
      bench.withPage(variant, layoutOf(panes), (page) =>
        page.evaluate((request) => window.falconBench!.ingest(request), { corpusUrl, chunkChars: CHUNK_CHARS }),
      );

    const { samples, errors } = await alternate(
      VARIANTS,
      options.repeats,
      async (variant) => {
        const single = await ingest(variant as TerminalVariant, 1, singleCorpus);
        const grid = await ingest(variant as TerminalVariant, 9, gridCorpus);
        raw[variant].single.push(single);
        raw[variant].grid.push(grid);
        return {
          singleMBps: single.mbPerSecond,
          singleFrameP95: single.frames.p95,
          gridMBps: grid.mbPerSecond,
          gridFrameP50: grid.frames.p50,
          gridFrameP95: grid.frames.p95,
          gridLongTaskPercent: grid.longTaskShare * 100,
        };
      },
      options.log,
    );

    const median95 = median(valuesOf(samples, OURS, 'gridFrameP95'));
    const figures: Figure[] = [
      figureOf(samples, {
        key: 'singleMBps',
        metric: '1 pane: drain rate',
        unit: 'MB/s',
        betterWhen: 'higher',
        against: BARE,
        minRatio: 0.9,
        goalText: '≥ 0.9× bare',
      }),
      figureOf(samples, {
        key: 'singleFrameP95',
        metric: '1 pane: frame interval p95 while draining',
        unit: 'ms',
        betterWhen: 'lower',
        against: BARE,
      }),
      figureOf(samples, {
        key: 'gridMBps',
        metric: '9 panes flooding (grid): drain rate, all panes',
        unit: 'MB/s',
        betterWhen: 'higher',
        against: BARE,
        minRatio: 0.8,
        goalText: '≥ 0.8× bare, with frame p95 ≤ 50 ms',
      }),
      figureOf(samples, {
        key: 'gridFrameP95',
        metric: '9 panes flooding (grid): frame interval p95',
        unit: 'ms',
        betterWhen: 'lower',
        against: BARE,
        limit: 50,
        goalText: '≤ 50 ms, while draining ≥ 0.8× bare',
        note: median95 > 50 ? GRID_FRAMES_NOTE : undefined,
      }),
      figureOf(samples, {
        key: 'gridFrameP50',
        metric: '9 panes flooding (grid): frame interval p50',
        unit: 'ms',
        betterWhen: 'lower',
        against: BARE,
      }),
      figureOf(samples, {
        key: 'gridLongTaskPercent',
        metric: '9 panes flooding (grid): time in long tasks',
        unit: '% of drain',
        betterWhen: 'lower',
        against: BARE,
      }),
    ];
    const single = figures[0];
    if (single.goal && !single.goal.met) single.note = `${SINGLE_NOTE}${overlapNote(single)}`;
    const gridRate = figures[2];
    if (gridRate.goal && !gridRate.goal.met) gridRate.note = `${GRID_RATE_NOTE}${overlapNote(gridRate)}`;
    return {
      id: ID,
      title: TITLE,
      figures,
      notes: [
        `Corpus: generateCorpus (realistic agent output); 1 pane gets ${mb(plan.singleBytes)}, ` +
          `each of 9 panes ${mb(plan.gridBytesPerPane)} (${mb(9 * plan.gridBytesPerPane)} in all), ` +
          `in ${CHUNK_CHARS / 1024} K-character writes; every pane 120 × 40, scrollback 10 000, DOM renderer.`,
        'Bare writes every chunk at once (a naive app with a fast producer); ours is fed through TerminalView.write, ' +
          'kept ≤ 1 MiB ahead of each pane and topped up every 16 ms (the relay cadence), ' +
          'so its WriteQueue never drops output. Drain ends when every pane has parsed everything.',
        'Ours writes every pane through the page’s one FrameBudget, as the app does: 8 ms of parsing a frame for ' +
          'all panes, more only while it should end before the next frame; the focused pane first (up to half ' +
          'while others wait), then one unfocused pane at a time in turn.',
        '9 panes: the grid case — all nine visible on screen, pane 1 focused (setFocused, as AgentPane does), ' +
          'eight unfocused (no hidden tabs).',
        ...errors.map((error) => `Failed run: ${error}`),
      ],
      details: { samples, runs: raw },
      plots: [
        {
          id: 'grid-frames',
          kind: 'cdf',
          title: '9 panes flooding: requestAnimationFrame intervals while draining',
          unit: 'ms',
          series: Object.fromEntries(VARIANTS.map((v) => [v, raw[v].grid.flatMap((run) => run.frames.intervals)])),
        },
      ],
    };
  } finally {
    await bench.close();
  }
}

const SINGLE_NOTE =
  'Ours parses what bare does, but through the frame budget: it yields to every frame (8 ms of parsing, then ' +
  'only chunks that should end before the next frame), so the pane redraws up to every frame where bare’s ' +
  'xterm parses in 12 ms slices and redraws less often; each redraw of a 120 × 40 DOM pane is time not spent ' +
  'parsing. What would close it: let a lone flooding pane parse through a frame when nothing else waits (a ' +
  'frame interval target of ~33 ms instead of every frame), trading smoothness the figure does not ask for.';

const GRID_RATE_NOTE =
  'The frame budget yields to every frame, and on this page a frame costs about 20 ms whatever is written ' +
  '(Chromium’s layout, paint and compositing of a 3 × 3 grid of DOM-rendered 120 × 40 panes in a ' +
  '~3 400 × 2 500 px software-composited viewport; the CDP Performance metrics of one trial: ours spent ' +
  '+0.5 s in layout, +1.1 s in paint and other rendering work and +0.55 s in script per 18 MB over bare, ' +
  'with the same parse time). Bare draws a frame every 130–180 ms, ours every 17–33 ms, so ours has less ' +
  'of each second left for parsing; writing one pane per frame instead of two (a trial) did not change it, ' +
  'so it is the frame, not the pane redraws. Trials on a quiet machine (same-run ratios to bare) did not move ' +
  'it either: fixed budgets of 8 and 20 ms (0.66–0.76× and 0.69–0.81×), a budget adapting 8–24 ms to the ' +
  'frame interval (0.69–0.73×, p95 50 ms), 3 chunks in flight (0.63–0.66×), 16 K chunks (0.60–0.68×); ' +
  '96–256 K chunks sometimes reached 0.75–0.88× but with p95 50–100 ms (a long chunk runs over the frame). ' +
  'What would close it: cheaper frames (the WebGL renderer where ' +
  'a GPU exists; the bench runs Chromium with --disable-gpu), or frames ~45 ms apart while every pane floods, ' +
  'which the p95 goal leaves little room for.';

const GRID_FRAMES_NOTE =
  'Ours parses 8 ms a frame plus what should end before the next frame, judged by the last chunk’s time; ' +
  'when other processes take the CPU (this machine is shared), a chunk takes several times longer than the ' +
  'one before and the frame runs over, and every frame’s ~20 ms of layout and paint stretches too. In a ' +
  'run on a less loaded machine the same code met this goal (p95 33 ms) while the drain rate missed; under ' +
  'load the drain rate met it and p95 missed. What would close it: smaller chunks (maxChunkChars 32 K or ' +
  '16 K) so a misjudged chunk costs less, and cheaper frames (WebGL renderer where a GPU exists).';

/** On a shared 2-core machine a miss inside the runs' spread is noise, and the table should say so. */
function overlapNote(figure: Figure): string {
  const ours = figure.values[OURS];
  const bare = figure.values[BARE];
  if (!ours || !bare || ours.high < bare.low) return '';
  return ` The ranges of ours (${ours.low.toFixed(1)}–${ours.high.toFixed(1)}) and bare (${bare.low.toFixed(1)}–${bare.high.toFixed(1)}) overlap: this miss is within the run’s noise.`;
}

function mb(bytes: number): string {
  return `${bytes / 1e6} MB`;
}

const scenario: Scenario = { id: ID, title: TITLE, run };
export default scenario;
