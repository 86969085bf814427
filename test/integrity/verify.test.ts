/**
 * `verify` on real files: an untouched store is sound; each way of altering the record — a row
 * changed, a row deleted, a copy restored with a truncated write-ahead log, a key deleted, a read
 * model edited, an event appended around the case service — is a finding. Events recorded before
 * the hash chain existed verify as unchained legacy. The same checks run over the EventStoreDB
 * client against the protocol-level test server.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync, truncateSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCaseService, type FactInput } from '../../src/cases/service.ts';
import { loadRecorded, readRegressionFixture } from '../../src/history/regression.ts';
import { verifyStore, type VerifyReport } from '../../src/integrity/verify.ts';
import type { ProtectedEventStore } from '../../src/privacy/protected-store.ts';
import { storeIdentity } from '../../src/projector/identity.ts';
import { openReadModels } from '../../src/projector/read-models.ts';
import { catchUp } from '../../src/projector/runner.ts';
import { openEventStore } from '../../src/store/open.ts';
import { caseOpened, complaintReceived, inspectionOpened } from '../support/builders.ts';
import { runCli } from '../support/cli.ts';
import { type EsdbTestServer, startEsdbTestServer } from '../support/esdb/launch.ts';

const TODAY = '2026-11-23';
const fact = (event: { type: string; data: unknown }): FactInput => ({ type: event.type, data: event.data });

let directory: string;
afterEach(() => {
  if (directory) rmSync(directory, { recursive: true, force: true });
});

/** Two cases, recorded through the case service, and read models caught up with them. */
const recordTwoCases = async (store: ProtectedEventStore, readModelsPath?: string) => {
  const service = createCaseService({ store, today: () => TODAY });
  expect(
    (
      await service.recordAll('acme-sas', [
        fact(caseOpened()),
        fact(complaintReceived()),
        fact(inspectionOpened()),
      ])
    ).status,
  ).toBe('recorded');
  expect(
    (
      await service.recordAll('beta-sarl', [
        fact(caseOpened({ caseId: 'beta-sarl', controller: { name: 'Beta SARL' } })),
        fact(complaintReceived({ complaintId: 'PLT-2', complainant: { personId: 'person-b0b0' } })),
      ])
    ).status,
  ).toBe('recorded');
  if (readModelsPath) {
    const readModels = openReadModels(readModelsPath, { store: storeIdentity(`sqlite:${dbPath()}`) });
    await catchUp(store.raw, readModels);
    readModels.close();
  }
};

const dbPath = () => join(directory, 'cnil.db');
const keysPath = () => join(directory, 'cnil.keys.db');
const readModelsPath = () => join(directory, 'read-models.db');

const givenARecord = async () => {
  directory = mkdtempSync(join(tmpdir(), 'cnil-verify-'));
  const store = await openEventStore(`sqlite:${dbPath()}`);
  await recordTwoCases(store, readModelsPath());
  await store.close();
};

const verify = async (caseId?: string): Promise<VerifyReport> => {
  const store = await openEventStore(`sqlite:${dbPath()}`);
  try {
    return await verifyStore({
      store: store.raw,
      keys: store.keys,
      storeName: `sqlite:${dbPath()}`,
      storeIdentity: storeIdentity(`sqlite:${dbPath()}`),
      sqlitePath: dbPath(),
      readModels: [readModelsPath()],
      ...(caseId === undefined ? {} : { caseId }),
    });
  } finally {
    await store.close();
  }
};

const withDb = (path: string, fn: (db: Database.Database) => void) => {
  const db = new Database(path);
  try {
    fn(db);
  } finally {
    db.close();
  }
};

