import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { type AddressInfo, createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pinned } from './hop-pin';

/** A redis-server for one benchmark: free port, no persistence, its own temp dir, optionally pinned to a core. */
export interface BenchRedis {
  port: number;
  url: string;
  /** CPU time the server has used so far in ms (Linux /proc, 10 ms ticks), or null where it cannot be read. */
  cpuMs(): number | null;
  /** Kills the server and removes its directory. Safe to call twice. */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(port, '127.0.0.1');
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startRedis(core?: number): Promise<BenchRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'falcon-bench-redis-'));
  const port = await freePort();
  const [file, args] = pinned(core, [
    'redis-server',
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--protected-mode',
    'no',
    '--dir',
    dir,
  ]);
  let child: ChildProcess | null = spawn(file, args, { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child?.once('exit', () => resolve()));
  const failed = new Promise<never>((_, reject) => child?.once('error', reject));
  failed.catch(() => {});
  const onExit = (): void => {
    child?.kill('SIGKILL');
  };
  process.once('exit', onExit);
  const stop = async (): Promise<void> => {
    process.off('exit', onExit);
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    child = null;
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const deadline = Date.now() + 10_000;
    while (!(await Promise.race([answers(port), failed]))) {
      if (Date.now() > deadline) throw new Error(`redis-server did not start on port ${port}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  // taskset execs redis-server, so the child's pid is the server's.
  const pid = child?.pid;
  const cpuMs = (): number | null => {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return (Number(fields[11]) + Number(fields[12])) * 10;
    } catch {
      return null;
    }
  };
  return { port, url: `redis://127.0.0.1:${port}`, cpuMs, stop };
}

/**
 * `redis-benchmark … PUBLISH` at a concurrency, pinned to a core: requests per
 * second as it reports them. (`-t publish` is not one of its built-in tests,
 * so the command is given explicitly.)
 */
export function redisBenchmarkPublish(options: {
  port: number;
  clients: number;
  requests: number;
  message: string;
  core?: number;
}): Promise<number> {
  const [file, args] = pinned(options.core, [
    'redis-benchmark',
    '-h',
    '127.0.0.1',
    '-p',
    String(options.port),
    '-c',
    String(options.clients),
    '-n',
    String(options.requests),
    '-q',
    'PUBLISH',
    'bench-channel',
    options.message,
  ]);
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout) => {
      if (error) return reject(error);
      // Progress lines end in \r; the last report is the final one.
      const found = [...stdout.matchAll(/([\d.]+) requests per second/g)].at(-1);
      if (!found) return reject(new Error(`no rate in redis-benchmark output: ${stdout.slice(-200)}`));
      resolve(Number(found[1]));
    });
  });
}
