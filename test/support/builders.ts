/**
 * Builders of every event of the procedure, for one fictional case: Acme SAS (`acme-sas`), a
 * French SAS that ignored an access request, was inspected, received a formal notice, was
 * sanctioned with a fine and an injunction, paid a liquidated penalty and finally complied.
 *
 * Every builder has fixed, realistic defaults, dated along that usual path, so that a sequence
 * of default builders is a lawful history:
 *
 * | date       | fact                                                    |
 * |------------|---------------------------------------------------------|
 * | 2023-01-16 | CaseOpened (origin: complaint)                          |
 * | 2023-01-20 | ComplaintReceived                                       |
 * | 2023-03-01 | InspectionOpened (documentary)                          |
 * | 2023-03-15 | InspectionCarriedOut (questionnaire)                    |
 * | 2023-05-10 | InspectionCompleted (GDPR arts 6, 12, 15, 17)           |
 * | 2023-06-01 | FormalNoticeIssued MED-2023-101, deadline 2023-08-01    |
 * |            | (or WarningIssued / LegalObligationsReminderIssued)     |
 * | 2023-06-12 | FormalNoticePublicationDecided MEDP-2023-004            |
 * | 2023-06-22 | DecisionPublished MED-2023-101 (anonymised 2025-06-22)  |
 * | 2023-07-20 | FormalNoticeDeadlineExtended to 2023-09-01 (alternative)|
 * | 2023-08-02 | FormalNoticeDeadlineElapsed                             |
 * | 2023-08-10 | FormalNoticeClosed (alternative to the referral)        |
 * | 2023-08-16 | ProductionOrdered IP-2023-003, by 2023-08-31, 100 €/day |
 * | 2023-09-04 | ReferredToRestrictedCommittee (ordinary)                |
 * | 2023-10-02 | ReferredToOrdinaryProcedure (from a simplified referral)|
 * | 2023-11-06 | SanctionReportNotified, answer by 2023-12-06            |
 * | 2023-11-06 | RightToRemainSilentNotified (needed from 9 Aug 2025)    |
 * | 2023-12-05 | ObservationsSubmitted (controller)                      |
 * | 2024-01-18 | HearingHeld                                             |
 * | 2024-01-25 | SanctionImposed SAN-2024-001: 150 000 €, injunction by  |
 * |            | 2024-03-25 at 500 €/day, public (or ProceedingsDismissed)|
 * | 2024-01-26 | DecisionNotified SAN-2024-001 (reached the controller)  |
 * | 2024-03-20 | AppealLodged against SAN-2024-001                       |
 * | 2024-03-26 | InjunctionDeadlineElapsed (first day of delay)          |
 * | 2024-05-06 | PenaltyLiquidationNotified: 41 days × 500 € = 20 500 €  |
 * | 2024-06-13 | PenaltyLiquidated SAN-2024-009: 20 500 €                |
 * | 2024-07-01 | InjunctionComplied                                      |
 * | 2024-09-02 | CaseClosed (sanction-executed)                          |
 * | 2025-06-12 | AppealDecided (rejected)                                |
 * | 2025-06-23 | PublicationAnonymised MED-2023-101                      |
 * | 2025-07-01 | PersonalDataErased (the complainant, person-7f3a)       |
 *
 * Each builder takes overrides of its `data` (deep-merged into plain objects; `undefined`
 * removes an optional field) and validates the result with the event's zod schema, so a test
 * never runs on an event the catalogue would refuse. Dates are plain `'YYYY-MM-DD'` strings.
 */
import type { IsoDate } from '../../machines/dates.ts';
import { type EventOf, type EventType, type ProcedureEvent, schemaOf } from '../../machines/events.ts';

// ── Types ────────────────────────────────────────────────────────────────────────────────────

/** An event's data as a test writes it: plain strings instead of branded dates. */
export type Loose<T> = T extends IsoDate
  ? string
  : T extends readonly (infer U)[]
    ? Loose<U>[]
    : T extends object
      ? { [K in keyof T]: Loose<T[K]> }
      : T;

