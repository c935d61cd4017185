import { useSyncExternalStore } from 'react';

/**
 * One timer per interval, shared by every mounted consumer: a board of 200
 * cards ticks once a second, in one render pass, and the timer stops when the
 * last consumer unmounts.
 */
class Ticker {
  private now = Date.now();
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly intervalMs: number) {}

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    if (this.timer === null) {
      this.now = Date.now();
      this.timer = setInterval(this.tick, this.intervalMs);
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0 && this.timer !== null) {
        clearInterval(this.timer);
        this.timer = null;
      }
    };
  };

  readonly getSnapshot = (): number => {
    // While stopped the time is stale; refresh it (at most once per interval, so
    // two reads in one render agree, as useSyncExternalStore requires).
    if (this.timer === null && Date.now() - this.now >= this.intervalMs) this.now = Date.now();
    return this.now;
  };

  private readonly tick = (): void => {
    this.now = Date.now();
    for (const listener of [...this.listeners]) listener();
  };
}

const tickers = new Map<number, Ticker>();

function tickerFor(intervalMs: number): Ticker {
  let ticker = tickers.get(intervalMs);
  if (!ticker) tickers.set(intervalMs, (ticker = new Ticker(intervalMs)));
  return ticker;
}

/** The current time (ms since epoch), re-rendering the caller every `intervalMs`. */
export function useNow(intervalMs = 1000): number {
  const ticker = tickerFor(intervalMs);
  return useSyncExternalStore(ticker.subscribe, ticker.getSnapshot);
}