describe('verify on SQLite', () => {
  it('given an untouched record, it is sound: every event chained, a digest of the heads', async () => {
    await givenARecord();
    const report = await verify();
    expect(report.findings).toEqual([]);
    expect(report).toMatchObject({ sound: true, cases: 2, events: 5, chained: 5, legacy: 0 });
    expect(report.heads.map((h) => [h.caseId, h.revision])).toEqual([
      ['acme-sas', 2],
      ['beta-sarl', 1],
    ]);
    expect(report.digest).toMatch(/^[0-9a-f]{64}$/);
    // Reading it again gives the same digest; verifying wrote nothing.
    expect((await verify()).digest).toBe(report.digest);
  });

  it('a row changed in the file is found: its content no longer matches its hash', async () => {
    await givenARecord();
    withDb(dbPath(), (db) => {
      const row = db
        .prepare<[], { data: string }>("SELECT data FROM events WHERE type = 'InspectionOpened'")
        .get() as { data: string };
      const data = JSON.parse(row.data) as { decisionRef: string };
      data.decisionRef = '2023-999C';
      db.prepare("UPDATE events SET data = ? WHERE type = 'InspectionOpened'").run(JSON.stringify(data));
    });
    const report = await verify();
    expect(report.sound).toBe(false);
    expect(report.findings).toContainEqual(
      expect.objectContaining({
        check: 'chain',
        caseId: 'acme-sas',
        revision: 2,
        message: expect.stringContaining('does not match its hash') as string,
      }),
    );
  });

  it('a row deleted from the file is found: a revision is missing and the chain breaks there', async () => {
    await givenARecord();
    withDb(dbPath(), (db) =>
      db.prepare("DELETE FROM events WHERE stream_id = 'case-acme-sas' AND revision = 1").run(),
    );
    const report = await verify('acme-sas');
    expect(report.findings.map((f) => [f.check, f.caseId, f.revision])).toEqual(
      expect.arrayContaining([
        ['revisions', 'acme-sas', 2],
        ['chain', 'acme-sas', 2],
      ]),
    );
  });

  it('a copy restored with its write-ahead log truncated is found: the read models are ahead of it', async () => {
    directory = mkdtempSync(join(tmpdir(), 'cnil-verify-'));
    const copies = join(directory, 'copy');
    const store = await openEventStore(`sqlite:${dbPath()}`);
    await recordTwoCases(store, readModelsPath());
    // The copy is taken while the store is open: its last appends are still in the log.
    rmSync(copies, { recursive: true, force: true });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(copies);
    copyFileSync(dbPath(), join(copies, 'cnil.db'));
    copyFileSync(`${dbPath()}-wal`, join(copies, 'cnil.db-wal'));
    await store.close();
    // The copy's log loses its last frame (the commit of the last append), and is restored.
    const wal = join(copies, 'cnil.db-wal');
    truncateSync(wal, statSync(wal).size - (24 + 4096));
    copyFileSync(join(copies, 'cnil.db'), dbPath());
    copyFileSync(wal, `${dbPath()}-wal`);
    if (existsSync(`${dbPath()}-shm`)) unlinkSync(`${dbPath()}-shm`);

    const report = await verify();
    expect(report.events).toBeLessThan(5); // the last append is gone, silently for SQLite
    expect(report.findings).toContainEqual(
      expect.objectContaining({
        check: 'read-models',
        message: expect.stringContaining('ahead of the store') as string,
      }),
    );
  });

  it('a key deleted from the key store is found, naming the case and the person', async () => {
    await givenARecord();
    withDb(keysPath(), (db) => db.prepare("DELETE FROM person_keys WHERE person_id = 'person-b0b0'").run());
    const report = await verify();
    expect(report.findings).toEqual([
      expect.objectContaining({
        check: 'keys',
        caseId: 'beta-sarl',
        revision: 1,
        message: expect.stringContaining('person-b0b0') as string,
      }),
    ]);
  });

  it('a read model edited in its file is found', async () => {
    await givenARecord();
    withDb(readModelsPath(), (db) =>
      db.prepare("UPDATE cases SET stage = 'closed' WHERE case_id = 'beta-sarl'").run(),
    );
    const report = await verify();
    expect(report.findings).toEqual([
      expect.objectContaining({
        check: 'read-models',
        caseId: 'beta-sarl',
        message: expect.stringContaining('table cases') as string,
      }),
    ]);
  });

  it("an entry deleted from the store's person index is found: forget could miss that case", async () => {
    await givenARecord();
    withDb(dbPath(), (db) =>
      db.prepare("DELETE FROM person_streams WHERE stream_id = 'case-beta-sarl'").run(),
    );
    const report = await verify();
    expect(report.findings).toEqual([
      expect.objectContaining({
        check: 'person-index',
        message: expect.stringContaining('lacks 1 and adds 0') as string,
      }),
    ]);
  });

  it('events recorded before the chain verify as unchained legacy, and the next recorded event chains to them', async () => {
    directory = mkdtempSync(join(tmpdir(), 'cnil-verify-'));
    const fixture = await readRegressionFixture(new URL('../fixtures/events-v1.json', import.meta.url));
    const store = await openEventStore(`sqlite:${dbPath()}`);
    await loadRecorded(store.raw, fixture.events);
    await store.close();
    const legacy = await verify();
    expect(legacy.findings).toEqual([]);
    expect(legacy).toMatchObject({ sound: true, chained: 0, legacy: fixture.events.length });
    expect(legacy.notes.join('\n')).toContain('unchained legacy');

    // A fact recorded now links to the legacy events before it: altering one of them is then found.
    const reopened = await openEventStore(`sqlite:${dbPath()}`);
    const service = createCaseService({ store: reopened, today: () => TODAY });
    const recorded = await service.record('clearview-ai', {
      type: 'InjunctionComplied',
      data: { on: '2023-06-01' },
    });
    await reopened.close();
    expect(recorded.status).toBe('recorded');
    const chained = await verify();
    expect(chained.findings).toEqual([]);
    expect(chained).toMatchObject({ chained: 1, legacy: fixture.events.length });
    withDb(dbPath(), (db) =>
      db
        .prepare(
          "UPDATE events SET data = replace(data, 'Clearview AI', 'Clearview A1') WHERE stream_id = 'case-clearview-ai' AND revision = 0",
        )
        .run(),
    );
    expect((await verify()).findings).toEqual([
      expect.objectContaining({
        check: 'chain',
        caseId: 'clearview-ai',
        revision: 22,
        message: expect.stringContaining('does not follow') as string,
      }),
    ]);
  });
});

