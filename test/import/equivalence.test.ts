/**
 * The bulk import's fast path (facts checked once by the file reader, one query for the group's
 * existing streams, keys looked up once per person, sealed once, decided through the statechart's
 * fast path, appended in one transaction per group) stores what recording each case alone through
 * the case service (`recordAll`: validation of every fact, XState's `transition()`, one append per
 * case) stores: the same events, id for id, with the same data and metadata, byte for byte once the
 * personal fields are decrypted — over simulated cases, a case the law refuses, a case whose first
 * facts were stored before, text that the schemas trim, and complaints without a person id.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IsoDate } from '../../machines/dates.ts';
import { createCaseService } from '../../src/cases/service.ts';
import { type Dataset, datasetFacts } from '../../src/history/dataset.ts';
import { openImportFile } from '../../src/import/file.ts';
import { generateDatasets, toJsonLines } from '../../src/import/generate.ts';
import { importCases, type ImportReport } from '../../src/import/import.ts';
import { verifyStore } from '../../src/integrity/verify.ts';
import type { ProtectedEventStore } from '../../src/privacy/protected-store.ts';
import { storeIdentity } from '../../src/projector/identity.ts';
import { loadParams } from '../../src/simulation/params.ts';
import { openEventStore } from '../../src/store/open.ts';
import type { JsonObject } from '../../src/store/port.ts';
import { sanctionImposed } from '../support/builders.ts';

const TODAY = '2026-06-30';
/** One recording instant for both paths: `recordedAt` is then comparable. */
const NOW = new Date('2026-06-30T12:00:00.000Z');

let dir: string;
let file: string;
let datasets: Dataset[];

/** A history of the generated corpus, changed in ways the schemas or the law care about. */
const variants = (base: readonly Dataset[]): Dataset[] => {
  const [a, b, c, d] = base as [Dataset, Dataset, Dataset, Dataset];
  // Text the schemas trim, in the source and in the data.
  const padded: Dataset = {
    ...a,
    events: a.events.map((e) => ({
      ...e,
      source: { ...e.source, title: `  ${e.source.title}  ` },
      data:
        e.type === 'CaseOpened'
          ? { ...e.data, controller: { ...(e.data.controller as object), name: ' Padded SAS ' } }
          : e.data,
    })),
  };
  // Complainants without a person id: the service derives one from the event id.
  const anonymous: Dataset = {
    ...b,
    events: b.events.map((e) =>
      e.type === 'ComplaintReceived'
        ? {
            ...e,
            data: {
              ...e.data,
              complainant: { ...(e.data.complainant as object), personId: undefined },
            },
          }
        : e,
    ),
  };
  // A sanction right after the opening: refused by the procedure, nothing of the case written.
  const refused: Dataset = {
    ...c,
    events: [
      ...c.events.slice(0, 2),
      {
        key: 'zz-sanction',
        type: 'SanctionImposed',
        data: { ...sanctionImposed().data, on: c.events[1]?.data.on },
        source: c.events[0]?.source as Dataset['events'][number]['source'],
      },
    ],
  };
  return [padded, anonymous, refused, d, ...base.slice(4)];
};

/** The store's events, personal fields decrypted, metadata without the chain link (it hashes ciphertexts). */
const contents = async (store: ProtectedEventStore) => {
  const rows: unknown[] = [];
  for await (const e of store.readAll()) {
    const { integrity, ...metadata } = e.metadata as JsonObject & { integrity?: unknown };
    expect(integrity).toBeDefined();
    rows.push({
      streamId: e.streamId,
      revision: e.revision,
      id: e.id,
      type: e.type,
      // As text: the order of the keys is compared too.
      data: JSON.stringify(e.data),
      metadata: JSON.stringify(metadata),
    });
  }
  return rows.sort((x, y) =>
    JSON.stringify([
      (x as { streamId: string }).streamId,
      (x as { revision: number }).revision,
    ]).localeCompare(
      JSON.stringify([(y as { streamId: string }).streamId, (y as { revision: number }).revision]),
    ),
  );
};

const rowCount = (path: string): number => {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
  } finally {
    db.close();
  }
};

const open = (path: string) => openEventStore(`sqlite:${path}`) as Promise<ProtectedEventStore>;

