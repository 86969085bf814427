/**
 * The legal rules of the procedure, each with its citation. The statechart uses them as guards
 * (machines/procedure.ts): a transition is taken only if every rule it names is satisfied, and
 * the decider reports the rules that failed. Rules that changed over time apply by the date of
 * the act (`data.on`).
 *
 * Abbreviations: LIL = loi 78-17 « Informatique et Libertés »; D = décret 2019-536; GDPR =
 * Regulation (EU) 2016/679; CJA = Code de justice administrative; CPC = Code de procédure civile.
 */
import { dayAfterTimeLimit, legalDeadline, nextWorkingDay } from './calendar.ts';
import type { CaseDecision, ProcedureContext } from './context.ts';
import { findDecision, findPerson } from './context.ts';
import { addDays, addMonths, daysBetween, type IsoDate } from './dates.ts';
import type { ControllerKind, GdprArticle, ProcedureEvent } from './events.ts';

/** Legal parameters, each with its source. */
export const LAW = {
  /** Décret 2022-517 of 8 Apr 2022 (JO 10 Apr), in force 11 Apr 2022: simplified procedure, no 6-month cap. */
  decree2022517InForce: '2022-04-11' as IsoDate,
  /** GDPR art. 83(5)-(6): 20 M€ or 4 % of worldwide annual turnover, whichever is higher. */
  fineCapUpper: { amount: 20_000_000, turnoverShare: 0.04 },
  /** GDPR art. 83(4): 10 M€ or 2 % for the obligations of arts 8, 11, 25–39, 42, 43. */
  fineCapLower: { amount: 10_000_000, turnoverShare: 0.02 },
  /** LIL art. 20 III: penalty payment up to 100 000 € per day of delay. */
  penaltyCapPerDay: 100_000,
  /** LIL art. 22-1: simplified procedure — fine up to 20 000 €, penalty up to 100 € per day. */
  simplifiedFineCap: 20_000,
  simplifiedPenaltyCapPerDay: 100,
  /** D art. 38: a formal notice gives at least 10 days, unless urgency (down to 24 hours). */
  formalNoticeMinimumDays: 10,
  formalNoticeUrgentMinimumDays: 1,
  /** D art. 38 before décret 2022-517: the period could not exceed 6 months. */
  formalNoticeMaximumMonthsBefore2022: 6,
  /** D art. 40: the controller has one month to answer the rapporteur's report. */
  reportResponseMonths: 1,
  /** D art. 44: 15 days to submit observations on a proposed liquidation. */
  liquidationObservationDays: 15,
  /** CJA art. R421-1: two months to appeal a decision before the Conseil d'État, from its notification. */
  appealMonths: 2,
  /**
   * CJA art. R421-7 (before the Conseil d'État ruling in first and last resort): the time limit of
   * R421-1 is extended by two months for a party residing abroad, by one month for a party residing
   * in an overseas territory listed there.
   */
  appealDistanceMonthsAbroad: 2,
  appealDistanceMonthsOverseas: 1,
  /**
   * D art. 41 (version of 29 May 2019, until 10 Apr 2022): the date of the session reaches the
   * controller at least one month before it.
   */
  convocationMonthsBefore2022: 1,
  /** D art. 40–41 as amended by décret 2022-517 (from 11 Apr 2022): at least fifteen days before. */
  convocationDaysFrom2022: 15,
  /**
   * Loi 2022-52 art. 33 (in force 26 Jan 2022), LIL art. 20 II; D art. 47-1: the president of the
   * restricted committee may order a controller that did not answer a formal notice to produce the
   * information requested, under a penalty of at most 100 € per day of delay.
   */
  productionOrderInForce: '2022-01-26' as IsoDate,
  productionOrderPenaltyCapPerDay: 100,
  /**
   * D art. 40 before décret 2022-517: the controller answers the report, the rapporteur may reply,
   * the controller may answer that reply — at most two sets of observations by the controller and
   * one by the rapporteur. Décret 2022-517 no longer limits the number of exchanges.
   */
  observationsBefore2022: { controller: 2, rapporteur: 1 },
  /**
   * Cons. const. 8 Aug 2025 n° 2025-1154 QPC: the person prosecuted before the restricted committee
   * must be told of their right to remain silent from the publication of the decision (taken as the
   * next day, 9 Aug 2025); acts before it are not reopened.
   */
  rightToRemainSilentFrom: '2025-08-09' as IsoDate,
} as const;

/**
 * CJA R421-7 al. 1: Guadeloupe, Guyane, Martinique, La Réunion, Saint-Barthélemy, Saint-Martin,
 * Mayotte, Saint-Pierre-et-Miquelon, Polynésie française, Wallis-et-Futuna, Nouvelle-Calédonie,
 * Terres australes et antarctiques françaises (their ISO 3166-1 codes).
 */