/** Deep-partial overrides; `undefined` removes an optional field. Arrays are replaced whole. */
export type Overrides<T> = {
  [K in keyof T]?:
    | (NonNullable<T[K]> extends readonly unknown[]
        ? T[K]
        : NonNullable<T[K]> extends object
          ? Overrides<NonNullable<T[K]>>
          : T[K])
    | undefined;
};

export type DataOf<T extends EventType> = Loose<EventOf<T>['data']>;
export type Builder<T extends EventType> = (overrides?: Overrides<DataOf<T>>) => EventOf<T>;

// ── The fictional case ───────────────────────────────────────────────────────────────────────

/** References of the acme-sas case, as the default builders use them. */
export const ACME = {
  caseId: 'acme-sas',
  name: 'Acme SAS',
  formalNotice: 'MED-2023-101',
  formalNoticeClosure: 'MED-2023-101-CLOTURE',
  publicationDeliberation: 'MEDP-2023-004',
  rapporteur: 'Hélène Garnier',
  sanction: 'SAN-2024-001',
  simplifiedSanction: 'SAN-2024-002',
  liquidation: 'SAN-2024-009',
} as const;

// ── Building ─────────────────────────────────────────────────────────────────────────────────

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const merge = (
  base: Record<string, unknown>,
  overrides: Record<string, unknown>,
): Record<string, unknown> => {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    const current = out[key];
    out[key] = isPlainObject(value) && isPlainObject(current) ? merge(current, value) : value;
  }
  // An override set to `undefined` removes the field.
  return Object.fromEntries(Object.entries(out).filter(([, value]) => value !== undefined));
};

/** Layers two sets of overrides: like `merge`, but an `undefined` in `top` is kept (it removes a field). */
const layer = (base: Record<string, unknown>, top: Record<string, unknown>): Record<string, unknown> => {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(top)) {
    const current = out[key];
    out[key] = isPlainObject(value) && isPlainObject(current) ? layer(current, value) : value;
  }
  return out;
};

const builder =
  <T extends EventType>(type: T, defaults: DataOf<T>): Builder<T> =>
  (overrides = {}) =>
    schemaOf(type).parse({
      type,
      data: merge(defaults as Record<string, unknown>, overrides as Record<string, unknown>),
    }) as EventOf<T>;

// ── Opening, complaint, inspection ───────────────────────────────────────────────────────────

export const caseOpened = builder('CaseOpened', {
  on: '2023-01-16',
  caseId: ACME.caseId,
  controller: { name: ACME.name, country: 'FR', euEstablishment: true, kind: 'undertaking' },
  origin: 'complaint',
});

export const complaintReceived = builder('ComplaintReceived', {
  on: '2023-01-20',
  complaintId: 'PLT-23-004512',
  complainant: {
    kind: 'individual',
    name: 'Camille Martin',
    personId: 'person-7f3a',
    contact: '12 rue des Lilas, 69003 Lyon',
  },
  grounds: ['15', '17'],
  reference: '23004512',
});

export const inspectionOpened = builder('InspectionOpened', {
  on: '2023-03-01',
  method: 'documentary',
  decisionRef: '2023-045C',
});

export const inspectionCarriedOut = builder('InspectionCarriedOut', {
  on: '2023-03-15',
  method: 'documentary',
  description: 'Questionnaire sent to the controller',
});

export const inspectionCompleted = builder('InspectionCompleted', {
  on: '2023-05-10',
  breaches: ['6', '12', '15', '17'],
  reportRef: 'CTL-2023-045',
});

// ── The President's measures ─────────────────────────────────────────────────────────────────

export const warningIssued = builder('WarningIssued', {
  on: '2023-06-01',
  reference: 'AVT-2023-007',
  grounds: ['6'],
});

export const legalObligationsReminderIssued = builder('LegalObligationsReminderIssued', {
  on: '2023-06-01',
  reference: 'RAP-2023-012',
  breaches: ['12', '15'],
});

export const formalNoticeIssued = builder('FormalNoticeIssued', {
  on: '2023-06-01',
  reference: ACME.formalNotice,
  breaches: ['6', '12', '15', '17'],
  deadline: '2023-08-01',
  urgency: false,
});

