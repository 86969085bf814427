/**
 * Live mode: a runner that has caught up keeps following the store, sees facts appended by
 * another store instance on the same SQLite file, and stops cleanly when asked.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IsoDate } from '../../machines/dates.ts';
import { createCaseService } from '../../src/cases/service.ts';
import { ledgerAsOf } from '../../src/projector/queries.ts';
import { openReadModels } from '../../src/projector/read-models.ts';
import { type BatchReport, follow } from '../../src/projector/runner.ts';
import { createSqliteEventStore } from '../../src/store/sqlite.ts';
import { recordClearview, TODAY } from './fixtures.ts';

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
