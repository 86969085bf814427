/**
 * The ledger, register and deadline views as pure functions of a folded case (no I/O): the
 * acme-sas history of test/support/builders.ts read on several dates.
 */
import { describe, expect, it } from 'vitest';
import type { IsoDate } from '../../machines/dates.ts';
import { fold } from '../../machines/decider.ts';
import type { ProcedureEvent } from '../../machines/events.ts';
import { deadlineItemsOf } from '../../projections/deadline-report.ts';
import { ledgerEntryOf, ledgerOf } from '../../projections/ledger.ts';
import { ANONYMISED_NAME, registerEntriesOf } from '../../projections/register.ts';
import {
  ACME,
  appealDecided,
  appealLodged,
  decisionPublished,
  history,
  publicationAnonymised,
} from '../support/builders.ts';

const d = (date: string) => date as IsoDate;
const asOf = (events: readonly ProcedureEvent[], date: string) =>
  fold(events.filter((e) => e.data.on <= date));

describe('the ledger of acme-sas', () => {
  it('after the 20 500 € liquidation (13 June 2024): 150 000 € fine, 79 days accrued by 13 June, 20 500 € liquidated', () => {
    const state = asOf(history.upToPenaltyLiquidated(), '2024-06-13');
    expect(ledgerEntryOf(ACME.caseId, state.context, d('2024-06-13'))).toMatchObject({
      fines: { imposed: 150_000 },
      penalty: { ratePerDay: 500, daysOfDelay: 79, accrued: 39_500, liquidated: 20_500, outstanding: 19_000 },
    });
  });

  it('a fine reformed on appeal counts at the amount the court set, in the year of the decision', () => {
    const events = [
      ...history.upToInjunctionRunning(),
      appealLodged(),
      appealDecided({ on: '2024-03-22', outcome: 'reformed', fine: 100_000 }),
    ];
    const entry = ledgerEntryOf(ACME.caseId, asOf(events, '2025-01-01').context, d('2025-01-01'));
    expect(entry?.fines.imposed).toBe(100_000);
    expect(ledgerOf(d('2025-01-01'), entry ? [entry] : []).byYear).toEqual([
      { year: 2024, finesImposed: 100_000, penaltiesLiquidated: 0 },
    ]);
  });

  it('adds up several cases per year of decision and overall', () => {
    const first = ledgerEntryOf(
      'a-case',
      asOf(history.upToPenaltyLiquidated(), '2024-12-31').context,
      d('2024-12-31'),
    );
    const second = ledgerEntryOf(
      'b-case',
      asOf(history.upToSanctionWithoutInjunction(), '2024-12-31').context,
      d('2024-12-31'),
    );
    if (!first || !second) throw new Error('both cases are sanctioned');
    const ledger = ledgerOf(d('2024-12-31'), [second, first]);
    expect(ledger.cases.map((e) => e.caseId)).toEqual(['a-case', 'b-case']);
    expect(ledger.byYear).toEqual([
      { year: 2024, finesImposed: first.fines.imposed + second.fines.imposed, penaltiesLiquidated: 20_500 },
    ]);
    expect(ledger.totals.penaltiesOutstanding).toBe(first.penalty.accrued - 20_500);
  });

  it('a case without sanction has no ledger entry', () => {
    expect(
      ledgerEntryOf(
        ACME.caseId,
        asOf(history.upToOrdinaryDeliberation(), '2024-12-31').context,
        d('2024-12-31'),
      ),
    ).toBeNull();
  });
});

