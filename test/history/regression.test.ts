/**
 * Replay-as-regression: the events an old database holds (test/fixtures/events-v1.json, recorded
 * before SanctionImposed schema version 2 and never regenerated) are loaded as they are into a
 * real SQLite file and replayed through the current machine; every case must reach the outcome it
 * had when it was recorded. The Clearview dataset must replay to the same outcome, and replaying it
 * onto an old database must change nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CURRENT_VERSION } from '../../machines/versions.ts';
import { createCaseService } from '../../src/cases/service.ts';
import { readFileSync } from 'node:fs';
import { Dataset, datasetFacts, loadDataset, replayDataset } from '../../src/history/dataset.ts';
import {
  checkOutcome,
  loadRecorded,
  type RegressionFixture,
  ReplayDivergenceError,
  readRegressionFixture,
  replayCase,
  replayStore,
  type StoredEvent,
} from '../../src/history/regression.ts';
import { storeIdentity } from '../../src/projector/identity.ts';
import { deadlinesAsOf, ledgerAsOf } from '../../src/projector/queries.ts';
import { openReadModels } from '../../src/projector/read-models.ts';
import { catchUp } from '../../src/projector/runner.ts';
import { EventDeserializationError, type EventStore, type RecordedEvent } from '../../src/store/port.ts';
import { createSqliteEventStore } from '../../src/store/sqlite.ts';

const TODAY = '2026-11-23';
const FIXTURE = new URL('../fixtures/events-v1.json', import.meta.url);

let fixture: RegressionFixture;
let dir: string;
let dbPath: string;
let store: EventStore;

beforeAll(async () => {
  fixture = await readRegressionFixture(FIXTURE);
});

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cnil-regression-'));
  dbPath = join(dir, 'cnil.db');
  store = createSqliteEventStore(dbPath);
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const expectedOf = (caseId: string) => {
  const found = fixture.cases.find((c) => c.caseId === caseId);
  if (!found) throw new Error(`no case ${caseId} in the fixture`);
  return found.expected;
};

const readAll = async (s: EventStore): Promise<RecordedEvent[]> => {
  const all: RecordedEvent[] = [];
  for await (const e of s.readAll()) all.push(e);
  return all;
};

/** The fixture with one case's events changed (revisions renumbered); the others untouched. */
const tampered = (
  caseId: string,
  change: (events: StoredEvent[]) => StoredEvent[],
): { events: StoredEvent[]; stream: string } => {
  const stream = `case-${caseId}`;
  const own = change(structuredClone(fixture.events.filter((e) => e.streamId === stream))).map((e, i) => ({
    ...e,
    revision: i,
  }));
  return { events: [...fixture.events.filter((e) => e.streamId !== stream), ...own], stream };
};

const divergence = async (run: () => Promise<unknown>): Promise<ReplayDivergenceError> => {
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ReplayDivergenceError);
  return error as ReplayDivergenceError;
};

