/**
 * The person index of the SQLite store (src/store/person-index.ts): `forget` finds a person's cases
 * from it and reads only those, on a store of many cases; the index is written in the append's own
 * transaction, rebuilt by a scan in a store from before it, and agrees with a scan of the log.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IsoDate } from '../../machines/dates.ts';
import { createCaseService, type FactInput } from '../../src/cases/service.ts';
import { casesHoldingPerson, forgetPerson } from '../../src/privacy/forget.ts';
import { createMemoryKeyStore, createSqliteKeyStore } from '../../src/privacy/keys.ts';
import { protectPersonalData } from '../../src/privacy/protected-store.ts';
import { checkPersonIndex, PERSON_INDEX_TABLE } from '../../src/store/person-index.ts';
import { caseStreamId, type EventStore } from '../../src/store/port.ts';
import { createEventStoreDbEventStore } from '../../src/store/eventstoredb.ts';
import { createSqliteEventStore } from '../../src/store/sqlite.ts';
import { countsSince } from '../support/esdb/counts.ts';
import { withEsdbTestServer } from '../support/esdb/with-test-server.ts';
import { caseOpened, complaintReceived } from '../support/builders.ts';

const TODAY = '2026-11-23' as IsoDate;
const PERSON = 'person-7f3a';
/** The cases where PERSON complained, among many others. */
const THEIRS = ['case-0007', 'case-0500', 'case-1499'];

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cnil-person-index-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Case `id`: opened, a complaint by `personId`. */
const complaintCase = (caseId: string, personId: string): { caseId: string; inputs: FactInput[] } => ({
  caseId,
  inputs: [
    { type: 'CaseOpened', data: caseOpened({ caseId }).data },
    { type: 'ComplaintReceived', data: complaintReceived({ complainant: { personId } }).data },
  ],
});

/** A store that counts what is read from it: events of the whole log, and events of each stream. */
const counting = (store: ReturnType<typeof createSqliteEventStore>) => {
  const reads = { log: 0, streams: new Map<string, number>() };
  const counted: typeof store = {
    ...store,
    async *readAll(options) {
      for await (const event of store.readAll(options)) {
        reads.log++;
        yield event;
      }
    },
    readStream: async (streamId, options) => {
      const events = await store.readStream(streamId, options);
      reads.streams.set(streamId, (reads.streams.get(streamId) ?? 0) + events.length);
      return events;
    },
  };
  return { counted, reads };
};

/** PERSON forgotten today, at their own request. */
const forgetToday = (
  store: Parameters<typeof forgetPerson>[0],
  service: Parameters<typeof forgetPerson>[1],
) => forgetPerson(store, service, { personId: PERSON, on: TODAY, ground: 'data-subject-request' });

/** 1 500 cases, each with a complaint; PERSON complained in {@link THEIRS}, each other case has its own person. */
const givenManyCases = async (store: EventStore) => {
  const service = createCaseService({ store, today: () => TODAY });
  const cases = Array.from({ length: 1500 }, (_, i) => {
    const caseId = `case-${String(i).padStart(4, '0')}`;
    return complaintCase(caseId, THEIRS.includes(caseId) ? PERSON : `person-${(0xa000 + i).toString(16)}`);
  });
  const outcomes = await service.recordCases(cases);
  expect(outcomes.every((o) => o.status === 'recorded')).toBe(true);
  return service;
};

