import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';

/**
 * An event's WebSocket frame, built once per publish and written as the same
 * bytes to every subscriber (RFC 6455 §5.2: FIN, text opcode, no mask — a
 * server never masks — then a 7-, 16- or 64-bit payload length). `ws.send`
 * would frame the message again for each socket and write header and payload
 * as two chunks (cork, write, write, uncork: one `writev` per socket); one
 * buffer is one plain `write`. Socket.IO's broadcasts pre-frame the same way
 * (engine.io's `wsPreEncodedFrame`).
 */

const OPCODE_TEXT = 0x01;
const FIN = 0x80;

/** Bytes of a server frame's header for a payload of `length` bytes. */
export function frameHeaderLength(length: number): number {
  return length > 0xffff ? 10 : length > 125 ? 4 : 2;
}

/** The complete, final, unmasked text frame of `payload` (UTF-8), header and payload in one buffer. */
export function textFrame(payload: string | Buffer): Buffer {
  const length = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
  const header = frameHeaderLength(length);
  const frame = Buffer.allocUnsafe(header + length);
  frame[0] = FIN | OPCODE_TEXT;
  if (header === 2) {
    frame[1] = length;
  } else if (header === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    // 64-bit length; a Buffer holds far less than 2⁵³ bytes, so the top 16 bits are zero.
    frame.writeUInt16BE(0, 2);
    frame.writeUIntBE(length, 4, 6);
  }
  if (typeof payload === 'string') frame.write(payload, header, 'utf8');
  else payload.copy(frame, header);
  return frame;
}

/** The payload of a frame `textFrame` built (a view, not a copy). */
export function framePayload(frame: Buffer): Buffer {
  const marker = frame[1] & 0x7f;
  return frame.subarray(marker === 127 ? 10 : marker === 126 ? 4 : 2);
}

/** The parts of ws 8's WebSocket and Sender the direct write relies on (not in @types/ws). */
interface WsInternals {
  /** A client's frames must be masked: only a server-side WebSocket may take a prebuilt frame. */
  _isServer?: boolean;
  _extensions?: Record<string, unknown>;
  _sender?: {
    _socket?: Duplex;
    /** 0 (DEFAULT) when nothing is being compressed or read from a Blob. */
    _state?: number;
    /** False in the middle of a fragmented message. */
    _firstFragment?: boolean;
    /** Messages waiting behind a compression or a Blob read, in order. */
    _queue?: unknown[];
  };
}

/**
 * Writes a prebuilt frame to an open WebSocket. It goes straight to the
 * socket, as ws's own `sendFrame` would write it, only when ws would write
 * this message unchanged right now: a server-side socket (a client masks
 * every frame), no permessage-deflate on the connection
 * (a compressed message needs its own frame), and the Sender idle — not
 * compressing, not reading a Blob, nothing queued, not inside a fragmented
 * message — so the frame can never overtake or split another message.
 * Otherwise, and should ws's internals ever change shape, it falls back to
 * `ws.send` with the payload, which queues and frames as ws does. Either way
 * the bytes are in the socket's buffer afterwards (or ws's queue), so
 * `ws.bufferedAmount` counts them and the slow-consumer check stays right.
 */
export function writeFrame(ws: WebSocket, frame: Buffer, callback?: (error?: Error | null) => void): void {
  const internals = ws as unknown as WsInternals;
  const sender = internals._sender;
  if (
    internals._isServer === true &&
    sender !== undefined &&
    sender._state === 0 &&
    sender._firstFragment === true &&
    sender._queue?.length === 0 &&
    sender._socket !== undefined &&
    internals._extensions !== undefined &&
    !('permessage-deflate' in internals._extensions) &&
    ws.readyState === 1
  ) {
    writeCoalesced(sender._socket, frame, callback);
    return;
  }
  ws.send(framePayload(frame), { binary: false }, callback);
}

/**
 * A socket's first frame in a tick is written at once (a single event costs
 * one write, as before); from its second on, the socket is corked until the
 * tick ends, so a burst of events published in one tick — a batch of output,
 * a run of publishes awaiting one another — leaves as one `writev` per socket
 * instead of a write per event. The tick ends (process.nextTick) before any
 * I/O and before the promise continuations of the publishes, so nothing
 * waits longer than the code that published. Corked writes wait in the
 * socket's own buffer: `ws.bufferedAmount` counts them, and a `ws.send`
 * meanwhile queues behind them in order.
 *
 * Each socket carries a mark — 2·tick when written to in this tick, 2·tick + 1
 * when also corked — rather than the tick keeping a set of sockets, so a
 * single event allocates nothing per socket.
 */
const kMark = Symbol('falcon.frameTick');
type MarkedSocket = Duplex & { [kMark]?: number };

let tick = 0;
let tickScheduled = false;
const corkedThisTick: Duplex[] = [];

function endTick(): void {
  tickScheduled = false;
  tick++;
  for (const socket of corkedThisTick) socket.uncork();
  corkedThisTick.length = 0;
}

function writeCoalesced(socket: MarkedSocket, frame: Buffer, callback?: (error?: Error | null) => void): void {
  if (!tickScheduled) {
    tickScheduled = true;
    process.nextTick(endTick);
  }
  const mark = socket[kMark];
  if (mark === 2 * tick) {
    socket.cork();
    socket[kMark] = 2 * tick + 1;
    corkedThisTick.push(socket);
  } else if (mark !== 2 * tick + 1) {
    socket[kMark] = 2 * tick;
  }
  socket.write(frame, callback);
}
