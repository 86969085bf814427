/**
 * Snapshots of long cases (src/cases/snapshot.ts, src/store/snapshots.ts), on real SQLite files:
 * a write on a long case is decided on its snapshot and the events after it, `case show` reads no
 * more, and both give what folding every fact gives. A snapshot that no longer holds — taken by
 * other code, after another event, beyond the end of a truncated stream, or damaged — is ignored
 * and replaced. Snapshots hold no personal data, `forget` drops those of the cases it touches, a
 * concurrent writer is still detected, and `cnil verify` finds the hash chain whole.
 *
 * The store's reads are counted by a decorator of the real SQLite store (every event a
 * `readStream` returns), which is how "only the events after the snapshot" is checked.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { IsoDate } from '../../machines/dates.ts';
import { fold } from '../../machines/decider.ts';
import { PERSONAL_FIELDS, withValueAt } from '../../machines/personal-data.ts';
import { caseViewAsOf } from '../../projections/case-state.ts';
import { createCaseService, type FactInput } from '../../src/cases/service.ts';
import { statechartFingerprint } from '../../src/cases/snapshot.ts';
import { storeIdentity } from '../../src/projector/identity.ts';
import { forgetPerson } from '../../src/privacy/forget.ts';
import { openKeyStore } from '../../src/privacy/keys.ts';
import { protectPersonalData } from '../../src/privacy/protected-store.ts';
import { verifyStore } from '../../src/integrity/verify.ts';
import { ConcurrencyConflictError, caseStreamId, type EventStore } from '../../src/store/port.ts';
import type { SnapshotStore } from '../../src/store/snapshots.ts';
import { createSqliteEventStore } from '../../src/store/sqlite.ts';
import { createEventStoreDbEventStore } from '../../src/store/eventstoredb.ts';
import { withEsdbTestServer } from '../support/esdb/with-test-server.ts';
import { caseOpened, complaintReceived, history, inspectionOpened } from '../support/builders.ts';
import { aroundAppends } from '../support/append-hook.ts';

const TODAY = '2026-11-23' as IsoDate;
const CASE = 'acme-sas';
const STREAM = caseStreamId(CASE);
const EVERY = 200;

const directory = mkdtempSync(join(tmpdir(), 'cnil-snapshots-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
let files = 0;

/** The name of complainant `i`, to look for in the files. */
const nameOf = (i: number) => `Hortensia Pimblethwaite-${i}`;

/** Complaint `i` of the long case: persons of their own, dated a day per fifty. */
const complaint = (i: number): FactInput => {
  const { personId: _generated, ...complainant } = complaintReceived().data.complainant;
  const day = new Date(Date.UTC(2023, 0, 20 + Math.floor(i / 50))).toISOString().slice(0, 10);
  return {
    type: 'ComplaintReceived',
    data: {
      ...complaintReceived().data,
      on: day,
      complaintId: `PLT-${i}`,
      complainant: { ...complainant, name: nameOf(i), contact: `${i}@example.org` },
    },
  };
};

/** `store`, counting every event its `readStream` returns. */
const countingReads = (store: EventStore & SnapshotStore) => {
  const reads = { events: 0 };
  const counted: EventStore & SnapshotStore = {
    ...store,
    readStream: async (streamId, readOptions) => {
      const events = await store.readStream(streamId, readOptions);
      reads.events += events.length;
      return events;
    },
  };
  return { counted, reads };
};

/** A SQLite store file with its key store, whose reads are counted, and a case service on it. */
const openStore = (path: string, options: { snapshotEvery?: number; fastFoldFrom?: number } = {}) => {
  const sqlite = createSqliteEventStore(path);
  const { counted, reads } = countingReads(sqlite);
  const store = protectPersonalData(counted, openKeyStore(path.replace(/\.db$/, '.keys.db')));
  const service = createCaseService({
    store,
    today: () => TODAY,
    snapshotEvery: options.snapshotEvery ?? EVERY,
    ...(options.fastFoldFrom === undefined ? {} : { fastFoldFrom: options.fastFoldFrom }),
  });
  return { path, store, service, sqlite, reads };
};
type Opened = ReturnType<typeof openStore>;

/** Given a case opened on a complaint, then `n` complaints recorded a hundred at a time. */
const givenALongCase = async (n: number, options?: Parameters<typeof openStore>[1]) => {
  const opened = openStore(join(directory, `case-${++files}.db`), options);
  const { caseId: _id, ...data } = caseOpened().data;
  await opened.service.record(CASE, { type: 'CaseOpened', data: { ...data, caseId: CASE } });
  for (let i = 0; i < n; i += 100) {
    const outcome = await opened.service.recordAll(
      CASE,
      Array.from({ length: Math.min(100, n - i) }, (_, k) => complaint(i + k)),
    );
    expect(outcome.status).toBe('recorded');
  }
  return opened;
};

