/**
 * What the statechart remembers about a case besides its state: the data the legal rules and
 * the views need (deadlines, amounts, decisions). `record` is the machine's only action: it
 * folds an accepted event into the context. Pure; the state itself lives in the machine.
 */
import type { IsoDate } from './dates.ts';
import type {
  ControllerKind,
  EventOf,
  EventType,
  GdprArticle,
  Origin,
  Procedure,
  ProcedureEvent,
} from './events.ts';
import { append, findBy, updateBy, upsertBy } from './transient.ts';

export type DecisionKind =
  | 'formalNotice'
  | 'formalNoticeClosure'
  | 'sanction'
  | 'liquidation'
  /** The bureau's deliberation making a formal notice public (e.g. MEDP-2021-002), published with it. */
  | 'publicationDeliberation';

/**
 * A decision the CNIL took in the case (a formal notice, its closure, a sanction, a liquidation, the
 * bureau's deliberation to publish), which may be published, appealed or anonymised. Not to be
 * confused with the decider's `Decision` (machines/decider.ts): whether a fact is accepted.
 */
export interface CaseDecision {
  readonly reference: string;
  readonly kind: DecisionKind;
  readonly on: IsoDate;
  /** True once publication is allowed (bureau deliberation, or a public sanction). */
  readonly publishable: boolean;
  readonly publishedOn: IsoDate | null;
  readonly anonymiseAfter: IsoDate | null;
  /** Why a publication gives no `anonymiseAfter` (DecisionPublished schema version 2). */
  readonly periodNotStated: 'decision-silent' | 'not-verified' | null;
  readonly anonymisedOn: IsoDate | null;
  /** The day the decision reached the controller (DecisionNotified), when recorded. */
  readonly notifiedOn?: IsoDate;
}

export interface Appeal {
  readonly decision: string;
  readonly lodgedOn: IsoDate;
  readonly decidedOn: IsoDate | null;
  readonly outcome: 'rejected' | 'annulled' | 'reformed' | null;
}

export interface Liquidation {
  readonly on: IsoDate;
  readonly deliberation: string;
  readonly amount: number;
  readonly periodFrom: IsoDate;
  readonly periodTo: IsoDate;
}

export interface ProcedureContext {
  readonly caseId: string | null;
  readonly controller: {
    readonly name: string;
    readonly country: string;
    readonly euEstablishment: boolean;
    readonly worldwideTurnover: number | null;
    readonly kind: ControllerKind;
  } | null;
  readonly origin: Origin | null;
  /** Date of the latest act; acts are recorded in date order. */
  readonly lastActOn: IsoDate | null;
  readonly lastEventType: EventType | null;
  readonly complaints: readonly { readonly complaintId: string; readonly on: IsoDate }[];
  /** The persons whose personal data the case holds, and when they were erased (GDPR art. 17). */
  readonly persons: readonly { readonly personId: string; readonly erasedOn: IsoDate | null }[];
  readonly breachesFound: readonly GdprArticle[];
  readonly formalNotice: {
    readonly reference: string;
    readonly on: IsoDate;
    readonly deadline: IsoDate;
    readonly urgency: boolean;
    readonly extended: boolean;
    readonly publicationDeliberation: string | null;
  } | null;
  readonly referral: {
    readonly on: IsoDate;
    readonly procedure: Procedure;
    readonly rapporteur: string;
  } | null;
  /** The injonction de produire of the president of the restricted committee (LIL art. 20 II). */
  readonly productionOrder: {
    readonly on: IsoDate;
    readonly deadline: IsoDate;
    readonly penaltyPerDay: number;
  } | null;
  readonly report: { readonly on: IsoDate; readonly responseDeadline: IsoDate } | null;
  /** Written observations filed since the report, by author (D art. 40). */
  readonly observations: { readonly controller: number; readonly rapporteur: number };
  /** When the right to remain silent was notified (Cons. const. n° 2025-1154 QPC). */
  readonly silenceNotifiedOn: IsoDate | null;
  readonly hearingOn: IsoDate | null;
  readonly sanction: {
    readonly on: IsoDate;
    readonly deliberation: string;
    readonly procedure: Procedure;
    readonly fine: number;
    readonly public: boolean;
  } | null;
  readonly injunction: {
    readonly deadline: IsoDate;
    readonly penaltyPerDay: number;
    /** First day of delay, once the deadline has elapsed. */
    readonly delayFrom: IsoDate | null;
    readonly compliedOn: IsoDate | null;
  } | null;
  readonly liquidationNotice: {
    readonly on: IsoDate;
    readonly proposedAmount: number;
    readonly periodFrom: IsoDate;
    readonly periodTo: IsoDate;
  } | null;
  readonly liquidations: readonly Liquidation[];
  /** What the Conseil d'État took off the fine and the liquidated penalties (reformed or annulled). */
  readonly courtReductions: { readonly fine: number; readonly penalties: number };
  readonly decisions: readonly CaseDecision[];
  readonly appeals: readonly Appeal[];
  readonly closed: { readonly on: IsoDate; readonly outcome: string } | null;
}

