import { afterEach, describe, expect, it } from 'vitest';
import { FrameBudget, type FrameBudgetOptions, type PaneLane } from '../../../src/renderer/src/terminal/frame-budget';
import { WriteQueue } from '../../../src/renderer/src/terminal/write-queue';

/**
 * A page with a hand-driven clock and frame loop; one chunk in flight at a
 * time unless `pipeline` says otherwise, so the order is plain to read. Its panes parse like xterm,
 * in order, calling each write's callback once parsed, but only when the test
 * says so (`parse`), so the test decides how long each chunk takes.
 */
function page(options: FrameBudgetOptions = {}) {
  let time = 0;
  let frames: Array<(time: number) => void> = [];
  let hidden = false;
  let onVisibility = () => {};
  const tasks: Array<() => void> = [];
  const budget = new FrameBudget({
    now: () => time,
    requestFrame: (callback) => frames.push(callback),
    cancelFrame: () => {},
    pageHidden: () => hidden,
    postTask: (callback) => tasks.push(callback),
    onPageVisibility: (listener) => {
      onVisibility = listener;
      return () => {};
    },
    pipeline: 1,
    ...options,
  });
  /** Everything handed to any pane, in order, as "pane:chunk". */
  const log: string[] = [];
  const waiting: Array<{ pane: string; data: string; done: () => void }> = [];

  const pane = (name: string) => {
    const lane = budget.add((data, done) => {
      if (data !== '') log.push(`${name}:${data}`);
      waiting.push({ pane: name, data, done });
    });
    /** Queues `chunks`, each acknowledged like a WriteQueue's (the lane holds what it is given). */
    const acked: string[] = [];
    const write = (...chunks: string[]) => {
      for (const chunk of chunks) lane.write(chunk, () => acked.push(chunk));
    };
    return { lane, write, acked };
  };

  return {
    budget,
    log,
    pane,
    get time() {
      return time;
    },
    /** The oldest chunk handed over: waits `waitMs` for the consumer to reach it, then parses for `ms`. */
    parse(ms: number, waitMs = 0, runTasks = true) {
      time += waitMs;
      // The empty write in front of the chunk: the consumer reached it.
      const marker = waiting.shift();
      if (!marker || marker.data !== '') throw new Error('nothing was handed over');
      marker.done();
      const chunk = waiting.shift();
      if (!chunk) throw new Error('no chunk behind the marker');
      time += ms;
      chunk.done();
      // Tasks the budget posted (another pane's turn) run before anything else happens.
      while (runTasks && tasks.length > 0) tasks.shift()?.();
    },
    runTasks() {
      while (tasks.length > 0) tasks.shift()?.();
    },
    /** Parses whatever is handed over, `ms` per chunk, until nothing more is this frame. */
    parseAll(ms: number) {
      while (waiting.length > 0) this.parse(ms);
    },
    get handedOver() {
      return waiting.filter((entry) => entry.data !== '').length;
    },
    /** Runs the next animation frame at `at` (default: now). */
    frame(at = time) {
      time = Math.max(time, at);
      const due = frames;
      frames = [];
      for (const callback of due) callback(at);
    },
    get framesRequested() {
      return frames.length;
    },
    setHidden(value: boolean) {
      hidden = value;
      onVisibility();
    },
  };
}

const budgets: FrameBudget[] = [];
afterEach(() => {
  for (const budget of budgets.splice(0)) budget.dispose();
});

function track<T extends { budget: FrameBudget }>(value: T): T {
  budgets.push(value.budget);
  return value;
}

