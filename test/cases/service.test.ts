/**
 * The case service on a real SQLite file: what is refused is never written, a replay is
 * idempotent, and a concurrent writer makes the service decide again on the fresh history.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CaseService, createCaseService, type FactInput } from '../../src/cases/service.ts';
import { loadDataset, replayDataset } from '../../src/history/dataset.ts';
import type { EventStore } from '../../src/store/port.ts';
import { createSqliteEventStore } from '../../src/store/sqlite.ts';

let dir: string;
let file: string;
let store: EventStore;
let service: CaseService;

const TODAY = '2026-11-23';

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cnil-service-'));
  file = join(dir, 'cnil.db');
  store = createSqliteEventStore(file);
  service = createCaseService({ store, today: () => TODAY });
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Every stored row, read through a separate connection, as the file holds it. */
const dump = () => {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT * FROM events ORDER BY position').all();
  } finally {
    db.close();
  }
};

const opened: FactInput = {
  type: 'CaseOpened',
  data: {
    on: '2024-01-15',
    caseId: 'acme-sas',
    controller: { name: 'Acme SAS', country: 'FR', euEstablishment: true },
    origin: 'complaint',
  },
};

describe('recording facts', () => {
  it('given no case, when a case is opened, then CaseOpened is stored at revision 0 with its metadata', async () => {
    const outcome = await service.record('acme-sas', opened);
    expect(outcome).toMatchObject({ status: 'recorded', revision: 0 });
    const [stored] = await store.readStream('case-acme-sas');
    expect(stored).toMatchObject({ type: 'CaseOpened', revision: 0 });
    expect(stored?.metadata).toMatchObject({ actor: 'president', schemaVersion: 2 });
    expect(typeof stored?.metadata.recordedAt).toBe('string');
  });

  it('links each fact to the previous one (causationId) and to the command (correlationId)', async () => {
    await service.record('acme-sas', opened);
    await service.record('acme-sas', {
      type: 'InspectionOpened',
      data: { on: '2024-02-01', method: 'online' },
    });
    const [first, second] = await store.readStream('case-acme-sas');
    expect(second?.metadata.causationId).toBe(first?.id);
  });
});

describe('refusals write nothing', () => {
  const refusedInputs: [string, FactInput, string][] = [
    [
      'an event the state does not accept',
      {
        type: 'SanctionImposed',
        data: {
          on: '2024-03-01',
          deliberation: 'SAN-1',
          breaches: ['6'],
          fine: 1,
          measures: ['fine'],
          public: false,
        },
      },
      'refused',
    ],
    [
      'an act dated before the previous one',
      { type: 'InspectionOpened', data: { on: '2024-01-14', method: 'online' } },
      'refused',
    ],
    [
      'a formal notice with 9 days to comply',
      {
        type: 'FormalNoticeIssued',
        data: {
          on: '2024-03-01',
          reference: 'MED-1',
          breaches: ['6'],
          deadline: '2024-03-10',
          urgency: false,
        },
      },
      'refused',
    ],
    ['a missing field', { type: 'InspectionOpened', data: { on: '2024-02-01' } }, 'invalid'],
    [
      'an impossible date',
      { type: 'InspectionOpened', data: { on: '2024-02-30', method: 'online' } },
      'invalid',
    ],
    [
      'an act dated in the future',
      { type: 'InspectionOpened', data: { on: '2099-01-01', method: 'online' } },
      'invalid',
    ],
    ['an unknown event type', { type: 'CaseReopened', data: { on: '2024-02-01' } }, 'invalid'],
    [
      'an unknown field',
      { type: 'InspectionOpened', data: { on: '2024-02-01', method: 'online', extra: 1 } },
      'invalid',
    ],
    [
      'a right-to-left override in a name (it would display reversed)',
      {
        type: 'ComplaintReceived',
        data: {
          on: '2024-02-01',
          complaintId: 'C-1',
          complainant: { kind: 'individual', name: 'Camille \u202Enitram' },
          grounds: [],
        },
      },
      'invalid',
    ],
    [
      'control characters in a name',
      {
        type: 'ComplaintReceived',
        data: {
          on: '2024-02-01',
          complaintId: 'C\u0000',
          complainant: { kind: 'individual', name: 'A' },
          grounds: [],
        },
      },
      'invalid',
    ],
  ];

  it.each(refusedInputs)(
    'given an open case, %s is not written to the SQLite file',
    async (_name, input, status) => {
      await service.record('acme-sas', opened);
      const before = dump();
      const outcome = await service.record('acme-sas', input);
      expect(outcome.status).toBe(status);
      expect(dump()).toEqual(before);
    },
  );

  it('names the invalid field and the rule', async () => {
    await service.record('acme-sas', opened);
    expect(
      await service.record('acme-sas', { type: 'InspectionOpened', data: { on: '2024-02-01' } }),
    ).toMatchObject({
      status: 'invalid',
      issues: [{ field: 'data.method' }],
    });
    expect(
      await service.record('acme-sas', {
        type: 'InspectionOpened',
        data: { on: '2099-01-01', method: 'online' },
      }),
    ).toMatchObject({
      status: 'invalid',
      issues: [{ field: 'data.on', message: expect.stringContaining('future') }],
    });
    const notice = await service.record('acme-sas', {
      type: 'FormalNoticeIssued',
      data: { on: '2024-03-01', reference: 'MED-1', breaches: ['6'], deadline: '2024-03-10', urgency: false },
    });
    expect(notice).toMatchObject({
      status: 'refused',
      refusal: {
        rule: 'formalNoticeMinimumPeriod',
        basis: expect.stringContaining('D art. 38'),
        reason: expect.stringContaining('data.deadline'),
      },
    });
  });

  it('refuses an event id that is not a UUID (EventStoreDB takes no other), and writes nothing', async () => {
    expect(await service.record('acme-sas', { ...opened, eventId: 'acme-1' })).toMatchObject({
      status: 'invalid',
      issues: [{ field: 'eventId' }],
    });
    expect((await service.load('acme-sas')).facts).toEqual([]);
  });

  it('refuses a case id that cannot name a stream, and a CaseOpened for another case', async () => {
    expect(await service.record('ACME SAS', opened)).toMatchObject({
      status: 'invalid',
      issues: [{ field: 'caseId' }],
    });
    expect(await service.record('other-case', opened)).toMatchObject({
      status: 'invalid',
      issues: [{ field: 'data.caseId' }],
    });
    expect(dump()).toEqual([]);
  });

  it('a batch with one refused fact writes none of the batch', async () => {
    const outcome = await service.recordAll('acme-sas', [
      opened,
      { type: 'InspectionOpened', data: { on: '2024-02-01', method: 'online' } },
      { type: 'HearingHeld', data: { on: '2024-03-01' } },
    ]);
    expect(outcome).toMatchObject({ status: 'refused', index: 2 });
    expect(dump()).toEqual([]);
  });
});