/** What `case show` gave before snapshots: every fact of the case, folded up to the date. */
const foldedView = async ({ service }: Opened, asOf: IsoDate) =>
  caseViewAsOf(CASE, (await service.load(CASE)).facts, asOf);

const sql = (path: string, statement: string, ...params: unknown[]) => {
  const db = new Database(path);
  try {
    return db.prepare(statement).run(...params);
  } finally {
    db.close();
  }
};

/** The files of a store (its file, write-ahead log, key store) that hold `text`. */
const filesHolding = (path: string, text: string): string[] =>
  [path, `${path}-wal`, path.replace(/\.db$/, '.keys.db')]
    .filter((file) => existsSync(file))
    .filter((file) => readFileSync(file, 'latin1').includes(text));

const verified = async ({ path, store }: Opened) =>
  verifyStore({
    store: store.raw,
    keys: store.keys,
    storeName: `sqlite:${path}`,
    storeIdentity: storeIdentity(`sqlite:${path}`),
    sqlitePath: path,
  });

describe('a long case with a snapshot', () => {
  it('given 1 000 complaints, when one more is recorded, then it is decided on the snapshot and the events after it, and the case reads as every fact folded', async () => {
    const opened = await givenALongCase(1_000);
    const snapshot = await opened.sqlite.readSnapshot(STREAM);
    expect(snapshot).toMatchObject({ version: statechartFingerprint() });
    expect(snapshot?.revision).toBeGreaterThanOrEqual(1_000 - EVERY);

    opened.reads.events = 0;
    const outcome = await opened.service.record(CASE, complaint(1_000));
    expect(outcome).toMatchObject({ status: 'recorded', revision: 1_001 });
    // The case's first 64 events (read with the snapshot, at once), the event at the snapshot's
    // revision, those after it (fewer than EVERY), and the fact read back: not the 1 001 events.
    expect(opened.reads.events).toBeLessThanOrEqual(64 + EVERY + 2);

    opened.reads.events = 0;
    const shown = await opened.service.view(CASE, TODAY);
    expect(opened.reads.events).toBeLessThanOrEqual(EVERY + 1);
    expect(shown).toEqual(await foldedView(opened, TODAY));
    expect(shown).toMatchObject({ revision: 1_001, stage: 'complaint' });
    expect((await verified(opened)).findings).toEqual([]);
    await opened.store.close();
  });

  it.each([
    ['through transition()', Number.POSITIVE_INFINITY],
    ['through the transition table', 0],
  ])(
    'given 600 complaints, when the case is shown as of dates before, at and after its snapshot, then each view is the fold of the facts up to the date (%s)',
    async (_how, fastFoldFrom) => {
      const opened = await givenALongCase(600, { fastFoldFrom });
      const snapshot = await opened.sqlite.readSnapshot(STREAM);
      expect(snapshot).toBeDefined();
      for (const asOf of [
        '2023-01-10',
        '2023-01-16',
        '2023-01-25',
        '2023-02-10',
        snapshot?.lastOn ?? '',
        TODAY,
      ] as IsoDate[]) {
        expect(await opened.service.view(CASE, asOf), asOf).toEqual(await foldedView(opened, asOf));
      }
      expect(await opened.service.view('no-such-case', TODAY)).toBeUndefined();
      await opened.store.close();
    },
  );

  it('given a snapshot, when it is shown and recorded on, then the chain head it gives is the stream head: verify finds no fault', async () => {
    const opened = await givenALongCase(450);
    for (let i = 450; i < 460; i++) await opened.service.record(CASE, complaint(i));
    const report = await verified(opened);
    expect(report.findings).toEqual([]);
    expect(report).toMatchObject({ sound: true, events: 461, chained: 461 });
    await opened.store.close();
  });
});

