import { Worker } from '../lib/processes';

export interface MainSideSoak {
  /** heapUsed and RSS after gc, once subscribed and before any output. */
  baseline: { heap: number; rss: number };
  /** After each share of the lines: lines per agent so far, heapUsed and RSS after gc. */
  series: { linesPerPane: number[]; heap: number[]; rss: number[] };
}

/**
 * The main-side memory soak: a source hub streams `lines` lines to each agent
 * in `samples` equal shares; the relay process (client core + window relay,
 * started with --expose-gc) is sampled after it has relayed each share.
 */
export async function soakMainSide(agents: string[], lines: number, samples: number): Promise<MainSideSoak> {
  const source = await Worker.spawn<{ wsUrl: string; token: string }>('bench/terminal/soak-hub-process.ts', {
    name: 'soak output source (hub)',
    env: { ROLE: 'source' },
  });
  let relay: Worker | null = null;
  try {
    relay = await Worker.spawn('bench/terminal/soak-relay-process.ts', {
      name: 'soak main side (relay + client core)',
      exposeGc: true,
      env: { HUB_URL: source.ready.wsUrl, HUB_TOKEN: source.ready.token, AGENTS: agents.join(',') },
    });
    await relay.call('subscribed');
    const baseline = await relay.usage(true);
    const series: MainSideSoak['series'] = { linesPerPane: [], heap: [], rss: [] };
    for (let sample = 1; sample <= samples; sample++) {
      const upTo = Math.round((lines * sample) / samples);
      await source.call('stream', { agents, lines: upTo - (series.linesPerPane.at(-1) ?? 0) });
      await relay.call('received', { lines: upTo, timeoutMs: 120_000 });
      const usage = await relay.usage(true);
      series.linesPerPane.push(upTo);
      series.heap.push(usage.heapUsed);
      series.rss.push(usage.rss);
    }
    return { baseline: { heap: baseline.heapUsed, rss: baseline.rss }, series };
  } finally {
    await relay?.kill();
    await source.kill();
  }
}
