/**
 * Waiting for room in an outgoing buffer (a WebSocket's, an SSE response's)
 * while a replay is paced out. It is woken by the write callbacks of the
 * chunks leaving the buffer — pass `written` as the callback of every write —
 * not by `'drain'`: a stream emits `'drain'` only after a write passed its
 * own high-water mark (16 KiB on Node 20, 64 KiB from Node 22), so with a
 * smaller limit a replay would wait for a `'drain'` that never comes. Since
 * every chunk carries the callback, the last one in the buffer does too, so
 * the wait cannot outlive an emptied buffer. Every replay of one connection
 * shares the one wait.
 */
export class RoomWait {
  private wait: { promise: Promise<void>; release: () => void } | null = null;

  /** `hasRoom`: true when the buffer is low enough (or the connection is gone, which ends any wait). */
  constructor(private readonly hasRoom: () => boolean) {}

  /** The write callback of every chunk. */
  readonly written = (): void => {
    if (this.wait && this.hasRoom()) this.release();
  };

  /** Resolves once there is room (at once when there is). */
  room(): Promise<void> {
    if (this.hasRoom()) return Promise.resolve();
    if (!this.wait) {
      let release = (): void => {};
      const promise = new Promise<void>((resolve) => (release = resolve));
      this.wait = { promise, release };
    }
    return this.wait.promise;
  }

  /** Ends the wait (the connection closed). */
  release(): void {
    const wait = this.wait;
    this.wait = null;
    wait?.release();
  }
}
