import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';
import { freePort } from './net';
import { canPin } from './processes';

/**
 * A throwaway redis-server for scenarios that need the Redis engine: a free
 * port, no persistence (`--save "" --appendonly no`), optionally pinned to the
 * system-under-test's core because it is part of that system.
 */
export class BenchRedis {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {}

  static available(): boolean {
    return ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].some((path) => existsSync(path));
  }

  static async start(core?: number): Promise<BenchRedis> {
    const port = await freePort();
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    const [file, ...rest] =
      core !== undefined && canPin()
        ? ['taskset', '-c', String(core), 'redis-server', ...args]
        : ['redis-server', ...args];
    const child = spawn(file, rest, { stdio: 'ignore' });
    const redis = new BenchRedis(child, port);
    const deadline = Date.now() + 10_000;
    while (!(await redis.answers())) {
      if (child.exitCode !== null) throw new Error(`redis-server exited (${child.exitCode})`);
      if (Date.now() > deadline) throw new Error(`redis-server did not start on port ${port}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  private answers(): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = createConnection(this.port, '127.0.0.1');
      socket.once('connect', () => socket.write('PING\r\n'));
      socket.once('data', (data) => {
        socket.destroy();
        resolve(data.toString().startsWith('+PONG'));
      });
      socket.once('error', () => resolve(false));
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.kill('SIGKILL');
    });
  }
}