export const initialContext: ProcedureContext = {
  caseId: null,
  controller: null,
  origin: null,
  lastActOn: null,
  lastEventType: null,
  complaints: [],
  persons: [],
  breachesFound: [],
  formalNotice: null,
  referral: null,
  productionOrder: null,
  report: null,
  observations: { controller: 0, rapporteur: 0 },
  silenceNotifiedOn: null,
  hearingOn: null,
  sanction: null,
  injunction: null,
  liquidationNotice: null,
  liquidations: [],
  courtReductions: { fine: 0, penalties: 0 },
  decisions: [],
  appeals: [],
  closed: null,
};

const newDecision = (
  reference: string,
  kind: DecisionKind,
  on: IsoDate,
  publishable: boolean,
): CaseDecision => ({
  reference,
  kind,
  on,
  publishable,
  publishedOn: null,
  anonymiseAfter: null,
  periodNotStated: null,
  anonymisedOn: null,
});

const updateDecision = (
  decisions: readonly CaseDecision[],
  reference: string,
  change: (d: CaseDecision) => CaseDecision,
): readonly CaseDecision[] => decisions.map((d) => (d.reference === reference ? change(d) : d));

/** The key of a person of the case. */
export const byPerson = (p: ProcedureContext['persons'][number]): string => p.personId;

/** The person `personId` of the case, if its data were ever held (constant time). */
export const findPerson = (context: ProcedureContext, personId: string) =>
  findBy(context.persons, byPerson, personId);

export const findDecision = (context: ProcedureContext, reference: string): CaseDecision | undefined =>
  context.decisions.find((d) => d.reference === reference);

/**
 * How an accepted event of each type changes the context (already dated by it): one handler per
 * event type, each given the event of its type and its date; the compiler checks that none is
 * missing.
 */
type Recorders = {
  readonly [T in EventType]: (c: ProcedureContext, event: EventOf<T>, on: IsoDate) => ProcedureContext;
};

/** An act that changes the state only (and the date of the latest act, as every act does). */
const unchanged = (c: ProcedureContext): ProcedureContext => c;

/** An act that closes the case, with this outcome. */
const closing =
  (outcome: string) =>
  (c: ProcedureContext, _event: unknown, on: IsoDate): ProcedureContext => ({
    ...c,
    closed: { on, outcome },
  });

/** An act that dates one of the case's decisions, the one its data names. */
const datingDecision =
  (field: 'anonymisedOn' | 'notifiedOn') =>
  (
    c: ProcedureContext,
    event: { readonly data: { readonly reference: string } },
    on: IsoDate,
  ): ProcedureContext => ({
    ...c,
    decisions: updateDecision(c.decisions, event.data.reference, (d) => ({ ...d, [field]: on })),
  });

