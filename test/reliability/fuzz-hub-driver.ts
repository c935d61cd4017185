/**
 * Drives adversarial frames at a hub over real WebSockets: pipelined batches
 * on long-lived connections (each batch confirmed by a ping's pong), and the
 * frames the hub closes a connection for, each on a connection of its own.
 */
import { once } from 'node:events';
import WebSocket from 'ws';
import { ErrorCode } from '../../src/shared/errors';
import type { Hub } from '../../src/server/index';
import { eventually, metricValue } from '../helpers/probes';
import { mapConcurrent } from './attack-raw-http';
import { type ClosingFrameKind, clientFrame, closingFrame } from './fuzz-client-frames';
import { sampleOf } from './fuzz-values';

export interface FrameRound {
  framesSent: number;
  /** Replies by `type`, or by `code` for errors: shows which paths the fuzz reached. */
  replies: Map<string, number>;
  internalErrors: number;
  /** Connections the hub closed although their frames should have kept them open. */
  unexpectedCloses: number;
  /** Close codes of the connections sent a frame the hub closes for, by frame kind. */
  closeCodes: Map<ClosingFrameKind, number[]>;
}

/** Opens a raw connection to the hub and waits for its `connected`. */
async function openClient(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url);
  ws.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    ws.once('message', () => resolve());
    ws.once('close', (code) => reject(new Error(`closed with ${code} before connected`)));
  });
  return ws;
}

/**
 * Sends `batches × batchSize` frames on one connection, pipelined: each batch
 * is written at once, then a ping whose pong proves the hub processed
 * everything before it (the hub answers in order).
 */
async function fuzzOneConnection(url: string, batches: number, batchSize: number, seed: number): Promise<FrameRound> {
  const round: FrameRound = {
    framesSent: 0,
    replies: new Map(),
    internalErrors: 0,
    unexpectedCloses: 0,
    closeCodes: new Map(),
  };
  const ws = await openClient(url);
  let awaited: { text: string; resolve: () => void } | null = null;
  let closedByUs = false;
  const closed = new Promise<void>((resolve) =>
    ws.once('close', () => {
      if (!closedByUs) round.unexpectedCloses++;
      resolve();
    }),
  );
  ws.on('message', (data: Buffer) => {
    const text = data.toString();
    const reply = JSON.parse(text) as { type: string; code?: string };
    const kind = reply.type === 'error' ? (reply.code ?? 'error') : reply.type;
    round.replies.set(kind, (round.replies.get(kind) ?? 0) + 1);
    if (reply.code === ErrorCode.Internal) round.internalErrors++;
    if (awaited && text === awaited.text) awaited.resolve();
  });
  for (let batch = 0; batch < batches && !round.unexpectedCloses; batch++) {
    for (const frame of sampleOf(clientFrame, batchSize, seed + batch)) ws.send(frame);
    round.framesSent += batchSize;
    const id = `§sync-${seed}-${batch}`;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await new Promise<void>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`no pong for batch ${batch} (seed ${seed})`)), 60_000);
      awaited = { text: JSON.stringify({ type: 'pong', id }), resolve };
      void closed.then(() => reject(new Error(`the hub closed the connection during batch ${batch} (seed ${seed})`)));
      ws.send(JSON.stringify({ type: 'ping', id }));
    }).finally(() => {
      clearTimeout(timer);
      awaited = null;
    });
  }
  closedByUs = true;
  ws.close();
  await closed;
  return round;
}

/** Sends each frame the hub closes a connection for on a connection of its own; returns the close codes. */
async function fuzzClosingFrames(url: string, count: number, seed: number): Promise<Map<ClosingFrameKind, number[]>> {
  const codes = new Map<ClosingFrameKind, number[]>();
  await mapConcurrent(sampleOf(closingFrame, count, seed), 8, async ({ kind, data }) => {
    const ws = await openClient(url);
    const closed = once(ws, 'close') as Promise<[number, Buffer]>;
    ws.send(data, { binary: kind === 'binary' });
    const [code] = await closed;
    codes.set(kind, [...(codes.get(kind) ?? []), code]);
  });
  return codes;
}

/**
 * Fuzzes `plan.connections` connections at once, alternating a token for
 * every channel with one for some (so `forbidden` is reached too), then the
 * frames the hub closes connections for.
 */
export async function fuzzRound(
  urls: readonly string[],
  plan: { connections: number; batches: number; batchSize: number; closing: number; seed: number },
): Promise<FrameRound> {
  const rounds = await Promise.all([
    ...Array.from({ length: plan.connections }, (_, index) =>
      fuzzOneConnection(urls[index % urls.length], plan.batches, plan.batchSize, plan.seed + index * 10_000),
    ),
  ]);
  const closeCodes = await fuzzClosingFrames(urls[0], plan.closing, plan.seed + 999_999);
  const replies = new Map<string, number>();
  for (const round of rounds)
    for (const [kind, count] of round.replies) replies.set(kind, (replies.get(kind) ?? 0) + count);
  return {
    replies,
    framesSent: rounds.reduce((sum, round) => sum + round.framesSent, 0) + plan.closing,
    internalErrors: rounds.reduce((sum, round) => sum + round.internalErrors, 0),
    unexpectedCloses: rounds.reduce((sum, round) => sum + round.unexpectedCloses, 0),
    closeCodes,
  };
}

/** Waits (bounded) for the hub to drop every connection and subscription; returns what is left. */
export async function settledHub(hub: Hub): Promise<{ connections: number; subscriptions: number }> {
  await eventually(
    async () => hub.connectionCount === 0 && (await metricValue(hub, 'falcon_hub_subscriptions')) === 0,
    'connections and subscriptions back to 0',
    10_000,
  ).catch(() => {});
  return { connections: hub.connectionCount, subscriptions: await metricValue(hub, 'falcon_hub_subscriptions') };
}
