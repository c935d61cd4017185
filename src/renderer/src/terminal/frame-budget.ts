import type { ChunkWriter } from './write-queue';

/** Hands one chunk to the consumer (xterm's `Terminal.write`); `done` once it is parsed. */
export type ParseWriter = (data: string, done: () => void) => void;

export interface FrameBudgetOptions {
  /** Parse time every frame gets for all panes together, in ms. Default 8. */
  budgetMs?: number;
  /**
   * The display's frame interval, in ms (default 1000 / 60). Past its budget a
   * frame goes on writing only while the next chunk should end before the next
   * frame is due: the main thread would otherwise idle until then.
   */
  frameMs?: number;
  /** Share of the budget the focused pane may take while unfocused panes wait. Default 0.5. */
  focusedShare?: number;
  now?: () => number;
  /** requestAnimationFrame: the callback gets the frame's start time, on the `now` clock. */
  requestFrame?: (callback: (time: number) => void) => number;
  cancelFrame?: (handle: number) => void;
  /**
   * Chunks handed over at once (default 2): the next is queued in xterm while
   * one parses, so the page never waits between two — which is also what
   * keeps the browser from drawing a frame after every chunk.
   */
  pipeline?: number;
  /**
   * Runs `callback` in a task of its own, soon (default: a MessageChannel
   * message). Used to start another pane's chunk: see `FrameBudget`.
   */
  postTask?: (callback: () => void) => void;
  /** Whether the page is hidden (a background tab, a minimised window): nothing is written then. */
  pageHidden?: () => boolean;
  /** Calls `listener` when the page is shown or hidden; returns the undo. */
  onPageVisibility?: (listener: () => void) => () => void;
}

/** One pane's place in the shared budget. */
export interface PaneLane {
  /** The pane's WriteQueue writer: a chunk waits here until the budget lets it through to the pane. */
  readonly write: ChunkWriter;
  /** The pane the user works in: written first, every frame. */
  setFocused(focused: boolean): void;
  /** Hidden panes (another tab, maximised away) are not written at all; their queue holds the output. */
  setVisible(visible: boolean): void;
  /** Leaves the budget; a chunk it still holds is forgotten. Safe to call twice. */
  dispose(): void;
}

export const DEFAULT_BUDGET_MS = 8;
export const DEFAULT_FRAME_MS = 1000 / 60;
/**
 * How long one xterm task may go on taking chunks from inside its callbacks.
 * Past 12 ms xterm ends its task itself and goes on in a `setTimeout` from
 * inside it, which browsers delay ≥ 4 ms once nested: ending it first and
 * handing the next chunk from a fresh task costs no such wait.
 */
const CHAIN_MS = 8;
export const DEFAULT_PIPELINE = 2;
export const DEFAULT_FOCUSED_SHARE = 0.5;

interface Held {
  chunk: string;
  done: () => void;
}

class Lane implements PaneLane {
  focused = false;
  visible = true;
  disposed = false;
  /** Chunks the pane's queue handed over, waiting for the budget (at most its maxInFlight). */
  readonly held: Held[] = [];
  readonly write: ChunkWriter;

  constructor(
    private readonly owner: FrameBudget,
    readonly parse: ParseWriter,
  ) {
    this.write = (chunk, done) => {
      if (this.disposed) return;
      this.held.push({ chunk, done });
      owner.wake();
    };
  }

  setFocused(focused: boolean): void {
    if (focused === this.focused || this.disposed) return;
    this.focused = focused;
    this.owner.laneChanged(this);
  }

  setVisible(visible: boolean): void {
    if (visible === this.visible || this.disposed) return;
    this.visible = visible;
    this.owner.laneChanged(this);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.held.length = 0;
    this.owner.remove(this);
  }
}

interface InFlight {
  lane: Lane;
  started: number;
}

/**
 * One frame budget for every terminal pane on the page, so nine flooding panes
 * cannot each take their own slices of the main thread between two frames.
 *
 * Each pane's WriteQueue writes through a PaneLane; the budget hands chunks
 * to the panes' xterms, at most `pipeline` (2) at a time, and measures how
 * long xterm took to parse each (from an empty write's callback, which runs
 * when xterm reaches it, to the chunk's callback). Every frame gets `budgetMs` of parsing; past that, a
 * chunk goes only if it should end before the next frame is due (judged by
 * the last chunk's time), so the main thread neither idles while output waits
 * nor runs past a frame. Handing the next chunk from inside xterm's callback
 * keeps xterm's parse loop going without a task in between, as the
 * WriteQueue's pipelining did.
 *
 * Order within a frame: the focused pane first, up to `focusedShare` of the
 * budget while unfocused panes wait (all of it when none wait); then the next
 * unfocused pane in turn gets the rest, and the one after it if it runs out.
 * In a flood, taking turns by frame means an unfocused pane is written in one
 * larger slice every few frames, so xterm redraws it a few times a second
 * instead of every frame, and each frame redraws two panes, not nine. Hidden
 * panes, and all panes while the page is hidden, get nothing: their queues
 * buffer (bounded, with a notice where output was dropped) and are written
 * once shown.
 *
 * Light output never waits for a frame: a chunk goes through at once while
 * the current frame's budget lasts.
 */
