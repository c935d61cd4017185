import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Benchmark processes: the system under test and the load generator run in
 * separate Node processes, pinned to different cores with `taskset` when it
 * exists, so neither steals the other's CPU and each one's CPU time can be
 * read on its own (process.cpuUsage inside the child).
 */

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** What a child reports about itself on request. */
export interface ProcessUsage {
  /** User + system CPU time since the process started, in ms. */
  cpuMs: number;
  rss: number;
  heapUsed: number;
  external: number;
  /** Wall clock (ms since epoch, sub-ms precision) when the figures were taken. */
  at: number;
}

type ToChild =
  { kind: 'call'; id: number; method: string; params: unknown } | { kind: 'notify'; event: string; data: unknown };
type ToParent =
  | { kind: 'ready'; data: unknown }
  | { kind: 'result'; id: number; ok: true; value: unknown }
  | { kind: 'result'; id: number; ok: false; error: string }
  | { kind: 'event'; event: string; data: unknown };

/** Wall-clock time with sub-millisecond precision, comparable across processes on one machine. */
export const wallNow = (): number => performance.timeOrigin + performance.now();

let allowed: number[] | null = null;
/** CPUs this process may run on (Linux: Cpus_allowed_list), else all of them. */
export function allowedCpus(): number[] {
  if (allowed) return allowed;
  try {
    const line = /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '';
    allowed = line.split(',').flatMap((range) => {
      const [from, to = from] = range.split('-').map(Number);
      return Array.from({ length: to - from + 1 }, (_, index) => from + index);
    });
  } catch {
    allowed = cpus().map((_, index) => index);
  }
  return allowed;
}

let tasksetWorks: boolean | null = null;
export function canPin(): boolean {
  tasksetWorks ??= allowedCpus().length >= 2 && spawnSync('taskset', ['-c', '0', 'true']).status === 0;
  return tasksetWorks;
}

/** The core for the system under test and the one for the load generator, or undefined when we cannot pin. */
export function benchCores(): { system?: number; load?: number } {
  if (!canPin()) return {};
  const [system, load] = allowedCpus();
  return { system, load };
}

export interface WorkerOptions {
  /** Shown in errors. */
  name: string;
  /** Pin to this core with taskset (ignored when pinning is unavailable). */
  core?: number;
  args?: string[];
  env?: Record<string, string>;
  /** Start with --expose-gc so memory can be read after a full collection. */
  exposeGc?: boolean;
  /** More Node flags, e.g. `['--cpu-prof', '--cpu-prof-dir=/tmp/prof']` to see where a child spends its time. */
  execArgv?: string[];
  /** How long the child may take to say it is ready (default 20 s). */
  readyTimeoutMs?: number;
}

const live = new Set<Worker>();

