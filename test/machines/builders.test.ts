/**
 * The test builders themselves: one per event type, valid defaults, and ready-made histories
 * that are lawful and end where their names say.
 */
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../machines/events.ts';
import {
  ACME,
  BUILDERS,
  caseOpened,
  history,
  sanctionImposed,
  simplifiedSanctionImposed,
} from '../support/builders.ts';
import { given } from '../support/given.ts';

describe('event builders', () => {
  it('exist for every event type of the catalogue and build that type', () => {
    expect(Object.keys(BUILDERS).sort()).toEqual([...EVENT_TYPES].sort());
    for (const type of EVENT_TYPES) expect(BUILDERS[type]().type).toBe(type);
  });

  it('take overrides deep-merged into the defaults', () => {
    const opened = caseOpened({ controller: { worldwideTurnover: 1_000_000_000 } });
    expect(opened.data.controller).toEqual({
      name: ACME.name,
      country: 'FR',
      euEstablishment: true,
      kind: 'undertaking',
      worldwideTurnover: 1_000_000_000,
    });
    expect(sanctionImposed({ injunction: { penaltyPerDay: 100 } }).data.injunction).toMatchObject({
      deadline: '2024-03-25',
      penaltyPerDay: 100,
    });
  });

  it('remove an optional field overridden with undefined', () => {
    expect(sanctionImposed({ injunction: undefined }).data).not.toHaveProperty('injunction');
  });

  it('refuse data the event schema refuses', () => {
    expect(() => sanctionImposed({ fine: -1 })).toThrow(/must not be negative/);
    expect(() => caseOpened({ on: '2023-02-29' })).toThrow(/real calendar date/);
  });

  it('give a simplified-procedure sanction within the limits of LIL art. 22-1', () => {
    expect(simplifiedSanctionImposed().data).toMatchObject({
      fine: 15_000,
      public: false,
      injunction: { penaltyPerDay: 100 },
    });
  });

  it('are dated in procedural order along the usual path', () => {
    const path = history.closed();
    const dates = path.map((e) => e.data.on);
    expect(dates).toEqual([...dates].sort());
  });
});

describe('ready-made histories', () => {
  const cases: [keyof typeof history, string][] = [
    ['opened', 'complaint'],
    ['upToComplaint', 'complaint'],
    ['upToInspection', 'inspection.inProgress'],
    ['upToFindings', 'inspection.findings'],
    ['upToFormalNotice', 'formalNotice.compliance.running + formalNotice.publicity.notPublic'],
    ['upToPublicationDecided', 'formalNotice.compliance.running + formalNotice.publicity.publicationDecided'],
    ['upToPublicFormalNotice', 'formalNotice.compliance.running + formalNotice.publicity.published'],
    ['upToFormalNoticeElapsed', 'formalNotice.compliance.deadlineElapsed + formalNotice.publicity.notPublic'],
    ['upToOrdinaryInstruction', 'restrictedCommittee.ordinary.instruction'],
    ['upToOrdinaryExchanges', 'restrictedCommittee.ordinary.exchanges'],
    ['upToOrdinaryDeliberation', 'restrictedCommittee.ordinary.deliberation'],
    ['upToSimplifiedInstruction', 'restrictedCommittee.simplified.instruction'],
    ['upToSimplifiedExchanges', 'restrictedCommittee.simplified.exchanges'],
    ['upToSimplifiedDeliberation', 'restrictedCommittee.simplified.deliberation'],
    ['upToSanctionWithoutInjunction', 'sanction.decided'],
    ['upToInjunctionRunning', 'sanction.injunctionRunning'],
    ['upToPenaltyAccruing', 'penaltyLiquidation.accruing'],
    ['upToLiquidationNotified', 'penaltyLiquidation.liquidationNotified'],
    ['upToPenaltyLiquidated', 'penaltyLiquidation.accruing'],
    ['upToPenaltyComplied', 'penaltyLiquidation.complied'],
    ['closed', 'closed'],
  ];

  it('cover every history', () => {
    expect(cases.map(([name]) => name).sort()).toEqual(Object.keys(history).sort());
  });

  it.each(cases)('history.%s() is lawful and ends in %s', (name, state) => {
    given(...history[name]()).thenState(state);
  });
});
