/**
 * The deadline scheduler: `advance` records the `…DeadlineElapsed` facts due by a date, through
 * the case service, once.
 */
import { describe, expect, it } from 'vitest';
import type { IsoDate } from '../../machines/dates.ts';
import { caseViewAsOf } from '../../projections/case-state.ts';
import { createCaseService } from '../../src/cases/service.ts';
import { loadDataset } from '../../src/history/dataset.ts';
import { AdvanceBeyondTodayError, advance } from '../../src/scheduler/advance.ts';
import { createInMemoryEventStore } from '../../src/store/memory.ts';
import { decisionPublished, formalNoticeIssued, history } from '../support/builders.ts';
import { recordClearview, recordSyntheticCases, syntheticCaseId, TODAY } from '../projector/fixtures.ts';

const d = (date: string) => date as IsoDate;
const setUp = () => {
  const store = createInMemoryEventStore();
  const service = createCaseService({ store, today: () => TODAY });
  const advanceTo = (to: string) => advance({ store, service, to: d(to), today: d(TODAY) });
  return { store, service, advanceTo };
};

describe('given Clearview up to the publication of the formal notice (deadline 26 January 2022)', () => {
  it('advancing to 26 January 2022 records nothing: the deadline has not passed', async () => {
    const { service, advanceTo } = setUp();
    await recordClearview(service, 'F12-formal-notice-published');

    const report = await advanceTo('2022-01-26');

    expect(report).toEqual({ to: '2022-01-26', cases: 1, appended: [], skipped: [] });
  });

  it('advancing to 1 February 2022 records FormalNoticeDeadlineElapsed on 27 January, as the dataset dates it', async () => {
    const { service, advanceTo } = setUp();
    const dataset = await recordClearview(service, 'F12-formal-notice-published');

    const report = await advanceTo('2022-02-01');

    const stated = dataset.events.find((e) => e.key === 'F13-formal-notice-deadline-elapsed');
    expect(report.appended).toMatchObject([
      {
        caseId: 'clearview-ai',
        type: 'FormalNoticeDeadlineElapsed',
        on: stated?.data.on,
        deadline: '2022-01-26',
        reference: 'MED-2021-134',
        revision: 13,
      },
    ]);
    const fact = (await service.load('clearview-ai')).facts.at(-1);
    expect(fact?.event).toEqual({ type: 'FormalNoticeDeadlineElapsed', data: { on: '2022-01-27' } });
    expect(fact?.metadata).toMatchObject({
      actor: 'scheduler',
      source: { reference: 'MED-2021-134', date: 'inferred' },
    });
    expect(fact?.metadata.source?.title).toMatch(/^Computed by the deadline scheduler/);
    expect(
      caseViewAsOf('clearview-ai', (await service.load('clearview-ai')).facts, d('2022-02-01')).state,
    ).toEqual({
      formalNotice: { compliance: 'deadlineElapsed', publicity: 'published' },
    });
  });

  it('advancing again, to the same or a later date, appends nothing', async () => {
    const { service, store, advanceTo } = setUp();
    await recordClearview(service, 'F12-formal-notice-published');
    await advanceTo('2022-02-01');
    const before = await store.readStream('case-clearview-ai');

    expect((await advanceTo('2022-02-01')).appended).toEqual([]);
    expect((await advanceTo('2026-01-01')).appended).toEqual([]);
    expect(await store.readStream('case-clearview-ai')).toEqual(before);
  });
});