describe('FrameBudget', () => {
  it('writes light output at once, without waiting for a frame', () => {
    const p = track(page());
    const a = p.pane('a');
    a.write('hello');
    expect(p.log).toEqual(['a:hello']);
    p.parse(1);
    expect(a.acked).toEqual(['hello']);
  });

  it('hands over one chunk at a time, the next from inside the last one’s callback', () => {
    const p = track(page());
    const a = p.pane('a');
    const b = p.pane('b');
    a.write('a1', 'a2');
    b.write('b1');
    expect(p.handedOver).toBe(1);
    p.parse(1);
    expect(p.handedOver).toBe(1);
    p.parseAll(1);
    expect(p.log).toHaveLength(3);
    expect([...a.acked, ...b.acked].sort()).toEqual(['a1', 'a2', 'b1']);
  });

  it('starts another pane’s chunk from a task of its own, the same pane’s from inside its callback', () => {
    const p = track(page());
    const a = p.pane('a');
    const b = p.pane('b');
    a.write('a1', 'a2');
    b.write('b1');
    p.parse(1, 0, false);
    // a2 follows a1 inside a1's callback: xterm's parse loop takes it without a task in between.
    expect(p.log).toEqual(['a:a1', 'a:a2']);
    p.parse(1, 0, false);
    // b1 waits for a task: started from a timer's callback, b's xterm timer would be held back as nested.
    expect(p.handedOver).toBe(0);
    p.runTasks();
    expect(p.log).toEqual(['a:a1', 'a:a2', 'b:b1']);
  });

  it('keeps a second chunk queued in the consumer while one parses, with pipeline 2', () => {
    const p = track(page({ pipeline: 2, budgetMs: 8, frameMs: 100 }));
    const a = p.pane('a');
    const b = p.pane('b');
    a.write('a1', 'a2', 'a3');
    b.write('b1');
    expect(p.handedOver).toBe(2);
    p.parse(2);
    expect(p.handedOver).toBe(2);
    p.parseAll(2);
    expect(p.log.sort()).toEqual(['a:a1', 'a:a2', 'a:a3', 'b:b1']);
    expect(a.acked).toEqual(['a1', 'a2', 'a3']);
  });

  it('stops for the frame once its parse time reaches the budget, and goes on at the next frame', () => {
    const p = track(page({ budgetMs: 8, frameMs: 16 }));
    const a = p.pane('a');
    a.lane.setFocused(true);
    p.frame(0);
    a.write('1', '2', '3', '4', '5');
    // 3 + 3 + 3 ms: the third chunk crosses the 8 ms budget at 9 ms, and the next (3 ms more) would end past 16.
    p.parse(3);
    p.parse(3);
    p.parse(3);
    expect(p.time).toBe(9);
    expect(p.log).toEqual(['a:1', 'a:2', 'a:3', 'a:4']);
    p.parse(5); // ends at 14 ms: another 5 ms would end at 19, past the next frame at 16
    expect(p.handedOver).toBe(0);
    expect(p.log).toEqual(['a:1', 'a:2', 'a:3', 'a:4']);
    expect(p.framesRequested).toBe(1);
    p.frame(16);
    expect(p.log).toEqual(['a:1', 'a:2', 'a:3', 'a:4', 'a:5']);
  });

  it('past the budget, goes on writing while the next chunk should end before the next frame is due', () => {
    const p = track(page({ budgetMs: 4, frameMs: 16 }));
    const a = p.pane('a');
    p.frame(0);
    a.write('1', '2', '3', '4', '5', '6');
    p.parse(2);
    p.parse(2); // budget spent at 4 ms; 2 ms chunks fit until 14 ms
    p.parse(2);
    p.parse(2);
    p.parse(2);
    p.parse(2); // 12 ms
    expect(p.log).toHaveLength(6);
    expect(a.acked).toHaveLength(6);
    a.write('7', '8', '9');
    p.parse(2); // ends at 14: 16 is not before the frame due at 16
    expect(p.handedOver).toBe(0);
    expect(p.log).toHaveLength(7);
  });

  it('counts only parse time: waiting for the consumer to reach a chunk does not use the budget', () => {
    const p = track(page({ budgetMs: 8, frameMs: 1000 }));
    const a = p.pane('a');
    p.frame(0);
    a.write('1', '2', '3');
    p.parse(1, 300);
    p.parse(1, 300);
    expect(p.budget.spentThisFrame).toBe(2);
    expect(p.handedOver).toBe(1);
  });

  it('writes the focused pane first, up to its share of the budget while an unfocused pane waits', () => {
    const p = track(page({ budgetMs: 8, frameMs: 8, focusedShare: 0.5 }));
    const other = p.pane('other');
    const focused = p.pane('focused');
    focused.lane.setFocused(true);
    p.frame(0);
    // Both queue while the frame's budget is spent, so the next frame decides the order.
    other.write('x');
    p.parse(8);
    focused.write('f1', 'f2', 'f3');
    other.write('o1', 'o2');
    p.log.length = 0;
    p.frame(8);
    p.parseAll(2);
    // 4 ms for the focused pane (half of 8), then the unfocused one; the rest of the focused pane next frame.
    expect(p.log).toEqual(['focused:f1', 'focused:f2', 'other:o1', 'other:o2']);
    p.frame(16);
    p.parseAll(2);
    expect(p.log.slice(4)).toEqual(['focused:f3']);
  });

  it('gives the focused pane the whole budget when no unfocused pane waits', () => {
    const p = track(page({ budgetMs: 8, frameMs: 8, focusedShare: 0.25 }));
    const focused = p.pane('focused');
    p.pane('idle');
    focused.lane.setFocused(true);
    p.frame(0);
    focused.write('1', '2', '3', '4', '5');
    p.parseAll(2);
    expect(p.log).toEqual(['focused:1', 'focused:2', 'focused:3', 'focused:4']);
  });

  it('writes one unfocused pane per frame, taking turns round the panes, each in a larger slice', () => {
    const p = track(page({ budgetMs: 6, frameMs: 6 }));
    const panes = ['a', 'b', 'c'].map((name) => p.pane(name));
    p.frame(0);
    panes[0].write('warm');
    p.parse(6);
    for (const pane of panes) pane.write('1', '2', '3');
    p.log.length = 0;
    for (let frame = 1; frame <= 3; frame++) {
      p.frame(frame * 6);
      p.parseAll(2);
    }
    // Frame by frame: one pane gets the whole frame's slice (three chunks), then the next pane.
    expect(p.log).toEqual(['b:1', 'b:2', 'b:3', 'c:1', 'c:2', 'c:3', 'a:1', 'a:2', 'a:3']);
  });

  it('moves on to the next unfocused pane in the same frame when one runs out of output', () => {
    const p = track(page({ budgetMs: 6, frameMs: 6 }));
    const a = p.pane('a');
    const b = p.pane('b');
    p.frame(0);
    a.write('a1');
    b.write('b1');
    p.parseAll(1);
    expect(p.log).toEqual(['a:a1', 'b:b1']);
  });

  it('writes nothing to a hidden pane and writes what it holds once it is shown', () => {
    const p = track(page());
    const a = p.pane('a');
    const b = p.pane('b');
    a.lane.setVisible(false);
    a.write('while hidden');
    b.write('shown');
    p.parseAll(1);
    expect(p.log).toEqual(['b:shown']);
    p.frame(100);
    expect(p.handedOver).toBe(0);
    a.lane.setVisible(true);
    p.parseAll(1);
    expect(p.log).toEqual(['b:shown', 'a:while hidden']);
    expect(a.acked).toEqual(['while hidden']);
  });

  it('writes nothing while the page is hidden and resumes when it is shown', () => {
    const p = track(page());
    const a = p.pane('a');
    p.setHidden(true);
    a.write('in the background');
    expect(p.log).toEqual([]);
    expect(p.framesRequested).toBe(0);
    p.setHidden(false);
    expect(p.log).toEqual(['a:in the background']);
  });

  it('lets the other panes go on when a pane with a chunk in flight is disposed', () => {
    const p = track(page());
    const a = p.pane('a');
    const b = p.pane('b');
    a.write('never acknowledged');
    b.write('next');
    a.lane.dispose();
    a.lane.dispose();
    expect(p.log).toEqual(['a:never acknowledged', 'b:next']);
  });

  it('rejects settings that cannot work', () => {
    const noFrames = { requestFrame: () => 0, cancelFrame: () => {}, onPageVisibility: () => () => {} };
    expect(() => new FrameBudget({ ...noFrames, budgetMs: 0 })).toThrow(RangeError);
    expect(() => new FrameBudget({ ...noFrames, frameMs: Number.POSITIVE_INFINITY })).toThrow(RangeError);
    expect(() => new FrameBudget({ ...noFrames, focusedShare: 0 })).toThrow(RangeError);
    expect(() => new FrameBudget({ ...noFrames, focusedShare: 1.5 })).toThrow(RangeError);
    expect(() => new FrameBudget({ ...noFrames, pipeline: 0 })).toThrow(RangeError);
  });
});