describe('the saved events of schema version 1 (test/fixtures/events-v1.json)', () => {
  it('hold every event type at version 1, SanctionImposed orders as plain strings', () => {
    expect(new Set(fixture.events.map((e) => e.metadata.schemaVersion))).toEqual(new Set([1]));
    const orders = fixture.events
      .filter((e) => e.type === 'SanctionImposed' && e.data.injunction)
      .flatMap((e) => (e.data.injunction as { orders: unknown[] }).orders);
    expect(orders.length).toBeGreaterThan(0);
    expect(orders.every((o) => typeof o === 'string')).toBe(true);
  });

  it('given a SQLite file holding them, every case replays through the current machine to its recorded outcome', async () => {
    await loadRecorded(store, fixture.events);
    const report = await replayStore(store, fixture.cases);
    expect(report).toEqual({
      cases: fixture.cases.length,
      events: fixture.events.length,
      // Every SanctionImposed is stored at v1 and read at the current version.
      upcast: fixture.events.filter(
        (e) => e.metadata.schemaVersion !== CURRENT_VERSION[e.type as 'CaseOpened'],
      ).length,
    });
    // SanctionImposed, HearingHeld, CaseOpened and DecisionPublished are read at version 2 (machines/versions.ts).
    expect(report.upcast).toBe(
      fixture.events.filter((e) =>
        ['SanctionImposed', 'HearingHeld', 'CaseOpened', 'DecisionPublished'].includes(e.type),
      ).length,
    );
  });

  it('the case service loads each case to the same state as the regression replay', async () => {
    await loadRecorded(store, fixture.events);
    const service = createCaseService({ store, today: () => TODAY });
    for (const { caseId, expected } of fixture.cases) {
      const history = await service.load(caseId);
      expect(history.revision, caseId).toBe(expected.revision);
      checkOutcome(caseId, history.facts, expected);
    }
  });

  it('the projector’s read models, built from the SQLite file, give every case its recorded outcome', async () => {
    await loadRecorded(store, fixture.events);
    const readModels = openReadModels(join(dir, 'read-models.db'), {
      store: storeIdentity(`sqlite:${dbPath}`),
    });
    try {
      const run = await catchUp(store, readModels);
      expect(run.stored).toBe(fixture.events.length);
      const asOf = fixture.cases[0]?.expected.asOf;
      expect(fixture.cases.every((c) => c.expected.asOf === asOf)).toBe(true);
      const on = asOf as NonNullable<typeof asOf>;
      // The outcome as the read models give it: the timeline up to D, the deadlines and ledger as of D.
      const { timeline = [] } = readModels.dump();
      const deadlines = deadlinesAsOf(readModels, on).deadlines;
      const ledger = ledgerAsOf(readModels, on).cases;
      for (const { caseId, expected } of fixture.cases) {
        const last = timeline.filter((r) => r.case_id === caseId && String(r.on_date) <= on).at(-1);
        const entry = ledger.find((e) => e.caseId === caseId);
        const byDue = (a: { due: string; kind: string }, b: { due: string; kind: string }) =>
          a.due.localeCompare(b.due) || a.kind.localeCompare(b.kind);
        expect(
          {
            asOf: on,
            stage: last?.stage ?? null,
            state: last?.state ?? null,
            revision: last?.revision ?? -1,
            lastEvent: last ? { type: last.type, on: last.on_date } : null,
            fines: { imposed: entry?.fines.imposed ?? 0 },
            penalty: {
              ratePerDay: entry?.penalty.ratePerDay ?? 0,
              daysOfDelay: entry?.penalty.daysOfDelay ?? 0,
              accrued: entry?.penalty.accrued ?? 0,
              liquidated: entry?.penalty.liquidated ?? 0,
            },
            deadlines: deadlines
              .filter((d) => d.caseId === caseId)
              .map(({ kind, due }) => ({ kind, due }))
              .sort(byDue),
          },
          caseId,
        ).toEqual({ ...expected, deadlines: [...expected.deadlines].sort(byDue) });
      }
    } finally {
      readModels.close();
    }
  });

  it('a v1 SanctionImposed is read back in the v2 shape: each order with the articles it remedies, unknown', async () => {
    await loadRecorded(store, fixture.events);
    const raw = (await store.readStream('case-clearview-ai')).find((e) => e.type === 'SanctionImposed');
    expect(raw?.metadata.schemaVersion).toBe(1);
    const { facts } = await createCaseService({ store, today: () => TODAY }).load('clearview-ai');
    const sanction = facts.find((f) => f.event.type === 'SanctionImposed');
    expect(sanction?.metadata.schemaVersion).toBe(2);
    expect(sanction?.event.type === 'SanctionImposed' && sanction.event.data.injunction?.orders).toEqual([
      {
        order: 'Stop collecting and processing, without a legal basis, personal data of persons in France',
        breaches: [],
      },
      {
        order: 'Delete the data of persons in France, after answering the pending access requests',
        breaches: [],
      },
    ]);
  });
});

/** The facts version 4 of the dataset added (the publication and anonymisations of MEDP-2021-002). */
const ADDED_IN_V4 = [
  'F12-bureau-deliberation-published',
  'F12a-formal-notice-anonymised',
  'F12b-bureau-deliberation-anonymised',
];

/**
 * The Clearview dataset without the facts versions 3 and 4 added (the notification of each
 * decision, `DecisionNotified`; MEDP-2021-002 published and anonymised): the history the fixture
 * recorded, act for act.
 */
