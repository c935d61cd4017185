import { randomBytes } from 'node:crypto';
import { DemoSimulator, answerDemoInputs } from '../server/demo/index';
import { type RunningHub, startHub } from '../server/index';

export interface EmbeddedHub {
  wsUrl: string;
  httpUrl: string;
  token: string;
  close(): Promise<void>;
}

/**
 * The desktop app's default when no server is configured: a hub in this
 * process on 127.0.0.1 (a free port) with the demo simulator, so the app
 * shows something real on first launch. Its secret lives only in memory.
 */
export async function startEmbeddedHub(options: { demoSpeed?: number } = {}): Promise<EmbeddedHub> {
  const secret = randomBytes(32).toString('hex');
  // The token never outlives this hub (its secret dies with the process), and the app keeps one
  // token for the whole session, however long: so it has no expiry, which this hub alone allows.
  const running: RunningHub = await startHub({ secret, host: '127.0.0.1', port: 0, allowNonExpiringTokens: true });
  const demo = new DemoSimulator({
    speed: options.demoSpeed ?? 1,
    publisher: {
      publish: (channel, event, data) => void running.hub.publish(channel, event, data).catch(() => {}),
      streamAgentOutput: (agentId, text) => running.hub.streamAgentOutput(agentId, text),
    },
  });
  demo.start();
  const stopAnswering = answerDemoInputs(running.hub, demo);
  const token = await running.hub.signToken({
    user: 'desktop',
    channels: ['*'],
    actOn: ['agent:*'],
    ttlSeconds: null,
  });
  return {
    wsUrl: running.wsUrl,
    httpUrl: running.url,
    token,
    async close() {
      stopAnswering();
      demo.stop();
      await running.close();
    },
  };
}