const verified = async (path: string) => {
  const store = await open(path);
  try {
    return await verifyStore({
      store: store.raw,
      keys: store.keys,
      storeName: path,
      storeIdentity: storeIdentity(`sqlite:${path}`),
      sqlitePath: path,
    });
  } finally {
    await store.close();
  }
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cnil-import-equivalence-'));
  const params = await loadParams();
  datasets = variants(generateDatasets({ cases: 120, seed: 11, until: '2025-12-31' as IsoDate, params }));
  file = join(dir, 'cases.jsonl');
  writeFileSync(file, toJsonLines(datasets));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('given a file of simulated case histories, one refused by the law and one partly stored already', () => {
  const fast = () => join(dir, 'fast.db');
  const reference = () => join(dir, 'reference.db');
  let report: ImportReport;

  /** The first two facts of the fourth case, recorded before the import (the same on both stores). */
  const storeBefore = async (path: string) => {
    const store = await open(path);
    try {
      const service = createCaseService({ store, today: () => TODAY, now: () => NOW });
      const d = datasets[3] as Dataset;
      const outcome = await service.recordAll(d.caseId, datasetFacts(d).slice(0, 2));
      expect(outcome.status).toBe('recorded');
    } finally {
      await store.close();
    }
  };

  beforeAll(async () => {
    await storeBefore(fast());
    await storeBefore(reference());
    // The import as the command runs it, in small groups so that a refused case shares its group.
    const store = await open(fast());
    try {
      const service = createCaseService({ store, today: () => TODAY, now: () => NOW });
      const source = await openImportFile(file, { today: TODAY });
      report = await importCases(service, source.entries(), { groupEvents: 200 });
    } finally {
      await store.close();
    }
    // The reference: each case alone, every fact validated and decided by XState's transition().
    const ref = await open(reference());
    try {
      const service = createCaseService({ store: ref, today: () => TODAY, now: () => NOW });
      for (const d of datasets) await service.recordAll(d.caseId, datasetFacts(d));
    } finally {
      await ref.close();
    }
  });

  it('stores the events recording each case alone stores: same ids, data and metadata', async () => {
    const [a, b] = [await open(fast()), await open(reference())];
    try {
      const [mine, theirs] = [await contents(a), await contents(b)];
      expect(mine.length).toBeGreaterThan(500);
      expect(mine).toEqual(theirs);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('refuses the case the law forbids, writing nothing of it, and records the others', async () => {
    const refused = datasets[2] as Dataset;
    expect(report.refused.map((r) => [r.caseId, r.event?.key])).toEqual([[refused.caseId, 'zz-sanction']]);
    expect(report.cases).toEqual({
      total: datasets.length,
      imported: datasets.length - 1,
      unchanged: 0,
      refused: 1,
    });
    expect(report.events.alreadyStored).toBe(2);
    const store = await open(fast());
    try {
      expect(await store.readStream(`case-${refused.caseId}`)).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('keeps personal data encrypted in the file', async () => {
    const db = new Database(fast(), { readonly: true });
    try {
      const complaints = db.prepare("SELECT data FROM events WHERE type = 'ComplaintReceived'").all() as {
        data: string;
      }[];
      expect(complaints.length).toBeGreaterThan(100);
      for (const { data } of complaints) {
        const complainant = (JSON.parse(data) as { complainant: { name: unknown } }).complainant;
        expect(complainant.name).toHaveProperty('$encrypted');
      }
    } finally {
      db.close();
    }
  });

  it('leaves a store whose hash chains verify', async () => {
    const report_ = await verified(fast());
    expect(report_.findings).toEqual([]);
    expect(report_.sound).toBe(true);
    expect(report_.chained).toBe(rowCount(fast()));
  });

  it('appends nothing when the file is imported again', async () => {
    const before = rowCount(fast());
    const store = await open(fast());
    try {
      const service = createCaseService({ store, today: () => TODAY, now: () => NOW });
      const again = await importCases(service, (await openImportFile(file, { today: TODAY })).entries());
      expect(again.events.appended).toBe(0);
      expect(again.cases.unchanged).toBe(datasets.length - 1);
    } finally {
      await store.close();
    }
    expect(rowCount(fast())).toBe(before);
  });
});
