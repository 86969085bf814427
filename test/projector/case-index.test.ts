/**
 * The index of cases from the read models (what `serve` pages through and `case list` prints): every
 * case on exactly one page, in case-id order, forwards and backwards, in one stage or all; and, on
 * any date, the same list as folding the whole log (`listCases`, the reference) — read from a
 * read-model file and from read models in memory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IsoDate } from '../../machines/dates.ts';
import { STAGES } from '../../machines/procedure.ts';
import { listCases } from '../../src/cases/queries.ts';
import { createCaseService } from '../../src/cases/service.ts';
import { type CaseIndex, openCaseIndex } from '../../src/projector/case-index.ts';
import { openReadModels, type ReadModels } from '../../src/projector/read-models.ts';
import { catchUp } from '../../src/projector/runner.ts';
import { createInMemoryEventStore } from '../../src/store/memory.ts';
import { recordClearview, recordSyntheticCases, TODAY } from './fixtures.ts';

const store = createInMemoryEventStore();
let dir: string;
const opened: { close: () => unknown }[] = [];
let indexes: [string, CaseIndex][];
const CASES = 131; // synthetic cases, plus Clearview

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cnil-case-index-'));
  const service = createCaseService({ store, today: () => TODAY });
  await recordSyntheticCases(service, CASES, 3);
  await recordClearview(service);
  const models: [string, ReadModels][] = [
    ['a read-model file', openReadModels(join(dir, 'read-models.db'), { store: 'memory:test' })],
    ['read models in memory', openReadModels(':memory:', { store: 'memory:test' })],
  ];
  indexes = [];
  for (const [name, readModels] of models) {
    await catchUp(store, readModels);
    const index = openCaseIndex(readModels);
    opened.push(index, readModels);
    indexes.push([name, index]);
  }
});
afterAll(async () => {
  for (const o of opened) o.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const each = (title: string, test: (index: CaseIndex) => void | Promise<void>) =>
  it.each([0, 1])(`${title} (%#: file, memory)`, (i) => test((indexes[i] as [string, CaseIndex])[1]));

describe('the index of cases, page by page', () => {
  each('walks every case once, in case-id order, forwards then backwards', (index) => {
    const forwards: string[][] = [];
    let page = index.page({ limit: 25 });
    expect(page.total).toBe(CASES + 1);
    expect(page.previous).toBeNull();
    for (;;) {
      expect(page.offset).toBe(forwards.flat().length);
      forwards.push(page.cases.map((c) => c.caseId));
      if (page.next === null) break;
      page = index.page({ after: page.next, limit: 25 });
    }
    const ids = forwards.flat();
    expect(ids).toHaveLength(CASES + 1);
    expect(ids).toEqual([...ids].sort());
    expect(forwards.map((p) => p.length)).toEqual([25, 25, 25, 25, 25, 7]);
    const backwards: string[][] = [];
    for (;;) {
      backwards.unshift(page.cases.map((c) => c.caseId));
      if (page.previous === null) break;
      page = index.page({ before: page.previous, limit: 25 });
    }
    expect(page.offset).toBe(0);
    expect(backwards).toEqual(forwards);
  });

  each('lists each case with its stage and last act', (index) => {
    const clearview = index.page({ after: 'clearview-a', limit: 1 }).cases[0];
    expect(clearview).toMatchObject({
      caseId: 'clearview-ai',
      controller: 'Clearview AI Inc.',
      stage: 'penaltyLiquidation',
      openedOn: '2020-05-01',
    });
    expect(clearview?.lastEvent?.type).toBeTypeOf('string');
  });

  each('filters by stage: the pages of a stage hold its cases and only them', (index) => {
    let all = 0;
    for (const stage of STAGES) {
      const page = index.page({ stage, limit: 1000 });
      expect(page.cases.every((c) => c.stage === stage)).toBe(true);
      expect(page.total).toBe(page.cases.length);
      expect(index.count(stage)).toBe(page.total);
      all += page.total;
    }
    expect(all).toBe(index.count());
  });

  each('a cursor past the end gives an empty last page', (index) => {
    const page = index.page({ after: 'zzzz' });
    expect(page).toMatchObject({ cases: [], next: null, total: CASES + 1, offset: CASES + 1 });
  });

  it('refuses a page size out of bounds', () => {
    expect(() => indexes[0]?.[1].page({ limit: 0 })).toThrow(RangeError);
    expect(() => indexes[0]?.[1].page({ limit: 1001 })).toThrow(RangeError);
  });
});

describe('case list from the read models', () => {
  const dates = [TODAY, '2023-06-01', '2022-01-01', '2019-01-01'] as IsoDate[];
  each('equals the fold of the whole log on every date, in every stage', async (index) => {
    for (const asOf of dates) {
      const reference = await listCases(store, { asOf });
      expect(index.listAsOf(asOf), asOf).toEqual(reference);
      for (const stage of ['formalNotice', 'closed'] as const)
        expect(index.listAsOf(asOf, stage), `${asOf} ${stage}`).toEqual(
          await listCases(store, { asOf, stage }),
        );
    }
    // The dates chosen do cut cases in the middle of their history.
    const facts = new Map(index.listAsOf(TODAY as IsoDate).map((c) => [c.caseId, c.facts]));
    const cut = index.listAsOf('2023-06-01' as IsoDate);
    expect(cut.filter((c) => c.facts < (facts.get(c.caseId) ?? 0)).length).toBeGreaterThan(0);
  });
});
