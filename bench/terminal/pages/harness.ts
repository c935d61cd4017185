/**
 * The in-page half of the terminal benchmarks, shared by the bare xterm page
 * and ours: lays the panes out, feeds them, and measures what the page feels
 * (frame intervals, long tasks) and what it holds (JS heap).
 */
import type { BenchPageApi, HeapSample, IngestResult, PaneLayout, SoakResult } from '../page-api';

/** One terminal pane as the harness drives it. */
export interface BenchPane {
  write(text: string): void;
  /** Code units queued in front of xterm by the page itself; 0 when it writes straight into xterm. */
  readonly backlog: number;
  readonly cols: number;
  readonly rows: number;
  /** Resolves once everything written so far has been parsed. */
  idle(): Promise<void>;
}

export interface PaneFactory {
  /** Mounts a pane in `container`; the harness then sizes the container until the pane measures the layout's size. */
  create(container: HTMLElement, layout: PaneLayout, index: number): BenchPane;
  /** Whether the pane sizes itself from `cols`/`rows` (bare xterm) rather than fitting its container (ours). */
  readonly fixedSize: boolean;
}

/**
 * The feeder holds back while a pane's own queue is past this: it stands in
 * for a producer that is just faster than the pane. Without it, our
 * WriteQueue's safety valve (4 Mi code units) would drop output, and dropped
 * bytes would flatter the drain rate.
 */
const BACKLOG_CAP = 1024 * 1024;
const TOP_UP_MS = 16;

declare const gc: (() => void) | undefined;

interface ChromeMemory {
  usedJSHeapSize: number;
  totalJSHeapSize: number;
}

export function installHarness(factory: PaneFactory): void {
  const panes: BenchPane[] = [];

  const api: BenchPageApi = {
    async setup(layout) {
      const root = document.getElementById('panes');
      if (!root) throw new Error('the page has no #panes element');
      root.style.gridTemplateColumns = `repeat(${Math.ceil(Math.sqrt(layout.panes))}, max-content)`;
      const containers: HTMLElement[] = [];
      for (let index = 0; index < layout.panes; index++) {
        const container = document.createElement('div');
        container.className = 'pane';
        root.append(container);
        containers.push(container);
        if (!factory.fixedSize) {
          // A first guess; fitting below corrects it.
          container.style.width = `${layout.cols * 8 + 20}px`;
          container.style.height = `${layout.rows * 17 + 8}px`;
        }
        panes.push(factory.create(container, layout, index));
      }
      if (!factory.fixedSize) await fitContainers(containers, panes, layout);
      await frames(3);
      return panes.map((pane) => ({ cols: pane.cols, rows: pane.rows }));
    },

    async ingest(request) {
      const corpus = await fetchText(request.corpusUrl);
      const texts = panes.map((_, index) => rotate(corpus, index, panes.length));
      const bytes = texts.reduce((sum, text) => sum + utf8Length(text), 0);
      const chunks = texts.map((text) => split(text, request.chunkChars));
      await frames(5);

      const longTasks = watchLongTasks();
      const recorder = recordFrames();
      const start = performance.now();
      const maxBacklogChars = await feed(panes, chunks);
      await Promise.all(panes.map((pane) => pane.idle()));
      const end = performance.now();
      const intervals = recorder.stop();
      const longTaskMs = longTasks.stop(start, end);
      const ms = end - start;
      return {
        bytes,
        ms,
        mbPerSecond: bytes / 1e6 / (ms / 1000),
        frames: {
          count: intervals.length,
          p50: percentile(intervals, 0.5),
          p95: percentile(intervals, 0.95),
          max: intervals.length > 0 ? Math.max(...intervals) : 0,
          intervals: intervals.map((interval) => Math.round(interval * 10) / 10),
        },
        longTaskMs,
        longTaskShare: longTaskMs / ms,
        maxBacklogChars,
      } satisfies IngestResult;
    },

    async soak(request) {
      const lines = splitLines(await fetchText(request.corpusUrl));
      const perPane = Math.floor(request.totalLines / panes.length);
      const perSample = Math.floor(perPane / request.samples);
      const cursors = panes.map((_, index) => Math.floor((index * lines.length) / panes.length));
      const start = performance.now();
      const baseline = await heapSample(0);
      const samples: HeapSample[] = [];
      for (let sample = 1; sample <= request.samples; sample++) {
        const take = sample === request.samples ? perPane - perSample * (request.samples - 1) : perSample;
        const chunks = panes.map((_, index) => {
          const text: string[] = [];
          for (let n = 0; n < take; n++) text.push(lines[(cursors[index] + n) % lines.length]);
          cursors[index] += take;
          return split(text.join(''), request.chunkChars);
        });
        await feed(panes, chunks);
        await Promise.all(panes.map((pane) => pane.idle()));
        samples.push(await heapSample(perSample * (sample - 1) + take));
      }
      return { baseline, samples, ms: performance.now() - start } satisfies SoakResult;
    },
  };
  window.falconBench = api;
}

