/** Anything that can be undone: a listener, an addon, a timer. */
export interface Disposable {
  dispose(): void;
}

/** Wraps an undo function so it runs at most once. */
export function toDisposable(undo: () => void): Disposable {
  let done = false;
  return {
    dispose() {
      if (done) return;
      done = true;
      undo();
    },
  };
}

/**
 * Holds what an owner created and disposes it in reverse order, so later
 * things (which may depend on earlier ones) go first. Disposing twice is safe;
 * adding to a disposed store disposes the newcomer at once instead of leaking it.
 */
export class DisposableStore implements Disposable {
  private readonly items: Disposable[] = [];
  private disposed = false;

  get isDisposed(): boolean {
    return this.disposed;
  }

  add<T extends Disposable>(item: T): T {
    if (this.disposed) item.dispose();
    else this.items.push(item);
    return item;
  }

  /** Removes an item without disposing it (its owner disposed it early). */
  delete(item: Disposable): void {
    const index = this.items.indexOf(item);
    if (index >= 0) this.items.splice(index, 1);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const errors: unknown[] = [];
    for (let index = this.items.length - 1; index >= 0; index--) {
      try {
        this.items[index].dispose();
      } catch (error) {
        errors.push(error);
      }
    }
    this.items.length = 0;
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, 'several disposables failed');
  }
}