describe('cnil verify', () => {
  it('exits 0 on a sound record and 1 listing each finding', { timeout: 60_000 }, async () => {
    await givenARecord();
    const env = { CNIL_STORE: `sqlite:${dbPath()}`, CNIL_READ_MODELS: readModelsPath() };
    const sound = await runCli(['verify'], env);
    expect(sound.code, sound.stderr).toBe(0);
    expect(sound.stdout).toMatch(/^Sound: /);
    withDb(dbPath(), (db) =>
      db.prepare("DELETE FROM events WHERE stream_id = 'case-beta-sarl' AND revision = 0").run(),
    );
    withDb(keysPath(), (db) => db.prepare("DELETE FROM person_keys WHERE person_id = 'person-7f3a'").run());
    const broken = await runCli(['--json', 'verify'], env);
    expect(broken.code).toBe(1);
    const report = JSON.parse(broken.stdout) as VerifyReport;
    expect(report.findings.map((f) => f.check)).toEqual(
      expect.arrayContaining(['revisions', 'chain', 'keys']),
    );
    expect(existsSync(join(directory, 'nothing.db'))).toBe(false);
    const none = await runCli(['verify'], { CNIL_STORE: `sqlite:${join(directory, 'nothing.db')}` });
    expect(none.code).toBe(3);
    expect(existsSync(join(directory, 'nothing.db'))).toBe(false);
  });
});

describe('verify on EventStoreDB (protocol-level test server)', () => {
  let server: EsdbTestServer;
  beforeAll(async () => {
    server = await startEsdbTestServer();
  });
  afterAll(async () => {
    await server.stop();
  });

  it('is sound as recorded; an event appended around the case service is found', async () => {
    directory = mkdtempSync(join(tmpdir(), 'cnil-verify-esdb-'));
    const store = await openEventStore(server.connectionString, { keys: join(directory, 'keys.db') });
    await recordTwoCases(store);
    const options = {
      store: store.raw,
      keys: store.keys,
      storeName: 'esdb',
      storeIdentity: storeIdentity(server.connectionString),
    };
    const sound = await verifyStore(options);
    expect(sound.findings).toEqual([]);
    expect(sound).toMatchObject({ sound: true, events: 5, chained: 5 });
    expect(sound.notes.join('\n')).toContain('integrity_check: not applicable');

    const client = EventStoreDBClient.connectionString(server.connectionString);
    await client.appendToStream(
      'case-beta-sarl',
      jsonEvent({
        type: 'InspectionOpened',
        data: { on: '2023-03-01', method: 'documentary', decisionRef: 'forged' },
        metadata: {
          actor: 'president',
          recordedAt: '2023-03-01T00:00:00.000Z',
          correlationId: 'x',
          schemaVersion: 1,
        },
      }),
    );
    await client.dispose();
    const forged = await verifyStore(options);
    expect(forged.findings).toEqual([
      expect.objectContaining({
        check: 'chain',
        caseId: 'beta-sarl',
        revision: 2,
        message: expect.stringContaining('carries no hash') as string,
      }),
    ]);
    await store.close();
  });
});