export const formalNoticePublicationDecided = builder('FormalNoticePublicationDecided', {
  on: '2023-06-12',
  deliberation: ACME.publicationDeliberation,
});

/** Publication of the formal notice by default; override `reference` and `on` for another decision. */
export const decisionPublished = builder('DecisionPublished', {
  on: '2023-06-22',
  reference: ACME.formalNotice,
  venue: ['legifrance', 'cnil-site'],
  anonymiseAfter: '2025-06-22',
});

export const formalNoticeDeadlineExtended = builder('FormalNoticeDeadlineExtended', {
  on: '2023-07-20',
  newDeadline: '2023-09-01',
});

export const formalNoticeDeadlineElapsed = builder('FormalNoticeDeadlineElapsed', { on: '2023-08-02' });

export const formalNoticeClosed = builder('FormalNoticeClosed', {
  on: '2023-08-10',
  reference: ACME.formalNoticeClosure,
});

/** Injonction de produire after the formal notice went unanswered: 15 days, 100 € per day. */
export const productionOrdered = builder('ProductionOrdered', {
  on: '2023-08-16',
  reference: 'IP-2023-003',
  deadline: '2023-08-31',
  penaltyPerDay: 100,
});

// ── Restricted committee ─────────────────────────────────────────────────────────────────────

export const referredToRestrictedCommittee = builder('ReferredToRestrictedCommittee', {
  on: '2023-09-04',
  procedure: 'ordinary',
  rapporteur: ACME.rapporteur,
});

export const referredToOrdinaryProcedure = builder('ReferredToOrdinaryProcedure', {
  on: '2023-10-02',
  rapporteur: ACME.rapporteur,
});

export const sanctionReportNotified = builder('SanctionReportNotified', {
  on: '2023-11-06',
  responseDeadline: '2023-12-06',
});

/** Notified with the report (Cons. const. n° 2025-1154 QPC). */
export const rightToRemainSilentNotified = builder('RightToRemainSilentNotified', { on: '2023-11-06' });

export const observationsSubmitted = builder('ObservationsSubmitted', { on: '2023-12-05', by: 'controller' });

export const hearingHeld = builder('HearingHeld', { on: '2024-01-18' });

/** An ordinary-procedure sanction: 150 000 € and an injunction at 500 € per day of delay, public. */
export const sanctionImposed = builder('SanctionImposed', {
  on: '2024-01-25',
  deliberation: ACME.sanction,
  breaches: ['6', '12', '15', '17'],
  fine: 150_000,
  measures: ['fine', 'injunction'],
  injunction: {
    orders: [
      {
        order: 'Delete the data of persons in France processed without a legal basis',
        breaches: ['6', '17'],
      },
      { order: 'Answer the pending access requests', breaches: ['12', '15'] },
    ],
    deadline: '2024-03-25',
    penaltyPerDay: 500,
  },
  public: true,
});

/** A simplified-procedure sanction within its limits (LIL art. 22-1): 15 000 €, 100 €/day, not public. */
export const simplifiedSanctionImposed: Builder<'SanctionImposed'> = (overrides = {}) =>
  sanctionImposed(
    layer(
      {
        deliberation: ACME.simplifiedSanction,
        fine: 15_000,
        injunction: { penaltyPerDay: 100 },
        public: false,
      },
      overrides as Record<string, unknown>,
    ) as Overrides<DataOf<'SanctionImposed'>>,
  );

export const proceedingsDismissed = builder('ProceedingsDismissed', {
  on: '2024-01-25',
  deliberation: ACME.sanction,
});

// ── Injunction and penalty ───────────────────────────────────────────────────────────────────

export const injunctionDeadlineElapsed = builder('InjunctionDeadlineElapsed', { on: '2024-03-26' });

/** 41 days of delay, [2024-03-26, 2024-05-06), at 500 €/day. */
export const penaltyLiquidationNotified = builder('PenaltyLiquidationNotified', {
  on: '2024-05-06',
  proposedAmount: 20_500,
  periodFrom: '2024-03-26',
  periodTo: '2024-05-06',
});

