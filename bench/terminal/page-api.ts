/**
 * What the benchmark pages expose on `window.falconBench`, typed once for both
 * sides: the pages implement it, the scenarios call it through playwright.
 */

export interface PaneLayout {
  panes: number;
  /** Columns and rows of every pane (120 × 40 in the figures). */
  cols: number;
  rows: number;
  scrollback: number;
  /** The pane that gets keyboard focus, as the pane the user works in would. */
  focused: number;
}

export interface IngestRequest {
  /** Served corpus; each pane gets all of it, starting at a different line. */
  corpusUrl: string;
  /** Largest string handed to one `write` call, in UTF-16 code units. */
  chunkChars: number;
}

export interface IngestResult {
  /** UTF-8 bytes written to all panes together. */
  bytes: number;
  ms: number;
  mbPerSecond: number;
  /** requestAnimationFrame intervals while draining, in ms. */
  frames: { count: number; p50: number; p95: number; max: number; intervals: number[] };
  /** Time inside long tasks (> 50 ms) while draining, in ms and as a share of the drain. */
  longTaskMs: number;
  longTaskShare: number;
  /** Largest backlog the feeder saw in front of any pane (0 where the page has no queue of its own). */
  maxBacklogChars: number;
}

export interface SoakRequest {
  corpusUrl: string;
  /** Output lines over all panes together. */
  totalLines: number;
  /** Heap samples, taken after each equal share of the lines (5: after 20 %, 40 % … 100 %). */
  samples: number;
  chunkChars: number;
}

export interface HeapSample {
  /** Lines written to each pane so far. */
  linesPerPane: number;
  usedJSHeapSize: number;
  totalJSHeapSize: number;
}

export interface SoakResult {
  /** Before any output, after the panes were mounted. */
  baseline: HeapSample;
  samples: HeapSample[];
  ms: number;
}

export interface BenchPageApi {
  /** Mounts the panes; resolves once each measures `cols` × `rows`. */
  setup(layout: PaneLayout): Promise<{ cols: number; rows: number }[]>;
  ingest(request: IngestRequest): Promise<IngestResult>;
  soak(request: SoakRequest): Promise<SoakResult>;
}

declare global {
  interface Window {
    falconBench?: BenchPageApi;
  }
}