describe('FrameBudget with WriteQueues in front', () => {
  function queueOn(lane: PaneLane, maxPending: number) {
    return new WriteQueue(lane.write, {
      maxChunk: 100,
      maxPending,
      describeDrop: (chars) => `[${chars} skipped]`,
    });
  }

  it('keeps a hidden pane’s output bounded, says what it dropped, and writes the rest once shown', () => {
    const p = track(page());
    const { lane } = p.pane('hidden');
    const queue = queueOn(lane, 1000);
    lane.setVisible(false);
    for (let index = 0; index < 30; index++) queue.push(String(index).padStart(2, '0').padEnd(100, '.'));
    // Two chunks wait in the lane (the queue's maxInFlight); the queue holds at most maxPending.
    expect(p.log).toEqual([]);
    expect(queue.pendingChars).toBeLessThanOrEqual(1000);
    expect(queue.droppedChars).toBeGreaterThan(0);
    lane.setVisible(true);
    p.parseAll(1);
    const text = p.log.map((entry) => entry.slice('hidden:'.length)).join('');
    const skipped = Number(/\[(\d+) skipped\]/.exec(text)?.[1]);
    expect(skipped).toBe(queue.droppedChars);
    expect(text.startsWith('00')).toBe(true);
    expect(text.endsWith('29'.padEnd(100, '.'))).toBe(true);
    // Every character is either written or counted in the notice: nothing goes silently.
    expect(text.length - `[${skipped} skipped]`.length + skipped).toBe(30 * 100);
    expect(queue.idle).toBe(true);
  });

  it('drains every pane completely, focused or not', async () => {
    const p = track(page({ budgetMs: 4, frameMs: 8 }));
    const names = ['focused', 'b', 'c'];
    const queues = names.map((name) => {
      const { lane } = p.pane(name);
      if (name === 'focused') lane.setFocused(true);
      return queueOn(lane, Number.POSITIVE_INFINITY);
    });
    queues.forEach((queue, index) => queue.push(`${names[index]}`.repeat(300)));
    const idle = Promise.all(queues.map((queue) => queue.whenIdle()));
    for (let frame = 1; queues.some((queue) => !queue.idle); frame++) {
      p.parseAll(1);
      p.frame(frame * 8);
      if (frame > 100) throw new Error('the panes never drained');
    }
    await idle;
    const written = (name: string) =>
      p.log
        .filter((entry) => entry.startsWith(`${name}:`))
        .map((entry) => entry.slice(name.length + 1))
        .join('');
    for (const name of names) expect(written(name)).toBe(name.repeat(300));
  });
});
