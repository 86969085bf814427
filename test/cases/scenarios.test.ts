/**
 * Hypothetical cases recorded through the case service on a real SQLite file, the way a case
 * officer would record them: one that complies with its formal notice, one in the simplified
 * procedure, one that appeals to the Conseil d'État.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IsoDate } from '../../machines/dates.ts';
import { caseViewAsOf } from '../../projections/case-state.ts';
import { buildTimeline } from '../../projections/timeline.ts';
import { type CaseService, createCaseService, type FactInput } from '../../src/cases/service.ts';
import type { EventStore } from '../../src/store/port.ts';
import { createSqliteEventStore } from '../../src/store/sqlite.ts';

let dir: string;
let store: EventStore;
let service: CaseService;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cnil-scenarios-'));
  store = createSqliteEventStore(join(dir, 'cnil.db'));
  service = createCaseService({ store, today: () => '2026-11-23' });
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const opened = (caseId: string, on: string, extra: Record<string, unknown> = {}): FactInput => ({
  type: 'CaseOpened',
  data: {
    on,
    caseId,
    controller: { name: 'Acme SAS', country: 'FR', euEstablishment: true, ...extra },
    origin: 'complaint',
  },
});
const fact = (type: string, data: Record<string, unknown>): FactInput => ({ type, data });

const recordAll = async (caseId: string, facts: FactInput[]) => {
  for (const f of facts) {
    const outcome = await service.record(caseId, f);
    expect(outcome, `${f.type} on ${(f.data as { on: string }).on}`).toMatchObject({ status: 'recorded' });
  }
};

const stages = async (caseId: string) =>
  buildTimeline((await service.load(caseId)).facts).map((r) => r.stage);

describe('a controller that complies with its formal notice', () => {
  it('given a complaint, an inspection and a formal notice, when compliance is established the notice and the case close', async () => {
    await recordAll('acme-sas', [
      opened('acme-sas', '2024-01-15'),
      fact('ComplaintReceived', {
        on: '2024-01-15',
        complaintId: 'C-1',
        complainant: { kind: 'individual', name: 'Jeanne Martin' },
        grounds: ['15'],
      }),
      fact('InspectionOpened', { on: '2024-03-01', method: 'online' }),
      fact('InspectionCompleted', { on: '2024-03-20', breaches: ['12', '15'] }),
      fact('FormalNoticeIssued', {
        on: '2024-04-02',
        reference: 'MED-2024-001',
        breaches: ['12', '15'],
        deadline: '2024-06-03',
        urgency: false,
      }),
      fact('FormalNoticeDeadlineExtended', { on: '2024-05-30', newDeadline: '2024-07-01' }),
      fact('FormalNoticeClosed', { on: '2024-06-20', reference: 'MED-2024-001/closure' }),
    ]);
    expect(await stages('acme-sas')).toEqual([
      'complaint',
      'complaint',
      'inspection',
      'inspection',
      'formalNotice',
      'formalNotice',
      'closed',
    ]);
    const view = caseViewAsOf('acme-sas', (await service.load('acme-sas')).facts, '2024-12-31' as IsoDate);
    expect(view).toMatchObject({ stage: 'closed', fines: { imposed: 0 }, deadlines: [] });
    // A closed case accepts no further procedural act.
    const refused = await service.record(
      'acme-sas',
      fact('InspectionOpened', { on: '2024-09-01', method: 'on-site' }),
    );
    expect(refused).toMatchObject({
      status: 'refused',
      refusal: { kind: 'TransitionNotAllowed', stage: 'closed' },
    });
  });
});

describe('a case in the simplified procedure', () => {
  const upToReport = [
    opened('petit-commerce', '2023-01-10'),
    fact('InspectionOpened', { on: '2023-02-01', method: 'on-site' }),
    fact('InspectionCompleted', { on: '2023-02-01', breaches: ['32'] }),
    fact('ReferredToRestrictedCommittee', {
      on: '2023-03-01',
      procedure: 'simplified',
      rapporteur: 'Agent rapporteur',
    }),
    fact('SanctionReportNotified', { on: '2023-04-03', responseDeadline: '2023-05-03' }),
    fact('ObservationsSubmitted', { on: '2023-04-28', by: 'controller' }),
  ];

  it('given a simplified referral, when a fine of 20 000 € with a non-public decision is imposed, the case is sanctioned', async () => {
    await recordAll('petit-commerce', [
      ...upToReport,
      fact('SanctionImposed', {
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
      }),
      fact('InjunctionComplied', { on: '2023-08-01' }),
      fact('CaseClosed', { on: '2023-09-01', outcome: 'sanction-executed' }),
    ]);
    expect((await stages('petit-commerce')).slice(3)).toEqual([
      'restrictedCommittee',
      'restrictedCommittee',
      'restrictedCommittee',
      'sanction',
      'sanction',
      'closed',
    ]);
  });

  it('refuses a 20 001 € fine in the simplified procedure (LIL art. 22-1) and writes nothing', async () => {
    await recordAll('petit-commerce', upToReport);
    const before = await store.readStream('case-petit-commerce');
    const outcome = await service.record(
      'petit-commerce',
      fact('SanctionImposed', {
        on: '2023-06-15',
        deliberation: 'SAN-2023-020',
        breaches: ['32'],
        fine: 20_001,
        measures: ['fine'],
        public: false,
      }),
    );
    expect(outcome).toMatchObject({
      status: 'refused',
      refusal: { kind: 'RuleViolated', rule: 'simplifiedSanctionLimits' },
    });
    expect(await store.readStream('case-petit-commerce')).toEqual(before);
  });

  it('when the simplified route is abandoned, the case continues in the ordinary procedure and needs a session', async () => {
    await recordAll('petit-commerce', [
      ...upToReport,
      fact('ReferredToOrdinaryProcedure', { on: '2023-05-10', rapporteur: 'Commissaire rapporteur' }),
      fact('SanctionReportNotified', { on: '2023-07-03', responseDeadline: '2023-08-03' }),
    ]);
    const withoutSession = await service.record(
      'petit-commerce',
      fact('SanctionImposed', {
        on: '2023-10-02',
        deliberation: 'SAN-2023-030',
        breaches: ['32'],
        fine: 50_000,
        measures: ['fine'],
        public: true,
      }),
    );
    expect(withoutSession).toMatchObject({
      status: 'refused',
      refusal: { kind: 'TransitionNotAllowed', state: 'restrictedCommittee.ordinary.exchanges' },
    });
    await recordAll('petit-commerce', [
      fact('HearingHeld', { on: '2023-09-28' }),
      fact('SanctionImposed', {
        on: '2023-10-02',
        deliberation: 'SAN-2023-030',
        breaches: ['32'],
        fine: 50_000,
        measures: ['fine'],
        public: true,
      }),
    ]);
    expect((await stages('petit-commerce')).at(-1)).toBe('sanction');
  });
});

describe('a sanctioned controller that appeals to the Conseil d’État', () => {
  const sanctioned = [
    opened('appelante', '2022-09-01', { worldwideTurnover: 2_000_000_000 }),
    fact('InspectionOpened', { on: '2022-09-15', method: 'on-site' }),
    fact('InspectionCompleted', { on: '2022-10-15', breaches: ['5(1)(e)', '6'] }),
    fact('ReferredToRestrictedCommittee', { on: '2022-11-02', procedure: 'ordinary', rapporteur: 'M. X' }),
    fact('SanctionReportNotified', { on: '2023-01-10', responseDeadline: '2023-02-10' }),
    fact('HearingHeld', { on: '2023-04-06' }),
    fact('SanctionImposed', {
      on: '2023-05-11',
      deliberation: 'SAN-2023-007',
      breaches: ['5(1)(e)', '6'],
      fine: 60_000_000, // within 4 % of a 2 bn € turnover (80 M€)
      measures: ['fine'],
      public: true,
    }),
  ];

  it('given a sanction, an appeal within two months does not suspend it; a reformed ruling lowers the fine', async () => {
    await recordAll('appelante', [
      ...sanctioned,
      fact('DecisionPublished', {
        on: '2023-05-16',
        reference: 'SAN-2023-007',
        venue: ['legifrance'],
        anonymiseAfter: '2025-05-16',
      }),
      fact('AppealLodged', { on: '2023-07-10', decision: 'SAN-2023-007', court: 'conseil-etat' }),
    ]);
    let view = caseViewAsOf('appelante', (await service.load('appelante')).facts, '2023-08-01' as IsoDate);
    expect(view).toMatchObject({ stage: 'sanction', fines: { imposed: 60_000_000 } });
    await recordAll('appelante', [
      fact('AppealDecided', {
        on: '2024-06-20',
        decision: 'SAN-2023-007',
        ruling: 'CE n° 999999',
        outcome: 'reformed',
        fine: 40_000_000,
      }),
    ]);
    view = caseViewAsOf('appelante', (await service.load('appelante')).facts, '2024-07-01' as IsoDate);
    expect(view).toMatchObject({ stage: 'sanction', fines: { imposed: 40_000_000 } });
  });

  it('refuses an appeal lodged after the two-month time limit (CJA art. R421-1)', async () => {
    await recordAll('appelante', sanctioned);
    const late = await service.record(
      'appelante',
      fact('AppealLodged', { on: '2023-07-12', decision: 'SAN-2023-007', court: 'conseil-etat' }),
    );
    expect(late).toMatchObject({ status: 'refused', refusal: { rule: 'appealTimeLimit' } });
  });

  it('an annulment by the Conseil d’État closes the case and cancels the fine', async () => {
    await recordAll('appelante', [
      ...sanctioned,
      fact('AppealLodged', { on: '2023-06-01', decision: 'SAN-2023-007', court: 'conseil-etat' }),
      fact('AppealDecided', { on: '2024-03-01', decision: 'SAN-2023-007', outcome: 'annulled' }),
    ]);
    const view = caseViewAsOf('appelante', (await service.load('appelante')).facts, '2024-03-02' as IsoDate);
    expect(view).toMatchObject({ stage: 'closed', fines: { imposed: 0 } });
  });
});