describe('the person index', () => {
  it('given 1 500 cases, forget reads the three cases of the person and nothing of the log', async () => {
    const sqlite = createSqliteEventStore(join(dir, 'cnil.db'));
    const { counted, reads } = counting(sqlite);
    const store = protectPersonalData(counted, createMemoryKeyStore());
    const service = await givenManyCases(store);
    reads.log = 0;
    reads.streams.clear();

    const outcome = await forgetToday(store, service);

    expect(outcome).toMatchObject({
      status: 'erased',
      cases: THEIRS.map((caseId) => ({ caseId, erasure: 'recorded' })),
      keysDeleted: 1,
    });
    expect(reads.log).toBe(0);
    expect([...reads.streams.keys()].sort()).toEqual(THEIRS.map(caseStreamId));
    await store.close();
  });

  it('without the index (a store that has none, as EventStoreDB), the same answer costs a read of the whole log', async () => {
    const sqlite = createSqliteEventStore(join(dir, 'cnil.db'));
    const { counted, reads } = counting(sqlite);
    const { streamsHoldingPerson: _index, ...withoutIndex } = counted;
    const store = protectPersonalData(withoutIndex, createMemoryKeyStore());
    await givenManyCases(store);
    reads.log = 0;
    expect(await casesHoldingPerson(store, PERSON)).toEqual(THEIRS);
    expect(reads.log).toBe(3000);
    await store.close();
  });

  it('is written in the transaction of the append, whoever appends: rolled back with it, kept with it', async () => {
    const path = join(dir, 'cnil.db');
    const store = protectPersonalData(createSqliteEventStore(path), createMemoryKeyStore());
    const service = createCaseService({ store, today: () => TODAY });
    await service.recordCases([complaintCase('acme-sas', PERSON)]);
    const [complaint] = await store.raw.readStream(caseStreamId('acme-sas'), { fromRevision: 1 });
    await store.close();
    // Another program (or an older version of this one) appends the same complaint to another case.
    const db = new Database(path);
    const insert = db.prepare(
      `INSERT INTO events (event_id, stream_id, revision, type, data, metadata, created)
       VALUES (?, ?, 0, 'ComplaintReceived', ?, '{}', '2026-11-23T00:00:00.000Z')`,
    );
    const data = JSON.stringify(complaint?.data);
    expect(() =>
      db.transaction(() => {
        insert.run('c0ffee00-0000-4000-8000-00000000000b', caseStreamId('beta-sarl'), data);
        throw new Error('the append fails after the insert');
      })(),
    ).toThrow('the append fails');
    db.close();
    const reopened = createSqliteEventStore(path);
    expect(await reopened.streamsHoldingPerson(PERSON)).toEqual([caseStreamId('acme-sas')]);
    await reopened.close();

    const again = new Database(path);
    again
      .prepare(
        `INSERT INTO events (event_id, stream_id, revision, type, data, metadata, created)
         VALUES (?, ?, 0, 'ComplaintReceived', ?, '{}', '2026-11-23T00:00:00.000Z')`,
      )
      .run('c0ffee00-0000-4000-8000-00000000000c', caseStreamId('gamma-sa'), data);
    again.close();
    const last = createSqliteEventStore(path);
    expect(await last.streamsHoldingPerson(PERSON)).toEqual([
      caseStreamId('acme-sas'),
      caseStreamId('gamma-sa'),
    ]);
    await last.close();
  });

  it('in a store from before the index, is built by a scan of the log when the store is opened', async () => {
    const path = join(dir, 'cnil.db');
    const first = protectPersonalData(createSqliteEventStore(path), createMemoryKeyStore());
    await givenManyCases(first);
    await first.close();
    // As a store written before the index existed: no table, no trigger.
    const db = new Database(path);
    db.exec(`DROP TRIGGER person_streams_on_append; DROP TABLE ${PERSON_INDEX_TABLE}`);
    expect(checkPersonIndex(db).current).toBe(false);
    db.close();

    const reopened = createSqliteEventStore(path);
    expect(await reopened.streamsHoldingPerson(PERSON)).toEqual(THEIRS.map(caseStreamId));
    await reopened.close();
    const check = new Database(path, { readonly: true });
    expect(checkPersonIndex(check)).toEqual({ current: true, missing: 0, extra: 0 });
    expect(check.prepare(`SELECT COUNT(*) AS n FROM ${PERSON_INDEX_TABLE}`).get()).toEqual({ n: 1500 });
    check.close();
  });

  it('tells an index that no longer agrees with the log (an entry deleted by hand)', async () => {
    const path = join(dir, 'cnil.db');
    const store = protectPersonalData(createSqliteEventStore(path), createMemoryKeyStore());
    await givenManyCases(store);
    await store.close();
    const db = new Database(path);
    db.prepare(`DELETE FROM ${PERSON_INDEX_TABLE} WHERE stream_id = ?`).run(caseStreamId('case-0500'));
    expect(checkPersonIndex(db)).toEqual({ current: true, missing: 1, extra: 0 });
    db.close();
  });
});