const RECORDERS: Recorders = {
  CaseOpened: (c, event) => {
    const { name, country, euEstablishment, worldwideTurnover, kind } = event.data.controller;
    return {
      ...c,
      caseId: event.data.caseId,
      controller: { name, country, euEstablishment, worldwideTurnover: worldwideTurnover ?? null, kind },
      origin: event.data.origin,
    };
  },
  ComplaintReceived: (c, event, on) => {
    const { personId } = event.data.complainant;
    return {
      ...c,
      complaints: append(c.complaints, { complaintId: event.data.complaintId, on }),
      // New data of a person erased before are held again, until erased again.
      persons:
        personId === undefined ? c.persons : upsertBy(c.persons, byPerson, { personId, erasedOn: null }),
    };
  },
  PersonalDataErased: (c, event, on) => ({
    ...c,
    persons: updateBy(c.persons, byPerson, event.data.personId, (p) => ({ ...p, erasedOn: on })),
  }),
  InspectionCompleted: (c, event) => ({
    ...c,
    breachesFound: [...new Set([...c.breachesFound, ...event.data.breaches])],
  }),
  FormalNoticeIssued: (c, event, on) => ({
    ...c,
    formalNotice: {
      reference: event.data.reference,
      on,
      deadline: event.data.deadline,
      urgency: event.data.urgency,
      extended: false,
      publicationDeliberation: null,
    },
    decisions: append(c.decisions, newDecision(event.data.reference, 'formalNotice', on, false)),
  }),
  FormalNoticeDeadlineExtended: (c, event) =>
    c.formalNotice
      ? { ...c, formalNotice: { ...c.formalNotice, deadline: event.data.newDeadline, extended: true } }
      : c,
  FormalNoticePublicationDecided: (c, event, on) => {
    const notice = c.formalNotice;
    if (!notice) return c;
    return {
      ...c,
      formalNotice: { ...notice, publicationDeliberation: event.data.deliberation },
      // The deliberation itself is published with the notice (e.g. MEDP-2021-002).
      decisions: [
        ...updateDecision(c.decisions, notice.reference, (d) => ({ ...d, publishable: true })),
        newDecision(event.data.deliberation, 'publicationDeliberation', on, true),
      ],
    };
  },
  DecisionPublished: (c, event, on) => ({
    ...c,
    decisions: updateDecision(c.decisions, event.data.reference, (d) => ({
      ...d,
      publishedOn: on,
      anonymiseAfter: event.data.anonymiseAfter ?? null,
      periodNotStated: event.data.periodNotStated ?? null,
    })),
  }),
  FormalNoticeClosed: (c, event, on) => {
    const notice = c.formalNotice;
    const reference = event.data.reference ?? `${notice?.reference ?? 'formal-notice'}/closure`;
    // The closure of a public formal notice is public too (LIL art. 20 II).
    const closure = newDecision(
      reference,
      'formalNoticeClosure',
      on,
      notice?.publicationDeliberation != null,
    );
    return {
      ...c,
      decisions: append(c.decisions, closure),
      closed: { on, outcome: 'formal-notice-complied' },
    };
  },
  ReferredToRestrictedCommittee: (c, event, on) => ({
    ...c,
    referral: { on, procedure: event.data.procedure, rapporteur: event.data.rapporteur },
  }),
  ReferredToOrdinaryProcedure: (c, event) =>
    c.referral
      ? { ...c, referral: { ...c.referral, procedure: 'ordinary', rapporteur: event.data.rapporteur } }
      : c,
  SanctionReportNotified: (c, event, on) => ({
    ...c,
    report: { on, responseDeadline: event.data.responseDeadline },
    observations: { controller: 0, rapporteur: 0 },
  }),
  ObservationsSubmitted: (c, event) => ({
    ...c,
    observations: { ...c.observations, [event.data.by]: c.observations[event.data.by] + 1 },
  }),
  ProductionOrdered: (c, event, on) => ({
    ...c,
    productionOrder: { on, deadline: event.data.deadline, penaltyPerDay: event.data.penaltyPerDay },
  }),
  RightToRemainSilentNotified: (c, _event, on) => ({ ...c, silenceNotifiedOn: on }),
  HearingHeld: (c, _event, on) => ({ ...c, hearingOn: on }),
  SanctionImposed: (c, event, on) => {
    const { deliberation, fine, injunction } = event.data;
    const procedure = c.referral?.procedure ?? 'ordinary';
    return {
      ...c,
      sanction: { on, deliberation, procedure, fine, public: event.data.public },
      injunction: injunction
        ? {
            deadline: injunction.deadline,
            penaltyPerDay: injunction.penaltyPerDay,
            delayFrom: null,
            compliedOn: null,
          }
        : null,
      decisions: append(c.decisions, newDecision(deliberation, 'sanction', on, event.data.public)),
    };
  },
  ProceedingsDismissed: closing('dismissed'),
  InjunctionDeadlineElapsed: (c, _event, on) =>
    c.injunction ? { ...c, injunction: { ...c.injunction, delayFrom: on } } : c,
  InjunctionComplied: (c, _event, on) =>
    c.injunction ? { ...c, injunction: { ...c.injunction, compliedOn: on } } : c,
  PenaltyLiquidationNotified: (c, event, on) => {
    const { proposedAmount, periodFrom, periodTo } = event.data;
    return { ...c, liquidationNotice: { on, proposedAmount, periodFrom, periodTo } };
  },
  PenaltyLiquidated: (c, event, on) => {
    const { deliberation, amount, periodFrom, periodTo } = event.data;
    return {
      ...c,
      liquidationNotice: null,
      liquidations: append(c.liquidations, { on, deliberation, amount, periodFrom, periodTo }),
      decisions: append(c.decisions, newDecision(deliberation, 'liquidation', on, event.data.public)),
    };
  },
  AppealLodged: (c, event, on) => ({
    ...c,
    appeals: append(c.appeals, {
      decision: event.data.decision,
      lodgedOn: on,
      decidedOn: null,
      outcome: null,
    }),
  }),
  AppealDecided: (c, event, on) => {
    const { decision, outcome, fine } = event.data;
    const appeals = c.appeals.map((a) =>
      a.decision === decision && a.decidedOn === null ? { ...a, decidedOn: on, outcome } : a,
    );
    const liquidated = c.liquidations.find((l) => l.deliberation === decision);
    if (liquidated) {
      const reducedBy = (amount: number) => ({
        ...c.courtReductions,
        penalties: c.courtReductions.penalties + amount,
      });
      // An annulled liquidation is no longer owed (its days may be liquidated again); a reformed
      // one is owed at the amount set by the court.
      if (outcome === 'annulled')
        return {
          ...c,
          appeals,
          liquidations: c.liquidations.filter((l) => l.deliberation !== decision),
          courtReductions: reducedBy(liquidated.amount),
        };
      if (outcome === 'reformed' && fine !== undefined)
        return {
          ...c,
          appeals,
          liquidations: c.liquidations.map((l) => (l.deliberation === decision ? { ...l, amount: fine } : l)),
          courtReductions: reducedBy(liquidated.amount - fine),
        };
      return { ...c, appeals };
    }
    const sanction = c.sanction;
    if (!sanction || sanction.deliberation !== decision || outcome === 'rejected') return { ...c, appeals };
    const fineReducedBy = (amount: number) => ({
      ...c.courtReductions,
      fine: c.courtReductions.fine + amount,
    });
    if (outcome === 'reformed')
      return {
        ...c,
        appeals,
        sanction: { ...sanction, fine: fine ?? sanction.fine },
        courtReductions: fineReducedBy(sanction.fine - (fine ?? sanction.fine)),
      };
    // Annulled: the fine and the injunction fall; the penalty stops on the day of the ruling.
    return {
      ...c,
      appeals,
      sanction: { ...sanction, fine: 0 },
      courtReductions: fineReducedBy(sanction.fine),
      injunction: c.injunction ? { ...c.injunction, compliedOn: c.injunction.compliedOn ?? on } : null,
      closed: { on, outcome: 'sanction-annulled' },
    };
  },
  PublicationAnonymised: datingDecision('anonymisedOn'),
  CaseClosed: (c, event, on) => ({ ...c, closed: { on, outcome: event.data.outcome } }),
  DecisionNotified: datingDecision('notifiedOn'),
  WarningIssued: closing('warning'),
  LegalObligationsReminderIssued: closing('legal-obligations-reminder'),
  InspectionOpened: unchanged,
  InspectionCarriedOut: unchanged,
  FormalNoticeDeadlineElapsed: unchanged,
};

/** Folds an accepted event into the context. */
export const record = (context: ProcedureContext, event: ProcedureEvent): ProcedureContext => {
  const c: ProcedureContext = { ...context, lastActOn: event.data.on, lastEventType: event.type };
  // Each handler receives the event of its own type.
  const recordOf = RECORDERS[event.type] as (
    c: ProcedureContext,
    event: ProcedureEvent,
    on: IsoDate,
  ) => ProcedureContext;
  return recordOf(c, event, event.data.on);
};
