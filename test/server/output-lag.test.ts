import { describe, expect, it } from 'vitest';
import { SkipLedger, lagsOn } from '../../src/server/output-lag';

describe('SkipLedger', () => {
  it('keeps the bytes of each held event by offset and gives back the sum of those it forgets', () => {
    const ledger = new SkipLedger(100);
    for (let offset = 11; offset <= 15; offset++) ledger.record(offset, offset * 10, 10);
    expect([ledger.size, ledger.last]).toEqual([5, 15]);
    expect(ledger.forget(12)).toBe(110 + 120);
    expect(ledger.forget(12)).toBe(0);
    expect(ledger.forget(20)).toBe(130 + 140 + 150);
    expect(ledger.size).toBe(0);
  });

  it('ignores offsets already sent or already recorded', () => {
    const ledger = new SkipLedger(100);
    ledger.record(5, 1, 5);
    ledger.record(6, 1, 5);
    ledger.record(6, 1, 5);
    expect([ledger.size, ledger.last]).toEqual([1, 6]);
  });

  it('past its bound, marks the oldest half skipped rather than growing', () => {
    const ledger = new SkipLedger(4);
    for (let offset = 1; offset <= 5; offset++) ledger.record(offset, 100, 0);
    expect(ledger.forcedTo).toBe(2);
    // The skip is taken with its exact bytes.
    expect(ledger.forget(ledger.forcedTo)).toBe(200);
  });

  it('covers agent channels only', () => {
    expect([lagsOn('agent:a'), lagsOn('issue:1'), lagsOn('project:p')]).toEqual([true, false, false]);
  });
});
