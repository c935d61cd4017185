import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Counts what escapes every handler: `uncaughtException` and
 * `unhandledRejection` in this process (the hub, the client core and the test
 * share it). Vitest reports these too; counting them here turns "nothing
 * escaped" into a figure. Returns its undo.
 */
export function watchProcessErrors(): { readonly errors: unknown[]; dispose(): void } {
  const errors: unknown[] = [];
  const onError = (error: unknown): void => void errors.push(error);
  process.on('uncaughtException', onError);
  process.on('unhandledRejection', onError);
  return {
    errors,
    dispose() {
      process.off('uncaughtException', onError);
      process.off('unhandledRejection', onError);
    },
  };
}

/**
 * Heap in use after collections, once asynchronous cleanup (closing sockets,
 * timers) has settled: the lowest of `rounds` samples 50 ms apart. Without
 * --expose-gc (a run outside the reliability config) it exposes `gc` itself,
 * so the figure still means "after a full collection".
 */
export async function settledHeap(heapAfterGc: () => number, rounds = 5): Promise<number> {
  const global = globalThis as { gc?: () => void };
  if (!global.gc) {
    setFlagsFromString('--expose-gc');
    global.gc = runInNewContext('gc') as () => void;
  }
  let lowest = Number.POSITIVE_INFINITY;
  for (let round = 0; round < rounds; round++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    lowest = Math.min(lowest, heapAfterGc());
  }
  return lowest;
}
