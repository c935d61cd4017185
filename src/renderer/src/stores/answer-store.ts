import { createStore } from 'zustand/vanilla';
import {
  type AgentInput,
  InputClientCode,
  type InputOutcome,
  type InputSent,
  isInputSentDelivery,
} from '../../../shared/agent-input';
import type { BridgeDelivery } from '../../../shared/relay-delivery';
import { type IdRecord, emptyRecord, own } from '../lib/id-record';

/** Where this page's own answer to an agent stands. */
export type AnswerProgress =
  | { state: 'sending'; input: AgentInput }
  /** The hub took it (the agent has it); shown until the agent moves on. */
  | {
      state: 'sent';
      input: AgentInput;
      inputId: string;
      requestId?: string;
      /**
       * The prompt the answer was given to, when the request had no id: the
       * only way to tell that a later question (same status, no id) is a new one.
       */
      prompt?: string;
    }
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
   * (the first may still win), not sent. `prompt` is what the agent asked
   * (kept with a sent answer, see AnswerProgress).
   */
  send(agentId: string, input: AgentInput, prompt?: string): Promise<InputOutcome>;
  /** Takes `input_sent` events from a delivery batch. */
  noteDeliveries(batch: readonly BridgeDelivery[]): void;
  /** Forgets this page's answer to the agent (the error was read, or the agent moved on). */
  clear(agentId: string): void;
  requestReplyFocus(agentId: string): void;
  /** True (once) when a reply focus was asked for the agent. */
  takeReplyFocus(agentId: string): boolean;
}

/** Agents whose last answer is remembered: the oldest is forgotten past this (a long day of many agents). */
export const MAX_REMEMBERED_AGENTS = 500;

/**
 * A record keyed by agent id, without a prototype: an agent may be called
 * `constructor` or `__proto__` (both are valid ids), and a lookup must find
 * only what was stored.
 */
type AgentRecord<T> = IdRecord<T>;

/**
 * Answers to agents, from this page: what it sent and what became of it, and
 * who answered each agent last (from the hub's `input_sent` audit events).
 * The bridge does the sending; the agents' requests themselves are the board
 * store's (their prompt and choices are on the agent record).
 *
 * Memory: `progress` and `lastSent` keep at most MAX_REMEMBERED_AGENTS agents
 * each, forgetting the least recently touched first. The order is kept in
 * Maps beside them: an object lists integer-like keys ("42") first whatever
 * their age, so its key order cannot say which is oldest.
 */
export function createAnswerStore(sendInput: (agentId: string, input: AgentInput) => Promise<InputOutcome>) {
  const progressOrder = new Recency();
  const sentOrder = new Recency();
  return createStore<AnswerSlice>()((set, get) => ({
    progress: emptyRecord(),
    lastSent: emptyRecord(),
    replyFocus: emptyRecord(),
    async send(agentId, input, prompt) {
      if (own(get().progress, agentId)?.state === 'sending') {
        return { ok: false, code: InputClientCode.Busy, message: 'an answer to this agent is on its way already' };
      }
      const requestId = input.requestId;
      set((s) => ({
        progress: withEntry<AnswerProgress>(s.progress, progressOrder, agentId, { state: 'sending', input }),
      }));
      const outcome = await sendInput(agentId, input);
      const next: AnswerProgress = outcome.ok
        ? {
            state: 'sent',
            input,
            inputId: outcome.inputId,
            ...(requestId !== undefined ? { requestId } : {}),
            ...(prompt !== undefined ? { prompt } : {}),
          }
        : {
            state: 'failed',
            input,
            code: outcome.code,
            message: outcome.message,
            ...(requestId !== undefined ? { requestId } : {}),
          };
      set((s) => ({ progress: withEntry<AnswerProgress>(s.progress, progressOrder, agentId, next) }));
      return outcome;
    },
    noteDeliveries(batch) {
      let lastSent: AgentRecord<InputSent> | null = null;
      for (const delivery of batch) {
        if (!isInputSentDelivery(delivery)) continue;
        lastSent = withEntry(lastSent ?? get().lastSent, sentOrder, delivery.data.agentId, delivery.data);
      }
      if (lastSent) set({ lastSent });
    },
    clear(agentId) {
      if (!own(get().progress, agentId)) return;
      set((s) => ({ progress: without(s.progress, progressOrder, agentId) }));
    },
    requestReplyFocus(agentId) {
      if (own(get().replyFocus, agentId)) return;
      set((s) => ({ replyFocus: Object.assign(emptyRecord<true>(), s.replyFocus, { [agentId]: true as const }) }));
    },
    takeReplyFocus(agentId) {
      if (!own(get().replyFocus, agentId)) return false;
      const replyFocus = Object.assign(emptyRecord<true>(), get().replyFocus);
      delete replyFocus[agentId];
      set({ replyFocus });
      return true;
    },
  }));
}

export type AnswerStore = ReturnType<typeof createAnswerStore>;

/** Keys from least to most recently touched (a Map keeps insertion order for every key). */
class Recency {
  private readonly keys = new Map<string, true>();
  /** Marks `key` the newest; returns the keys forgotten to stay within MAX_REMEMBERED_AGENTS. */
  touch(key: string): string[] {
    this.keys.delete(key);
    this.keys.set(key, true);
    const evicted: string[] = [];
    for (const oldest of this.keys.keys()) {
      if (this.keys.size <= MAX_REMEMBERED_AGENTS) break;
      this.keys.delete(oldest);
      evicted.push(oldest);
    }
    return evicted;
  }
  forget(key: string): void {
    this.keys.delete(key);
  }
}

/** A copy of `record` with `key` set (the newest) and the oldest keys past the bound dropped. */
function withEntry<T>(record: AgentRecord<T>, order: Recency, key: string, value: T): AgentRecord<T> {
  const next = Object.assign(emptyRecord<T>(), record);
  // On a prototype-less object `__proto__` is a plain key like any other.
  next[key] = value;
  for (const evicted of order.touch(key)) delete next[evicted];
  return next;
}

function without<T>(record: AgentRecord<T>, order: Recency, key: string): AgentRecord<T> {
  const next = Object.assign(emptyRecord<T>(), record);
  delete next[key];
  order.forget(key);
  return next;
}
