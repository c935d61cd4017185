import { describe, expect, it } from 'vitest';
import { type PageVisibility, VisibleUrgency } from '../../../src/renderer/src/bridge/visible-urgency';

function page(): PageVisibility & { show(visible: boolean): void; listeners: number } {
  let visible = true;
  const listeners = new Set<() => void>();
  return {
    visible: () => visible,
    onChange: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    show(value) {
      visible = value;
      for (const listener of listeners) listener();
    },
    get listeners() {
      return listeners.size;
    },
  };
}

function subscription() {
  const calls: boolean[] = [];
  let unsubscribed = 0;
  return {
    calls,
    unsubscribed: () => unsubscribed,
    target: { unsubscribe: () => void unsubscribed++, setUrgent: (urgent: boolean) => void calls.push(urgent) },
  };
}

describe('VisibleUrgency', () => {
  it('keeps the focused pane urgent only while the page is visible', () => {
    const visibility = page();
    const urgency = new VisibleUrgency(visibility);
    const sub = subscription();
    expect(urgency.initial(true)).toBe(true);
    urgency.track(sub.target, true);
    visibility.show(false);
    visibility.show(true);
    expect(sub.calls).toEqual([false, true]);
  });

  it('remembers focus changes made while hidden and applies them when shown', () => {
    const visibility = page();
    visibility.show(false);
    const urgency = new VisibleUrgency(visibility);
    expect(urgency.initial(true)).toBe(false);
    const sub = subscription();
    const tracked = urgency.track(sub.target, true);
    tracked.setUrgent(false);
    tracked.setUrgent(true);
    expect(sub.calls).toEqual([]);
    visibility.show(true);
    expect(sub.calls).toEqual([true]);
    tracked.setUrgent(false);
    expect(sub.calls).toEqual([true, false]);
  });

  it('forgets a subscription once unsubscribed, and its listener once disposed', () => {
    const visibility = page();
    const urgency = new VisibleUrgency(visibility);
    const sub = subscription();
    const tracked = urgency.track(sub.target, true);
    tracked.unsubscribe();
    expect(sub.unsubscribed()).toBe(1);
    visibility.show(false);
    tracked.setUrgent(true);
    expect(sub.calls).toEqual([]);
    urgency.dispose();
    expect(visibility.listeners).toBe(0);
  });
});
