/**
 * A fake falcon-pm for `falcon hub --demo`: projects, issues moving through
 * stages, and agents that pick them up, stream terminal output, ask questions
 * and sometimes fail. Everything is driven by one seeded PRNG and chained
 * timeouts, so a seed replays the same show and `stop()` leaves nothing behind.
 */
import { type OutputContext, failure, nextBlock, question, stageBanner } from './agent-output';
import { NL, paint } from './ansi';
import { agentLine } from './output-chunks';
import { DEMO_PROJECTS, type DemoProject, WORK_STAGES, type WorkStage } from './demo-data';
import { DemoEvents, type DemoPublisher } from './demo-events';
import { type DemoAgent, type DemoIssue, IssueFactory, createAgents } from './demo-world';
import { type Rng, between, chance, createRng, pick } from './rng';

export type { DemoPublisher } from './demo-events';

/** Timer functions; the defaults look up the globals on each call, so fake timers installed later still apply. */
export interface DemoTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface DemoSimulatorOptions {
  publisher: DemoPublisher;
  /** Same seed, same sequence of events and output. Default 1. */
  seed?: number;
  /** 1 is realistic; 10 runs ten times faster. Default 1. */
  speed?: number;
  /** How many projects (1–6). Default 3. */
  projects?: number;
  /** Issues created at start (1–1000); the demo grows to twice this, then reopens old ones. Default 20. */
  issues?: number;
  /** How many agents (1–50). Default 4. */
  agents?: number;
  /** Clock for the timestamps in payloads. Default `Date.now`. */
  now?: () => number;
  timers?: DemoTimers;
}

/** Durations in simulated ms, as `[min, max)`; real delays are these divided by `speed`. */
const TIMING = {
  stage: [10_000, 60_000],
  chunk: [50, 500],
  think: [600, 4_000],
  /** How long an agent waits for an answer before it takes the safe path (No). */
  answerTimeout: [1_800_000, 1_800_001],
  failedToIdle: [5_000, 20_000],
  blocked: [30_000, 120_000],
  schedulerTick: [1_500, 4_000],
} as const;

// Chances per step (a step is roughly 5 s of work): about every other issue
// sees a question and one in six fails, so every status shows within minutes.
const QUESTION_CHANCE = 0.015;
const FAILURE_CHANCE = 0.004;

/** What a person answered a waiting agent (or asked of a working one: interrupt). */
export interface DemoAnswer {
  action: 'reply' | 'approve' | 'deny' | 'interrupt';
  text?: string;
  /** The question answered; an answer to an earlier question is refused. */
  requestId?: string;
  /** One of the question's choices (`approve`, `deny`). */
  choice?: string;
  /** Who answered (shown in the agent's output). */
  by: string;
}

/** Why the demo could not take an answer; `code` is stable. */
export class DemoAnswerError extends Error {
  constructor(
    readonly code: 'unknown_agent' | 'not_waiting' | 'stale_request',
    message: string,
  ) {
    super(message);
    this.name = 'DemoAnswerError';
  }
}

/** The choices every demo question offers, as its terminal prompt shows them. */
export const DEMO_CHOICES = [
  { id: 'approve', label: 'Yes' },
  { id: 'deny', label: 'No' },
] as const;

