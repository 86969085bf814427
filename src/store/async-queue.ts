/**
 * A queue between a producer that pushes (the EventStoreDB client's stream of a subscription) and
 * one consumer that pulls with `for await`: items delivered in the order pushed, a failure thrown
 * where it was pushed, an end once the queue is empty. The producer looks at `room` to hold back
 * once `highWater` items wait, and is called back (`onLow`) when the consumer has taken the queue
 * down to half of it, so that what it holds back reaches the queue again.
 */

export interface AsyncQueue<T> extends AsyncIterable<T> {
  /** Whether fewer than `highWater` items wait. */
  readonly room: boolean;
  /** Whether `close` was called: what is pushed from then on is dropped. */
  readonly closed: boolean;
  push(item: T): void;
  /** The consumer's iteration throws `error` once it has taken every item pushed before. */
  fail(error: unknown): void;
  /** The consumer's iteration returns once it has taken every item pushed before. */
  end(): void;
  /** Drops what waits; the consumer's iteration returns. */
  close(): void;
}

export interface AsyncQueueOptions {
  /** How many waiting items leave no `room`. */
  readonly highWater: number;
  /** Called when the consumer has taken the queue down to `highWater / 2` items. */
  readonly onLow?: () => void;
}

type Entry<T> = { readonly item: T } | { readonly error: unknown };

export const createAsyncQueue = <T>({ highWater, onLow }: AsyncQueueOptions): AsyncQueue<T> => {
  const entries: Entry<T>[] = [];
  let ended = false;
  let closed = false;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const waiting = wake;
    wake = undefined;
    waiting?.();
  };
  const add = (entry: Entry<T>): void => {
    if (closed) return;
    entries.push(entry);
    notify();
  };

  async function* items(): AsyncGenerator<T, void, undefined> {
    for (;;) {
      const entry = entries.shift();
      if (entries.length === Math.floor(highWater / 2)) onLow?.();
      if (entry !== undefined) {
        if ('error' in entry) throw entry.error;
        yield entry.item;
        continue;
      }
      if (closed || ended) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  }

  return {
    get room() {
      return entries.length < highWater;
    },
    get closed() {
      return closed;
    },
    push: (item) => add({ item }),
    fail: (error) => add({ error }),
    end: () => {
      ended = true;
      notify();
    },
    close: () => {
      closed = true;
      entries.length = 0;
      notify();
    },
    [Symbol.asyncIterator]: items,
  };
};