const clearviewAsRecorded = async (): Promise<Dataset> => {
  const dataset = await loadDataset('clearview');
  return {
    ...dataset,
    events: dataset.events.filter((e) => e.type !== 'DecisionNotified' && !ADDED_IN_V4.includes(e.key)),
  };
};

describe('the Clearview AI dataset (now written with SanctionImposed v2)', () => {
  it('replays onto an empty store to the outcome recorded with version 1, with the same event ids', async () => {
    const service = createCaseService({ store, today: () => TODAY });
    expect(await replayDataset(service, await clearviewAsRecorded())).toMatchObject({
      status: 'recorded',
    });
    const recorded = await store.readStream('case-clearview-ai');
    replayCase('clearview-ai', recorded, expectedOf('clearview-ai'));
    const saved = fixture.events.filter((e) => e.streamId === 'case-clearview-ai');
    expect(recorded.map((e) => [e.id, e.type])).toEqual(saved.map((e) => [e.id, e.type]));
    // The sanction's orders now carry the articles of the deliberation; the rest of its data is unchanged.
    const sanction = recorded.find((e) => e.type === 'SanctionImposed');
    const savedSanction = saved.find((e) => e.type === 'SanctionImposed');
    expect(sanction?.metadata.schemaVersion).toBe(2);
    const injunction = sanction?.data.injunction as { orders: { order: string; breaches: string[] }[] };
    expect(injunction.orders.map((o) => o.breaches)).toEqual([['6'], ['6', '12', '15', '17']]);
    expect({
      ...sanction?.data,
      injunction: { ...injunction, orders: injunction.orders.map((o) => o.order) },
    }).toEqual(savedSanction?.data);
  });

  it('replayed onto a database that holds its version-1 events, appends nothing and raises no divergence', async () => {
    await loadRecorded(store, fixture.events);
    const before = await readAll(store);
    const service = createCaseService({ store, today: () => TODAY });
    const outcome = await replayDataset(service, await clearviewAsRecorded());
    expect(outcome).toMatchObject({
      status: 'recorded',
      facts: [],
      unchanged: expectedOf('clearview-ai').revision + 1,
    });
    expect(await readAll(store)).toEqual(before);
    await replayStore(store, fixture.cases);
  });

  it('version 3 keeps the event ids of the acts it shares with the recorded history', async () => {
    const all = datasetFacts(await loadDataset('clearview')).map((f) => f.eventId);
    const saved = fixture.events.filter((e) => e.streamId === 'case-clearview-ai').map((e) => e.id);
    expect(all.filter((id) => id !== undefined && saved.includes(id))).toEqual(saved);
  });

  it('replayed onto a database that holds an earlier version, its notifications dated in the past are refused and nothing is written (a stream only grows at its end)', async () => {
    await loadRecorded(store, fixture.events);
    const before = await readAll(store);
    const service = createCaseService({ store, today: () => TODAY });
    const outcome = await replayDataset(service, await loadDataset('clearview'));
    expect(outcome).toMatchObject({
      status: 'refused',
      event: { type: 'DecisionNotified', data: { on: '2021-11-26' } },
      refusal: { rule: 'chronology' },
    });
    expect(await readAll(store)).toEqual(before);
  });
});