describe('a store without a person index of its own (as EventStoreDB): the key store keeps one', () => {
  /** A SQLite store stripped of its index, its reads counted, and a key store file. */
  const withoutOwnIndex = (keys = createSqliteKeyStore(join(dir, 'keys.db'))) => {
    const { counted, reads } = counting(createSqliteEventStore(join(dir, 'cnil.db')));
    const { streamsHoldingPerson: _index, ...withoutIndex } = counted;
    return { store: protectPersonalData(withoutIndex, keys), reads };
  };

  it('given 1 500 cases, the first forget reads the log once and completes the index; later ones, in another process too, read only the person’s cases', async () => {
    const { store, reads } = withoutOwnIndex();
    await givenManyCases(store);
    reads.log = 0;
    expect(await casesHoldingPerson(store, PERSON)).toEqual(THEIRS);
    expect(reads.log).toBe(3000);
    await store.close();

    const again = withoutOwnIndex();
    again.reads.log = 0;
    expect(await casesHoldingPerson(again.store, PERSON)).toEqual(THEIRS);
    expect(await casesHoldingPerson(again.store, 'person-a00c')).toEqual(['case-0012']);
    expect(again.reads.log).toBe(0);
    expect([...again.reads.streams.keys()].sort()).toEqual([...THEIRS, 'case-0012'].map(caseStreamId).sort());
    await again.store.close();
  });

  it('given a complete index, a case recorded afterwards is indexed before its append and found without reading the log', async () => {
    const { store, reads } = withoutOwnIndex();
    const service = await givenManyCases(store);
    await casesHoldingPerson(store, PERSON);
    await service.recordCases([complaintCase('case-2000', PERSON)]);
    reads.log = 0;
    expect(await casesHoldingPerson(store, PERSON)).toEqual([...THEIRS, 'case-2000']);
    expect(reads.log).toBe(0);
    await store.close();
  });

  it('given an entry for an append that never happened, forget reads that stream, leaves it out, and erases the person in their cases', async () => {
    const { store } = withoutOwnIndex();
    const service = await givenManyCases(store);
    await casesHoldingPerson(store, PERSON);
    store.keys.indexStreams?.([
      { personId: PERSON, streamId: caseStreamId('case-ghost') },
      { personId: PERSON, streamId: caseStreamId('case-0001') },
    ]);
    const outcome = await forgetToday(store, service);
    expect(outcome).toMatchObject({
      status: 'erased',
      cases: THEIRS.map((caseId) => ({ caseId, erasure: 'recorded' })),
      keysDeleted: 1,
    });
    await store.close();
  });

  it('given a store with an index of its own (SQLite), nothing is written to the key store’s', async () => {
    const keys = createSqliteKeyStore(join(dir, 'keys.db'));
    const store = protectPersonalData(createSqliteEventStore(join(dir, 'cnil.db')), keys);
    await givenManyCases(store);
    await store.close();
    const db = new Database(join(dir, 'keys.db'), { readonly: true });
    expect(db.prepare('SELECT COUNT(*) AS n FROM person_streams').get()).toEqual({ n: 0 });
    db.close();
  });
});

describe('forget on EventStoreDB (the protocol-level test server)', () => {
  const server = withEsdbTestServer();

  it('given 40 cases, the first forget reads $all, the second reads only the person’s cases', async () => {
    const run = randomUUID().slice(0, 8);
    const theirs = [`${run}-03`, `${run}-17`, `${run}-31`];
    const store = protectPersonalData(
      createEventStoreDbEventStore(server().connectionString),
      createSqliteKeyStore(join(dir, 'keys.db')),
    );
    const service = createCaseService({ store, today: () => TODAY });
    const outcomes = await service.recordCases(
      Array.from({ length: 40 }, (_, i) => {
        const caseId = `${run}-${String(i).padStart(2, '0')}`;
        return complaintCase(
          caseId,
          theirs.includes(caseId) ? PERSON : `person-${(0xb000 + i).toString(16)}`,
        );
      }),
    );
    expect(outcomes.every((o) => o.status === 'recorded')).toBe(true);

    const first = await server().counts();
    expect(await casesHoldingPerson(store, PERSON)).toEqual(theirs);
    const second = await server().counts();
    expect(countsSince(first, second).allReads).toBeGreaterThan(0);
    const outcome = await forgetToday(store, service);
    expect(outcome).toMatchObject({
      status: 'erased',
      cases: theirs.map((caseId) => ({ caseId, erasure: 'recorded' })),
    });
    expect(countsSince(second, await server().counts()).allReads).toBe(0);
    await store.close();
  });
});
