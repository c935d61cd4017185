import { alternate, figureOf, valuesOf } from '../lib/alternate';
import { type BenchOptions, type Figure, OURS, type Scenario, type ScenarioResult } from '../lib/scenario';
import { median } from '../lib/stats';
import {
  COMPRESSED_PEER_VARIANT,
  type NetworkConditions,
  PEER_VARIANT,
  StartBench,
  type StartSample,
  type WebStartVariant,
} from '../web-start/web-start-bench';

/**
 * Scenario — the web edition's cold start in Chromium: bytes over HTTP before
 * the first board paint, and the time to it, for our build served by the hub
 * (minified, split: xterm.js and the WebGL addon load with the first pane,
 * brotli/gzip copies negotiated by Accept-Encoding) against the web edition as
 * it was (same sources, one unminified eager bundle), served uncompressed by a
 * plain sirv behind the same hub API (`eager-plain`, the goal's peer) and
 * brotli/gzip by the hub (`eager-br`, just before this change). Both builds
 * are made by the scenario, from the working tree, into a temporary directory
 * (out/ is not touched).
 */
const ID = 'web-start';
const TITLE = 'Web edition cold start in Chromium: bytes and time to the first board paint';
/** Peers first, ours last, every round. */
const VARIANTS: WebStartVariant[] = [PEER_VARIANT, COMPRESSED_PEER_VARIANT, OURS];
const ISSUES = 40;
/** A modest link to a remote hub: 20 Mbit/s down, 5 up, 20 ms of latency (Chromium's throttling). */
const LINK: NetworkConditions = { latencyMs: 20, downloadBitsPerSecond: 20e6, uploadBitsPerSecond: 5e6 };
const MAX_SHARE = 0.3;

async function run(options: BenchOptions): Promise<ScenarioResult> {
  const bench = await StartBench.start(ISSUES, options.log);
  type Runs = { local: StartSample[]; link: StartSample[] };
  const raw: Record<WebStartVariant, Runs> = {
    [PEER_VARIANT]: { local: [], link: [] },
    [COMPRESSED_PEER_VARIANT]: { local: [], link: [] },
    [OURS]: { local: [], link: [] },
  };
  try {
    const { samples, errors } = await alternate(
      VARIANTS,
      options.repeats,
      async (variant) => {
        const local = await bench.load(variant as WebStartVariant, null);
        const link = await bench.load(variant as WebStartVariant, LINK);
        raw[variant as WebStartVariant].local.push(local);
        raw[variant as WebStartVariant].link.push(link);
        return {
          kib: local.bytesBeforePaint / 1024,
          decodedKib: local.decodedBytesBeforePaint / 1024,
          paintMs: local.boardPaintMs,
          fcpMs: local.firstContentfulPaintMs,
          linkPaintMs: link.boardPaintMs,
        };
      },
      options.log,
    );

    const share = median(valuesOf(samples, OURS, 'kib')) / median(valuesOf(samples, PEER_VARIANT, 'kib'));
    const figures: Figure[] = [
      figureOf(samples, {
        key: 'kib',
        metric: 'bytes over HTTP before the first board paint (cold cache)',
        unit: 'KiB',
        betterWhen: 'lower',
        against: PEER_VARIANT,
        minRatio: 1 / MAX_SHARE,
        goalText: `≤ ${MAX_SHARE}× ${PEER_VARIANT}`,
        note: share > MAX_SHARE ? BYTES_NOTE : undefined,
      }),
      figureOf(samples, {
        key: 'decodedKib',
        metric: 'the same responses decoded (what the page parses)',
        unit: 'KiB',
        betterWhen: 'lower',
        against: PEER_VARIANT,
      }),
      figureOf(samples, {
        key: 'paintMs',
        metric: 'cold first board paint, hub on loopback',
        unit: 'ms',
        betterWhen: 'lower',
        against: COMPRESSED_PEER_VARIANT,
      }),
      figureOf(samples, {
        key: 'linkPaintMs',
        metric: 'cold first board paint over 20 Mbit/s with 20 ms latency',
        unit: 'ms',
        betterWhen: 'lower',
        against: COMPRESSED_PEER_VARIANT,
      }),
      figureOf(samples, {
        key: 'fcpMs',
        metric: 'first contentful paint (anything), hub on loopback',
        unit: 'ms',
        betterWhen: 'lower',
        against: COMPRESSED_PEER_VARIANT,
      }),
    ];
    const last = raw[OURS].local.at(-1);
    return {
      id: ID,
      title: TITLE,
      figures,
      notes: [
        `The first board paint: the frame after the first issue card entered the DOM (a MutationObserver, then ` +
          `requestAnimationFrame, then a task), timed from navigation start; bytes are Resource Timing's ` +
          `transferSize (headers and body as sent) of every response complete by then. The board (${ISSUES} issues, ` +
          `5 agents) arrives over the WebSocket, whose frames neither side counts.`,
        `Every load is a fresh Chromium context (empty HTTP cache, no storage, no code cache) for every variant, ` +
          `alternating; loopback first, then the same over Chromium's throttling (20 Mbit/s down, 20 ms latency).`,
        `Ours: \`electron-vite build\` of the working tree, served by startHub's static handler. Peers: the same ` +
          `sources built with bench/web-start/eager.config.ts (unminified, one eager bundle: the renderer before ` +
          `issue 18), ${PEER_VARIANT} served by a plain sirv mounted behind the same hub API (the web edition before ` +
          `issue 16, the goal's "1.5 MB uncompressed"), ${COMPRESSED_PEER_VARIANT} served brotli/gzip by startHub ` +
          `(before this change). Times are compared with ${COMPRESSED_PEER_VARIANT}, the harder peer. Both builds are ` +
          `made by the scenario into a temporary directory, not out/.`,
        last
          ? `Chromium sent Accept-Encoding "${last.acceptEncoding}"; ours answered ${describeEncodings(last)}.`
          : 'No successful load of ours to describe.',
        ...errors.map((error) => `Failed run: ${error}`),
      ],
      details: { samples, runs: raw },
    };
  } finally {
    await bench.close();
  }
}

const BYTES_NOTE =
  'What is left before the board paints is the entry script (React, zod, the stores, the board and the agent ' +
  'list) and the stylesheet; the next cut would be splitting the entry further (the agent list and its answer bar).';

function describeEncodings(sample: StartSample): string {
  return sample.resources
    .map(
      (resource) =>
        `${resource.path} ${sample.encodings[resource.path] ?? '?'} (${Math.round(resource.transfer / 1024)} KiB)`,
    )
    .join(', ');
}

const scenario: Scenario = { id: ID, title: TITLE, run };
export default scenario;