describe('a snapshot that no longer holds is ignored and replaced', () => {
  const staleBy: [string, (o: Opened) => void][] = [
    ['taken by another version of the statechart', (o) => sql(o.path, "UPDATE snapshots SET version = 'v0'")],
    [
      'taken after another event',
      (o) => sql(o.path, "UPDATE snapshots SET event_id = '00000000-0000-4000-8000-000000000000'"),
    ],
    ['damaged', (o) => sql(o.path, 'UPDATE snapshots SET state = \'{"value":\'')],
  ];
  it.each(staleBy)(
    'given a snapshot %s, when the case is shown and recorded on, then it is folded from its events and a new snapshot kept',
    async (_why, spoil) => {
      const opened = await givenALongCase(500);
      const before = await opened.sqlite.readSnapshot(STREAM);
      spoil(opened);

      opened.reads.events = 0;
      expect(await opened.service.view(CASE, TODAY)).toEqual(await foldedView(opened, TODAY));
      const outcome = await opened.service.record(CASE, complaint(500));
      expect(outcome).toMatchObject({ status: 'recorded', revision: 501 });
      const after = await opened.sqlite.readSnapshot(STREAM);
      expect(after).toMatchObject({ revision: 501, version: statechartFingerprint() });
      expect(after?.revision).toBeGreaterThan(before?.revision ?? 0);
      expect((await verified(opened)).findings).toEqual([]);
      await opened.store.close();
    },
  );

  it('given a stream truncated below its snapshot, when the case is shown and recorded on, then the snapshot is ignored and the case is what its remaining events say', async () => {
    const opened = await givenALongCase(500);
    const kept = ((await opened.sqlite.readSnapshot(STREAM))?.revision ?? 0) - 100;
    expect(kept).toBeGreaterThan(EVERY);
    sql(opened.path, 'DELETE FROM events WHERE stream_id = ? AND revision > ?', STREAM, kept);

    const shown = await opened.service.view(CASE, TODAY);
    expect(shown).toEqual(await foldedView(opened, TODAY));
    expect(shown?.revision).toBe(kept);
    expect(await opened.service.record(CASE, complaint(900))).toMatchObject({
      status: 'recorded',
      revision: kept + 1,
    });
    expect(await opened.sqlite.readSnapshot(STREAM)).toMatchObject({ revision: kept + 1 });
    expect((await opened.service.current(CASE)).state.context.complaints).toHaveLength(kept + 1);
    await opened.store.close();
  });

  it('given a snapshot older than the last events, when the case is loaded, then the events after it are folded on top', async () => {
    const opened = await givenALongCase(300, { snapshotEvery: 250 });
    const snapshot = await opened.sqlite.readSnapshot(STREAM);
    // Written by a writer that keeps no snapshot (another version, or the bulk import).
    const other = createCaseService({ store: opened.store, today: () => TODAY, snapshotEvery: 100_000 });
    for (let i = 300; i < 310; i++) await other.record(CASE, complaint(i));
    expect(await opened.sqlite.readSnapshot(STREAM)).toEqual(snapshot);
    expect(await opened.service.view(CASE, TODAY)).toEqual(await foldedView(opened, TODAY));
    expect((await opened.service.current(CASE)).revision).toBe(310);
    await opened.store.close();
  });
});

describe('snapshots and personal data', () => {
  it('given every field the catalogue marks personal, when events holding them are folded, then the state holds none of their values', () => {
    const events = [caseOpened(), ...history.upToComplaint().slice(1)];
    const marked = PERSONAL_FIELDS.flatMap((spec) =>
      events
        .filter((e) => e.type === spec.type)
        .map((e) => ({
          ...e,
          data: spec.fields.reduce(
            (data, path, i) => withValueAt(data, path, `PERSONAL-MARKER-${i}`) as typeof e.data,
            e.data,
          ),
        })),
    );
    expect(marked.length).toBeGreaterThan(0);
    const state = fold([caseOpened(), ...(marked as typeof events), inspectionOpened()]);
    expect(JSON.stringify({ value: state.value, context: state.context })).not.toContain('PERSONAL-MARKER');
  });

  it('given a long case of named complainants, then neither the store file nor its snapshot holds a name; after forget the case has a snapshot taken after the erasure', async () => {
    const opened = await givenALongCase(400);
    const snapshot = await opened.sqlite.readSnapshot(STREAM);
    expect(snapshot?.state).toContain('person-');
    expect(snapshot?.state).not.toContain('Pimblethwaite');
    await opened.store.close();
    expect(filesHolding(opened.path, nameOf(17))).toEqual([]);

    const again = openStore(opened.path);
    const person = (await again.service.load(CASE)).facts[18]?.event;
    const personId = person?.type === 'ComplaintReceived' ? person.data.complainant.personId : undefined;
    expect(personId).toMatch(/^person-/);
    const dropped = { count: -1 };
    const service = {
      ...again.service,
      dropSnapshots: async (ids: readonly string[]) =>
        (dropped.count = await again.service.dropSnapshots(ids)),
    };
    const outcome = await forgetPerson(again.store, service, {
      personId: personId as string,
      on: TODAY,
      ground: 'data-subject-request',
    });
    expect(outcome).toMatchObject({ status: 'erased', cases: [{ caseId: CASE, erasure: 'recorded' }] });
    expect(dropped.count).toBe(1);
    const after = await again.sqlite.readSnapshot(STREAM);
    expect(after).toMatchObject({ revision: 401 });
    expect(JSON.parse(after?.state ?? '{}').context.persons).toContainEqual({ personId, erasedOn: TODAY });
    await again.store.close();
    expect(filesHolding(opened.path, nameOf(17))).toEqual([]);
  });
});