export const penaltyLiquidated = builder('PenaltyLiquidated', {
  on: '2024-06-13',
  deliberation: ACME.liquidation,
  amount: 20_500,
  periodFrom: '2024-03-26',
  periodTo: '2024-05-06',
  public: true,
});

export const injunctionComplied = builder('InjunctionComplied', { on: '2024-07-01' });

// ── Appeal, anonymisation, closure ───────────────────────────────────────────────────────────

export const appealLodged = builder('AppealLodged', {
  on: '2024-03-20',
  decision: ACME.sanction,
  court: 'conseil-etat',
});

export const appealDecided = builder('AppealDecided', {
  on: '2025-06-12',
  decision: ACME.sanction,
  ruling: 'CE, 12 juin 2025, n° 493117',
  outcome: 'rejected',
});

export const publicationAnonymised = builder('PublicationAnonymised', {
  on: '2025-06-23',
  reference: ACME.formalNotice,
});

export const personalDataErased = builder('PersonalDataErased', {
  on: '2025-07-01',
  personId: 'person-7f3a',
  ground: 'data-subject-request',
});

export const caseClosed = builder('CaseClosed', { on: '2024-09-02', outcome: 'sanction-executed' });

/** The sanction reached the controller the day after the deliberation. */
export const decisionNotified = builder('DecisionNotified', { on: '2024-01-26', reference: ACME.sanction });

/** One builder per event type (a new event type without a builder does not compile). */
export const BUILDERS: { readonly [T in EventType]: Builder<T> } = {
  CaseOpened: caseOpened,
  ComplaintReceived: complaintReceived,
  InspectionOpened: inspectionOpened,
  InspectionCarriedOut: inspectionCarriedOut,
  InspectionCompleted: inspectionCompleted,
  WarningIssued: warningIssued,
  LegalObligationsReminderIssued: legalObligationsReminderIssued,
  FormalNoticeIssued: formalNoticeIssued,
  FormalNoticeDeadlineExtended: formalNoticeDeadlineExtended,
  FormalNoticePublicationDecided: formalNoticePublicationDecided,
  DecisionPublished: decisionPublished,
  FormalNoticeDeadlineElapsed: formalNoticeDeadlineElapsed,
  FormalNoticeClosed: formalNoticeClosed,
  ProductionOrdered: productionOrdered,
  ReferredToRestrictedCommittee: referredToRestrictedCommittee,
  SanctionReportNotified: sanctionReportNotified,
  RightToRemainSilentNotified: rightToRemainSilentNotified,
  ObservationsSubmitted: observationsSubmitted,
  HearingHeld: hearingHeld,
  ReferredToOrdinaryProcedure: referredToOrdinaryProcedure,
  SanctionImposed: sanctionImposed,
  ProceedingsDismissed: proceedingsDismissed,
  InjunctionDeadlineElapsed: injunctionDeadlineElapsed,
  PenaltyLiquidationNotified: penaltyLiquidationNotified,
  PenaltyLiquidated: penaltyLiquidated,
  InjunctionComplied: injunctionComplied,
  AppealLodged: appealLodged,
  AppealDecided: appealDecided,
  PublicationAnonymised: publicationAnonymised,
  PersonalDataErased: personalDataErased,
  CaseClosed: caseClosed,
  DecisionNotified: decisionNotified,
};

// ── Ready-made histories ─────────────────────────────────────────────────────────────────────

type History = ProcedureEvent[];

