/**
 * `project rebuild` of a large SQLite store projects its cases on several threads, each a part of
 * the cases into a file of its own, then takes the parts in. The read models must be those of the
 * sequential runner, row for row, however many parts, and whatever is appended meanwhile.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaseService } from '../../src/cases/service.ts';
import { generateDatasets } from '../../src/import/generate.ts';
import { importCases } from '../../src/import/import.ts';
import {
  CASE_STREAMS,
  caseEventsOf,
  partBoundsOf,
  rebuildInParallel,
  rebuildReadModels,
} from '../../src/projector/parallel.ts';
import { dumpReadModels, openReadModels, type ReadModels } from '../../src/projector/read-models.ts';
import { catchUp } from '../../src/projector/runner.ts';
import { loadParams } from '../../src/simulation/params.ts';
import { openEventStore } from '../../src/store/open.ts';
import { EventDeserializationError, type EventStore } from '../../src/store/port.ts';
import { runCli } from '../support/cli.ts';
import { recordClearview } from './fixtures.ts';

const TODAY = '2026-11-23';
let dir: string;
let storePath: string;
let store: EventStore;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cnil-parallel-'));
  storePath = join(dir, 'cnil.db');
  store = await openEventStore(`sqlite:${storePath}`);
  const datasets = generateDatasets({ cases: 250, seed: 21, params: await loadParams() });
  await importCases(
    createCaseService({ store, today: () => TODAY }),
    datasets.map((dataset, i) => ({ dataset, line: i + 1 })),
  );
}, 120_000);
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const journalModeOf = (path: string): unknown => {
  const db = new Database(path, { readonly: true });
  try {
    return db.pragma('journal_mode', { simple: true });
  } finally {
    db.close();
  }
};

const indexesOf = (path: string): string[] => {
  const db = new Database(path, { readonly: true });
  try {
    return db
      .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name")
      .all()
      .map((r) => r.name);
  } finally {
    db.close();
  }
};

const sequential = async (name: string) => {
  const readModels = openReadModels(join(dir, name), { store: `sqlite:${storePath}`, rebuild: true });
  await catchUp(store, readModels);
  readModels.close();
  return dumpReadModels(join(dir, name));
};

describe('given a SQLite store of 250 simulated cases', () => {
  it('the parts are ranges of stream ids, in order, with about as many events each, every case in one', () => {
    const { count } = caseEventsOf(storePath);
    const bounds = partBoundsOf(storePath, 3, count);
    expect(bounds).toHaveLength(4);
    expect(bounds[0]).toBe(CASE_STREAMS.from);
    expect(bounds[3]).toBe(CASE_STREAMS.to);
    expect([...bounds].sort()).toEqual(bounds);
    const db = new Database(storePath, { readonly: true });
    try {
      const eventsIn = db.prepare<[string, string], { n: number }>(
        'SELECT COUNT(*) AS n FROM events WHERE stream_id >= ? AND stream_id < ?',
      );
      const sizes = [0, 1, 2].map((k) => eventsIn.get(String(bounds[k]), String(bounds[k + 1]))?.n ?? 0);
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(count);
      // A bound is where a case begins, so a part differs from a third by less than a case.
      const longest = db
        .prepare<[], { n: number }>(
          "SELECT MAX(n) AS n FROM (SELECT COUNT(*) AS n FROM events WHERE stream_id LIKE 'case-%' GROUP BY stream_id)",
        )
        .get()?.n;
      for (const size of sizes) expect(Math.abs(size - count / 3)).toBeLessThanOrEqual(Number(longest));
    } finally {
      db.close();
    }
  });

  it.each([2, 3])(
    'rebuilt on %i threads, then caught up, the read models are those of one thread',
    async (workers) => {
      const reference = await sequential(`sequential-${workers}.db`);
      const path = join(dir, `parallel-${workers}.db`);
      const readModels = openReadModels(path, { store: `sqlite:${storePath}`, rebuild: true });
      const seen: number[] = [];
      const { events, checkpoint } = await rebuildInParallel(storePath, readModels, {
        workers,
        batchSize: 97,
        onProgress: (n) => seen.push(n),
      });
      expect(await catchUp(store, readModels)).toMatchObject({ delivered: 0, checkpoint });
      readModels.close();

      expect(events).toBe(reference.timeline?.length);
      expect(seen.at(-1)).toBe(events);
      expect(dumpReadModels(path)).toEqual(reference);
      // Taken in through a rollback journal, the file is back to write-ahead logging.
      expect(journalModeOf(path)).toBe('wal');
      // The periods are indexed by date for the as-of queries, as in a file built on one thread.
      expect(indexesOf(path)).toEqual(indexesOf(join(dir, `sequential-${workers}.db`)));
      expect(indexesOf(path)).toEqual(
        expect.arrayContaining(['context_periods_valid', 'deadline_periods_valid']),
      );
      // The parts' files are gone.
      expect(readdirSync(dir).filter((f) => f.includes('.part-'))).toEqual([]);
    },
    120_000,
  );

  it('a case appended after the parts began is caught up after them: same read models', async () => {
    const path = join(dir, 'parallel-then-more.db');
    const readModels = openReadModels(path, { store: `sqlite:${storePath}`, rebuild: true });
    await rebuildInParallel(storePath, readModels, { workers: 2, batchSize: 500 });
    await recordClearview(createCaseService({ store, today: () => TODAY }));
    const rest = await catchUp(store, readModels);
    readModels.close();
    expect(rest.delivered).toBe(28);
    expect(dumpReadModels(path)).toEqual(await sequential('sequential-then-more.db'));
  }, 120_000);

  it('facts recorded after a rebuild on cases it projected are folded onto them: same read models, one stream read per case', async () => {
    // Given a store holding the first half of each case's facts, rebuilt on two threads (the parts
    // write no snapshot of the cases' folds)
    const halfPath = join(dir, 'halves.db');
    const halves = await openEventStore(`sqlite:${halfPath}`);
    try {
      const service = createCaseService({ store: halves, today: () => TODAY });
      const datasets = generateDatasets({ cases: 60, seed: 22, params: await loadParams() });
      await importCases(
        service,
        datasets.map((dataset, i) => ({
          dataset: { ...dataset, events: dataset.events.slice(0, Math.ceil(dataset.events.length / 2)) },
          line: i + 1,
        })),
      );
      const path = join(dir, 'halves-parallel.db');
      const readModels = openReadModels(path, { store: `sqlite:${halfPath}`, rebuild: true });
      await rebuildInParallel(halfPath, readModels, { workers: 2, batchSize: 50 });
      const rows = new Database(path, { readonly: true });
      expect(rows.prepare('SELECT COUNT(*) AS n FROM folds').get()).toEqual({ n: 0 });
      rows.close();

      // When the other half of every case is recorded and the runner catches up
      const report = await importCases(
        service,
        datasets.map((dataset, i) => ({ dataset, line: i + 1 })),
      );
      expect(report.events.appended).toBeGreaterThan(0);
      const streamsRead: string[] = [];
      const counting: EventStore = {
        ...halves,
        readAll: (options) => halves.readAll(options),
        subscribeToAll: (options) => halves.subscribeToAll(options),
        readStream: (streamId, options) => {
          streamsRead.push(streamId);
          return halves.readStream(streamId, options);
        },
      };
      // (each batch applied once: its cases' folds are restored before it is decoded)
      const refusals: unknown[] = [];
      const applying: ReadModels = {
        ...readModels,
        apply: (events, through) => {
          try {
            return readModels.apply(events, through);
          } catch (error) {
            refusals.push(error);
            throw error;
          }
        },
      };
      await catchUp(counting, applying, { batchSize: 40 });
      readModels.close();
      expect(refusals).toEqual([]);

      // Then the read models are those of one thread projecting the whole store
      const reference = openReadModels(join(dir, 'halves-sequential.db'), {
        store: `sqlite:${halfPath}`,
        rebuild: true,
      });
      await catchUp(halves, reference);
      reference.close();
      expect(dumpReadModels(path)).toEqual(dumpReadModels(join(dir, 'halves-sequential.db')));
      // and each case continued was read from the store once, to restore its fold
      const continued = datasets.filter((d) => d.events.length > Math.ceil(d.events.length / 2));
      expect(new Set(streamsRead).size).toBe(streamsRead.length);
      expect(streamsRead.sort()).toEqual(continued.map((d) => `case-${d.caseId}`).sort());
    } finally {
      await halves.close();
    }
  }, 120_000);

  it('while another connection reads the file, the parts are taken in through its log: same read models', async () => {
    const path = join(dir, 'parallel-read-meanwhile.db');
    const readModels = openReadModels(path, { store: `sqlite:${storePath}`, rebuild: true });
    const reader = new Database(path, { readonly: true });
    try {
      reader.prepare('SELECT COUNT(*) FROM cases').get();
      await rebuildInParallel(storePath, readModels, { workers: 2, batchSize: 300 });
      expect(reader.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(reader.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM cases').get()?.n).toBe(
        readModels.counts().cases,
      );
    } finally {
      reader.close();
      readModels.close();
    }
    expect(dumpReadModels(path)).toEqual(await sequential('sequential-read-meanwhile.db'));
  }, 120_000);

  it('a thread that stops on a fact it cannot project: no part is taken in, one thread projects again and names the fact', async () => {
    // Given a copy of the store whose last case event no longer matches its schema
    const brokenPath = join(dir, 'broken.db');
    const source = new Database(storePath, { readonly: true });
    source.prepare('VACUUM INTO ?').run(brokenPath);
    source.close();
    const db = new Database(brokenPath);
    const last = db
      .prepare<[], { stream_id: string; revision: number }>(
        "SELECT stream_id, revision FROM events WHERE stream_id LIKE 'case-%' ORDER BY position DESC LIMIT 1",
      )
      .get();
    if (!last) throw new Error('fixture: no case event');
    db.prepare(
      "UPDATE events SET data = json_set(data, '$.on', 'not a date') WHERE stream_id = ? AND revision = ?",
    ).run(last.stream_id, last.revision);
    db.close();
    const broken = await openEventStore(`sqlite:${brokenPath}`);
    const readModels = openReadModels(join(dir, 'broken-read-models.db'), {
      store: `sqlite:${brokenPath}`,
      rebuild: true,
    });
    try {
      // When it is rebuilt on two threads
      let fellBack = 0;
      const rebuild = rebuildReadModels(broken.raw, readModels, {
        sqlitePath: brokenPath,
        workers: 2,
        batchSize: 100,
        onFallback: () => fellBack++,
      });
      // Then the error is the one threads-free projection reports, naming the stream and revision
      await expect(rebuild).rejects.toThrow(EventDeserializationError);
      await expect(rebuild).rejects.toThrow(`${last.stream_id}`);
      expect(fellBack).toBe(1);
      // and the file holds what the one thread committed before it, nothing of the parts
      const checkpoint = readModels.checkpoint();
      const check = new Database(brokenPath, { readonly: true });
      const before = check
        .prepare<[number], { n: number }>(
          "SELECT COUNT(*) AS n FROM events WHERE stream_id LIKE 'case-%' AND position <= ?",
        )
        .get(checkpoint)?.n;
      check.close();
      expect(checkpoint).toBeGreaterThan(0);
      expect(readModels.counts().facts).toBe(before);
      expect(before).toBeLessThan(caseEventsOf(brokenPath).count);
      expect(readdirSync(dir).filter((f) => f.includes('.part-'))).toEqual([]);
    } finally {
      readModels.close();
      await broken.close();
    }
  }, 120_000);

  it('`project rebuild --workers 2` prints what it projected and builds the read models of `--workers 1`', async () => {
    const args = (workers: string, file: string) => [
      '--store',
      `sqlite:${storePath}`,
      'project',
      'rebuild',
      '--read-models',
      join(dir, file),
      '--workers',
      workers,
      '--json',
    ];
    const two = await runCli(args('2', 'cli-2.db'));
    const one = await runCli(args('1', 'cli-1.db'));
    expect(two.code, two.stderr).toBe(0);
    expect(one.code, one.stderr).toBe(0);
    expect(JSON.parse(two.stdout)).toMatchObject({
      delivered: JSON.parse(one.stdout).delivered,
      checkpoint: JSON.parse(one.stdout).checkpoint,
    });
    expect(dumpReadModels(join(dir, 'cli-2.db'))).toEqual(dumpReadModels(join(dir, 'cli-1.db')));
    expect((await runCli([...args('0', 'cli-0.db')])).code).toBe(2);
  }, 120_000);
});
