import type { Logger } from 'pino';
import { DemoSimulator, answerDemoInputs } from '../server/demo/index';
import type { Hub } from '../server/index';
import { parseChannel } from '../shared/protocol';

/** What a running demo has shown so far: enough to print examples that work against it. */
export interface DemoShow {
  /** Project ids, in the order the demo first published to them. */
  readonly projectIds: readonly string[];
  /** Agent ids, in the order the demo announced them. */
  readonly agentIds: readonly string[];
  /** One issue of the board, for a `falcon publish` example. */
  readonly sampleIssue: { issueId: string; projectId: string } | null;
  stop(): void;
}

/**
 * Runs the demo simulator against `hub`. The ids are learnt from what the
 * simulator publishes rather than from its internals: the initial board and
 * every agent's first status go out synchronously in `start()`.
 */
export function startDemoShow(hub: Hub, logger: Logger, speed = 1, { answer = true } = {}): DemoShow {
  const projectIds = new Set<string>();
  const agentIds = new Set<string>();
  let sampleIssue: DemoShow['sampleIssue'] = null;
  const simulator = new DemoSimulator({
    speed,
    publisher: {
      publish: (channel, event, data) => {
        const parsed = parseChannel(channel);
        if (parsed?.kind === 'project') projectIds.add(parsed.id);
        if (parsed?.kind === 'agent') agentIds.add(parsed.id);
        if (sampleIssue === null && parsed?.kind === 'project' && event === 'issue_created') {
          const issueId = (data as { issueId?: unknown }).issueId;
          if (typeof issueId === 'string') sampleIssue = { issueId, projectId: parsed.id };
        }
        hub
          .publish(channel, event, data)
          .catch((error: unknown) => logger.error({ err: error, channel }, 'demo publish failed'));
      },
      streamAgentOutput: (agentId, text) => hub.streamAgentOutput(agentId, text),
    },
  });
  simulator.start();
  // Answers from the monitor (or `falcon reply`) reach the simulated agents, unless they go to falcon-pm.
  const stopAnswering = answer ? answerDemoInputs(hub, simulator) : () => {};
  return {
    projectIds: [...projectIds],
    agentIds: [...agentIds],
    sampleIssue,
    stop: () => {
      stopAnswering();
      simulator.stop();
    },
  };
}
