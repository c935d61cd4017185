import type { TestProject } from 'vitest/node';
import { RedisServer, redisServerPath } from './redis';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of the redis-server shared by the "redis" test project, or '' when there is none. */
    redisUrl: string;
  }
}

/** Starts one redis-server for the run (tests isolate themselves with key prefixes). */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const binary = redisServerPath();
  if (!binary) {
    project.provide('redisUrl', '');
    return async () => {};
  }
  const server = await RedisServer.start(binary);
  project.provide('redisUrl', server.url);
  return () => server.stop();
}