describe('a replay that diverges', () => {
  it('fails when the machine refuses a stored event, naming the event, the state and the events it accepts', async () => {
    // The session of the restricted committee is lost: the sanction comes during the exchanges.
    const { events } = tampered('appelante', (e) => e.filter((x) => x.type !== 'HearingHeld'));
    await loadRecorded(store, events);
    const error = await divergence(() => replayStore(store, fixture.cases));
    expect(error).toMatchObject({
      caseId: 'appelante',
      kind: 'refused',
      event: { streamId: 'case-appelante', revision: 5, type: 'SanctionImposed', on: '2023-05-11' },
      actualState: 'restrictedCommittee.ordinary.exchanges',
    });
    expect(error.message).toContain(
      'case appelante diverges at case-appelante revision 5 (SanctionImposed on 2023-05-11)',
    );
    expect(error.message).toContain(
      'refuses it in state restrictedCommittee.ordinary.exchanges (which accepts ',
    );
    expect(error.message).toContain('HearingHeld');
  });

  it('fails when the law refuses a stored event, naming the rule', async () => {
    // A simplified-procedure fine one euro above its cap (LIL art. 22-1).
    const { events } = tampered('petit-commerce', (e) =>
      e.map((x) => (x.type === 'SanctionImposed' ? { ...x, data: { ...x.data, fine: 20_001 } } : x)),
    );
    await loadRecorded(store, events);
    const error = await divergence(() => replayStore(store, fixture.cases));
    expect(error).toMatchObject({
      caseId: 'petit-commerce',
      kind: 'refused',
      event: { type: 'SanctionImposed', on: '2023-06-15', revision: 7 },
      actualState: 'restrictedCommittee.simplified.exchanges',
    });
    expect(error.message).toContain('simplifiedSanctionLimits');
  });

  it('fails when a case no longer reaches its recorded outcome, naming the last event and the expected and actual state', async () => {
    await loadRecorded(store, fixture.events);
    const cases = fixture.cases.map((c) =>
      c.caseId === 'retardataire'
        ? { ...c, expected: { ...c.expected, state: 'closed', fines: { imposed: 250_000 } } }
        : c,
    );
    const error = await divergence(() => replayStore(store, cases));
    expect(error).toMatchObject({
      caseId: 'retardataire',
      kind: 'outcome',
      event: { streamId: 'case-retardataire', revision: 12, type: 'PenaltyLiquidated', on: '2024-09-12' },
      expectedState: 'closed',
      actualState: 'penaltyLiquidation.accruing',
    });
    expect(error.message).toContain('state: expected "closed", got "penaltyLiquidation.accruing"');
    expect(error.message).toContain('fines.imposed: expected 250000, got 300000');
  });

  it('fails when a stored event cannot be upcast, naming the field', async () => {
    const { events } = tampered('retardataire', (e) =>
      e.map((x) =>
        x.type === 'SanctionImposed'
          ? {
              ...x,
              data: { ...x.data, injunction: { ...(x.data.injunction as object), orders: ['Inform', 42] } },
            }
          : x,
      ),
    );
    await loadRecorded(store, events);
    const error = await divergence(() => replayStore(store, fixture.cases));
    expect(error).toMatchObject({ kind: 'undecodable', event: { type: 'SanctionImposed', revision: 9 } });
    expect(error.cause).toBeInstanceOf(EventDeserializationError);
    expect(error.message).toContain(
      'SanctionImposed schema version 1 cannot be upcast to version 2: data.injunction.orders.1 must be a string (an order of version 1), got number',
    );
  });
});

describe('event versions in the store', () => {
  const sanctioned = () =>
    fixture.events.filter(
      (e) =>
        e.streamId === 'case-petit-commerce' && e.type !== 'InjunctionComplied' && e.type !== 'CaseClosed',
    );

  it('round trip: a sanction recorded now is written at version 2 and read back as written; the other events at version 1', async () => {
    const upToDeliberation = sanctioned().filter((e) => e.type !== 'SanctionImposed');
    await loadRecorded(store, upToDeliberation);
    const service = createCaseService({ store, today: () => TODAY });
    const data = {
      on: '2023-06-15',
      deliberation: 'SAN-2023-020',
      breaches: ['32'],
      fine: 20_000,
      measures: ['fine', 'injunction'],
      injunction: {
        orders: [{ order: 'Secure the customer database', breaches: ['32'] }],
        deadline: '2023-08-15',
        penaltyPerDay: 100,
      },
      public: false,
    };
    expect(await service.record('petit-commerce', { type: 'SanctionImposed', data })).toMatchObject({
      status: 'recorded',
    });
    expect(
      await service.record('petit-commerce', { type: 'InjunctionComplied', data: { on: '2023-08-01' } }),
    ).toMatchObject({
      status: 'recorded',
    });
    const raw = await store.readStream('case-petit-commerce');
    expect(raw.map((e) => [e.type, e.metadata.schemaVersion]).slice(-2)).toEqual([
      ['SanctionImposed', 2],
      ['InjunctionComplied', 1],
    ]);
    expect(raw.at(-2)?.data).toEqual(data);
    const { facts } = await service.load('petit-commerce');
    expect(facts.at(-2)?.event).toEqual({ type: 'SanctionImposed', data });
    expect(facts.at(-2)?.metadata.schemaVersion).toBe(2);
  });

  it('refuses to read an event stored at a version newer than this code knows, naming stream, revision, type and versions', async () => {
    const [sanction, ...rest] = sanctioned().reverse();
    if (!sanction) throw new Error('no sanction in the fixture');
    await loadRecorded(store, [
      ...rest.reverse(),
      { ...sanction, metadata: { ...sanction.metadata, schemaVersion: 3 } },
    ]);
    const error = await createCaseService({ store, today: () => TODAY })
      .load('petit-commerce')
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(EventDeserializationError);
    expect(error).toMatchObject({ streamId: 'case-petit-commerce', revision: sanction.revision });
    expect((error as Error).message).toBe(
      `stream case-petit-commerce revision ${sanction.revision}: SanctionImposed was written at schema version 3, but this code knows versions 1 to 2: it was written by a newer cnil-enforcement; upgrade to read it`,
    );
  });
});

