import WebSocket from 'ws';
import {
  type ConnectionOptions,
  type ConnectionState,
  type Delivery,
  ReconnectingConnection,
  type WebSocketLike,
  nodeWebSocket,
} from '../../src/client/index';

/** The Node face of the client core: `ws` as the WebSocket implementation, as the CLI and main use it. */
export const createNodeWebSocket = (url: string): WebSocketLike => nodeWebSocket(new WebSocket(url));

/** A client core connection that records every delivery and state, for tests. */
export class RecordingConnection {
  readonly connection: ReconnectingConnection;
  readonly deliveries: Delivery[] = [];
  readonly batches: Delivery[][] = [];
  readonly states: ConnectionState[] = [];

  constructor(
    options: Omit<ConnectionOptions, 'createWebSocket'> & Partial<Pick<ConnectionOptions, 'createWebSocket'>>,
  ) {
    this.connection = new ReconnectingConnection({ createWebSocket: createNodeWebSocket, ...options });
    this.connection.onDeliveries((batch) => {
      this.batches.push(batch);
      this.deliveries.push(...batch);
    });
    this.connection.onState((state) => this.states.push(state));
  }

  events(channel?: string): Extract<Delivery, { kind: 'event' }>[] {
    return this.deliveries.filter(
      (d): d is Extract<Delivery, { kind: 'event' }> =>
        d.kind === 'event' && (channel === undefined || d.channel === channel),
    );
  }

  /** Agent output as delivered (decoded once, consecutive output of a channel joined per batch). */
  outputs(channel?: string): Extract<Delivery, { kind: 'output' }>[] {
    return this.deliveries.filter(
      (d): d is Extract<Delivery, { kind: 'output' }> =>
        d.kind === 'output' && (channel === undefined || d.channel === channel),
    );
  }

  /** All output text of a channel, in order. */
  text(channel: string): string {
    return this.outputs(channel)
      .map((d) => d.text)
      .join('');
  }

  notices(kind: Delivery['kind']): Delivery[] {
    return this.deliveries.filter((d) => d.kind === kind);
  }

  /** Resolves when the connection reaches a state matching `predicate`. */
  until(predicate: (state: ConnectionState) => boolean, timeoutMs = 10_000): Promise<ConnectionState> {
    if (predicate(this.connection.state)) return Promise.resolve(this.connection.state);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        undo();
        reject(new Error(`state never matched; last ${JSON.stringify(this.connection.state)}`));
      }, timeoutMs);
      const undo = this.connection.onState((state) => {
        if (!predicate(state)) return;
        clearTimeout(timer);
        undo();
        resolve(state);
      });
    });
  }

  /** Resolves once `count` deliveries match. */
  async waitFor(predicate: (delivery: Delivery) => boolean, count = 1, timeoutMs = 10_000): Promise<Delivery[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.deliveries.filter(predicate);
      if (found.length >= count) return found;
      if (Date.now() > deadline) throw new Error(`timed out with ${found.length}/${count} deliveries`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}