/** A child process running a TS entry (node --import tsx) that answers calls over IPC. */
export class Worker<Ready = unknown> {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private readonly listeners = new Map<string, Set<(data: unknown) => void>>();
  readonly exited: Promise<number | null>;
  ready!: Ready;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    live.add(this);
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    void this.exited.then((code) => {
      live.delete(this);
      for (const { reject } of this.pending.values()) reject(new Error(`${name} exited (${code}) during a call`));
      this.pending.clear();
    });
    child.on('message', (message: ToParent) => this.onMessage(message));
  }

  static async spawn<Ready = unknown>(entry: string, options: WorkerOptions): Promise<Worker<Ready>> {
    // BENCH_CPU_PROF=<dir> profiles every child: one .cpuprofile each, for Chrome DevTools.
    const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
    const flags = [...(options.exposeGc ? ['--expose-gc'] : []), ...profile, ...(options.execArgv ?? [])];
    flags.push('--import', 'tsx');
    const command = [process.execPath, ...flags, resolve(REPO_ROOT, entry), ...(options.args ?? [])];
    const pinned = options.core !== undefined && canPin();
    const [file, ...args] = pinned ? ['taskset', '-c', String(options.core), ...command] : command;
    const child = spawn(file, args, {
      cwd: REPO_ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const worker = new Worker<Ready>(options.name, child);
    worker.ready = await new Promise<Ready>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`${options.name} was not ready within ${options.readyTimeoutMs ?? 20_000} ms`));
      }, options.readyTimeoutMs ?? 20_000);
      child.on('message', (message: ToParent) => {
        if (message.kind !== 'ready') return;
        clearTimeout(timer);
        resolve(message.data as Ready);
      });
      void worker.exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`${options.name} exited (${code}) before it was ready`));
      });
    });
    return worker;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  call<T = unknown>(method: string, params?: unknown): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.send({ kind: 'call', id, method, params }, reject);
    });
  }

  notify(event: string, data?: unknown): void {
    this.send({ kind: 'notify', event, data }, () => {});
  }

  /** Listens to events the child emits. Returns its undo. */
  on(event: string, listener: (data: unknown) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  /** CPU and memory of the child; with `gc`, after two full collections (needs exposeGc). */
  usage(gc = false): Promise<ProcessUsage> {
    return this.call<ProcessUsage>('usage', { gc });
  }

  /** Asks the child to exit, and kills it if it has not within `graceMs`. Safe to call twice. */
  async kill(graceMs = 3000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.send({ kind: 'call', id: 0, method: 'exit', params: null }, () => {});
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  private send(message: ToChild, onError: (error: Error) => void): void {
    if (!this.child.connected) return onError(new Error(`${this.name} is not running`));
    this.child.send(message, (error) => {
      if (error) onError(error);
    });
  }

  private onMessage(message: ToParent): void {
    if (message.kind === 'result') {
      const call = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (!call) return;
      if (message.ok) call.resolve(message.value);
      else call.reject(new Error(`${this.name}: ${message.error}`));
    } else if (message.kind === 'event') {
      for (const listener of this.listeners.get(message.event) ?? []) listener(message.data);
    }
  }
}

/** Kills every worker still running (after a failed scenario, or on Ctrl-C). */
export async function killAllWorkers(): Promise<void> {
  await Promise.all([...live].map((worker) => worker.kill(1000)));
}

// ------------------------------------------------------------ child side

export type Handlers = Record<string, (params: never) => unknown>;

export interface ParentLink {
  emit(event: string, data?: unknown): void;
  /** Listens to `notify` messages from the parent. Returns its undo. */
  on(event: string, listener: (data: unknown) => void): () => void;
}

/**
 * Inside a worker: answers the parent's calls with `handlers` (plus `usage`
 * and `exit`), then says it is ready. The child exits when the parent goes
 * away, so a crashed runner leaves no servers behind.
 */
export function serveParent(handlers: Handlers, ready: unknown, onExit?: () => Promise<void> | void): ParentLink {
  const send = (message: ToParent): void => {
    if (process.connected) process.send?.(message);
  };
  const listeners = new Map<string, Set<(data: unknown) => void>>();
  const exit = async (): Promise<never> => {
    try {
      await onExit?.();
    } finally {
      process.exit(0);
    }
  };
  const builtIn: Handlers = {
    usage: ({ gc }: { gc?: boolean }) => usageNow(gc === true),
  };
  process.on('message', (message: ToChild) => {
    if (message.kind === 'notify') {
      for (const listener of listeners.get(message.event) ?? []) listener(message.data);
      return;
    }
    if (message.method === 'exit') return void exit();
    const handler = handlers[message.method] ?? builtIn[message.method];
    if (!handler) return send({ kind: 'result', id: message.id, ok: false, error: `no method ${message.method}` });
    Promise.resolve()
      .then(() => (handler as (params: unknown) => unknown)(message.params))
      .then(
        (value) => send({ kind: 'result', id: message.id, ok: true, value: value ?? null }),
        (error: unknown) =>
          send({ kind: 'result', id: message.id, ok: false, error: (error as Error)?.message ?? String(error) }),
      );
  });
  process.on('disconnect', () => void exit());
  send({ kind: 'ready', data: ready });
  return {
    emit: (event, data) => send({ kind: 'event', event, data }),
    on(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener);
      return () => set.delete(listener);
    },
  };
}

function usageNow(gc: boolean): ProcessUsage {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (gc && collect) {
    collect();
    collect();
  }
  const cpu = process.cpuUsage();
  const memory = process.memoryUsage();
  return {
    cpuMs: (cpu.user + cpu.system) / 1000,
    rss: memory.rss,
    heapUsed: memory.heapUsed,
    external: memory.external,
    at: wallNow(),
  };
}