describe('snapshots and concurrent writers', () => {
  /** Two writers on one file: `slow` decides, then `fast` records before `slow` appends. */
  const givenTwoWriters = async (retries: number) => {
    const fast = await givenALongCase(400);
    const slow = openStore(fast.path);
    let raced = false;
    const racing = aroundAppends(slow.store, async (append) => {
      if (!raced) {
        raced = true;
        await fast.service.record(CASE, complaint(1_001));
      }
      return append();
    });
    const service = createCaseService({ store: racing, today: () => TODAY, snapshotEvery: EVERY, retries });
    return { fast, slow, service };
  };

  it('given a writer that decided on the snapshot, when another records first, then its append conflicts and it decides again on the new head', async () => {
    const { fast, slow, service } = await givenTwoWriters(3);
    const outcome = await service.record(CASE, complaint(1_002));
    expect(outcome).toMatchObject({ status: 'recorded', revision: 402 });
    const facts = (await fast.service.load(CASE)).facts;
    expect(
      facts.map((f) => f.event.type === 'ComplaintReceived' && f.event.data.complaintId).slice(-2),
    ).toEqual(['PLT-1001', 'PLT-1002']);
    expect((await verified(fast)).findings).toEqual([]);
    await slow.store.close();
    await fast.store.close();
  });

  it('given no retry, when another writer records first, then the conflict is reported and nothing is written', async () => {
    const { fast, slow, service } = await givenTwoWriters(0);
    await expect(service.record(CASE, complaint(1_002))).rejects.toBeInstanceOf(ConcurrencyConflictError);
    expect((await fast.service.current(CASE)).revision).toBe(401);
    await slow.store.close();
    await fast.store.close();
  });
});

describe('a long case on EventStoreDB (the protocol-level test server)', () => {
  const server = withEsdbTestServer();

  /** The real client on the test server, its reads counted (every event `readStream` returns). */
  const openEsdb = () => {
    const esdb = createEventStoreDbEventStore(server().connectionString);
    const { counted, reads } = countingReads(esdb);
    const store = protectPersonalData(counted, openKeyStore(join(directory, `esdb-${++files}.keys.db`)));
    const service = createCaseService({ store, today: () => TODAY, snapshotEvery: EVERY });
    return { esdb, store, service, reads };
  };

  it('given 1 000 complaints, when one more is recorded and the case shown, then both read the snapshot and the events after it, and the case reads as every fact folded; without its snapshot (dropped, as forget does) it reads the same', async () => {
    const { esdb, store, service, reads } = openEsdb();
    const caseId = `esdb-${randomUUID().slice(0, 8)}`;
    const { caseId: _id, ...data } = caseOpened().data;
    await service.record(caseId, { type: 'CaseOpened', data: { ...data, caseId } });
    for (let i = 0; i < 1_000; i += 100)
      expect(
        await service.recordAll(
          caseId,
          Array.from({ length: 100 }, (_, k) => complaint(i + k)),
        ),
      ).toMatchObject({ status: 'recorded' });
    const snapshot = await esdb.readSnapshot(caseStreamId(caseId));
    expect(snapshot).toMatchObject({ version: statechartFingerprint() });
    expect(snapshot?.state).not.toContain('Pimblethwaite');

    reads.events = 0;
    expect(await service.record(caseId, complaint(1_000))).toMatchObject({
      status: 'recorded',
      revision: 1_001,
    });
    // As on SQLite: the first 64 events, the snapshot's and those after it, the fact read back.
    expect(reads.events).toBeLessThanOrEqual(64 + EVERY + 2);
    reads.events = 0;
    const shown = await service.view(caseId, TODAY);
    expect(reads.events).toBeLessThanOrEqual(EVERY + 1);
    expect(shown).toEqual(caseViewAsOf(caseId, (await service.load(caseId)).facts, TODAY));

    expect(await service.dropSnapshots([caseId])).toBe(1);
    expect(await esdb.readSnapshot(caseStreamId(caseId))).toBeUndefined();
    expect(await service.view(caseId, TODAY)).toEqual(shown);
    await store.close();
  });
});
