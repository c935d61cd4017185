import WebSocket from 'ws';
import type { Hub } from '../../src/server/index';

/**
 * Polls until `condition` holds. Only for server-side state that no event
 * announces to a test (a connection count, a gauge); await events otherwise.
 */
export async function eventually(
  condition: () => boolean | Promise<boolean>,
  what = 'condition',
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The value of a counter or gauge in the hub's registry, summed over the series matching `labels`. */
export async function metricValue(hub: Hub, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = hub.metrics.registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  return values
    .filter((sample) => Object.entries(labels).every(([key, value]) => sample.labels[key] === value))
    .reduce((sum, sample) => sum + sample.value, 0);
}

export interface RejectedUpgrade {
  status: number;
  body: unknown;
}

/** Attempts a WebSocket upgrade that should be refused; resolves with the HTTP status and JSON body (null if none). */
export function rejectedUpgrade(url: string, headers: Record<string, string> = {}): Promise<RejectedUpgrade> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => {
      ws.terminate();
      reject(new Error('the upgrade was accepted'));
    });
    ws.once('unexpected-response', (_request, response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: response.statusCode ?? 0, body: text ? (JSON.parse(text) as unknown) : null });
      });
    });
    ws.once('error', (error) => {
      if (!/Unexpected server response/.test(error.message)) reject(error);
    });
  });
}
