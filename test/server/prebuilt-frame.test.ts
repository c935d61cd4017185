import { randomBytes } from 'node:crypto';
import { type AddressInfo, type Socket, connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import * as ws from 'ws';
import { WebSocket, WebSocketServer } from 'ws';
import { framePayload, frameHeaderLength, textFrame, writeFrame } from '../../src/server/prebuilt-frame';

// ws's own framing, to compare against (not in @types/ws).
const Sender = (
  ws as unknown as {
    Sender: {
      frame(
        data: Buffer,
        options: { fin: boolean; rsv1: boolean; opcode: number; mask: boolean; readOnly: boolean },
      ): Buffer[];
    };
  }
).Sender;

const LENGTHS = [0, 1, 125, 126, 127, 65535, 65536, 70000];
const textOf = (length: number): string => 'é'.repeat(Math.floor(length / 2)) + 'x'.repeat(length % 2);

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function server(options: ws.ServerOptions = {}): Promise<{ wss: WebSocketServer; port: number }> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', ...options });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  );
  return { wss, port: (wss.address() as AddressInfo).port };
}

const nextConnection = (wss: WebSocketServer): Promise<WebSocket> =>
  new Promise((resolve) => wss.once('connection', (socket: WebSocket) => resolve(socket)));

/** A bare TCP client that completes the handshake and then keeps every byte the server sends. */
async function rawClient(
  port: number,
): Promise<{ socket: Socket; received: () => Buffer; waitFor: (n: number) => Promise<Buffer> }> {
  const socket = connect(port, '127.0.0.1');
  cleanups.push(() => void socket.destroy());
  let buffer = Buffer.alloc(0);
  let handshaken = false;
  let waiter: (() => void) | null = null;
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (!handshaken) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end === -1) return;
        handshaken = true;
        buffer = buffer.subarray(end + 4);
        resolve();
      }
      waiter?.();
    });
    socket.write(
      'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
  });
  return {
    socket,
    received: () => buffer,
    waitFor: async (n) => {
      while (buffer.length < n) await new Promise<void>((resolve) => (waiter = resolve));
      return buffer.subarray(0, n);
    },
  };
}

describe('textFrame', () => {
  it.each(LENGTHS)('builds the frame ws builds for a %i-byte text payload', (length) => {
    const payload = Buffer.from(textOf(length));
    const expected = Buffer.concat(
      Sender.frame(payload, { fin: true, rsv1: false, opcode: 1, mask: false, readOnly: true }),
    );

    expect(textFrame(payload.toString())).toEqual(expected);
    expect(textFrame(payload)).toEqual(expected);
  });

  it.each([
    [125, 2],
    [126, 4],
    [65535, 4],
    [65536, 10],
  ])('gives a %i-byte payload a %i-byte header, and framePayload finds the payload again', (length, header) => {
    const payload = Buffer.from('y'.repeat(length));
    const frame = textFrame(payload);

    expect(frameHeaderLength(length)).toBe(header);
    expect(frame.length).toBe(header + length);
    expect(framePayload(frame)).toEqual(payload);
  });
});