describe('what is owed (D art. 44: only liquidated penalties are due)', () => {
  it('after the 20 500 € liquidation: due 170 500 € (fine + liquidated); 38 days of delay accrued, not owed', () => {
    const state = asOf(history.upToPenaltyLiquidated(), '2024-06-13');
    const entry = ledgerEntryOf(ACME.caseId, state.context, d('2024-06-13'));
    // 79 days of delay, 41 covered by the liquidation of [2024-03-26, 2024-05-06).
    expect(entry?.penalty.accruedNotLiquidated).toBe(38 * 500);
    expect(entry?.due).toEqual({
      finesImposed: 150_000,
      penaltiesLiquidated: 20_500,
      reducedByCourt: 0,
      total: 170_500,
    });
    expect(ledgerOf(d('2024-06-13'), entry ? [entry] : []).totals).toMatchObject({
      due: 170_500,
      penaltiesAccruedNotLiquidated: 19_000,
    });
  });

  it('before any liquidation nothing of the penalty is due, however long the delay', () => {
    const state = asOf(history.upToPenaltyAccruing(), '2024-12-31');
    const entry = ledgerEntryOf(ACME.caseId, state.context, d('2024-12-31'));
    expect(entry?.penalty.accrued).toBeGreaterThan(100_000);
    expect(entry?.penalty.accruedNotLiquidated).toBe(entry?.penalty.accrued);
    expect(entry?.due.total).toBe(150_000);
  });

  it('a liquidation the Conseil d’État reduces is due at the amount the court set', () => {
    const events = [
      ...history.upToPenaltyLiquidated(),
      appealLodged({ on: '2024-06-20', decision: ACME.liquidation }),
      appealDecided({ on: '2024-10-01', decision: ACME.liquidation, outcome: 'reformed', fine: 10_000 }),
    ];
    const entry = ledgerEntryOf(ACME.caseId, asOf(events, '2024-10-01').context, d('2024-10-01'));
    expect(entry?.due).toEqual({
      finesImposed: 150_000,
      penaltiesLiquidated: 20_500,
      reducedByCourt: 10_500,
      total: 160_000,
    });
  });

  it('an annulled sanction leaves nothing due from its fine', () => {
    const events = [
      ...history.upToInjunctionRunning(),
      appealLodged(),
      appealDecided({ on: '2024-03-22', outcome: 'annulled' }),
    ];
    const entry = ledgerEntryOf(ACME.caseId, asOf(events, '2025-01-01').context, d('2025-01-01'));
    expect(entry?.due).toMatchObject({ finesImposed: 150_000, reducedByCourt: 150_000, total: 0 });
  });
});

describe('the register of acme-sas', () => {
  it('a publication without anonymisation date is anonymised from the recorded PublicationAnonymised, not before', () => {
    const events = [
      ...history.upToPublicationDecided(),
      decisionPublished({ anonymiseAfter: undefined }),
      publicationAnonymised({ on: '2024-01-10' }),
    ];
    const on = (date: string) => registerEntriesOf(ACME.caseId, asOf(events, date).context, d(date));
    expect(on('2024-01-09')).toMatchObject([
      { reference: ACME.formalNotice, company: ACME.name, anonymised: false },
    ]);
    expect(on('2024-01-10')).toMatchObject([
      {
        reference: ACME.formalNotice,
        company: ANONYMISED_NAME,
        anonymised: true,
        anonymisedOn: '2024-01-10',
      },
    ]);
  });

  it('a decision not yet published is not in the register', () => {
    const state = asOf(history.upToPublicationDecided(), '2023-06-30');
    expect(registerEntriesOf(ACME.caseId, state.context, d('2023-06-30'))).toEqual([]);
  });
});

describe('the deadlines of acme-sas', () => {
  it('the formal notice deadline (1 August 2023) is due on that day and overdue the day after while its lapse is not recorded', () => {
    const events = history.upToFormalNotice();
    const kinds = (date: string) =>
      deadlineItemsOf(ACME.caseId, asOf(events, date), d(date)).filter(
        (i) => i.kind === 'formalNoticeCompliance',
      );
    expect(kinds('2023-08-01')).toEqual([
      {
        caseId: ACME.caseId,
        stage: 'formalNotice',
        kind: 'formalNoticeCompliance',
        due: '2023-08-01',
        reference: ACME.formalNotice,
        status: 'due',
      },
    ]);
    expect(kinds('2023-08-02')).toMatchObject([{ status: 'overdue' }]);
  });
});
