import type { SubscribeOptions } from '../shared/delivery';
import { type Channel, MAX_HISTORY_EVENTS, type StreamPosition, type SubscribeMessage } from '../shared/protocol';

export type { SubscribeOptions } from '../shared/delivery';

interface Interest {
  snapshot: boolean;
  tail: number;
  history: number;
  urgent: boolean;
}

interface Entry {
  interests: Set<Interest>;
  /** Last position delivered to consumers; null before any, or against a hub without offsets. */
  position: StreamPosition | null;
}

/**
 * What the application wants to be subscribed to, reference-counted per
 * channel: two panes on one agent are one server subscription. Intent is
 * state, not a queue: after a reconnect the registry is simply re-sent, each
 * channel with the position it had reached and whether any interest in it is
 * urgent.
 */
export class SubscriptionRegistry {
  private readonly entries = new Map<Channel, Entry>();

  /** Adds one interest; returns it (for `remove`) and whether this was the channel's first (0 → 1). */
  add(channel: Channel, options: SubscribeOptions): { interest: object; first: boolean } {
    let entry = this.entries.get(channel);
    const first = !entry;
    if (!entry) {
      entry = { interests: new Set(), position: null };
      this.entries.set(channel, entry);
    }
    const interest: Interest = {
      snapshot: options.snapshot === true,
      tail: options.tail ?? 0,
      history: options.history ?? 0,
      urgent: options.urgent === true,
    };
    entry.interests.add(interest);
    return { interest, first };
  }

  /** Removes one interest; true when it was the channel's last (1 → 0), which forgets the channel. */
  remove(channel: Channel, interest: object): boolean {
    const entry = this.entries.get(channel);
    if (!entry || !entry.interests.delete(interest as Interest)) return false;
    if (entry.interests.size > 0) return false;
    this.entries.delete(channel);
    return true;
  }

  /** Changes whether one interest is urgent (the pane the user is looking at). */
  setUrgent(channel: Channel, interest: object, urgent: boolean): void {
    const entry = this.entries.get(channel);
    if (entry?.interests.has(interest as Interest)) (interest as Interest).urgent = urgent;
  }

  has(channel: Channel): boolean {
    return this.entries.has(channel);
  }

  isUrgent(channel: Channel): boolean {
    const entry = this.entries.get(channel);
    if (!entry) return false;
    for (const interest of entry.interests) if (interest.urgent) return true;
    return false;
  }

  channels(): Channel[] {
    return [...this.entries.keys()];
  }

  position(channel: Channel): StreamPosition | null {
    return this.entries.get(channel)?.position ?? null;
  }

  setPosition(channel: Channel, position: StreamPosition | null): void {
    const entry = this.entries.get(channel);
    if (entry) entry.position = position;
  }

  /** The subscribe message for a channel: resume when a position is known, else ask for fresh state. */
  subscribeMessage(channel: Channel): SubscribeMessage | null {
    const entry = this.entries.get(channel);
    if (!entry) return null;
    let snapshot = false;
    let tail = 0;
    let history = 0;
    for (const interest of entry.interests) {
      snapshot ||= interest.snapshot;
      tail = Math.max(tail, interest.tail);
      history = Math.max(history, interest.history);
    }
    const message: SubscribeMessage = { type: 'subscribe', channel };
    if (entry.position) message.since = { ...entry.position };
    if (snapshot) message.snapshot = true;
    if (tail > 0) message.tail = tail;
    if (history > 0) message.history = Math.min(history, MAX_HISTORY_EVENTS);
    // Urgency is intent too: a reconnect tells the new connection's hub what is focused.
    if (this.isUrgent(channel)) message.urgent = true;
    return message;
  }
}
