/**
 * The runner on EventStoreDB: the same history rebuilt from an EventStoreDB store (the real client
 * against the protocol-level test server, a separate process: test/support/esdb) and from a SQLite
 * store gives identical read models, and the runner resumes from an EventStoreDB checkpoint.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaseService } from '../../src/cases/service.ts';
import { dumpReadModels, openReadModels } from '../../src/projector/read-models.ts';
import { catchUp } from '../../src/projector/runner.ts';
import { createEventStoreDbEventStore } from '../../src/store/eventstoredb.ts';
import type { EventStore, RecordedEvent } from '../../src/store/port.ts';
import { createSqliteEventStore } from '../../src/store/sqlite.ts';
import { type EsdbTestServer, startEsdbTestServer } from '../support/esdb/launch.ts';
import { recordClearview, recordSyntheticCases, TODAY } from './fixtures.ts';

let server: EsdbTestServer;
let dir: string;
let sqlite: EventStore;
let esdb: EventStore;
let events: RecordedEvent[];

beforeAll(async () => {
  server = await startEsdbTestServer();
  dir = mkdtempSync(join(tmpdir(), 'cnil-projector-esdb-'));
  sqlite = createSqliteEventStore(join(dir, 'cnil.db'));
  const service = createCaseService({ store: sqlite, today: () => TODAY });
  await recordSyntheticCases(service, 30);
  await recordClearview(service);
  events = [];
  for await (const e of sqlite.readAll()) events.push(e);
  // The same history in EventStoreDB: the same events, ids and order.
  esdb = createEventStoreDbEventStore(server.connectionString);
  for (const e of events)
    await esdb.appendToStream(e.streamId, [{ id: e.id, type: e.type, data: e.data, metadata: e.metadata }], {
      expectedRevision: e.revision === 0 ? 'no-stream' : e.revision - 1,
    });
}, 60_000);
afterAll(async () => {
  await esdb.close();
  await sqlite.close();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
  expect(server.unimplemented, 'calls the EventStoreDB test server does not implement').toEqual([]);
});

describe('given the same history in an EventStoreDB store and in a SQLite store', () => {
  it('a rebuild from either gives identical read models', async () => {
    const fromSqlite = openReadModels(join(dir, 'from-sqlite.db'), { store: 'sqlite:cnil.db' });
    await catchUp(sqlite, fromSqlite);
    fromSqlite.close();
    const fromEsdb = openReadModels(join(dir, 'from-esdb.db'), { store: server.connectionString });
    expect(await catchUp(esdb, fromEsdb, { batchSize: 37 })).toMatchObject({
      delivered: events.length,
      stored: events.length,
    });
    fromEsdb.close();

    expect(dumpReadModels(join(dir, 'from-esdb.db'))).toEqual(dumpReadModels(join(dir, 'from-sqlite.db')));
  });

  it('a runner stopped part-way resumes from its EventStoreDB checkpoint and ends with the same read models', async () => {
    const path = join(dir, 'resumed.db');
    const partial = openReadModels(path, { store: server.connectionString });
    // Project the first 100 events only, as a runner stopped there would have.
    const first = await (async () => {
      const delivered: RecordedEvent[] = [];
      for await (const e of esdb.readAll({ streamPrefix: 'case-', maxCount: 100 })) delivered.push(e);
      return delivered;
    })();
    partial.apply(first, first.at(-1)?.position ?? 0);
    partial.close();

    const resumed = openReadModels(path, { store: server.connectionString });
    expect(await catchUp(esdb, resumed)).toMatchObject({ stored: events.length - 100 });
    resumed.close();

    expect(dumpReadModels(path)).toEqual(dumpReadModels(join(dir, 'from-sqlite.db')));
  });
});