export class FrameBudget {
  private readonly lanes: Lane[] = [];
  private readonly budgetMs: number;
  private readonly frameMs: number;
  private readonly focusedShare: number;
  private readonly now: () => number;
  private readonly requestFrame: (callback: (time: number) => void) => number;
  private readonly cancelFrame: (handle: number) => void;
  private readonly pageHidden: () => boolean;
  private readonly postTask: (callback: () => void) => void;
  /** The lane whose chunk's callback is running: only it may be written from inside that callback. */
  private chaining: Lane | undefined;
  private switchPending = false;
  /** When the task xterm is parsing in began (the first chunk's start), for CHAIN_MS. */
  private taskStart = 0;
  private readonly undoPageVisibility: () => void;
  /** Chunks handed over and not yet parsed: at most `pipeline`. */
  private flights: InFlight[] = [];
  private readonly pipeline: number;
  private frame = 0;
  private framePending = false;
  private spent = 0;
  /** When the current frame started; NaN before the first frame. */
  private frameStart = Number.NaN;
  /** How long the last chunk took to parse: the guess for the next one. */
  private lastTook = 0;
  private focusedSpent = 0;
  /** The unfocused lane being written this frame. */
  private current: Lane | undefined;
  /** Index in `lanes` of the unfocused lane served last, where the next turn starts looking. */
  private cursor = -1;
  private pumping = false;
  private disposed = false;

  constructor(options: FrameBudgetOptions = {}) {
    this.budgetMs = options.budgetMs ?? DEFAULT_BUDGET_MS;
    this.frameMs = options.frameMs ?? DEFAULT_FRAME_MS;
    if (!(this.frameMs > 0) || !Number.isFinite(this.frameMs)) throw new RangeError('frameMs must be > 0');
    this.focusedShare = options.focusedShare ?? DEFAULT_FOCUSED_SHARE;
    if (!(this.budgetMs > 0) || !Number.isFinite(this.budgetMs)) throw new RangeError('budgetMs must be > 0');
    if (!(this.focusedShare > 0 && this.focusedShare <= 1)) throw new RangeError('focusedShare must be in (0, 1]');
    this.now = options.now ?? (() => performance.now());
    this.requestFrame = options.requestFrame ?? ((callback) => requestAnimationFrame(callback));
    this.cancelFrame = options.cancelFrame ?? ((handle) => cancelAnimationFrame(handle));
    this.pipeline = options.pipeline ?? DEFAULT_PIPELINE;
    if (!Number.isInteger(this.pipeline) || this.pipeline < 1) throw new RangeError('pipeline must be an integer ≥ 1');
    this.pageHidden = options.pageHidden ?? documentHidden;
    this.postTask = options.postTask ?? messageTask();
    this.undoPageVisibility = (options.onPageVisibility ?? onDocumentVisibility)(() => this.wake());
  }

  /** Adds a pane whose xterm parses through `parse`; returns its lane (visible, unfocused). */
  add(parse: ParseWriter): PaneLane {
    if (this.disposed) throw new Error('FrameBudget is disposed');
    const lane = new Lane(this, parse);
    this.lanes.push(lane);
    return lane;
  }

  /** Parse time handed out in the current frame, in ms. */
  get spentThisFrame(): number {
    return this.spent;
  }

  /** Stops the frame loop and the page-visibility listener; lanes get nothing more. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.undoPageVisibility();
    if (this.framePending) this.cancelFrame(this.frame);
    this.framePending = false;
    for (const lane of [...this.lanes]) lane.dispose();
  }

  /** @internal A lane has a chunk waiting, or the page was shown. */
  wake(): void {
    this.pump();
  }

  /** @internal */
  laneChanged(lane: Lane): void {
    if (lane === this.current && !this.ready(lane)) this.current = undefined;
    this.pump();
  }

  /** @internal */
  remove(lane: Lane): void {
    const index = this.lanes.indexOf(lane);
    if (index >= 0) {
      this.lanes.splice(index, 1);
      if (index <= this.cursor) this.cursor--;
    }
    if (this.current === lane) this.current = undefined;
    // Its xterm is being disposed: the chunk in flight may never be acknowledged.
    this.flights = this.flights.filter((flight) => flight.lane !== lane);
    this.pump();
  }

  private onFrame(time: number): void {
    this.framePending = false;
    this.frameStart = Number.isFinite(time) ? time : this.now();
    this.spent = 0;
    this.focusedSpent = 0;
    this.current = undefined;
    this.pump();
  }

  private pump(): void {
    // A chunk acknowledged synchronously (inside `parse`) lands here while the loop runs: the loop goes on itself.
    if (this.pumping || this.disposed) return;
    this.pumping = true;
    try {
      while (this.flights.length < this.pipeline && this.budgetLeft()) {
        const lane = this.pick();
        if (!lane) break;
        if (this.chaining && (lane !== this.chaining || this.now() - this.taskStart >= CHAIN_MS)) {
          this.switchSoon();
          break;
        }
        this.hand(lane);
      }
    } finally {
      this.pumping = false;
    }
    // Another frame resets the budget: wanted while anything waits, or this frame spent some of it.
    // A hidden page gets none: showing it wakes the pump.
    if (this.pageHidden()) return;
    if (this.spent > 0 || this.lanes.some((lane) => this.ready(lane))) this.scheduleFrame();
  }