describe('writeFrame', () => {
  it('puts on the wire exactly the bytes ws.send does, at every length boundary', async () => {
    const { wss, port } = await server({ perMessageDeflate: false });
    const connection = nextConnection(wss);
    const client = await rawClient(port);
    const serverSide = await connection;
    let expected = 0;
    for (const length of LENGTHS) {
      const text = textOf(length);
      serverSide.send(text);
      writeFrame(serverSide, textFrame(text));
      expected += 2 * textFrame(text).length;
    }

    const bytes = await client.waitFor(expected);
    let offset = 0;
    for (const length of LENGTHS) {
      const size = textFrame(textOf(length)).length;
      const bySend = bytes.subarray(offset, offset + size);
      const byFrame = bytes.subarray(offset + size, offset + 2 * size);
      expect(byFrame).toEqual(bySend);
      // Unmasked: the mask bit of a server frame is clear.
      expect(byFrame[1] & 0x80).toBe(0);
      offset += 2 * size;
    }
  });

  it('delivers every length to a real ws client as the text sent', async () => {
    const { wss, port } = await server({ perMessageDeflate: false });
    const connection = nextConnection(wss);
    const client = new WebSocket(`ws://127.0.0.1:${port}`);
    cleanups.push(() => client.terminate());
    const messages: string[] = [];
    const all = new Promise<void>((resolve) =>
      client.on('message', (data: Buffer) => {
        messages.push(data.toString());
        if (messages.length === LENGTHS.length) resolve();
      }),
    );
    const serverSide = await connection;
    for (const length of LENGTHS) writeFrame(serverSide, textFrame(textOf(length)));
    await all;

    expect(messages).toEqual(LENGTHS.map(textOf));
  });

  it('falls back to ws.send on a connection that negotiated permessage-deflate, and keeps the order behind a compression', async () => {
    const { wss, port } = await server({ perMessageDeflate: { threshold: 0 } });
    const connection = nextConnection(wss);
    const client = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: true });
    cleanups.push(() => client.terminate());
    const texts = ['first, compressed by ws.send', textOf(70000), 'third', textOf(126)];
    const messages: string[] = [];
    const all = new Promise<void>((resolve) =>
      client.on('message', (data: Buffer) => {
        messages.push(data.toString());
        if (messages.length === texts.length) resolve();
      }),
    );
    const serverSide = await connection;
    expect(serverSide.extensions).toContain('permessage-deflate');
    // The first compression is still running when the frames are handed over: they must wait behind it.
    serverSide.send(texts[0]);
    for (const text of texts.slice(1)) writeFrame(serverSide, textFrame(text));
    await all;

    expect(messages).toEqual(texts);
  });

  it('falls back to ws.send on a client socket, whose frames must be masked', async () => {
    const { wss, port } = await server({ perMessageDeflate: false });
    const connection = nextConnection(wss);
    const client = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: false });
    cleanups.push(() => client.terminate());
    await new Promise((resolve) => client.once('open', resolve));
    const serverSide = await connection;
    const received = new Promise<string>((resolve) =>
      serverSide.once('message', (data: Buffer) => resolve(data.toString())),
    );

    writeFrame(client, textFrame('from the client'));

    // The server's receiver refuses an unmasked client frame (1002), so arriving at all proves the mask.
    expect(await received).toBe('from the client');
  });

  it('sends a socket its first frame of a tick at once and corks the rest until the tick ends', async () => {
    const { wss, port } = await server({ perMessageDeflate: false });
    const connection = nextConnection(wss);
    const client = await rawClient(port);
    const serverSide = await connection;
    const socket = (serverSide as unknown as { _socket: import('node:net').Socket })._socket;
    const frames = ['one', 'two', 'three'].map((text) => textFrame(text));

    writeFrame(serverSide, frames[0]);
    const afterFirst = socket.writableCorked;
    writeFrame(serverSide, frames[1]);
    serverSide.send('between');
    writeFrame(serverSide, frames[2]);
    const afterThird = socket.writableCorked;
    await new Promise<void>((resolve) => process.nextTick(resolve));

    expect(afterFirst).toBe(0);
    expect(afterThird).toBe(1);
    expect(socket.writableCorked).toBe(0);
    const expected = Buffer.concat([frames[0], frames[1], textFrame('between'), frames[2]]);
    expect(await client.waitFor(expected.length)).toEqual(expected);
  });

  it('counts a frame in bufferedAmount as ws.send counts the same message', async () => {
    const { wss, port } = await server({ perMessageDeflate: false });
    const connection = nextConnection(wss);
    const client = await rawClient(port);
    // The peer stops reading: the kernel's buffers fill and the rest waits in the socket's.
    client.socket.pause();
    const serverSide = await connection;
    const frame = textFrame(textOf(65536));
    while (serverSide.bufferedAmount === 0) writeFrame(serverSide, frame);

    const beforeFrame = serverSide.bufferedAmount;
    writeFrame(serverSide, frame);
    const byFrame = serverSide.bufferedAmount - beforeFrame;
    // As bytes: a string would be counted in UTF-16 units by the socket's buffer (net.Socket keeps strings as they are).
    serverSide.send(framePayload(frame), { binary: false });
    const bySend = serverSide.bufferedAmount - beforeFrame - byFrame;

    expect(byFrame).toBe(frame.length);
    expect(bySend).toBe(frame.length);
  });

  it('writes nothing to a socket that is closing', async () => {
    const { wss, port } = await server({ perMessageDeflate: false });
    const connection = nextConnection(wss);
    const client = await rawClient(port);
    const serverSide = await connection;
    const ended = new Promise((resolve) => client.socket.once('end', resolve));
    serverSide.close(1000, 'bye');
    const closeFrame = await client.waitFor(2 + 2 + 3);

    writeFrame(serverSide, textFrame('too late'));
    // The client answers the close (masked, with a zero mask); the server then ends the socket, so
    // every byte it wrote has arrived by the end.
    client.socket.write(Buffer.from([0x88, 0x82, 0, 0, 0, 0, 0x03, 0xe8]));
    await ended;

    expect(closeFrame[0]).toBe(0x88);
    expect(client.received().length).toBe(closeFrame.length);
  });
});