const OVERSEAS = new Set(['GP', 'GF', 'MQ', 'RE', 'BL', 'MF', 'YT', 'PM', 'PF', 'WF', 'NC', 'TF']);

/**
 * The months CJA R421-7 adds to the time limit for appeal, by the country where the controller
 * resides (its head office, `CaseOpened.controller.country`): 0 in metropolitan France, 1 overseas,
 * 2 abroad.
 */
export const appealDistanceMonths = (country: string | null): number =>
  country === null || country === 'FR'
    ? 0
    : OVERSEAS.has(country)
      ? LAW.appealDistanceMonthsOverseas
      : LAW.appealDistanceMonthsAbroad;

/**
 * The last day to appeal a decision of the case before the Conseil d'État: two months from its
 * notification to the controller (CJA R421-1), plus the distance months of R421-7, moved to the
 * next working day (CPC art. 642). Until a notification is recorded, the decision's own date
 * stands in for it: a notification cannot precede the decision, so this is the earliest the
 * limit can end.
 * Example: SAN-2022-019 (17 Oct 2022), notified 18 Oct 2022 to Clearview AI (US): 18 Feb 2023 is
 * a Saturday, so Monday 20 Feb 2023.
 */
export const appealDeadline = (context: ProcedureContext, decision: CaseDecision): IsoDate =>
  legalDeadline(decision.notifiedOn ?? decision.on, {
    months: LAW.appealMonths + appealDistanceMonths(context.controller?.country ?? null),
  });

/**
 * The first day the restricted committee may hold its session or decide: the day after the time
 * to answer the rapporteur's report has run (D art. 40; CPC art. 642 for its last day).
 */
export const firstDayAfterResponsePeriod = (report: { readonly responseDeadline: IsoDate }): IsoDate =>
  dayAfterTimeLimit(report.responseDeadline);

/**
 * The first day the restricted committee may liquidate a notified penalty: the day after the
 * fifteen days for observations, counted from the notification, have run (D art. 44; CPC art. 641–642).
 * Example: notified Thursday 9 Feb 2023, the period ends Friday 24 Feb: from 25 Feb 2023.
 */
export const firstDayToLiquidate = (notice: { readonly on: IsoDate }): IsoDate =>
  dayAfterTimeLimit(addDays(notice.on, LAW.liquidationObservationDays));

/** GDPR art. 83(4)(a)-(b): breaches of these articles fall under the lower cap. */
const LOWER_TIER_ARTICLES = new Set([8, 11, ...Array.from({ length: 15 }, (_, i) => 25 + i), 42, 43]);

/** GDPR art. 83(4)(c): of art. 41, only the monitoring body's obligations under 41(4) are lower tier. */
const isLowerTier = (article: GdprArticle): boolean =>
  LOWER_TIER_ARTICLES.has(Number.parseInt(article, 10)) || /^41\(4\)/.test(article);

export interface Rule {
  readonly id: string;
  /** The legal basis, cited. */
  readonly basis: string;
  readonly description: string;
  /** Returns why the event breaks the rule, or null when it complies. */
  readonly check: (context: ProcedureContext, event: ProcedureEvent) => string | null;
}

const rule = (id: string, basis: string, description: string, check: Rule['check']): Rule => ({
  id,
  basis,
  description,
  check,
});

const euros = (n: number): string => `${n.toLocaleString('en-US')} €`;

/**
 * The fine cap of GDPR art. 83(4)-(6): the fixed amount, or — for an undertaking only — the
 * turnover share when higher. A controller of `unspecified` kind (records of CaseOpened schema
 * version 1) is taken at its word: a declared worldwide turnover is that of an undertaking.
 */
export const fineCap = (
  breaches: readonly GdprArticle[],
  turnover: number | null,
  kind: ControllerKind = 'unspecified',
): number => {
  const tier = breaches.every(isLowerTier) ? LAW.fineCapLower : LAW.fineCapUpper;
  const undertaking = kind === 'undertaking' || kind === 'unspecified';
  return Math.max(tier.amount, undertaking ? Math.floor((turnover ?? 0) * tier.turnoverShare) : 0);
};