  /**
   * Another pane's xterm (or this one's, once its task is CHAIN_MS long)
   * starts parsing in a `setTimeout` of its own. Started from inside xterm's
   * callback, which runs in a timer too, that timer is nested, and browsers
   * hold nested timers back ≥ 4 ms: from a fresh task it is not.
   */
  private switchSoon(): void {
    if (this.switchPending) return;
    this.switchPending = true;
    this.postTask(() => {
      this.switchPending = false;
      this.pump();
    });
  }

  private scheduleFrame(): void {
    if (this.framePending || this.disposed) return;
    this.framePending = true;
    this.frame = this.requestFrame((time) => this.onFrame(time));
  }

  /** Within the budget; past it, while the next chunk should end before the next frame is due. */
  private budgetLeft(): boolean {
    // Chunks in flight will take about as long as the last one did.
    const ahead = this.flights.length * this.lastTook;
    if (this.spent + ahead < this.budgetMs) return true;
    const now = this.now();
    const nextFrame = this.frameStart + Math.ceil((now - this.frameStart) / this.frameMs) * this.frameMs;
    return now + ahead + this.lastTook < nextFrame;
  }

  private ready(lane: Lane): boolean {
    return lane.visible && lane.held.length > 0 && !lane.disposed;
  }

  /** The lane to write next this frame, or none (nothing waits, or the page is hidden). */
  private pick(): Lane | undefined {
    if (this.pageHidden()) return undefined;
    const focused = this.lanes.find((lane) => lane.focused && this.ready(lane));
    const turn = this.unfocusedTurn();
    if (focused && (!turn || this.focusedSpent < this.budgetMs * this.focusedShare)) return focused;
    if (turn) {
      if (turn !== this.current) {
        this.current = turn;
        this.cursor = this.lanes.indexOf(turn);
      }
      return turn;
    }
    return focused;
  }

  /**
   * The unfocused lane whose turn it is: this frame's, while it has output,
   * else the next one round the lanes. A turn ends with the frame's budget or
   * with the lane's output, so in a flood one unfocused pane is written a
   * frame, and light output from several panes all goes through in one.
   */
  private unfocusedTurn(): Lane | undefined {
    if (this.current && this.ready(this.current) && !this.current.focused) return this.current;
    const count = this.lanes.length;
    for (let step = 1; step <= count; step++) {
      const lane = this.lanes[(this.cursor + step + count) % count];
      if (!lane.focused && this.ready(lane)) return lane;
    }
    return undefined;
  }

  private hand(lane: Lane): void {
    const held = lane.held.shift();
    if (!held) return;
    // Before the first frame, the frames are counted from the first write.
    if (Number.isNaN(this.frameStart)) this.frameStart = this.now();
    const flight: InFlight = { lane, started: this.now() };
    this.flights.push(flight);
    // An empty write's callback runs when xterm reaches it: the chunk's parse time starts there, not here.
    const chained = this.chaining === lane;
    lane.parse('', () => {
      if (!this.flights.includes(flight)) return;
      flight.started = this.now();
      if (!chained) this.taskStart = flight.started;
    });
    lane.parse(held.chunk, () => {
      const index = this.flights.indexOf(flight);
      if (index < 0) return;
      const took = Math.max(0, this.now() - flight.started);
      this.flights.splice(index, 1);
      this.spent += took;
      this.lastTook = took;
      if (lane.focused) this.focusedSpent += took;
      // The queue hands its next chunk to the lane inside `done`; the pump then writes it while budget lasts,
      // at once if it is this lane's (xterm's parse loop takes it without a task in between).
      this.chaining = lane;
      try {
        held.done();
        this.pump();
      } finally {
        this.chaining = undefined;
      }
    });
  }
}

let shared: FrameBudget | undefined;

/** The page's one FrameBudget, which every TerminalView shares unless given its own. */
export function sharedFrameBudget(): FrameBudget {
  shared ??= new FrameBudget();
  return shared;
}

function messageTask(): (callback: () => void) => void {
  if (typeof MessageChannel === 'undefined') return (callback) => setTimeout(callback, 0);
  const channel = new MessageChannel();
  const callbacks: Array<() => void> = [];
  channel.port1.onmessage = () => callbacks.shift()?.();
  // Node (tests, happy-dom) would otherwise keep the process alive for the open port.
  (channel.port1 as { unref?: () => void }).unref?.();
  return (callback) => {
    callbacks.push(callback);
    channel.port2.postMessage(null);
  };
}

function documentHidden(): boolean {
  return typeof document !== 'undefined' && document.visibilityState === 'hidden';
}

function onDocumentVisibility(listener: () => void): () => void {
  if (typeof document === 'undefined') return () => {};
  document.addEventListener('visibilitychange', listener);
  return () => document.removeEventListener('visibilitychange', listener);
}
