import { describe, expect, it } from 'vitest';
import { DisposableStore, toDisposable } from '../../../src/renderer/src/terminal/disposable-store';
import { Emitter } from '../../../src/renderer/src/terminal/emitter';

describe('DisposableStore', () => {
  it('disposes what it holds in reverse order', () => {
    const order: number[] = [];
    const store = new DisposableStore();
    for (const index of [1, 2, 3]) store.add(toDisposable(() => order.push(index)));
    store.dispose();
    expect(order).toEqual([3, 2, 1]);
  });

  it('can be disposed twice', () => {
    let count = 0;
    const store = new DisposableStore();
    store.add(toDisposable(() => count++));
    store.dispose();
    store.dispose();
    expect(count).toBe(1);
    expect(store.isDisposed).toBe(true);
  });

  it('disposes something added after it was disposed at once', () => {
    const store = new DisposableStore();
    store.dispose();
    let disposed = false;
    store.add(toDisposable(() => (disposed = true)));
    expect(disposed).toBe(true);
  });

  it('disposes everything even when one throws, then rethrows', () => {
    const order: string[] = [];
    const store = new DisposableStore();
    store.add(toDisposable(() => order.push('first')));
    store.add(
      toDisposable(() => {
        throw new Error('boom');
      }),
    );
    store.add(toDisposable(() => order.push('last')));
    expect(() => store.dispose()).toThrow('boom');
    expect(order).toEqual(['last', 'first']);
  });
});

describe('Emitter', () => {
  it('delivers to listeners until their subscription is disposed', () => {
    const emitter = new Emitter<number>();
    const seen: number[] = [];
    const subscription = emitter.event((value) => seen.push(value));
    emitter.fire(1);
    subscription.dispose();
    emitter.fire(2);
    expect(seen).toEqual([1]);
  });
});
