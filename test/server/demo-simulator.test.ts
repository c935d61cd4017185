import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isChannel, parseChannel, validateEvent } from '../../src/shared/protocol';
import { createRng, generateCorpus } from '../../src/server/demo/agent-output';
import {
  DEMO_CHOICES,
  DemoAnswerError,
  type DemoPublisher,
  DemoSimulator,
  type DemoSimulatorOptions,
} from '../../src/server/demo/simulator';

const ESC = '\u001b';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

type Entry =
  | { kind: 'event'; channel: string; event: string; data: Record<string, unknown> }
  | { kind: 'output'; agentId: string; text: string };

/** Runs a simulator on fake timers and records everything it publishes, in order. */
function runDemo(options: Partial<DemoSimulatorOptions> = {}, duration = 0) {
  const log: Entry[] = [];
  const publisher: DemoPublisher = {
    publish: (channel, event, data) =>
      log.push({ kind: 'event', channel, event, data: data as Record<string, unknown> }),
    streamAgentOutput: (agentId, text) => log.push({ kind: 'output', agentId, text }),
  };
  const simulator = new DemoSimulator({ seed: 42, ...options, publisher });
  simulator.start();
  vi.advanceTimersByTime(duration);
  const events = log.filter((entry) => entry.kind === 'event');
  const outputs = log.filter((entry) => entry.kind === 'output');
  return { simulator, log, events, outputs };
}

/** Events of one kind as seen on their own channel (`issue:` or `agent:`), so each is counted once. */
function onOwnChannel(events: Extract<Entry, { kind: 'event' }>[], event: string) {
  return events.filter((entry) => entry.event === event && parseChannel(entry.channel)?.kind !== 'project');
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(1_700_000_000_000);
});

afterEach(() => {
  vi.useRealTimers();
});

