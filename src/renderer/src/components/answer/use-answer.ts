import { useCallback } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { AgentInput, InputOutcome, InputSent } from '../../../../shared/agent-input';
import type { AgentState } from '../../../../shared/protocol';
import { type AnswerAbility, answerAbility } from '../../lib/answer-ability';
import { own } from '../../lib/id-record';
import type { AnswerProgress } from '../../stores/answer-store';
import { useAnswers, useBoard, useConnection, useServices } from '../../services';

export interface AnswerControls {
  /** The agent's request fields (only these: a change elsewhere in the record re-renders nothing). */
  agent: Pick<AgentState, 'status' | 'requestId' | 'prompt' | 'choices'> | undefined;
  /** The agent waits for input now. */
  waiting: boolean;
  ability: AnswerAbility;
  /** This page's answer to the agent's current request (or its failure), if any. */
  progress: AnswerProgress | undefined;
  send(input: AgentInput): Promise<InputOutcome>;
  clear(): void;
  /**
   * Who answered first, when this page's answer was `already_answered` and
   * the page saw that answer's `input_sent` (its pane subscribes the agent's channel).
   */
  answeredBy: InputSent | undefined;
}

/**
 * What a pane, card or row needs to answer one agent: its request (from the
 * board), whether the page can answer now and why not, and this page's
 * answer to it. An accepted answer to an earlier request is not shown against
 * a newer one; one on its way or a failure stays (until read): nothing fails
 * in silence.
 */
export function useAnswer(agentId: string): AnswerControls {
  const { answers } = useServices();
  const agent = useBoard(
    useShallow((s) => {
      const record = own(s.agents, agentId);
      return record
        ? { status: record.status, requestId: record.requestId, prompt: record.prompt, choices: record.choices }
        : undefined;
    }),
  );
  const connection = useConnection(useShallow((s) => ({ status: s.state.status, actOn: s.state.actOn })));
  const progress = useAnswers((s) => own(s.progress, agentId));
  const waiting = agent?.status === 'waiting_for_input';
  const current =
    progress && (progress.state !== 'sent' || answersCurrent(progress, agent, waiting)) ? progress : undefined;
  const prompt = agent?.prompt;
  const send = useCallback(
    (input: AgentInput) => answers.getState().send(agentId, input, prompt),
    [answers, agentId, prompt],
  );
  const clear = useCallback(() => answers.getState().clear(agentId), [answers, agentId]);
  const lastSent = useAnswers((s) => own(s.lastSent, agentId));
  const answeredBy =
    current?.state === 'failed' &&
    current.code === 'already_answered' &&
    lastSent !== undefined &&
    lastSent.requestId === current.input.requestId
      ? lastSent
      : undefined;
  return { agent, waiting, ability: answerAbility(connection, agentId), progress: current, send, clear, answeredBy };
}

/**
 * Whether an accepted answer is to the question the agent asks now: the same
 * request id, or, for requests without one, the same prompt (an agent may ask
 * again without leaving waiting_for_input).
 */
function answersCurrent(
  sent: Extract<AnswerProgress, { state: 'sent' }>,
  agent: AnswerControls['agent'],
  waiting: boolean,
): boolean {
  if (!waiting || sent.input.requestId !== agent?.requestId) return false;
  return sent.input.requestId !== undefined || sent.prompt === agent?.prompt;
}
