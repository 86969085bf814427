/**
 * Live mode: a runner that has caught up keeps following the store, sees facts appended by
 * another store instance on the same SQLite file, and stops cleanly when asked.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IsoDate } from '../../machines/dates.ts';
import { createCaseService } from '../../src/cases/service.ts';
import { ledgerAsOf } from '../../src/projector/queries.ts';
import { openReadModels } from '../../src/projector/read-models.ts';
import { type BatchReport, follow } from '../../src/projector/runner.ts';
import type { EventStore, RecordedEvent, Subscription } from '../../src/store/port.ts';
import { createSqliteEventStore } from '../../src/store/sqlite.ts';
import { recordClearview, recordSyntheticCases, TODAY } from './fixtures.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cnil-live-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Resolves once `predicate` holds, polling every 10 ms (fails the test after 5 s). */
const eventually = async (predicate: () => boolean): Promise<void> => {
  const deadline = Date.now() + 5000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the runner');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describe('given a runner following a SQLite store, caught up with Clearview up to the sanction', () => {
  it('projects the liquidation appended by another store instance, then stops when aborted', async () => {
    const path = join(dir, 'cnil.db');
    const runnerStore = createSqliteEventStore(path);
    const writerStore = createSqliteEventStore(path);
    const writer = createCaseService({ store: writerStore, today: () => TODAY });
    await recordClearview(writer, 'F21-liquidation-notified');
    const readModels = openReadModels(join(dir, 'read-models.db'), { store: `sqlite:${path}` });
    const stop = new AbortController();
    const batches: BatchReport[] = [];
    let caughtUpAt = -1;
    const running = follow(runnerStore, readModels, {
      signal: stop.signal,
      onCaughtUp: (checkpoint) => {
        caughtUpAt = checkpoint;
      },
      onBatch: (batch) => batches.push(batch),
    });
    await eventually(() => caughtUpAt >= 0);
    expect(caughtUpAt).toBe(23);
    expect(ledgerAsOf(readModels, '2023-04-13' as IsoDate).totals.penaltiesLiquidated).toBe(0);

    // When another process records the liquidation of 13 April 2023…
    await recordClearview(writer, 'F22-penalty-liquidated');

    // …the runner projects it without being restarted.
    await eventually(() => readModels.checkpoint() === 24);
    expect(ledgerAsOf(readModels, '2023-04-13' as IsoDate).totals.penaltiesLiquidated).toBe(5_200_000);
    expect(batches.at(-1)).toMatchObject({ events: 1, stored: 1, checkpoint: 24 });

    stop.abort();
    expect(await running).toEqual({ delivered: 24, stored: 24, checkpoint: 24 });
    readModels.close();
    await runnerStore.close();
    await writerStore.close();
  });
});

/** A full garbage collection, in a process started without --expose-gc. */
const collectGarbage = (): void => {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
};

/** `store`, whose subscriptions keep a weak reference to every event they deliver. */
const watchingDeliveries = (store: EventStore, delivered: WeakRef<RecordedEvent>[]): EventStore => ({
  ...store,
  subscribeToAll: (options) => {
    const subscription = store.subscribeToAll(options);
    const inner = subscription[Symbol.asyncIterator]();
    const watched: Subscription = {
      close: () => subscription.close(),
      [Symbol.asyncIterator]: () => ({
        next: async () => {
          const next = await inner.next();
          if (!next.done && next.value.kind === 'event') delivered.push(new WeakRef(next.value.event));
          return next;
        },
        return: async () => inner.return?.() ?? { done: true, value: undefined },
      }),
    };
    return watched;
  },
});

describe('given a runner following a store of many facts', () => {
  it('keeps none of the events it has projected: its memory does not grow with the log', async () => {
    const path = join(dir, 'many.db');
    const store = createSqliteEventStore(path);
    const facts = await recordSyntheticCases(createCaseService({ store, today: () => TODAY }), 300);
    const readModels = openReadModels(join(dir, 'many-read-models.db'), { store: `sqlite:${path}` });
    const delivered: WeakRef<RecordedEvent>[] = [];
    const stop = new AbortController();
    let caughtUp = false;
    const running = follow(watchingDeliveries(store, delivered), readModels, {
      signal: stop.signal,
      batchSize: 50,
      onCaughtUp: () => {
        caughtUp = true;
      },
    });
    await eventually(() => caughtUp);
    expect(delivered).toHaveLength(facts);

    // While the runner still follows the store, the projected events can be collected: at most the
    // page the subscription last read (1 000 events for SQLite) is still held.
    expect(facts).toBeGreaterThan(3000);
    await new Promise((resolve) => setTimeout(resolve, 0));
    collectGarbage();
    const kept = delivered.filter((ref) => ref.deref() !== undefined).length;
    expect(kept, `${kept} of ${facts} projected events still referenced`).toBeLessThanOrEqual(1000);

    stop.abort();
    expect(await running).toMatchObject({ delivered: facts, checkpoint: facts });
    readModels.close();
    await store.close();
  });
});
