import type WebSocket from 'ws';
import type { RunningHub, StandaloneHubOptions } from '../../src/server/index';
import { TestClient, startTestHub, token } from './hub';
import { SseClient } from './sse-client';

/**
 * Owns what a test opens — hubs, WebSocket clients, SSE streams, other undo
 * functions — and closes all of it, newest first, in `dispose()` (call it in
 * afterEach). Disposing twice is safe.
 */
export class HubFixture {
  private undos: Array<() => unknown> = [];

  /** Registers an undo to run on dispose. */
  defer(undo: () => unknown): void {
    this.undos.push(undo);
  }

  async startHub(options: Partial<StandaloneHubOptions> = {}): Promise<RunningHub> {
    const running = await startTestHub(options);
    this.defer(() => running.close());
    return running;
  }

  /** Connects to the hub's `/ws` with `authToken` (default: a token for every channel). */
  async connect(running: RunningHub, authToken?: string, options?: WebSocket.ClientOptions): Promise<TestClient> {
    const url = `${running.wsUrl}?token=${authToken ?? (await token())}`;
    return this.track(await TestClient.connect(url, options));
  }

  /** Closes a client with the fixture; a client that stopped reading is cut instead of waited for. */
  track(client: TestClient): TestClient {
    this.defer(async () => {
      if (client.closeCode !== null) return;
      if (client.ws.isPaused) client.ws.terminate();
      else client.ws.close();
      await client.closed;
    });
    return client;
  }

  async sse(url: string, headers?: Record<string, string>): Promise<SseClient> {
    const stream = await SseClient.open(url, headers);
    this.defer(async () => {
      stream.abort();
      await stream.ended;
    });
    return stream;
  }

  async dispose(): Promise<void> {
    const undos = this.undos.reverse();
    this.undos = [];
    for (const undo of undos) await undo();
  }
}
