/**
 * The Clearview AI history, replayed through the real case service and checked date by date
 * against its sources (each act's source is in src/history/clearview.json).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { IsoDate } from '../../machines/dates.ts';
import { decide, fold } from '../../machines/decider.ts';
import type { ProcedureEvent } from '../../machines/events.ts';
import { caseViewAsOf } from '../../projections/case-state.ts';
import type { RecordedFact } from '../../projections/fact.ts';
import { buildTimeline } from '../../projections/timeline.ts';
import { createCaseService } from '../../src/cases/service.ts';
import { datasetFacts, loadDataset, replayDataset } from '../../src/history/dataset.ts';
import { createInMemoryEventStore } from '../../src/store/memory.ts';

const TODAY = '2026-11-23';
let facts: readonly RecordedFact[] = [];

const asOf = (date: string) => caseViewAsOf('clearview-ai', facts, date as IsoDate);

beforeAll(async () => {
  const service = createCaseService({ store: createInMemoryEventStore(), today: () => TODAY });
  const outcome = await replayDataset(service, await loadDataset('clearview'));
  expect(outcome.status).toBe('recorded');
  facts = (await service.load('clearview-ai')).facts;
});

describe('the Clearview AI dataset', () => {
  it('gives every act a source with a URL and says whether its date is stated or inferred', async () => {
    const dataset = await loadDataset('clearview');
    for (const event of dataset.events) {
      expect(event.source.url, event.key).toMatch(/^https?:\/\//);
      expect(['stated', 'inferred'], event.key).toContain(event.source.date);
      if (event.source.date === 'inferred')
        expect(event.source.note, `${event.key} explains its inference`).toBeTruthy();
    }
  });

  it('derives stable event ids from the dataset, so a second replay finds the same ids', async () => {
    const dataset = await loadDataset('clearview');
    expect(datasetFacts(dataset).map((f) => f.eventId)).toEqual(datasetFacts(dataset).map((f) => f.eventId));
    expect(new Set(datasetFacts(dataset).map((f) => f.eventId)).size).toBe(dataset.events.length);
  });

  it('runs from the 2020 complaints to the anonymisation of the formal notice and of MEDP-2021-002 on 16 Dec 2023', () => {
    expect(facts[0]?.event).toMatchObject({ type: 'CaseOpened', data: { on: '2020-05-01' } });
    expect(facts.at(-3)?.event).toMatchObject({
      type: 'DecisionPublished',
      data: { on: '2023-05-10', reference: 'SAN-2023-005' },
    });
    expect(facts.slice(-2).map((f) => f.event)).toMatchObject([
      { type: 'PublicationAnonymised', data: { on: '2023-12-16', reference: 'MED-2021-134' } },
      { type: 'PublicationAnonymised', data: { on: '2023-12-16', reference: 'MEDP-2021-002' } },
    ]);
  });

  it('opens the case against an undertaking (LIL art. 20 III; GDPR art. 83(5))', () => {
    expect(facts[0]?.event).toMatchObject({ data: { controller: { kind: 'undertaking' } } });
  });
});

describe('the Clearview AI procedure, act by act', () => {
  // [date, event type, reference, stage after the act] — from the sources of §3.1.
  const acts: [string, string, string | null, string][] = [
    ['2020-05-01', 'CaseOpened', null, 'complaint'],
    ['2020-05-01', 'ComplaintReceived', '20008376', 'complaint'],
    ['2020-05-01', 'ComplaintReceived', '20012263', 'complaint'],
    ['2020-08-26', 'InspectionOpened', '2020-116C', 'inspection'],
    ['2020-10-27', 'InspectionCarriedOut', null, 'inspection'],
    ['2020-12-01', 'ComplaintReceived', '20022230', 'inspection'],
    ['2021-05-27', 'ComplaintReceived', null, 'inspection'],
    ['2021-09-15', 'ComplaintReceived', '21010202', 'inspection'],
    ['2021-11-26', 'InspectionCompleted', null, 'inspection'],
    ['2021-11-26', 'FormalNoticeIssued', 'MED-2021-134', 'formalNotice'],
    ['2021-11-26', 'DecisionNotified', 'MED-2021-134', 'formalNotice'],
    ['2021-12-06', 'FormalNoticePublicationDecided', 'MEDP-2021-002', 'formalNotice'],
    ['2021-12-16', 'DecisionPublished', 'MED-2021-134', 'formalNotice'],
    ['2021-12-16', 'DecisionPublished', 'MEDP-2021-002', 'formalNotice'],
    ['2022-01-27', 'FormalNoticeDeadlineElapsed', null, 'formalNotice'],
    ['2022-06-02', 'ReferredToRestrictedCommittee', null, 'restrictedCommittee'],
    ['2022-07-14', 'SanctionReportNotified', null, 'restrictedCommittee'],
    ['2022-10-13', 'HearingHeld', null, 'restrictedCommittee'],
    ['2022-10-17', 'SanctionImposed', 'SAN-2022-019', 'sanction'],
    ['2022-10-18', 'DecisionNotified', 'SAN-2022-019', 'sanction'],
    ['2022-10-20', 'DecisionPublished', 'SAN-2022-019', 'sanction'],
    ['2022-12-19', 'InjunctionDeadlineElapsed', null, 'penaltyLiquidation'],
    ['2023-02-09', 'PenaltyLiquidationNotified', null, 'penaltyLiquidation'],
    ['2023-04-13', 'PenaltyLiquidated', 'SAN-2023-005', 'penaltyLiquidation'],
    ['2023-04-14', 'DecisionNotified', 'SAN-2023-005', 'penaltyLiquidation'],
    ['2023-05-10', 'DecisionPublished', 'SAN-2023-005', 'penaltyLiquidation'],
    ['2023-12-16', 'PublicationAnonymised', 'MED-2021-134', 'penaltyLiquidation'],
    ['2023-12-16', 'PublicationAnonymised', 'MEDP-2021-002', 'penaltyLiquidation'],
  ];

  it('records every act in order with the stage after it', () => {
    const rows = buildTimeline(facts);
    expect(rows.map((r) => [r.on, r.type, r.reference, r.stage])).toEqual(acts);
  });

  it.each([
    ['2021-12-01', 'formalNotice.compliance.running + formalNotice.publicity.notPublic'],
    ['2021-12-10', 'formalNotice.compliance.running + formalNotice.publicity.publicationDecided'],
    ['2021-12-16', 'formalNotice.compliance.running + formalNotice.publicity.published'],
    ['2022-02-01', 'formalNotice.compliance.deadlineElapsed + formalNotice.publicity.published'],
    ['2022-07-14', 'restrictedCommittee.ordinary.exchanges'],
    ['2022-10-13', 'restrictedCommittee.ordinary.deliberation'],
    ['2022-11-01', 'sanction.injunctionRunning'],
    ['2023-03-01', 'penaltyLiquidation.liquidationNotified'],
    ['2023-04-13', 'penaltyLiquidation.accruing'],
  ])('on %s the case is in %s', (date, state) => {
    const rows = buildTimeline(facts.filter((f) => f.event.data.on <= date));
    expect(rows.at(-1)?.state).toBe(state);
  });
});

describe('the Clearview AI case as of a date', () => {
  it('did not exist before the first complaints', () => {
    const view = asOf('2020-04-30');
    expect(view.stage).toBeNull();
    expect(view.revision).toBe(-1);
  });

  it('on 1 January 2022 has a public formal notice due on 26 January 2022 and no fine', () => {
    const view = asOf('2022-01-01');
    expect(view.stage).toBe('formalNotice');
    expect(view.fines.imposed).toBe(0);
    expect(view.deadlines).toContainEqual({
      kind: 'formalNoticeCompliance',
      due: '2022-01-26',
      reference: 'MED-2021-134',
    });
  });

  it('on 17 October 2022 is sanctioned: 20 M€ and an injunction at 100 000 € per day of delay, nothing accrued yet', () => {
    const view = asOf('2022-10-17');
    expect(view.stage).toBe('sanction');
    expect(view.fines.imposed).toBe(20_000_000);
    expect(view.penalty).toEqual({
      ratePerDay: 100_000,
      daysOfDelay: 0,
      accrued: 0,
      liquidated: 0,
      accruedNotLiquidated: 0,
    });
    expect(view.deadlines).toContainEqual({
      kind: 'injunctionCompliance',
      due: '2022-12-18',
      reference: 'SAN-2022-019',
    });
    // Not yet notified: counted from the decision, 2 months (CJA R421-1) + 2 for a company
    // residing abroad (R421-7): Friday 17 Feb 2023.
    expect(view.deadlines).toContainEqual({ kind: 'appeal', due: '2023-02-17', reference: 'SAN-2022-019' });
  });

  it('on 18 October 2022, notified, may appeal SAN-2022-019 until Monday 20 February 2023 (CJA R421-1, R421-7; CPC art. 642)', () => {
    const view = asOf('2022-10-18');
    expect(view.deadlines).toContainEqual({ kind: 'appeal', due: '2023-02-20', reference: 'SAN-2022-019' });
  });

  it('an appeal of Clearview AI against SAN-2022-019 lodged on 16 January 2023 would be accepted; one on 21 February 2023 would be late', () => {
    const before = (on: string) => fold(facts.filter((f) => f.event.data.on <= on).map((f) => f.event));
    const appeal = (on: string) =>
      ({
        type: 'AppealLodged',
        data: { on, decision: 'SAN-2022-019', court: 'conseil-etat' },
      }) as ProcedureEvent;
    expect(decide(before('2023-01-16'), appeal('2023-01-16')).accepted).toBe(true);
    const late = decide(before('2023-02-21'), appeal('2023-02-21'));
    expect(late.accepted).toBe(false);
    expect(!late.accepted && late.refusal.message).toContain('2023-02-20');
  });

  it('the 15 days to comment on the proposed liquidation ran until 24 February 2023; SAN-2023-005 came after (D art. 44)', () => {
    expect(asOf('2023-02-24').deadlines).toContainEqual({
      kind: 'liquidationObservations',
      due: '2023-02-24',
      reference: null,
    });
    expect(asOf('2023-02-25').deadlines.map((d) => d.kind)).not.toContain('liquidationObservations');
  });

  it('on 19 December 2022, the first day of delay, has accrued nothing yet (days in [19 Dec, D))', () => {
    expect(asOf('2022-12-19').penalty).toEqual({
      ratePerDay: 100_000,
      daysOfDelay: 0,
      accrued: 0,
      liquidated: 0,
      accruedNotLiquidated: 0,
    });
  });

  it('on 1 January 2023 has accrued 13 days × 100 000 € = 1.3 M€', () => {
    expect(asOf('2023-01-01').penalty).toEqual({
      ratePerDay: 100_000,
      daysOfDelay: 13,
      accrued: 1_300_000,
      liquidated: 0,
      accruedNotLiquidated: 1_300_000,
    });
  });

  it('on 9 February 2023, when the liquidation is notified, has accrued 52 days × 100 000 € = 5.2 M€', () => {
    const view = asOf('2023-02-09');
    expect(view.penalty).toEqual({
      ratePerDay: 100_000,
      daysOfDelay: 52,
      accrued: 5_200_000,
      liquidated: 0,
      accruedNotLiquidated: 5_200_000,
    });
    expect(view.deadlines).toContainEqual({
      kind: 'liquidationObservations',
      due: '2023-02-24',
      reference: null,
    });
  });

  it('on 13 April 2023 has 5.2 M€ liquidated (SAN-2023-005) while the penalty keeps accruing: 115 days', () => {
    const view = asOf('2023-04-13');
    expect(view.penalty).toEqual({
      ratePerDay: 100_000,
      daysOfDelay: 115,
      accrued: 11_500_000,
      liquidated: 5_200_000,
      // 115 days of delay, 52 liquidated: 63 days accrued, not owed (D art. 44).
      accruedNotLiquidated: 6_300_000,
    });
    expect(view.due.total).toBe(25_200_000);
    expect(view.lastEvent).toEqual({ type: 'PenaltyLiquidated', on: '2023-04-13' });
  });

  it('after the publication of 10 May 2023 keeps accruing since no compliance was recorded', () => {
    const view = asOf('2023-12-15');
    expect(view.stage).toBe('penaltyLiquidation');
    expect(view.revision).toBe(25);
    expect(view.penalty.daysOfDelay).toBe(361);
    expect(view.penalty.liquidated).toBe(5_200_000);
    // The formal notice and MEDP-2021-002 are to be anonymised two years after 16 Dec 2021: one
    // deadline each, naming its decision.
    expect(view.deadlines.filter((d) => d.kind === 'anonymisation')).toEqual([
      { kind: 'anonymisation', due: '2023-12-16', reference: 'MED-2021-134' },
      { kind: 'anonymisation', due: '2023-12-16', reference: 'MEDP-2021-002' },
    ]);
  });

  it('from 16 Dec 2023 the formal notice and MEDP-2021-002 are anonymised: no anonymisation is left open, for good', () => {
    for (const date of ['2023-12-16', '2024-01-01', '2026-01-01']) {
      const view = asOf(date);
      expect(view.revision, date).toBe(27);
      expect(
        view.deadlines.filter((d) => d.kind === 'anonymisation'),
        date,
      ).toEqual([]);
    }
    expect(asOf('2024-01-01').penalty).toMatchObject({ daysOfDelay: 378, liquidated: 5_200_000 });
  });
});