describe('DemoSimulator', () => {
  describe('#start', () => {
    it('publishes every issue and an idle status for every agent', () => {
      const { events } = runDemo({ projects: 3, issues: 20, agents: 5 });
      const created = onOwnChannel(events, 'issue_created');
      expect(created).toHaveLength(20);
      expect(new Set(created.map((entry) => entry.data.projectId))).toEqual(
        new Set(['falcon-web', 'falcon-api', 'billing']),
      );
      for (const entry of created) expect(entry.data.issueId).toMatch(/^\d+$/);
      const idle = events.filter((entry) => entry.event === 'agent_status');
      expect(new Set(idle.map((entry) => entry.data.agentId))).toEqual(
        new Set(['opus-1', 'sonnet-2', 'haiku-3', 'opus-4', 'sonnet-5']),
      );
      // Agent channel plus each of the three project channels.
      expect(idle).toHaveLength(5 * 4);
      expect(idle.every((entry) => entry.data.status === 'idle')).toBe(true);
    });

    it('rejects options outside their range', () => {
      const publisher: DemoPublisher = { publish: () => {}, streamAgentOutput: () => {} };
      expect(() => new DemoSimulator({ publisher, speed: 0 })).toThrow(RangeError);
      expect(() => new DemoSimulator({ publisher, agents: 0 })).toThrow(RangeError);
      expect(() => new DemoSimulator({ publisher, projects: 7 })).toThrow(RangeError);
      expect(() => new DemoSimulator({ publisher, issues: 2.5 })).toThrow(RangeError);
    });
  });

  describe('over a simulated hour', () => {
    it('publishes only payloads that pass validateEvent, on valid channels', () => {
      const { events } = runDemo({}, HOUR);
      expect(events.length).toBeGreaterThan(100);
      for (const entry of events) {
        expect(isChannel(entry.channel), entry.channel).toBe(true);
        expect(validateEvent(entry.event, entry.data), `${entry.event} ${JSON.stringify(entry.data)}`).toBeNull();
      }
    });

    it('sends issue events to issue: and project: channels and agent events to agent: and project:', () => {
      const { events } = runDemo({}, 10 * MINUTE);
      for (const entry of events) {
        const channel = parseChannel(entry.channel);
        const isAgentEvent = entry.event === 'agent_status' || entry.event === 'agent_started';
        if (channel?.kind === 'project') {
          if (entry.data.projectId != null) expect(channel.id).toBe(entry.data.projectId);
        } else if (isAgentEvent) {
          expect(channel).toEqual({ kind: 'agent', id: entry.data.agentId });
        } else {
          expect(channel).toEqual({ kind: 'issue', id: entry.data.issueId });
        }
      }
      for (const entry of events) expect(entry.data.projectId, entry.event).not.toBeUndefined();
    });

    it('moves issues plan → implement → test → review → done with matching statuses', () => {
      const { events } = runDemo({}, HOUR);
      const stages = new Map<unknown, string[]>();
      const statuses = new Map<unknown, string[]>();
      for (const entry of onOwnChannel(events, 'stage_changed')) {
        stages.set(entry.data.issueId, [
          ...(stages.get(entry.data.issueId) ?? []),
          `${entry.data.oldStage}>${entry.data.newStage}`,
        ]);
      }
      for (const entry of onOwnChannel(events, 'status_changed')) {
        statuses.set(entry.data.issueId, [
          ...(statuses.get(entry.data.issueId) ?? []),
          `${entry.data.oldStatus}>${entry.data.newStatus}`,
        ]);
      }
      const finished = [...stages].filter(([, path]) =>
        path.join(' ').includes('plan>implement implement>test test>review review>done'),
      );
      expect(finished.length).toBeGreaterThan(3);
      for (const [issueId] of finished) {
        const path = statuses.get(issueId) ?? [];
        expect(path).toContain('in_progress>in_review');
        expect(path).toContain('in_review>done');
      }
    });

    it('streams output with ANSI escapes and \\r redraws only while an agent is on an issue', () => {
      const { log, outputs } = runDemo({}, 10 * MINUTE);
      const status = new Map<unknown, unknown>();
      for (const entry of log) {
        if (entry.kind === 'event' && entry.event === 'agent_status') status.set(entry.data.agentId, entry.data.status);
        if (entry.kind === 'output') expect(['working', 'waiting_for_input']).toContain(status.get(entry.agentId));
      }
      const text = outputs.map((entry) => entry.text).join('');
      expect(new Set(outputs.map((entry) => entry.agentId)).size).toBe(4);
      expect(text).toContain(`${ESC}[32m`);
      expect(text).toMatch(/\r(?!\n)/);
    });

    it('emits output chunks in bursts 50–500 ms apart while working', () => {
      const times: number[] = [];
      const publisher: DemoPublisher = { publish: () => {}, streamAgentOutput: () => times.push(Date.now()) };
      new DemoSimulator({ publisher, seed: 3, agents: 1 }).start();
      vi.advanceTimersByTime(5 * MINUTE);
      const gaps = times.slice(1).map((time, i) => time - times[i]);
      expect(times.length).toBeGreaterThan(100);
      expect(gaps.filter((gap) => gap >= 50 && gap <= 500).length / gaps.length).toBeGreaterThan(0.6);
    });

    it('has agents ask for input and fail, then recover', () => {
      const { events } = runDemo({}, HOUR);
      const statuses = onOwnChannel(events, 'agent_status');
      const waiting = statuses.filter((entry) => entry.data.status === 'waiting_for_input');
      const failed = statuses.filter((entry) => entry.data.status === 'failed');
      expect(waiting.length).toBeGreaterThan(0);
      expect(failed.length).toBeGreaterThan(0);
      for (const entry of [...waiting, ...failed]) expect(entry.data.message).toEqual(expect.any(String));
      const blocked = onOwnChannel(events, 'status_changed').filter((entry) => entry.data.newStatus === 'blocked');
      expect(blocked.length).toBe(failed.length);
      // A failed agent goes idle again; a blocked issue goes back to todo.
      const failedAgent = failed[0].data.agentId;
      const after = statuses.slice(statuses.indexOf(failed[0]) + 1).find((entry) => entry.data.agentId === failedAgent);
      expect(after?.data.status).toBe('idle');
      const unblocked = onOwnChannel(events, 'status_changed').filter((entry) => entry.data.oldStatus === 'blocked');
      expect(unblocked.length).toBeGreaterThan(0);
    });

    it('keeps working after every issue is done by creating and reopening issues', () => {
      const { events, outputs, log } = runDemo({ issues: 3, agents: 3 }, 2 * HOUR);
      expect(onOwnChannel(events, 'issue_created').length).toBe(6);
      expect(onOwnChannel(events, 'issue_updated').length).toBeGreaterThan(0);
      const lastQuarter = log.slice(Math.floor(log.length * 0.75));
      expect(lastQuarter.some((entry) => entry.kind === 'output')).toBe(true);
      expect(outputs.length).toBeGreaterThan(1000);
    });
  });

  describe('#answer (issue 17: agents wait until answered)', () => {
    /** Runs until the first question and returns it, with the log and the simulator. */
    function untilQuestion(options: Partial<DemoSimulatorOptions> = {}) {
      const demo = runDemo({ agents: 1, ...options });
      for (let minute = 0; minute < 6 * 60; minute++) {
        const asked = demo.log.find(
          (entry) =>
            entry.kind === 'event' &&
            entry.event === 'agent_status' &&
            entry.channel.startsWith('agent:') &&
            entry.data.status === 'waiting_for_input',
        );
        if (asked && asked.kind === 'event') return { ...demo, asked: asked.data };
        vi.advanceTimersByTime(MINUTE);
      }
      throw new Error('no question in six hours');
    }
    const statusesAfter = (log: Entry[], start: number) =>
      log
        .slice(start)
        .filter(
          (entry) => entry.kind === 'event' && entry.event === 'agent_status' && entry.channel.startsWith('agent:'),
        )
        .map((entry) => (entry.kind === 'event' ? entry.data.status : null));
    const outputAfter = (log: Entry[], start: number) =>
      log
        .slice(start)
        .map((entry) => (entry.kind === 'output' ? entry.text : ''))
        .join('');

    it('asks with a requestId, the prompt and its choices, and waits far longer than before for an answer', () => {
      const { asked, log } = untilQuestion();
      expect(asked).toMatchObject({ requestId: expect.stringMatching(/^opus-1-q\d+$/), choices: DEMO_CHOICES });
      expect(asked.prompt).toBe(asked.message);
      expect(validateEvent('agent_status', asked)).toBeNull();
      const start = log.length;
      vi.advanceTimersByTime(20 * MINUTE);
      expect(statusesAfter(log, start)).toEqual([]);
    });

    it.each([
      [{ action: 'approve' as const }, /> .*Yes.*\(ada\)[\s\S]*Approved — going ahead/],
      [{ action: 'reply' as const, choice: 'approve' }, /Approved — going ahead/],
      [{ action: 'deny' as const }, /> .*No.*\(ada\)[\s\S]*leaving it as it is/],
      [
        { action: 'reply' as const, text: 'use the staging copy' },
        /use the staging copy.*\(ada\)[\s\S]*Got it — use the staging copy/,
      ],
    ])('resumes working in a way that shows the answer: %j', (answer, output) => {
      const { simulator, asked, log } = untilQuestion();
      const start = log.length;
      simulator.answer('opus-1', { ...answer, requestId: asked.requestId as string, by: 'ada' });
      expect(outputAfter(log, start)).toMatch(output);
      expect(statusesAfter(log, start)).toEqual(['working']);
    });

    it("replays no control characters from a reply (an escape cannot clear the viewers' screens)", () => {
      const { simulator, log } = untilQuestion();
      const start = log.length;
      simulator.answer('opus-1', { action: 'reply', text: 'ok\u001b[2J\u001b]8;;x\u0007\nnext', by: 'ada' });
      const text = outputAfter(log, start);
      expect(text).toContain('ok [2J ]8;;x next');
      expect(text).not.toContain('\u001b[2J');
    });

    it('stops a waiting agent on interrupt and puts its issue back to do', () => {
      const { simulator, log } = untilQuestion();
      const start = log.length;
      simulator.answer('opus-1', { action: 'interrupt', by: 'ada' });
      expect(outputAfter(log, start)).toContain('interrupted by ada');
      expect(statusesAfter(log, start)).toEqual(['idle']);
      const todo = log
        .slice(start)
        .find((entry) => entry.kind === 'event' && entry.event === 'status_changed' && entry.data.newStatus === 'todo');
      expect(todo).toBeDefined();
    });

    it('refuses answers with a stable code: unknown agent, not waiting, an earlier question', () => {
      const { simulator, asked } = untilQuestion();
      const code = (run: () => void) => {
        try {
          run();
        } catch (error) {
          return error instanceof DemoAnswerError ? error.code : String(error);
        }
        return 'accepted';
      };
      expect(code(() => simulator.answer('nobody', { action: 'approve', by: 'ada' }))).toBe('unknown_agent');
      expect(code(() => simulator.answer('opus-1', { action: 'approve', requestId: 'opus-1-q0', by: 'ada' }))).toBe(
        'stale_request',
      );
      expect(
        code(() => simulator.answer('opus-1', { action: 'approve', requestId: asked.requestId as string, by: 'ada' })),
      ).toBe('accepted');
      // Answered: a second answer finds nothing to answer.
      expect(code(() => simulator.answer('opus-1', { action: 'deny', by: 'bob' }))).toBe('not_waiting');
    });

    it('takes the safe path (No) after half an hour without an answer', () => {
      const { log } = untilQuestion();
      const start = log.length;
      vi.advanceTimersByTime(31 * MINUTE);
      expect(outputAfter(log, start)).toMatch(/no answer after 30 min/);
      expect(statusesAfter(log, start)[0]).toBe('working');
    });
  });

  it('runs faster with a higher speed', () => {
    // A short run: over longer ones, agents spend much of the time waiting for an answer.
    const slow = runDemo({}, 2 * MINUTE).outputs.length;
    const fast = runDemo({ speed: 10 }, 2 * MINUTE).outputs.length;
    expect(fast).toBeGreaterThan(slow * 3);
  });

  it('keeps at most one timer per agent plus the scheduler', () => {
    runDemo({ agents: 5 });
    for (let i = 0; i < 2_000; i++) {
      vi.advanceTimersByTime(997);
      expect(vi.getTimerCount()).toBeLessThanOrEqual(6);
    }
  });

  describe('#stop', () => {
    it('clears every timer and publishes nothing afterwards', () => {
      const { simulator, log } = runDemo({}, 10 * MINUTE);
      expect(vi.getTimerCount()).toBeGreaterThan(0);
      simulator.stop();
      expect(vi.getTimerCount()).toBe(0);
      const count = log.length;
      vi.advanceTimersByTime(HOUR);
      expect(log.length).toBe(count);
    });

    it('is safe to call twice, and start() after it throws', () => {
      const { simulator } = runDemo({}, MINUTE);
      simulator.stop();
      simulator.dispose();
      expect(() => simulator.start()).toThrow(/create a new one/);
      expect(vi.getTimerCount()).toBe(0);
    });

    it('is what start() returns', () => {
      const { simulator } = runDemo();
      const stop = simulator.start();
      stop();
      expect(vi.getTimerCount()).toBe(0);
    });
  });

  it('replays the same sequence for the same seed', () => {
    const first = runDemo({ seed: 9 }, 10 * MINUTE);
    first.simulator.stop();
    vi.setSystemTime(1_700_000_000_000);
    const second = runDemo({ seed: 9 }, 10 * MINUTE);
    second.simulator.stop();
    vi.setSystemTime(1_700_000_000_000);
    const other = runDemo({ seed: 10 }, 10 * MINUTE);
    expect(second.log).toEqual(first.log);
    expect(other.log).not.toEqual(first.log);
  });
});