describe('given a formal notice due Saturday 2 March 2024 (one calendar for every procedural deadline)', () => {
  const dueSaturday = async (service: ReturnType<typeof setUp>['service']) => {
    const facts = [
      ...history.upToFindings(),
      formalNoticeIssued({ on: '2024-02-01', deadline: '2024-03-02' }),
    ];
    expect(await service.recordAll('acme-sas', facts)).toMatchObject({
      status: 'recorded',
    });
  };

  it('advancing to Monday 4 March 2024 records nothing: the deadline runs to that working day (CPC art. 642)', async () => {
    const { service, advanceTo } = setUp();
    await dueSaturday(service);
    expect((await advanceTo('2024-03-04')).appended).toEqual([]);
  });

  it('advancing to 10 March 2024 records the lapse on Tuesday 5 March (D art. 38; CPC art. 642)', async () => {
    const { service, advanceTo } = setUp();
    await dueSaturday(service);
    expect((await advanceTo('2024-03-10')).appended).toMatchObject([
      { caseId: 'acme-sas', type: 'FormalNoticeDeadlineElapsed', deadline: '2024-03-02', on: '2024-03-05' },
    ]);
  });
});

describe('given Clearview up to the publication of the sanction (injunction due 18 December 2022)', () => {
  it('advancing to 31 December 2022 records the first day of delay, 19 December, from which 115 days accrue by 13 April 2023', async () => {
    const { service, advanceTo } = setUp();
    await recordClearview(service, 'F18-sanction-published');

    const report = await advanceTo('2022-12-31');

    expect(report.appended).toMatchObject([
      {
        type: 'InjunctionDeadlineElapsed',
        on: '2022-12-19',
        deadline: '2022-12-18',
        reference: 'SAN-2022-019',
      },
    ]);
    const dataset = await loadDataset('clearview');
    expect(dataset.events.find((e) => e.key === 'F20-penalty-runs')?.data.on).toBe('2022-12-19');
    const view = caseViewAsOf('clearview-ai', (await service.load('clearview-ai')).facts, d('2023-04-13'));
    expect(view.penalty).toMatchObject({ daysOfDelay: 115, accrued: 11_500_000 });
  });
});

describe('given many cases in different stages', () => {
  it('records each deadline that has passed, on every case, and nothing else', async () => {
    const { service, advanceTo } = setUp();
    // Shapes by i % 6: public formal notice running (0), deliberation (1), injunction running (2),
    // penalty liquidated (3), closed (4), formal notice running (5).
    await recordSyntheticCases(service, 12);

    const report = await advanceTo('2024-12-31');

    expect(report.cases).toBe(12);
    expect(report.appended.map((f) => [f.caseId, f.type, f.on])).toEqual([
      [syntheticCaseId(0), 'FormalNoticeDeadlineElapsed', '2023-08-02'],
      [syntheticCaseId(2), 'InjunctionDeadlineElapsed', '2024-03-26'],
      [syntheticCaseId(5), 'FormalNoticeDeadlineElapsed', '2023-08-02'],
      [syntheticCaseId(6), 'FormalNoticeDeadlineElapsed', '2023-08-02'],
      [syntheticCaseId(8), 'InjunctionDeadlineElapsed', '2024-03-26'],
      [syntheticCaseId(11), 'FormalNoticeDeadlineElapsed', '2023-08-02'],
    ]);
    expect(report.skipped).toEqual([]);
  });
});

describe('the scheduler and the procedure', () => {
  it('reports, without recording it, a lapse the procedure refuses: an act is already recorded after that day', async () => {
    const { service, advanceTo } = setUp();
    // The formal notice (deadline 1 August 2023) is published on 10 August, lapse not yet recorded.
    const events = [...history.upToPublicationDecided(), decisionPublished({ on: '2023-08-10' })];
    const outcome = await service.recordAll(
      'acme-sas',
      events.map((e) => ({ type: e.type, data: e.data })),
    );
    expect(outcome.status).toBe('recorded');

    const report = await advanceTo('2023-09-01');

    expect(report.appended).toEqual([]);
    expect(report.skipped).toMatchObject([
      { caseId: 'acme-sas', type: 'FormalNoticeDeadlineElapsed', on: '2023-08-02' },
    ]);
    expect(report.skipped[0]?.reason).toContain('before the previous act of the case (2023-08-10)');
  });

  it('refuses to advance past today', async () => {
    const { advanceTo } = setUp();
    await expect(advanceTo('2026-11-24')).rejects.toThrow(AdvanceBeyondTodayError);
  });
});