describe('replaying the Clearview history', () => {
  it('appends 28 facts the first time and nothing the second time', async () => {
    const dataset = await loadDataset('clearview');
    expect(await replayDataset(service, dataset)).toMatchObject({ status: 'recorded', unchanged: 0 });
    const once = dump();
    expect(once).toHaveLength(28);
    expect(await replayDataset(service, dataset)).toMatchObject({
      status: 'recorded',
      facts: [],
      unchanged: 28,
    });
    expect(dump()).toEqual(once);
  });

  it('resumes a partial replay where it stopped', async () => {
    const dataset = await loadDataset('clearview');
    await replayDataset(service, { ...dataset, events: dataset.events.slice(0, 10) });
    expect(await replayDataset(service, dataset)).toMatchObject({ status: 'recorded', unchanged: 10 });
    expect(dump()).toHaveLength(28);
  });

  it('refuses to replay onto a history that has other facts, and writes nothing', async () => {
    const dataset = await loadDataset('clearview');
    await replayDataset(service, { ...dataset, events: dataset.events.slice(0, 3) });
    await service.record('clearview-ai', {
      type: 'InspectionOpened',
      data: { on: '2020-06-01', method: 'online' },
    });
    const before = dump();
    await expect(replayDataset(service, dataset)).rejects.toThrow(/not in the input/);
    expect(dump()).toEqual(before);
  });
});

describe('concurrent writers', () => {
  /**
   * A store that lets another writer (a second store on the same file) record `fact` on acme-sas
   * between our read and our append, once.
   */
  const racingStore = (fact: { type: string; data: unknown }): EventStore => {
    const other = createCaseService({ store: createSqliteEventStore(file), today: () => TODAY });
    let interfered = false;
    return {
      ...store,
      appendToStream: async (streamId, events, options) => {
        if (!interfered) {
          interfered = true;
          await other.record('acme-sas', fact);
        }
        return store.appendToStream(streamId, events, options);
      },
    };
  };

  it('when another writer appends first, the service decides again on the fresh history', async () => {
    await service.record('acme-sas', opened);
    const mine = createCaseService({
      store: racingStore({ type: 'InspectionOpened', data: { on: '2024-02-01', method: 'on-site' } }),
      today: () => TODAY,
    });
    const outcome = await mine.record('acme-sas', {
      type: 'ComplaintReceived',
      data: {
        on: '2024-02-02',
        complaintId: 'C-2',
        complainant: { kind: 'individual', name: 'B' },
        grounds: [],
      },
    });
    expect(outcome).toMatchObject({ status: 'recorded', revision: 2 });
    expect((await store.readStream('case-acme-sas')).map((e) => [e.revision, e.type])).toEqual([
      [0, 'CaseOpened'],
      [1, 'InspectionOpened'],
      [2, 'ComplaintReceived'],
    ]);
  });

  it('when the other writer’s fact makes ours illegal, ours is refused on the fresh history', async () => {
    await service.record('acme-sas', opened);
    const mine = createCaseService({
      store: racingStore({ type: 'CaseClosed', data: { on: '2024-02-01', outcome: 'complaint-rejected' } }),
      today: () => TODAY,
    });
    const outcome = await mine.record('acme-sas', {
      type: 'InspectionOpened',
      data: { on: '2024-02-02', method: 'online' },
    });
    expect(outcome).toMatchObject({ status: 'refused', refusal: { stage: 'closed' } });
    expect(dump()).toHaveLength(2);
  });
});