const GLOBAL_TIMERS: DemoTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export class DemoSimulator {
  private readonly rng: Rng;
  private readonly speed: number;
  private readonly now: () => number;
  private readonly timers: DemoTimers;
  private readonly projects: readonly DemoProject[];
  private readonly initialIssues: number;
  private readonly events: DemoEvents;
  private readonly factory = new IssueFactory();
  private readonly issues: DemoIssue[] = [];
  private readonly agents: DemoAgent[];
  private schedulerTimer: unknown = null;
  /** The question each waiting agent asked, by agent id. */
  private readonly pending = new Map<string, { requestId: string; issue: DemoIssue }>();
  private questions = 0;
  /** Simulated ms since start, advanced by our own timers so logic never depends on `now`. */
  private clock = 0;
  private state: 'new' | 'running' | 'stopped' = 'new';

  constructor(options: DemoSimulatorOptions) {
    const seed = options.seed ?? 1;
    if (!Number.isFinite(seed)) throw new RangeError('seed must be a finite number');
    this.speed = options.speed ?? 1;
    if (!Number.isFinite(this.speed) || this.speed <= 0) throw new RangeError('speed must be a finite number > 0');
    const projectCount = checkCount('projects', options.projects ?? 3, DEMO_PROJECTS.length);
    this.initialIssues = checkCount('issues', options.issues ?? 20, 1000);
    this.agents = createAgents(checkCount('agents', options.agents ?? 4, 50));
    this.rng = createRng(seed);
    this.now = options.now ?? Date.now;
    this.timers = options.timers ?? GLOBAL_TIMERS;
    this.projects = DEMO_PROJECTS.slice(0, projectCount);
    const projectIds = this.projects.map((project) => project.id);
    this.events = new DemoEvents(options.publisher, projectIds, this.now);
  }

  /** Publishes the initial board and starts the show; returns `stop`. */
  start(): () => void {
    if (this.state === 'stopped') throw new Error('DemoSimulator cannot restart after stop(); create a new one');
    if (this.state === 'new') {
      this.state = 'running';
      for (let i = 0; i < this.initialIssues; i++) this.seedIssue(this.projects[i % this.projects.length]);
      for (const agent of this.agents) this.events.agentStatus(agent.agentId, 'idle', null);
      this.schedulerTimer = this.schedule(500, () => this.tick());
    }
    return () => this.stop();
  }

  /** Clears every timer; nothing is published afterwards. Safe to call twice. */
  stop(): void {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    if (this.schedulerTimer !== null) this.timers.clearTimeout(this.schedulerTimer);
    this.schedulerTimer = null;
    for (const agent of this.agents) {
      if (agent.timer !== null) this.timers.clearTimeout(agent.timer);
      agent.timer = null;
    }
  }

  /** Same as `stop()`, for owners that dispose what they hold. */
  dispose(): void {
    this.stop();
  }

  // ------------------------------------------------------------ scheduler

  private seedIssue(project: DemoProject): void {
    const issue = this.factory.create(project, this.now());
    // A board that is all `todo` looks fake: some work is already done or parked.
    const roll = this.rng();
    if (roll < 0.15) Object.assign(issue, { status: 'done', stage: 'done' });
    else if (roll < 0.25) issue.status = 'backlog';
    this.issues.push(issue);
    this.events.issueCreated(issue);
  }

  private tick(): void {
    this.schedulerTimer = null;
    for (const issue of this.issues) {
      if (issue.status === 'blocked' && issue.blockedUntil <= this.clock) this.setStatus(issue, 'todo');
    }
    this.refill();
    this.assignOne();
    this.schedulerTimer = this.schedule(this.duration(TIMING.schedulerTick), () => this.tick());
  }

  /** Keeps enough `todo` work for every agent: promote backlog, then create issues, then reopen done ones. */
  private refill(): void {
    if (this.issues.filter((issue) => issue.status === 'todo').length >= this.agents.length) return;
    const backlog = this.issues.find((issue) => issue.status === 'backlog');
    if (backlog) return this.setStatus(backlog, 'todo');
    if (this.issues.length < this.initialIssues * 2) {
      const issue = this.factory.create(pick(this.rng, this.projects), this.now());
      this.issues.push(issue);
      return this.events.issueCreated(issue);
    }
    // Reopening instead of creating forever keeps the hub's state bounded on a demo left running for days.
    const done = this.issues.filter((issue) => issue.status === 'done').sort((a, b) => a.doneAt - b.doneAt)[0];
    if (!done) return;
    if (!done.title.startsWith('Regression: ')) done.title = `Regression: ${done.title}`;
    done.agentId = null;
    this.events.issueUpdated(done);
    const oldStage = done.stage;
    done.stage = 'plan';
    this.events.stageChanged(done, oldStage);
    this.setStatus(done, 'todo');
  }

  /** One pickup per tick, so agents start staggered like real ones. */
  private assignOne(): void {
    const idle = this.agents.filter((agent) => agent.status === 'idle' && agent.timer === null);
    const todo = this.issues.filter((issue) => issue.status === 'todo');
    if (idle.length === 0 || todo.length === 0) return;
    const agent = pick(this.rng, idle);
    const issue = pick(this.rng, todo);
    issue.agentId = agent.agentId;
    agent.issue = issue;
    agent.status = 'working';
    this.events.agentAssigned(issue);
    this.setStatus(issue, issue.stage === 'review' ? 'in_review' : 'in_progress');
    this.events.agentStarted(agent.agentId, issue);
    this.events.agentStatus(agent.agentId, 'working', issue);
    this.beginStage(agent, issue);
  }

  // ------------------------------------------------------------ one agent

  private beginStage(agent: DemoAgent, issue: DemoIssue): void {
    agent.stageEndsAt = this.clock + this.duration(TIMING.stage);
    agent.queue = stageBanner(this.contextOf(agent, issue));
    this.later(agent, this.duration(TIMING.think), () => this.step(agent, issue));
  }

  /** Streams the next chunk; between steps the agent "thinks" and may ask, fail or move on. */
  private step(agent: DemoAgent, issue: DemoIssue): void {
    const chunk = agent.queue.shift();
    if (chunk !== undefined) {
      this.events.output(agent.agentId, chunk);
      return this.later(agent, this.duration(TIMING.chunk), () => this.step(agent, issue));
    }
    if (this.clock >= agent.stageEndsAt) return this.advance(agent, issue);
    // Tests are where agents most often get stuck.
    if (chance(this.rng, issue.stage === 'test' ? FAILURE_CHANCE * 2 : FAILURE_CHANCE)) return this.fail(agent, issue);
    if (chance(this.rng, QUESTION_CHANCE)) return this.ask(agent, issue);
    agent.queue = nextBlock(this.rng, this.contextOf(agent, issue));
    this.later(agent, this.duration(TIMING.think), () => this.step(agent, issue));
  }

  private advance(agent: DemoAgent, issue: DemoIssue): void {
    const index = WORK_STAGES.indexOf(issue.stage as WorkStage);
    const oldStage = issue.stage;
    issue.stage = index >= 0 && index < WORK_STAGES.length - 1 ? WORK_STAGES[index + 1] : 'done';
    this.events.stageChanged(issue, oldStage);
    if (issue.stage === 'review') this.setStatus(issue, 'in_review');
    if (issue.stage !== 'done') {
      this.events.agentStatus(agent.agentId, 'working', issue);
      return this.beginStage(agent, issue);
    }
    issue.doneAt = this.clock;
    this.setStatus(issue, 'done');
    this.events.output(agent.agentId, `${paint('boldGreen', `✔ #${issue.issueId} done`)} — ${issue.title}${NL}`);
    this.becomeIdle(agent);
  }

  /**
   * The agent asks and waits until answered (`answer()`), or for half an hour
   * of simulated time, after which it takes the safe path (No).
   */
  private ask(agent: DemoAgent, issue: DemoIssue): void {
    const { chunks, message } = question(this.rng, this.contextOf(agent, issue));
    this.events.output(agent.agentId, chunks.join(''));
    agent.status = 'waiting_for_input';
    const requestId = `${agent.agentId}-q${++this.questions}`;
    this.pending.set(agent.agentId, { requestId, issue });
    this.events.agentStatus(agent.agentId, 'waiting_for_input', issue, message, {
      requestId,
      prompt: message,
      choices: DEMO_CHOICES.map((choice) => ({ ...choice })),
    });
    const wait = this.duration(TIMING.answerTimeout);
    // Time spent waiting is not time spent working on the stage.
    agent.stageEndsAt += wait;
    this.later(agent, wait, () =>
      this.resume(agent, issue, [
        `${paint('gray', '> (no answer after 30 min: taking the safe path, No)')}${NL}`,
        agentLine('Leaving it as it is and moving on.'),
      ]),
    );
  }

  /**
   * Takes a person's answer: a waiting agent resumes in a way that shows it
   * (approve, deny, a reply's text); interrupt stops a waiting or working
   * agent and puts its issue back to do. Throws DemoAnswerError when there is
   * nothing to answer.
   */
  answer(agentId: string, answer: DemoAnswer): void {
    const agent = this.agents.find((candidate) => candidate.agentId === agentId);
    if (!agent) throw new DemoAnswerError('unknown_agent', `the demo has no agent ${agentId}`);
    if (answer.action === 'interrupt') {
      if (agent.status !== 'working' && agent.status !== 'waiting_for_input')
        throw new DemoAnswerError('not_waiting', `${agentId} is ${agent.status}: there is nothing to interrupt`);
      return this.interrupt(agent, answer.by);
    }
    const pending = this.pending.get(agentId);
    if (agent.status !== 'waiting_for_input' || !pending)
      throw new DemoAnswerError('not_waiting', `${agentId} is not waiting for input`);
    if (answer.requestId !== undefined && answer.requestId !== pending.requestId)
      throw new DemoAnswerError(
        'stale_request',
        `${agentId} is now asking ${pending.requestId}, not ${answer.requestId}`,
      );
    const by = paint('gray', ` (${answer.by})`);
    const approved = answer.action === 'approve' || answer.choice === 'approve';
    const denied = answer.action === 'deny' || answer.choice === 'deny';
    let lines: string[];
    if (approved) lines = [`${paint('gray', '> ')}Yes${by}${NL}`, agentLine('Approved — going ahead.')];
    else if (denied) {
      lines = [`${paint('gray', '> ')}No${by}${NL}`, agentLine('Understood — leaving it as it is and moving on.')];
      // Skipping what was asked about shortens the stage.
      agent.stageEndsAt = Math.min(agent.stageEndsAt, this.clock + this.duration(TIMING.think));
    } else {
      // One line in the terminal: control characters (escapes, newlines) from the sender are not replayed.
      const text = (answer.text ?? '').replace(/\p{Cc}+/gu, ' ').trim();
      lines = [`${paint('gray', '> ')}${text}${by}${NL}`, agentLine(`Got it — ${text}`)];
    }
    this.resume(agent, pending.issue, lines);
  }

  private resume(agent: DemoAgent, issue: DemoIssue, lines: string[]): void {
    this.pending.delete(agent.agentId);
    this.events.output(agent.agentId, lines.join(''));
    agent.status = 'working';
    this.events.agentStatus(agent.agentId, 'working', issue);
    this.later(agent, this.duration(TIMING.think), () => this.step(agent, issue));
  }

  private interrupt(agent: DemoAgent, by: string): void {
    const issue = agent.issue;
    this.pending.delete(agent.agentId);
    if (agent.timer !== null) this.timers.clearTimeout(agent.timer);
    agent.timer = null;
    this.events.output(agent.agentId, `${paint('boldRed', '^C')} ${paint('gray', `interrupted by ${by}`)}${NL}`);
    if (issue) {
      issue.agentId = null;
      this.events.agentAssigned(issue);
      this.setStatus(issue, 'todo');
    }
    this.becomeIdle(agent);
  }

  private fail(agent: DemoAgent, issue: DemoIssue): void {
    const { chunks, message } = failure(this.rng, this.contextOf(agent, issue));
    this.events.output(agent.agentId, chunks.join(''));
    agent.status = 'failed';
    agent.issue = null;
    this.events.agentStatus(agent.agentId, 'failed', issue, message);
    issue.blockedUntil = this.clock + this.duration(TIMING.blocked);
    this.setStatus(issue, 'blocked');
    issue.agentId = null;
    this.events.agentAssigned(issue);
    this.later(agent, this.duration(TIMING.failedToIdle), () => this.becomeIdle(agent));
  }

  private becomeIdle(agent: DemoAgent): void {
    agent.status = 'idle';
    agent.issue = null;
    agent.queue = [];
    this.events.agentStatus(agent.agentId, 'idle', null);
  }

  // ------------------------------------------------------------ helpers

  private setStatus(issue: DemoIssue, status: string): void {
    if (issue.status === status) return;
    const oldStatus = issue.status;
    issue.status = status;
    this.events.statusChanged(issue, oldStatus);
  }

  private contextOf(agent: DemoAgent, issue: DemoIssue): OutputContext {
    return {
      agentId: agent.agentId,
      issueId: issue.issueId,
      title: issue.title,
      stage: issue.stage,
      project: issue.project,
    };
  }

  private duration([min, max]: readonly [number, number]): number {
    return between(this.rng, min, max);
  }

  /** Schedules the agent's next move; an agent never has more than one pending timer. */
  private later(agent: DemoAgent, delay: number, callback: () => void): void {
    if (agent.timer !== null) this.timers.clearTimeout(agent.timer);
    agent.timer = this.schedule(delay, () => {
      agent.timer = null;
      callback();
    });
  }

  private schedule(delay: number, callback: () => void): unknown {
    const due = this.clock + delay;
    return this.timers.setTimeout(() => {
      // A timer can fire after stop() when the host's clearTimeout races it; publish nothing then.
      if (this.state !== 'running') return;
      this.clock = Math.max(this.clock, due);
      callback();
    }, delay / this.speed);
  }
}

function checkCount(name: string, value: number, max: number): number {
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new RangeError(`${name} must be an integer from 1 to ${max}, got ${value}`);
  }
  return value;
}