describe('a dataset written before SanctionImposed version 2', () => {
  /** clearview.json as it would have been written at version 1: plain-string orders, declared `schemaVersion: 1`. */
  const v1Clearview = (schemaVersion: number | undefined) => {
    const raw = JSON.parse(
      readFileSync(new URL('../../src/history/clearview.json', import.meta.url), 'utf8'),
    ) as {
      events: {
        type: string;
        schemaVersion?: number;
        data: { injunction?: { orders: { order: string }[] } };
      }[];
    };
    raw.events = raw.events.filter((e) => !ADDED_IN_V4.includes((e as { key?: string }).key ?? ''));
    for (const event of raw.events)
      if (event.type === 'SanctionImposed' && event.data.injunction) {
        const { injunction } = event.data;
        event.data.injunction = { ...injunction, orders: injunction.orders.map((o) => o.order) as never };
        if (schemaVersion === undefined) delete event.schemaVersion;
        else event.schemaVersion = schemaVersion;
      }
    return raw;
  };

  it('loads when it declares `schemaVersion: 1`: its orders are upcast and its event ids are those of the stored history', async () => {
    const parsed = Dataset.parse(v1Clearview(1));
    const sanction = parsed.events.find((e) => e.type === 'SanctionImposed');
    expect(sanction?.data.injunction).toMatchObject({ orders: [{ breaches: [] }, { breaches: [] }] });
    // Without the notifications that version 3 of the dataset added (see above).
    const dataset = { ...parsed, events: parsed.events.filter((e) => e.type !== 'DecisionNotified') };
    await loadRecorded(store, fixture.events);
    const service = createCaseService({ store, today: () => TODAY });
    expect(await service.recordAll(dataset.caseId, datasetFacts(dataset))).toMatchObject({
      status: 'recorded',
      facts: [],
    });
  });

  it('without the declaration, its plain-string orders are refused, naming the field', async () => {
    const dataset = Dataset.parse(v1Clearview(undefined));
    const outcome = await createCaseService({ store, today: () => TODAY }).recordAll(
      dataset.caseId,
      datasetFacts(dataset),
    );
    expect(outcome).toMatchObject({
      status: 'invalid',
      issues: [
        {
          field: 'data.injunction.orders.0',
          message: "must be { order, breaches }: the order's text and the GDPR articles it remedies",
        },
        { field: 'data.injunction.orders.1' },
      ],
    });
  });

  it('declaring version 1 for orders that are not plain strings is refused, naming the order', () => {
    const raw = v1Clearview(1);
    const sanction = raw.events.find((e) => e.type === 'SanctionImposed');
    if (sanction?.data.injunction) sanction.data.injunction.orders[1] = 42 as never;
    expect(Dataset.safeParse(raw).error?.issues).toMatchObject([
      {
        path: ['events', 17, 'data', 'injunction', 'orders', '1'],
        message:
          'must be a string (an order of version 1), got number (SanctionImposed schema version 1, upcast to 2)',
      },
    ]);
  });

  it('declaring a version newer than the code knows is refused, naming the field', () => {
    const parsed = Dataset.safeParse(v1Clearview(3));
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues).toMatchObject([
      {
        path: ['events', 17, 'schemaVersion'],
        message: expect.stringContaining('written at schema version 3') as string,
      },
    ]);
  });
});