/** Our panes fit their container: grows or shrinks each container until its pane measures cols × rows. */
async function fitContainers(containers: HTMLElement[], panes: BenchPane[], layout: PaneLayout): Promise<void> {
  for (let attempt = 0; attempt < 8; attempt++) {
    await frames(2);
    let done = true;
    containers.forEach((container, index) => {
      const { cols, rows } = panes[index];
      if (cols === layout.cols && rows === layout.rows) return;
      done = false;
      // The rendered screen is exactly cols × rows cells: moving the container by whole cells lands on the size.
      const screen = container.querySelector('.xterm-screen')?.getBoundingClientRect();
      if (!screen || cols === 0 || rows === 0) return;
      const box = container.getBoundingClientRect();
      container.style.width = `${box.width + (layout.cols - cols) * (screen.width / cols)}px`;
      container.style.height = `${box.height + (layout.rows - rows) * (screen.height / rows)}px`;
    });
    if (done) return;
  }
}

/**
 * Writes every pane's chunks as fast as the page lets it: all at once where the
 * pane has no queue of its own (a naive `term.write` loop), otherwise up to
 * BACKLOG_CAP ahead of the pane, topped up every TOP_UP_MS (the relay's flush
 * cadence for a visible window; xterm drains ~200 KB in that time, far less
 * than the cap, so the feeder never starves a pane). Resolves with the largest
 * backlog seen once everything has been written.
 */
function feed(panes: BenchPane[], chunks: string[][]): Promise<number> {
  const next = chunks.map(() => 0);
  let maxBacklog = 0;
  return new Promise((resolve) => {
    const tick = () => {
      let left = false;
      panes.forEach((pane, index) => {
        const own = chunks[index];
        while (next[index] < own.length && pane.backlog < BACKLOG_CAP) pane.write(own[next[index]++]);
        maxBacklog = Math.max(maxBacklog, pane.backlog);
        if (next[index] < own.length) left = true;
      });
      if (left) setTimeout(tick, TOP_UP_MS);
      else resolve(maxBacklog);
    };
    tick();
  });
}

function recordFrames(): { stop(): number[] } {
  const intervals: number[] = [];
  let last = -1;
  let handle = 0;
  const onFrame = (time: number) => {
    if (last >= 0) intervals.push(time - last);
    last = time;
    handle = requestAnimationFrame(onFrame);
  };
  handle = requestAnimationFrame(onFrame);
  return {
    stop() {
      cancelAnimationFrame(handle);
      // The frame that would close the interval still running when draining ended.
      if (last >= 0) intervals.push(performance.now() - last);
      return intervals;
    },
  };
}

function watchLongTasks(): { stop(from: number, to: number): number } {
  const entries: PerformanceEntry[] = [];
  const observer = new PerformanceObserver((list) => entries.push(...list.getEntries()));
  observer.observe({ type: 'longtask' });
  return {
    stop(from, to) {
      entries.push(...observer.takeRecords());
      observer.disconnect();
      let total = 0;
      for (const entry of entries) {
        const begin = Math.max(entry.startTime, from);
        const end = Math.min(entry.startTime + entry.duration, to);
        if (end > begin) total += end - begin;
      }
      return total;
    },
  };
}

async function heapSample(linesPerPane: number): Promise<HeapSample> {
  // Let the last frame render, then collect twice: the first pass frees what finalizers release.
  await frames(2);
  if (typeof gc !== 'function') throw new Error('gc() is missing: launch Chromium with --js-flags=--expose-gc');
  gc();
  await new Promise((resolve) => setTimeout(resolve, 0));
  gc();
  const memory = (performance as unknown as { memory?: ChromeMemory }).memory;
  if (!memory) throw new Error('performance.memory is missing: this needs Chromium');
  return { linesPerPane, usedJSHeapSize: memory.usedJSHeapSize, totalJSHeapSize: memory.totalJSHeapSize };
}

async function fetchText(url: string): Promise<string> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.text();
}

/** The corpus starting at line `index / of` of it, wrapping around: panes never show the same screen at once. */
function rotate(text: string, index: number, of: number): string {
  if (index === 0) return text;
  const at = text.indexOf('\n', Math.floor((text.length * index) / of));
  return at < 0 ? text : text.slice(at + 1) + text.slice(0, at + 1);
}

function split(text: string, size: number): string[] {
  const chunks: string[] = [];
  let at = 0;
  while (at < text.length) {
    let end = Math.min(at + size, text.length);
    // Never split a surrogate pair across two writes.
    const code = text.charCodeAt(end - 1);
    if (end < text.length && code >= 0xd800 && code <= 0xdbff) end--;
    chunks.push(text.slice(at, end));
    at = end;
  }
  return chunks;
}

function splitLines(text: string): string[] {
  const lines = text.split('\n').map((line) => `${line}\n`);
  lines[lines.length - 1] = lines[lines.length - 1].slice(0, -1);
  return lines.filter((line) => line.length > 0);
}

function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

function frames(count: number): Promise<void> {
  return new Promise((resolve) => {
    const step = (left: number) => (left === 0 ? resolve() : requestAnimationFrame(() => step(left - 1)));
    step(count);
  });
}
