/**
 * The queue behind an EventStoreDB subscription (src/store/async-queue.ts): what the client pushes
 * reaches the reader in order, a failure where it happened, the end once everything before it was
 * read; the producer is held back at the high-water mark and called again at half of it.
 */
import { describe, expect, it } from 'vitest';
import { createAsyncQueue } from '../../src/store/async-queue.ts';

const take = async <T>(iterator: AsyncIterator<T>, n: number): Promise<T[]> => {
  const taken: T[] = [];
  for (let k = 0; k < n; k++) {
    const next = await iterator.next();
    if (next.done) break;
    taken.push(next.value);
  }
  return taken;
};

describe('an async queue', () => {
  it('given items pushed before and while the reader waits, then it reads them in order, and returns at the end', async () => {
    const queue = createAsyncQueue<number>({ highWater: 10 });
    queue.push(1);
    queue.push(2);
    const read = (async () => {
      const seen: number[] = [];
      for await (const n of queue) seen.push(n);
      return seen;
    })();
    await new Promise((resolve) => setTimeout(resolve, 5));
    queue.push(3);
    queue.end();
    expect(await read).toEqual([1, 2, 3]);
  });

  it('given a failure pushed after two items, then the reader gets the two items, then the error', async () => {
    const queue = createAsyncQueue<string>({ highWater: 10 });
    queue.push('a');
    queue.push('b');
    queue.fail(new Error('stream broken'));
    queue.push('never read');
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const s of queue) seen.push(s);
      })(),
    ).rejects.toThrow('stream broken');
    expect(seen).toEqual(['a', 'b']);
  });

  it('when it is closed while the reader waits, then what waits is dropped, the reader returns, and later pushes are ignored', async () => {
    const queue = createAsyncQueue<number>({ highWater: 10 });
    const iterator = queue[Symbol.asyncIterator]();
    queue.push(1);
    expect(await take(iterator, 1)).toEqual([1]);
    const waiting = iterator.next();
    queue.close();
    expect(await waiting).toEqual({ done: true, value: undefined });
    queue.push(2);
    expect(queue.closed).toBe(true);
    expect(await take(queue[Symbol.asyncIterator](), 1)).toEqual([]);
  });

  it('given 4 items at a high-water mark of 4, then it has no room, and it calls the producer back once the reader has taken it down to 2', async () => {
    let lows = 0;
    const queue = createAsyncQueue<number>({ highWater: 4, onLow: () => lows++ });
    for (const n of [1, 2, 3]) queue.push(n);
    expect(queue.room).toBe(true);
    queue.push(4);
    expect(queue.room).toBe(false);
    const iterator = queue[Symbol.asyncIterator]();
    expect(await take(iterator, 1)).toEqual([1]);
    expect(lows).toBe(0);
    expect(queue.room).toBe(true);
    expect(await take(iterator, 1)).toEqual([2]);
    expect(lows).toBe(1);
  });
});
