import { Worker, benchCores } from '../lib/processes';

export interface HubSample {
  /** heapUsed and RSS after gc once every client has left. */
  heap: number;
  rss: number;
  /** heapUsed after gc while all clients were connected and subscribed. */
  connectedHeap: number;
  connectMs: number;
}

export interface HubSoak {
  /** The hub before any client. */
  cold: { heap: number; rss: number };
  /** After one warm-up cycle: what the later cycles are judged against. */
  baseline: HubSample;
  cycles: HubSample[];
}

/**
 * The hub memory soak: a hub process (--expose-gc, its own core) and a
 * client process (the other core); `clients` connect, subscribe and all
 * leave, once to warm up and then `cycles` times, the hub's memory read after
 * two full GCs each time.
 */
export async function soakHub(
  options: { clients: number; cycles: number; agents: number },
  log: (line: string) => void,
): Promise<HubSoak> {
  const cores = benchCores();
  const hub = await Worker.spawn<{ wsUrl: string; token: string }>('bench/terminal/soak-hub-process.ts', {
    name: 'soak hub',
    core: cores.system,
    exposeGc: true,
    env: { ROLE: 'measured' },
  });
  let load: Worker | null = null;
  try {
    const clients = await Worker.spawn('bench/terminal/soak-load-process.ts', {
      name: 'soak clients',
      core: cores.load,
      env: { HUB_URL: hub.ready.wsUrl, HUB_TOKEN: hub.ready.token },
    });
    load = clients;
    const cycle = async (): Promise<HubSample> => {
      const { ms } = await clients.call<{ ms: number }>('connect', { count: options.clients, agents: options.agents });
      const connected = await hub.usage(true);
      await clients.call('leave');
      const deadline = Date.now() + 10_000;
      while ((await hub.call<number>('connections')) > 0) {
        if (Date.now() > deadline) throw new Error('the hub still holds connections 10 s after every client left');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const after = await hub.usage(true);
      return { heap: after.heapUsed, rss: after.rss, connectedHeap: connected.heapUsed, connectMs: ms };
    };
    const cold = await hub.usage(true);
    // The first clients make V8 compile the connection paths; that code (with its feedback and bytecode)
    // stays in the heap and is not memory held for clients, so the baseline is taken after one warm-up cycle.
    const baseline = await cycle();
    log(`  hub warm-up: heap ${mib(cold.heapUsed)} cold → ${mib(baseline.heap)} after ${options.clients} clients left`);
    const cycles: HubSample[] = [];
    for (let index = 1; index <= options.cycles; index++) {
      const result = await cycle();
      cycles.push(result);
      log(
        `  hub cycle ${index}/${options.cycles}: ${options.clients} clients in ${Math.round(result.connectMs)} ms; ` +
          `heap ${mib(result.connectedHeap)} connected → ${mib(result.heap)} after ` +
          `(baseline ${mib(baseline.heap)}), RSS ${mib(result.rss)}`,
      );
    }
    return { cold: { heap: cold.heapUsed, rss: cold.rss }, baseline, cycles };
  } finally {
    await load?.kill();
    await hub.kill();
  }
}

export function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