export const RULES = {
  caseIsOpen: rule(
    'caseIsOpen',
    'LIL art. 8, 20',
    'acts are recorded on an opened case that is not closed',
    (c) =>
      c.caseId === null
        ? 'the case has not been opened (record CaseOpened first)'
        : c.closed !== null
          ? `the case was closed on ${c.closed.on} (${c.closed.outcome})`
          : null,
  ),
  chronology: rule(
    'chronology',
    'integrity of the record: an act cannot precede the acts it follows',
    'acts of a case are dated in procedural order',
    (c, e) =>
      c.lastActOn !== null && e.data.on < c.lastActOn
        ? `data.on ${e.data.on} is before the previous act of the case (${c.lastActOn})`
        : null,
  ),
  formalNoticeMinimumPeriod: rule(
    'formalNoticeMinimumPeriod',
    'LIL art. 20 II; D art. 38',
    'a formal notice gives at least 10 days to comply, unless urgency (24 hours)',
    (_c, e) => {
      if (e.type !== 'FormalNoticeIssued') return null;
      const min = e.data.urgency ? LAW.formalNoticeUrgentMinimumDays : LAW.formalNoticeMinimumDays;
      const earliest = addDays(e.data.on, min);
      return e.data.deadline < earliest
        ? `data.deadline ${e.data.deadline} gives less than ${min} day(s) from ${e.data.on}` +
            (e.data.urgency ? '' : ' (set data.urgency only in case of urgency)')
        : null;
    },
  ),
  formalNoticeMaximumPeriodBefore2022: rule(
    'formalNoticeMaximumPeriodBefore2022',
    'D art. 38 (version before décret 2022-517, in force until 10 Apr 2022)',
    'before 11 April 2022 a formal notice could not give more than 6 months',
    (_c, e) => {
      if (e.type !== 'FormalNoticeIssued' || e.data.on >= LAW.decree2022517InForce) return null;
      const latest = addMonths(e.data.on, LAW.formalNoticeMaximumMonthsBefore2022);
      return e.data.deadline > latest
        ? `data.deadline ${e.data.deadline} is more than 6 months after ${e.data.on}, the limit before 11 April 2022`
        : null;
    },
  ),
  formalNoticeExtendedOnce: rule(
    'formalNoticeExtendedOnce',
    'D art. 38; CPC art. 642',
    'the formal notice deadline may be extended once, before it expires, to a later date',
    (c, e) => {
      const notice = c.formalNotice;
      if (e.type !== 'FormalNoticeDeadlineExtended' || !notice) return null;
      if (notice.extended) return `the deadline of ${notice.reference} has already been extended once`;
      const lastDay = nextWorkingDay(notice.deadline);
      if (e.data.on > lastDay)
        return (
          `data.on ${e.data.on} is after the deadline ${notice.deadline}` +
          (lastDay === notice.deadline ? '' : ` (its last day, a working day: ${lastDay})`)
        );
      if (e.data.newDeadline <= notice.deadline)
        return `data.newDeadline ${e.data.newDeadline} is not after the current deadline ${notice.deadline}`;
      return null;
    },
  ),
  formalNoticeExtensionLimitBefore2022: rule(
    'formalNoticeExtensionLimitBefore2022',
    'D art. 38 (version of 29 May 2019, until 10 Apr 2022: « renouvelé une fois dans la même limite »); décret 2005-1309 art. 73 before it',
    'before 11 April 2022 the renewed period of a formal notice could not exceed six months either',
    (c, e) => {
      const notice = c.formalNotice;
      if (e.type !== 'FormalNoticeDeadlineExtended' || !notice || e.data.on >= LAW.decree2022517InForce)
        return null;
      const latest = addMonths(notice.deadline, LAW.formalNoticeMaximumMonthsBefore2022);
      return e.data.newDeadline > latest
        ? `data.newDeadline ${e.data.newDeadline} renews the period for more than 6 months after ${notice.deadline} (at most ${latest}), the limit before 11 April 2022`
        : null;
    },
  ),
  formalNoticeDeadlinePassed: rule(
    'formalNoticeDeadlinePassed',
    'LIL art. 20 II; D art. 38; CPC art. 642',
    'the deadline of a formal notice has elapsed only from the day after it, moved to the next working day',
    (c, e) => {
      if (!c.formalNotice) return null;
      const { deadline } = c.formalNotice;
      const from = dayAfterTimeLimit(deadline);
      return e.data.on < from
        ? `data.on ${e.data.on} is before ${from}, the first day after the deadline ${deadline}` +
            (nextWorkingDay(deadline) === deadline
              ? ''
              : ` (which falls on a non-working day: its last day is ${nextWorkingDay(deadline)})`)
        : null;
    },
  ),
  publicationOfFormalNotice: rule(
    'publicationOfFormalNotice',
    'LIL art. 20 II (publicity decided by the bureau)',
    'a formal notice is published only after the bureau decided it, and once',
    (c, e) => {
      if (e.type !== 'DecisionPublished') return null;
      const notice = c.formalNotice;
      if (!notice || notice.reference !== e.data.reference)
        return `data.reference ${e.data.reference} is not the formal notice of this case`;
      return notice.publicationDeliberation === null
        ? 'the bureau has not decided to publish the formal notice'
        : null;
    },
  ),
  decisionPublishable: rule(
    'decisionPublishable',
    'LIL art. 20 II, 20 III, 22-1; CE 28 Sep 2016 n° 389448',
    'only a decision of the case that may be made public is published, once, with its anonymisation date',
    (c, e) => {
      if (e.type !== 'DecisionPublished') return null;
      const d = findDecision(c, e.data.reference);
      if (!d) return `data.reference ${e.data.reference} is not a decision of this case`;
      if (!d.publishable) {
        if (d.kind === 'formalNotice') return 'the bureau has not decided to publish the formal notice';
        return c.referral?.procedure === 'simplified'
          ? `${d.reference} was not made public (a simplified-procedure decision is never public, LIL art. 22-1)`
          : `${d.reference} was not made public: the restricted committee did not order its publication`;
      }
      if (d.publishedOn) return `${d.reference} was already published on ${d.publishedOn}`;
      if (e.data.on < d.on) return `data.on ${e.data.on} is before the decision (${d.on})`;
      if (e.data.anonymiseAfter !== undefined && e.data.anonymiseAfter <= e.data.on)
        return `data.anonymiseAfter ${e.data.anonymiseAfter} is not after the publication`;
      return null;
    },
  ),
  anonymisationDue: rule(
    'anonymisationDue',
    'CE 28 Sep 2016 n° 389448 (a publication states when it is anonymised)',
    'a publication is anonymised once published and not before its anonymisation date',
    (c, e) => {
      if (e.type !== 'PublicationAnonymised') return null;
      const d = findDecision(c, e.data.reference);
      if (!d?.publishedOn)
        return `data.reference ${e.data.reference} is not a published decision of this case`;
      if (d.anonymisedOn) return `${d.reference} was already anonymised on ${d.anonymisedOn}`;
      if (d.anonymiseAfter && e.data.on < d.anonymiseAfter)
        return `data.on ${e.data.on} is before the anonymisation date ${d.anonymiseAfter}`;
      return null;
    },
  ),
  anonymisationPeriodStated: rule(
    'anonymisationPeriodStated',
    'CE 28 Sep 2016 n° 389448 (a publication ordered as a sanction states how long it names the controller)',
    'a published sanction or liquidation gives its anonymisation date, or says the decision is silent or was not verified; never both',
    (c, e) => {
      if (e.type !== 'DecisionPublished') return null;
      const { anonymiseAfter, periodNotStated } = e.data;
      if (anonymiseAfter !== undefined && periodNotStated !== undefined)
        return 'data.periodNotStated is given with data.anonymiseAfter: give one of them';
      const d = findDecision(c, e.data.reference);
      const ordered = d?.kind === 'sanction' || d?.kind === 'liquidation';
      return ordered && anonymiseAfter === undefined && periodNotStated === undefined
        ? `data.anonymiseAfter is missing: a publication of ${e.data.reference} states when the name disappears (or give data.periodNotStated: 'decision-silent' | 'not-verified')`
        : null;
    },
  ),
  personalDataHeld: rule(
    'personalDataHeld',
    'GDPR art. 17(1); LIL art. 51',
    'erasure applies to the personal data of a person the opened case holds and has not erased',
    (c, e) => {
      if (e.type !== 'PersonalDataErased') return null;
      if (c.caseId === null) return 'the case has not been opened (record CaseOpened first)';
      const person = findPerson(c, e.data.personId);
      if (!person) return `data.personId ${e.data.personId} names no person of this case`;
      if (person.erasedOn !== null)
        return `the personal data of ${e.data.personId} were already erased on ${person.erasedOn}`;
      return null;
    },
  ),
  simplifiedProcedureInForce: rule(
    'simplifiedProcedureInForce',
    'LIL art. 22-1 (loi 2022-52 art. 33); décret 2022-517, in force 11 Apr 2022',
    'the simplified procedure exists only for referrals from 11 April 2022',
    (_c, e) =>
      e.type === 'ReferredToRestrictedCommittee' &&
      e.data.procedure === 'simplified' &&
      e.data.on < LAW.decree2022517InForce
        ? `the simplified procedure is not in force on ${e.data.on} (from ${LAW.decree2022517InForce})`
        : null,
  ),
  decisionNotifiable: rule(
    'decisionNotifiable',
    'CJA art. R421-1; D art. 38, 44 (notification by any means that proves its date)',
    'a decision of the case is notified once (its date comes after the decision: chronology)',
    (c, e) => {
      if (e.type !== 'DecisionNotified') return null;
      const d = findDecision(c, e.data.reference);
      if (!d) return `data.reference ${e.data.reference} is not a decision of this case`;
      if (d.notifiedOn) return `${d.reference} was already notified on ${d.notifiedOn}`;
      return null;
    },
  ),
  responsePeriodHasRun: rule(
    'responsePeriodHasRun',
    'LIL art. 22, 22-1; D art. 40 (ordinary procedure), D art. 45-1 to 45-2 (simplified procedure); CPC art. 642',
    'the restricted committee holds its session and decides only after the time to answer the report has run, in both procedures',
    (c, e) => {
      if (!c.report) return null;
      const from = firstDayAfterResponsePeriod(c.report);
      return e.data.on < from
        ? `data.on ${e.data.on} is within the time to answer the report notified on ${c.report.on} (until ${nextWorkingDay(c.report.responseDeadline)}): the session or decision may take place from ${from}`
        : null;
    },
  ),
  convocationPeriod: rule(
    'convocationPeriod',
    'D art. 41 (version of 29 May 2019: one month); D art. 40–41 as amended by décret 2022-517, from 11 Apr 2022 (fifteen days)',
    'the controller is informed of the session date at least one month before it (fifteen days from 11 April 2022, by the date of the convocation)',
    (_c, e) => {
      if (e.type !== 'HearingHeld' || e.data.convenedOn === undefined) return null;
      const { convenedOn, on } = e.data;
      if (convenedOn > on) return `data.convenedOn ${convenedOn} is after the session (${on})`;
      const before2022 = convenedOn < LAW.decree2022517InForce;
      const earliest = before2022
        ? addMonths(convenedOn, LAW.convocationMonthsBefore2022)
        : addDays(convenedOn, LAW.convocationDaysFrom2022);
      return on < earliest
        ? `the session on ${on} is less than ${before2022 ? 'one month' : 'fifteen days'} after the convocation of ${convenedOn} (at the earliest ${earliest})`
        : null;
    },
  ),
  productionOrderLawful: rule(
    'productionOrderLawful',
    'LIL art. 20 II (loi 2022-52 art. 33, in force 26 Jan 2022); D art. 47-1',
    'an order to produce follows an unanswered formal notice, from 26 January 2022, once, with a later deadline and at most 100 € per day',
    (c, e) => {
      if (e.type !== 'ProductionOrdered') return null;
      if (e.data.on < LAW.productionOrderInForce)
        return `the injonction de produire does not exist on ${e.data.on} (from ${LAW.productionOrderInForce})`;
      if (c.productionOrder) return `an order to produce was already made on ${c.productionOrder.on}`;
      if (e.data.deadline <= e.data.on)
        return `data.deadline ${e.data.deadline} is not after the order (${e.data.on})`;
      return e.data.penaltyPerDay > LAW.productionOrderPenaltyCapPerDay
        ? `data.penaltyPerDay ${euros(e.data.penaltyPerDay)} exceeds ${euros(LAW.productionOrderPenaltyCapPerDay)} per day`
        : null;
    },
  ),
  closureByRapporteurFrom2022: rule(
    'closureByRapporteurFrom2022',
    'D art. 39 as amended by décret 2022-517 (in force 11 Apr 2022)',
    'the rapporteur closes a sanction procedure only from 11 April 2022, and the closure says so',
    (_c, e) => {
      if (e.type !== 'CaseClosed') return null;
      if (e.data.outcome !== 'closed-by-rapporteur')
        return `data.outcome ${e.data.outcome}: during the rapporteur's instruction a case closes as closed-by-rapporteur (or ProceedingsDismissed by the committee)`;
      return e.data.on < LAW.decree2022517InForce
        ? `the rapporteur may close the procedure only from ${LAW.decree2022517InForce} (décret 2022-517); on ${e.data.on} only the restricted committee ends it`
        : null;
    },
  ),
  exchangesLimitedBefore2022: rule(
    'exchangesLimitedBefore2022',
    'D art. 40 before décret 2022-517 (in force until 10 Apr 2022)',
    'before 11 April 2022, the controller files at most two sets of written observations and the rapporteur one',
    (c, e) => {
      if (e.type !== 'ObservationsSubmitted' || e.data.on >= LAW.decree2022517InForce) return null;
      const limit = LAW.observationsBefore2022[e.data.by];
      return c.observations[e.data.by] >= limit
        ? `the ${e.data.by} already filed ${limit} set(s) of observations, the most D art. 40 allowed before ${LAW.decree2022517InForce}`
        : null;
    },
  ),
  rightToRemainSilentNotified: rule(
    'rightToRemainSilentNotified',
    'Cons. const. 8 Aug 2025 n° 2025-1154 QPC (LIL art. 22; Declaration of 1789 art. 9)',
    'from 9 August 2025, the controller is told of its right to remain silent before it files observations or is heard',
    (c, e) => {
      const speaks =
        e.type === 'HearingHeld' || (e.type === 'ObservationsSubmitted' && e.data.by === 'controller');
      if (!speaks || e.data.on < LAW.rightToRemainSilentFrom || c.silenceNotifiedOn !== null) return null;
      return `the right to remain silent was not notified (record RightToRemainSilentNotified first): required from ${LAW.rightToRemainSilentFrom}`;
    },
  ),
  silenceNotifiedOnce: rule(
    'silenceNotifiedOnce',
    'Cons. const. 8 Aug 2025 n° 2025-1154 QPC',
    'the right to remain silent is notified once in the procedure before the restricted committee',
    (c, e) =>
      e.type === 'RightToRemainSilentNotified' && c.silenceNotifiedOn !== null
        ? `the right to remain silent was already notified on ${c.silenceNotifiedOn}`
        : null,
  ),
  reportResponsePeriod: rule(
    'reportResponsePeriod',
    'LIL art. 22; D art. 40',
    'the controller has at least one month to answer the rapporteur’s report',
    (_c, e) => {
      if (e.type !== 'SanctionReportNotified') return null;
      const earliest = addMonths(e.data.on, LAW.reportResponseMonths);
      return e.data.responseDeadline < earliest
        ? `data.responseDeadline ${e.data.responseDeadline} gives less than one month (at least ${earliest})`
        : null;
    },
  ),
  fineCap: rule(
    'fineCap',
    'GDPR art. 83(4)-(6); LIL art. 20 III',
    'a fine is at most 20 M€ or, for an undertaking, 4 % of worldwide turnover (10 M€ or 2 % for art. 83(4) breaches)',
    (c, e) => {
      if (e.type !== 'SanctionImposed') return null;
      const cap = fineCap(e.data.breaches, c.controller?.worldwideTurnover ?? null, c.controller?.kind);
      return e.data.fine > cap ? `data.fine ${euros(e.data.fine)} exceeds the cap of ${euros(cap)}` : null;
    },
  ),
  penaltyCap: rule(
    'penaltyCap',
    'LIL art. 20 III',
    'a penalty payment is at most 100 000 € per day of delay',
    (_c, e) =>
      e.type === 'SanctionImposed' &&
      e.data.injunction &&
      e.data.injunction.penaltyPerDay > LAW.penaltyCapPerDay
        ? `data.injunction.penaltyPerDay ${euros(e.data.injunction.penaltyPerDay)} exceeds ${euros(LAW.penaltyCapPerDay)} per day`
        : null,
  ),
  noFineNorPenaltyAgainstTheState: rule(
    'noFineNorPenaltyAgainstTheState',
    'LIL art. 20 III 2° and 7° (no penalty payment, no administrative fine where the processing is carried out by the State); GDPR art. 83(7)',
    'a sanction against the State orders neither a fine nor a penalty payment',
    (c, e) => {
      if (e.type !== 'SanctionImposed' || c.controller?.kind !== 'state') return null;
      if (e.data.fine > 0)
        return `data.fine ${euros(e.data.fine)}: no administrative fine where the processing is carried out by the State`;
      const penalty = e.data.injunction?.penaltyPerDay ?? 0;
      return penalty > 0
        ? `data.injunction.penaltyPerDay ${euros(penalty)}: no penalty payment where the processing is carried out by the State`
        : null;
    },
  ),
  simplifiedSanctionLimits: rule(
    'simplifiedSanctionLimits',
    'LIL art. 22-1',
    'in the simplified procedure: reprimand, injunction with at most 100 €/day, fine of at most 20 000 €; never public',
    (c, e) => {
      if (e.type !== 'SanctionImposed' || c.referral?.procedure !== 'simplified') return null;
      if (e.data.fine > LAW.simplifiedFineCap)
        return `data.fine ${euros(e.data.fine)} exceeds ${euros(LAW.simplifiedFineCap)}, the cap of the simplified procedure`;
      const penalty = e.data.injunction?.penaltyPerDay ?? 0;
      if (penalty > LAW.simplifiedPenaltyCapPerDay)
        return `data.injunction.penaltyPerDay ${euros(penalty)} exceeds ${euros(LAW.simplifiedPenaltyCapPerDay)} per day, the cap of the simplified procedure`;
      const other = e.data.measures.filter((m) => !['reprimand', 'injunction', 'fine'].includes(m));
      if (other.length > 0)
        return `data.measures ${other.join(', ')} are not available in the simplified procedure`;
      if (e.data.public) return 'data.public: a simplified-procedure decision is never made public';
      return null;
    },
  ),
  sanctionConsistent: rule(
    'sanctionConsistent',
    'LIL art. 20 III',
    'the measures listed match the decision: a fine above zero is listed as a fine, an injunction as an injunction, after the decision',
    (_c, e) => {
      if (e.type !== 'SanctionImposed') return null;
      const { fine, measures, injunction } = e.data;
      if (fine > 0 !== measures.includes('fine'))
        return fine > 0
          ? "data.measures must include 'fine' when data.fine > 0"
          : "data.measures lists 'fine' but data.fine is 0";
      if ((injunction !== undefined) !== measures.includes('injunction'))
        return injunction
          ? "data.measures must include 'injunction' when data.injunction is given"
          : "data.measures lists 'injunction' but data.injunction is missing";
      if (injunction && injunction.deadline <= e.data.on)
        return `data.injunction.deadline ${injunction.deadline} is not after the decision (${e.data.on})`;
      if (measures.length === 0)
        return 'data.measures is empty: a decision without measure is ProceedingsDismissed';
      return null;
    },
  ),
  /**
   * The one exception to the calendar rule (CPC art. 642): the injunction's deadline is not moved
   * when it falls on a non-working day, and the penalty runs from the next calendar day. This is
   * how the restricted committee counted in SAN-2023-005: SAN-2022-019's two months ended on
   * Sunday 18 Dec 2022 and the penalty was liquidated « du 19 décembre 2022 au 9 février 2023 »,
   * 52 days × 100 000 € = 5 200 000 € (docs/legal-sources.md).
   */
  injunctionDeadlinePassed: rule(
    'injunctionDeadlinePassed',
    'LIL art. 20 III; D art. 44; as applied in SAN-2023-005 (a deadline on a Sunday is not moved)',
    'the penalty runs from the day after the injunction deadline (a calendar day, even after a weekend or holiday)',
    (c, e) =>
      c.injunction && e.data.on <= c.injunction.deadline
        ? `data.on ${e.data.on} is not after the injunction deadline ${c.injunction.deadline}`
        : null,
  ),
  complianceBeforeDeadline: rule(
    'complianceBeforeDeadline',
    'LIL art. 20 III; D art. 44',
    'compliance after the injunction deadline is recorded after the deadline has elapsed',
    (c, e) =>
      c.injunction && c.injunction.delayFrom === null && e.data.on > c.injunction.deadline
        ? `data.on ${e.data.on} is after the injunction deadline ${c.injunction.deadline}: record InjunctionDeadlineElapsed first`
        : null,
  ),
  complianceOnce: rule(
    'complianceOnce',
    'LIL art. 20 III; D art. 44',
    'compliance with an injunction is established once: a later date would add days of delay',
    (c, e) =>
      e.type === 'InjunctionComplied' && c.injunction?.compliedOn != null
        ? `the injunction was already complied with on ${c.injunction.compliedOn}`
        : null,
  ),
  liquidationWithinDelay: rule(
    'liquidationWithinDelay',
    'LIL art. 20 III; D art. 44',
    'a liquidation covers days of delay only: after the deadline, before compliance and the act, not twice',
    (c, e) => {
      if (e.type !== 'PenaltyLiquidationNotified' && e.type !== 'PenaltyLiquidated') return null;
      const inj = c.injunction;
      if (!inj?.delayFrom) return 'no penalty is running';
      const { periodFrom, periodTo, on } = e.data;
      if (periodFrom >= periodTo)
        return `data.periodFrom ${periodFrom} is not before data.periodTo ${periodTo}`;
      if (periodFrom < inj.delayFrom)
        return `data.periodFrom ${periodFrom} is before the first day of delay ${inj.delayFrom}`;
      if (periodTo > on)
        return `data.periodTo ${periodTo} is after the act (${on}): only days before it are due`;
      if (inj.compliedOn && periodTo > inj.compliedOn)
        return `data.periodTo ${periodTo} is after compliance on ${inj.compliedOn}`;
      const last = c.liquidations.at(-1);
      if (last && periodFrom < last.periodTo)
        return `data.periodFrom ${periodFrom} overlaps the period already liquidated (until ${last.periodTo})`;
      return null;
    },
  ),
  liquidationCap: rule(
    'liquidationCap',
    'LIL art. 20 III; D art. 44',
    'a liquidated penalty is at most the daily rate times the days of delay',
    (c, e) => {
      if (e.type !== 'PenaltyLiquidationNotified' && e.type !== 'PenaltyLiquidated') return null;
      const rate = c.injunction?.penaltyPerDay ?? 0;
      const days = daysBetween(e.data.periodFrom, e.data.periodTo);
      const amount = e.type === 'PenaltyLiquidated' ? e.data.amount : e.data.proposedAmount;
      const field = e.type === 'PenaltyLiquidated' ? 'data.amount' : 'data.proposedAmount';
      return amount > rate * days
        ? `${field} ${euros(amount)} exceeds ${days} days × ${euros(rate)} = ${euros(rate * days)}`
        : null;
    },
  ),
  liquidationAfterObservations: rule(
    'liquidationAfterObservations',
    'D art. 44 (15 days from the notification for observations on the proposed amount); CPC art. 641–642',
    'the penalty is liquidated after the 15 days for observations have run, within the notified amount and period',
    (c, e) => {
      if (e.type !== 'PenaltyLiquidated') return null;
      const notice = c.liquidationNotice;
      if (!notice) return 'no liquidation has been notified';
      const earliest = firstDayToLiquidate(notice);
      if (e.data.on < earliest)
        return `data.on ${e.data.on} is within the 15 days for observations (notified ${notice.on}, they run until ${addDays(earliest, -1)}): the committee decides from ${earliest}`;
      if (e.data.amount > notice.proposedAmount)
        return `data.amount ${euros(e.data.amount)} exceeds the notified amount ${euros(notice.proposedAmount)}`;
      if (e.data.periodFrom < notice.periodFrom || e.data.periodTo > notice.periodTo)
        return `the period [${e.data.periodFrom}, ${e.data.periodTo}) is outside the notified period [${notice.periodFrom}, ${notice.periodTo})`;
      return null;
    },
  ),
  appealTimeLimit: rule(
    'appealTimeLimit',
    "LIL art. 21; CJA art. R421-1 (2 months from notification, Conseil d'État), R421-7 (+2 months abroad, +1 overseas); CPC art. 642; not suspensive",
    'an appeal is lodged against a decision of the case within two months of its notification (four for a controller residing abroad), once',
    (c, e) => {
      if (e.type !== 'AppealLodged') return null;
      const d = findDecision(c, e.data.decision);
      if (!d || (d.kind !== 'sanction' && d.kind !== 'liquidation' && d.kind !== 'formalNotice'))
        return `data.decision ${e.data.decision} is not a decision of this case that can be appealed`;
      const limit = appealDeadline(c, d);
      if (e.data.on > limit) {
        const distance = appealDistanceMonths(c.controller?.country ?? null);
        return (
          `data.on ${e.data.on} is after the time limit for appeal (${limit}: ${LAW.appealMonths + distance} months from ` +
          (d.notifiedOn
            ? `the notification on ${d.notifiedOn}`
            : `the decision on ${d.on}, no notification being recorded`) +
          ')'
        );
      }
      if (c.appeals.some((a) => a.decision === d.reference))
        return `an appeal against ${d.reference} was already lodged`;
      return null;
    },
  ),
  appealPending: rule(
    'appealPending',
    "LIL art. 21 (Conseil d'État)",
    "the Conseil d'État decides an appeal that was lodged",
    (c, e) => {
      if (e.type !== 'AppealDecided') return null;
      if (!c.appeals.some((a) => a.decision === e.data.decision && a.decidedOn === null))
        return `no pending appeal against ${e.data.decision}`;
      if ((e.data.outcome === 'reformed') !== (e.data.fine !== undefined))
        return 'data.fine is given exactly when data.outcome is reformed';
      if (e.data.fine === undefined) return null;
      // The court may lower what the decision under appeal imposed, never raise it.
      const liquidation = c.liquidations.find((l) => l.deliberation === e.data.decision);
      const underAppeal = liquidation ? liquidation.amount : c.sanction?.fine;
      if (underAppeal !== undefined && e.data.fine > underAppeal)
        return `data.fine ${euros(e.data.fine)} exceeds the ${liquidation ? 'liquidated amount' : 'fine'} under appeal (${euros(underAppeal)})`;
      return null;
    },
  ),
} as const satisfies Record<string, Rule>;

export type RuleId = keyof typeof RULES;

/** The rules of `ids` that the event breaks, with their reasons. */
export const violations = (
  context: ProcedureContext,
  event: ProcedureEvent,
  ids: readonly RuleId[],
): { rule: Rule; reason: string }[] =>
  ids.flatMap((id) => {
    const r = RULES[id];
    const reason = r.check(context, event);
    return reason === null ? [] : [{ rule: r, reason }];
  });