describe('agent output', () => {
  it('createRng is deterministic per seed and stays in [0, 1)', () => {
    const a = createRng(5);
    const b = createRng(5);
    const values = Array.from({ length: 1000 }, () => a());
    expect(values).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(values.every((value) => value >= 0 && value < 1)).toBe(true);
    expect(createRng(6)()).not.toBe(values[0]);
  });

  it('generateCorpus(1_000_000) is at least 1 MB of coloured, redrawn, non-ASCII terminal output', () => {
    const corpus = generateCorpus(1_000_000);
    expect(Buffer.byteLength(corpus, 'utf8')).toBeGreaterThanOrEqual(1_000_000);
    for (const colour of ['31', '32', '33', '36']) expect(corpus).toContain(`${ESC}[${colour}m`);
    expect(corpus).toMatch(/\r(?!\n)/); // spinner / progress redraw
    expect(corpus).toMatch(/\P{ASCII}/u); // non-ASCII
    expect(corpus).toMatch(/[\u4e00-\u9fff]/); // CJK
    expect(corpus).toMatch(/\p{Extended_Pictographic}/u); // emoji
    expect(corpus).toMatch(/[─│╭╰]/); // box drawing
    expect(corpus).toContain(`${ESC}]8;;https://`); // OSC 8 hyperlink
    expect(corpus).toMatch(/(^|[^;])https:\/\/\S+/); // plain URL
    expect(corpus).toContain('✗');
    expect(corpus.split('\r\n').some((line) => line.length > 200)).toBe(true);
    // Terminal output: every newline is part of a CRLF.
    expect(corpus).not.toMatch(/[^\r]\n/);
  });

  it('generateCorpus is the same for the same seed and differs across seeds', () => {
    expect(generateCorpus(50_000, 3)).toBe(generateCorpus(50_000, 3));
    expect(generateCorpus(50_000, 4)).not.toBe(generateCorpus(50_000, 3));
  });
});