const upToComplaint = (): History => [caseOpened(), complaintReceived()];
const upToInspection = (): History => [...upToComplaint(), inspectionOpened(), inspectionCarriedOut()];
const upToFindings = (): History => [...upToInspection(), inspectionCompleted()];
const upToFormalNotice = (): History => [...upToFindings(), formalNoticeIssued()];
const upToPublicationDecided = (): History => [...upToFormalNotice(), formalNoticePublicationDecided()];
const upToPublicFormalNotice = (): History => [...upToPublicationDecided(), decisionPublished()];
const upToFormalNoticeElapsed = (): History => [...upToFormalNotice(), formalNoticeDeadlineElapsed()];
const upToOrdinaryInstruction = (): History => [
  ...upToFormalNoticeElapsed(),
  referredToRestrictedCommittee(),
];
const upToOrdinaryExchanges = (): History => [...upToOrdinaryInstruction(), sanctionReportNotified()];
const upToOrdinaryDeliberation = (): History => [
  ...upToOrdinaryExchanges(),
  observationsSubmitted(),
  hearingHeld(),
];
const upToSimplifiedInstruction = (): History => [
  ...upToFormalNoticeElapsed(),
  referredToRestrictedCommittee({ procedure: 'simplified' }),
];
const upToSimplifiedExchanges = (): History => [...upToSimplifiedInstruction(), sanctionReportNotified()];
const upToSimplifiedDeliberation = (): History => [...upToSimplifiedExchanges(), hearingHeld()];
const upToSanctionWithoutInjunction = (): History => [
  ...upToOrdinaryDeliberation(),
  sanctionImposed({ measures: ['fine'], injunction: undefined }),
];
const upToInjunctionRunning = (): History => [...upToOrdinaryDeliberation(), sanctionImposed()];
const upToPenaltyAccruing = (): History => [...upToInjunctionRunning(), injunctionDeadlineElapsed()];
const upToLiquidationNotified = (): History => [...upToPenaltyAccruing(), penaltyLiquidationNotified()];
const upToPenaltyLiquidated = (): History => [...upToLiquidationNotified(), penaltyLiquidated()];
const upToPenaltyComplied = (): History => [...upToPenaltyLiquidated(), injunctionComplied()];

/**
 * Lawful histories of acme-sas, each ending in the state its name says. Each call returns
 * fresh events.
 */
export const history = {
  /** `complaint`: the case is opened on a complaint. */
  opened: (): History => [caseOpened()],
  /** `complaint`, with the complaint received. */
  upToComplaint,
  /** `inspection.inProgress`: decided and questionnaire sent. */
  upToInspection,
  /** `inspection.findings`: breaches of GDPR arts 6, 12, 15, 17 established. */
  upToFindings,
  /** `formalNotice.compliance.running + formalNotice.publicity.notPublic`. */
  upToFormalNotice,
  /** `formalNotice.compliance.running + formalNotice.publicity.publicationDecided`. */
  upToPublicationDecided,
  /** `formalNotice.compliance.running + formalNotice.publicity.published`. */
  upToPublicFormalNotice,
  /** `formalNotice.compliance.deadlineElapsed + formalNotice.publicity.notPublic`. */
  upToFormalNoticeElapsed,
  /** `restrictedCommittee.ordinary.instruction`. */
  upToOrdinaryInstruction,
  /** `restrictedCommittee.ordinary.exchanges`: report notified. */
  upToOrdinaryExchanges,
  /** `restrictedCommittee.ordinary.deliberation`: observations filed, session held. */
  upToOrdinaryDeliberation,
  /** `restrictedCommittee.simplified.instruction`. */
  upToSimplifiedInstruction,
  /** `restrictedCommittee.simplified.exchanges`: report notified. */
  upToSimplifiedExchanges,
  /** `restrictedCommittee.simplified.deliberation`: hearing held at the party's request. */
  upToSimplifiedDeliberation,
  /** `sanction.decided`: a 150 000 € fine without injunction. */
  upToSanctionWithoutInjunction,
  /** `sanction.injunctionRunning`: fine and injunction (deadline 2024-03-25, 500 €/day). */
  upToInjunctionRunning,
  /** `penaltyLiquidation.accruing`: first day of delay 2024-03-26. */
  upToPenaltyAccruing,
  /** `penaltyLiquidation.liquidationNotified`: 20 500 € proposed for [2024-03-26, 2024-05-06). */
  upToLiquidationNotified,
  /** `penaltyLiquidation.accruing`: 20 500 € liquidated on 2024-06-13. */
  upToPenaltyLiquidated,
  /** `penaltyLiquidation.complied`: compliance on 2024-07-01. */
  upToPenaltyComplied,
  /** `closed`: the sanction executed. */
  closed: (): History => [...upToPenaltyComplied(), caseClosed()],
} as const;
