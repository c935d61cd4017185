import type { ServerResponse } from 'node:http';
import { ErrorCode } from '../shared/errors';
import type { Channel, ServerMessage } from '../shared/protocol';
import { ChannelCursor } from './channel-cursor';
import type { ChannelEvent } from './engine';
import { RoomWait } from './room-wait';
import type { Subscriber } from './subscriber';

/**
 * One Server-Sent Events stream. Each event's `id:` line carries the position
 * of every channel in the stream (`issue:1@ab12cd34:57,agent:x@ab12cd34:9`),
 * so a reconnecting EventSource resumes from `Last-Event-ID` without loss.
 */
export class SseStream implements Subscriber {
  readonly cursors = new Map<Channel, ChannelCursor>();
  private readonly keepAlive: ReturnType<typeof setInterval>;
  private expiryTimer: ReturnType<typeof setTimeout> | null = null;
  private ended = false;
  /** Paces replays to the outgoing buffer (room-wait.ts). */
  private readonly roomWait = new RoomWait(
    () => !this.open || this.response.writableLength <= this.maxBufferedBytes / 4,
  );

  constructor(
    readonly id: string,
    private readonly response: ServerResponse,
    /** `/events/:agentId` sends the bare payload, as the seed does; `/events?channel=` wraps it with its channel. */
    private readonly wrap: boolean,
    private readonly maxBufferedBytes: number,
    keepAliveMs: number,
    private readonly onSent: (bytes: number) => void,
  ) {
    response.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      // Proxies such as nginx must not buffer the stream.
      'X-Accel-Buffering': 'no',
    });
    response.write(': connected\n\n');
    this.keepAlive = setInterval(() => this.write(': keep-alive\n\n'), keepAliveMs);
  }

  get open(): boolean {
    return !this.ended && !this.response.destroyed && this.response.writable;
  }

  sendMessage(message: ServerMessage): boolean {
    // Only what an SSE consumer can act on: history it asked for is gone.
    if (message.type === 'subscribed' && message.recovered === false) {
      return this.write(`event: hub.resync\ndata: ${JSON.stringify({ channel: message.channel })}\n\n`);
    }
    if (message.type === 'gap') {
      const { channel, from, to, skippedEvents, skippedBytes } = message;
      return this.write(
        `event: hub.gap\ndata: ${JSON.stringify({ channel, from, to, skippedEvents, skippedBytes })}\n\n`,
      );
    }
    if (message.type === 'error') {
      return this.write(
        `event: hub.error\ndata: ${JSON.stringify({ code: message.code, message: message.message })}\n\n`,
      );
    }
    return true;
  }

  sendEvent(event: ChannelEvent): boolean {
    const data = this.wrap ? { channel: event.channel, data: event.data } : event.data;
    return this.write(`id: ${this.position()}\nevent: ${event.event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  /** Sends an event, then waits while the response holds more than half the limit, until a quarter (room-wait.ts). */
  async sendPaced(event: ChannelEvent): Promise<void> {
    if (!this.sendEvent(event)) return;
    if (this.response.writableLength > this.maxBufferedBytes / 2) await this.roomWait.room();
  }

  get bufferedBytes(): number {
    return this.response.writableLength;
  }

  room(): Promise<void> {
    return this.roomWait.room();
  }

  /**
   * Ends the stream when its token expires (`expiresAt`, ms since epoch), as a
   * WebSocket is closed with 4001: a `hub.error` with code `token_expired`,
   * then the end. An EventSource that reconnects with the same token is refused.
   */
  endAt(expiresAt: number): void {
    if (this.ended) return;
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    // setTimeout holds at most ~24.8 days; a longer token is re-checked when it fires.
    const delay = Math.min(Math.max(expiresAt - Date.now(), 0), 2 ** 31 - 1);
    this.expiryTimer = setTimeout(() => {
      this.expiryTimer = null;
      if (expiresAt > Date.now()) return this.endAt(expiresAt);
      this.sendMessage({ type: 'error', code: ErrorCode.TokenExpired, message: 'token expired' });
      this.end();
    }, delay);
  }

  closeSlow(): void {
    this.response.destroy();
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.stopTimers();
    if (!this.response.destroyed) this.response.end();
  }

  /** Stops the keep-alive and expiry timers and ends a replay's wait; called when the response closes. */
  dispose(): void {
    this.ended = true;
    this.stopTimers();
    this.roomWait.release();
  }

  private stopTimers(): void {
    clearInterval(this.keepAlive);
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.expiryTimer = null;
  }

  private position(): string {
    const parts: string[] = [];
    for (const [channel, cursor] of this.cursors) parts.push(`${channel}@${cursor.epoch}:${cursor.offset}`);
    return parts.join(',');
  }

  private write(text: string): boolean {
    if (!this.open) return false;
    if (this.response.writableLength + text.length > this.maxBufferedBytes) {
      this.closeSlow();
      return false;
    }
    this.response.write(text, this.roomWait.written);
    this.onSent(text.length);
    return true;
  }
}
