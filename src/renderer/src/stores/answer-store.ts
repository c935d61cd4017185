import { createStore } from 'zustand/vanilla';
import {
  type AgentInput,
  InputClientCode,
  type InputOutcome,
  type InputSent,
  isInputSentDelivery,
} from '../../../shared/agent-input';
import type { Delivery } from '../../../shared/delivery';

/** Where this page's own answer to an agent stands. */
export type AnswerProgress =
  | { state: 'sending'; input: AgentInput }
  /** The hub took it (the agent has it); shown until the agent moves on. */
  | { state: 'sent'; input: AgentInput; inputId: string; requestId?: string }
  | { state: 'failed'; input: AgentInput; code: string; message: string; requestId?: string };

export interface AnswerSlice {
  /** Agent id → this page's latest answer to it (one at a time per agent). */
  progress: Record<string, AnswerProgress>;
  /** Agent id → the latest `input_sent` seen on its channel (anyone's answer, with who sent it). */
  lastSent: Record<string, InputSent>;
  /**
   * Agents whose pane should put the keyboard in its reply box (a card's
   * "Reply…", a notification click): the pane's answer bar takes the request
   * when it has a reply box, also when the pane is only being opened.
   */
  replyFocus: Record<string, true>;
  /**
   * Sends through the bridge and records the outcome; resolves with it. A
   * second answer to the same agent while one is on its way is refused here
   * (the first may still win), not sent.
   */
  send(agentId: string, input: AgentInput): Promise<InputOutcome>;
  /** Takes `input_sent` events from a delivery batch. */
  noteDeliveries(batch: readonly Delivery[]): void;
  /** Forgets this page's answer to the agent (the error was read, or the agent moved on). */
  clear(agentId: string): void;
  requestReplyFocus(agentId: string): void;
  /** True (once) when a reply focus was asked for the agent. */
  takeReplyFocus(agentId: string): boolean;
}

/** Agents whose last answer is remembered: the oldest is forgotten past this (a long day of many agents). */
export const MAX_REMEMBERED_AGENTS = 500;

/**
 * Answers to agents, from this page: what it sent and what became of it, and
 * who answered each agent last (from the hub's `input_sent` audit events).
 * The bridge does the sending; the agents' requests themselves are the board
 * store's (their prompt and choices are on the agent record).
 */
export function createAnswerStore(sendInput: (agentId: string, input: AgentInput) => Promise<InputOutcome>) {
  return createStore<AnswerSlice>()((set, get) => ({
    progress: {},
    lastSent: {},
    replyFocus: {},
    async send(agentId, input) {
      if (get().progress[agentId]?.state === 'sending') {
        return { ok: false, code: InputClientCode.Busy, message: 'an answer to this agent is on its way already' };
      }
      const requestId = input.requestId;
      set((s) => ({ progress: bounded({ ...s.progress, [agentId]: { state: 'sending', input } }) }));
      const outcome = await sendInput(agentId, input);
      const next: AnswerProgress = outcome.ok
        ? { state: 'sent', input, inputId: outcome.inputId, ...(requestId !== undefined ? { requestId } : {}) }
        : {
            state: 'failed',
            input,
            code: outcome.code,
            message: outcome.message,
            ...(requestId !== undefined ? { requestId } : {}),
          };
      set((s) => ({ progress: bounded({ ...s.progress, [agentId]: next }) }));
      return outcome;
    },
    noteDeliveries(batch) {
      let lastSent: Record<string, InputSent> | null = null;
      for (const delivery of batch) {
        if (!isInputSentDelivery(delivery)) continue;
        lastSent ??= { ...get().lastSent };
        // Re-inserted, so the most recently answered agents are the last to be forgotten.
        delete lastSent[delivery.data.agentId];
        lastSent[delivery.data.agentId] = delivery.data;
      }
      if (lastSent) set({ lastSent: bounded(lastSent) });
    },
    clear(agentId) {
      if (!(agentId in get().progress)) return;
      const progress = { ...get().progress };
      delete progress[agentId];
      set({ progress });
    },
    requestReplyFocus(agentId) {
      set((s) => ({ replyFocus: { ...s.replyFocus, [agentId]: true } }));
    },
    takeReplyFocus(agentId) {
      if (!get().replyFocus[agentId]) return false;
      const replyFocus = { ...get().replyFocus };
      delete replyFocus[agentId];
      set({ replyFocus });
      return true;
    },
  }));
}

export type AnswerStore = ReturnType<typeof createAnswerStore>;

function bounded<T>(record: Record<string, T>): Record<string, T> {
  const keys = Object.keys(record);
  if (keys.length <= MAX_REMEMBERED_AGENTS) return record;
  const kept: Record<string, T> = {};
  for (const key of keys.slice(keys.length - MAX_REMEMBERED_AGENTS)) kept[key] = record[key];
  return kept;
}
