import type { BridgeSubscription } from '../../../shared/bridge';

/** Whether the page can be seen (the web edition: `document.visibilityState`), and when that changes. */
export interface PageVisibility {
  visible(): boolean;
  /** Returns its undo. */
  onChange(listener: () => void): () => void;
}

/** The browser's own page visibility. */
export function documentVisibility(doc: Document): PageVisibility {
  return {
    visible: () => doc.visibilityState === 'visible',
    onChange: (listener) => {
      doc.addEventListener('visibilitychange', listener);
      return () => doc.removeEventListener('visibilitychange', listener);
    },
  };
}

interface Tracked {
  target: BridgeSubscription;
  wantsUrgent: boolean;
  urgent: boolean;
}

/**
 * Keeps the web edition's focused pane urgent only while the page is visible,
 * as the desktop relay does per window: a background tab cannot show output
 * within a frame (browsers throttle its timers and skip its frames), so
 * asking the hub to hurry would only cost. What the pane asked for is
 * remembered and applied when the page is shown again.
 */
export class VisibleUrgency {
  private readonly tracked = new Set<Tracked>();
  private readonly undo: () => void;

  constructor(private readonly page: PageVisibility) {
    this.undo = page.onChange(() => {
      for (const entry of this.tracked) this.apply(entry);
    });
  }

  /** The urgency to subscribe with now, given what the pane asks for. */
  initial(wantsUrgent: boolean): boolean {
    return wantsUrgent && this.page.visible();
  }

  /** Wraps a subscription made with `initial(wantsUrgent)`: setUrgent records the wish, visibility gates it. */
  track(target: BridgeSubscription, wantsUrgent: boolean): BridgeSubscription {
    const entry: Tracked = { target, wantsUrgent, urgent: this.initial(wantsUrgent) };
    this.tracked.add(entry);
    return {
      unsubscribe: () => {
        this.tracked.delete(entry);
        target.unsubscribe();
      },
      setUrgent: (urgent) => {
        if (!this.tracked.has(entry)) return;
        entry.wantsUrgent = urgent;
        this.apply(entry);
      },
    };
  }

  dispose(): void {
    this.undo();
    this.tracked.clear();
  }

  private apply(entry: Tracked): void {
    const urgent = entry.wantsUrgent && this.page.visible();
    if (urgent === entry.urgent) return;
    entry.urgent = urgent;
    entry.target.setUrgent(urgent);
  }
}
