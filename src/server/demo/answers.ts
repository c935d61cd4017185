import type { Hub } from '../hub';
import { DemoAnswerError, type DemoSimulator } from './simulator';

/**
 * Makes the demo's agents the hub's input handler (`hub.onAgentInput`): an
 * answer reaches the simulated agent, which resumes showing it; one it cannot
 * take (the agent is not waiting, an earlier question) reaches the sender as
 * `input_rejected` with the simulator's reason. Returns the undo.
 */
export function answerDemoInputs(hub: Hub, simulator: DemoSimulator): () => void {
  return hub.onAgentInput((input, meta) => {
    try {
      simulator.answer(meta.agentId, { ...input, by: meta.by });
    } catch (error) {
      if (error instanceof DemoAnswerError) return { reject: `${error.code}: ${error.message}` };
      throw error;
    }
  });
}
