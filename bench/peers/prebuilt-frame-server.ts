import * as ws from 'ws';
import { SeedWsServer } from './seed-ws-server';

// ws frames a message per `send`; its Sender can frame once and its internal
// sendFrame writes that frame as is. Socket.IO's broadcast does exactly this
// (engine.io's `wsPreEncodedFrame`), and ws's author suggested it for
// broadcasts (websockets/ws#617). Neither is in @types/ws.
interface FrameSender {
  frame(
    data: Buffer,
    options: { fin: boolean; rsv1: boolean; opcode: number; mask: boolean; readOnly: boolean },
  ): Buffer[];
}
const Sender = (ws as unknown as { Sender: FrameSender }).Sender;
type WithSender = { _sender: { sendFrame(list: Buffer[], callback?: () => void): void } };

/**
 * A reference point, not a product: the seed server whose broadcast encodes
 * the JSON and the WebSocket frame once, as one buffer, and writes the same
 * bytes to every socket. It shows how much of a broadcast is per-socket
 * framing and write overhead rather than the write itself.
 */
export class PrebuiltFrameServer extends SeedWsServer {
  override broadcast(channel: string, event: string, data: unknown): void {
    const parts = Sender.frame(Buffer.from(JSON.stringify({ type: 'event', channel, event, data })), {
      fin: true,
      rsv1: false,
      opcode: 1,
      mask: false,
      readOnly: true,
    });
    // Header and payload in one buffer: each socket then gets a single write, not cork + two writes (writev).
    const frame = [Buffer.concat(parts)];
    for (const client of this.clients.values()) {
      if (client.subscriptions.has(channel) && client.ws.readyState === ws.WebSocket.OPEN) {
        (client.ws as unknown as WithSender)._sender.sendFrame(frame);
      }
    }
  }
}
