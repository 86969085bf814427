/**
 * Several instances on one EventStoreDB server: each instance keeps its own read-model file and its
 * own checkpoint (nothing shared but the server). Two runners, each with its own client and file,
 * follow the protocol-level test server (a separate process: test/support/esdb) while two other
 * clients record cases through the case service; both files reach the same read models, equal to
 * those of a new instance that rebuilds from the server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCaseService } from '../../src/cases/service.ts';
import { dumpReadModels, openReadModels, type ReadModels } from '../../src/projector/read-models.ts';
import { catchUp, follow } from '../../src/projector/runner.ts';
import { createEventStoreDbEventStore } from '../../src/store/eventstoredb.ts';
import type { EventStore } from '../../src/store/port.ts';
import { type EsdbTestServer, startEsdbTestServer } from '../support/esdb/launch.ts';
import { recordClearview, recordSyntheticCases, TODAY } from './fixtures.ts';

let server: EsdbTestServer;
let dir: string;
const stores: EventStore[] = [];
const connect = (): EventStore => {
  const store = createEventStoreDbEventStore(server.connectionString);
  stores.push(store);
  return store;
};

beforeAll(async () => {
  server = await startEsdbTestServer();
  dir = mkdtempSync(join(tmpdir(), 'cnil-esdb-instances-'));
}, 60_000);
afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()));
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
  expect(server.unimplemented, 'calls the EventStoreDB test server does not implement').toEqual([]);
});

/** How many case events the server holds, and the global position of the last one. */
const head = async (store: EventStore): Promise<{ count: number; last: number }> => {
  let count = 0;
  let last = 0;
  for await (const event of store.readAll({ streamPrefix: 'case-' })) {
    count += 1;
    last = event.position;
  }
  return { count, last };
};

describe('given two instances following one EventStoreDB server, each with its own read-model file', () => {
  it('when two other instances record cases meanwhile, then both files reach the same read models as a rebuild from the server', async () => {
    const files = [join(dir, 'instance-a.db'), join(dir, 'instance-b.db')];
    const readModels: ReadModels[] = files.map((path) =>
      openReadModels(path, { store: server.connectionString }),
    );
    const stop = new AbortController();
    let caughtUp = 0;
    const runners = readModels.map((models) =>
      follow(connect(), models, {
        signal: stop.signal,
        batchSize: 25,
        onCaughtUp: () => {
          caughtUp += 1;
        },
      }),
    );
    await vi.waitFor(() => expect(caughtUp).toBe(2), { timeout: 30_000, interval: 20 });

    await Promise.all([
      recordSyntheticCases(createCaseService({ store: connect(), today: () => TODAY }), 20),
      recordClearview(createCaseService({ store: connect(), today: () => TODAY })),
    ]);
    const { count, last } = await head(connect());
    await vi.waitFor(
      () => {
        for (const models of readModels) expect(models.checkpoint()).toBeGreaterThanOrEqual(last);
      },
      { timeout: 30_000, interval: 50 },
    );
    stop.abort();
    await Promise.all(runners);
    for (const models of readModels) models.close();

    const rebuiltPath = join(dir, 'new-instance.db');
    const rebuilt = openReadModels(rebuiltPath, { store: server.connectionString });
    await catchUp(connect(), rebuilt);
    rebuilt.close();
    const expected = dumpReadModels(rebuiltPath);
    // Every case of both writers (Clearview and 20 others), every event on its timeline.
    expect(expected.cases).toHaveLength(21);
    expect(expected.timeline).toHaveLength(count);
    for (const path of files) expect(dumpReadModels(path)).toEqual(expected);
  }, 120_000);
});
