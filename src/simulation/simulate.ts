/**
 * One simulated procedure: a policy drives THE statechart through an `Engine` (engine.ts).
 *
 * The policy keeps an agenda of dated acts. Whenever the case enters a state, it plans what happens
 * next there — a branch drawn with the probabilities of the parameter file, a date drawn from a
 * duration distribution, and data that respects the legal rules (deadlines, caps, periods) — and
 * the earliest act of the agenda is then put to the machine. An act the state no longer accepts
 * (a publication planned before the case closed, say) is dropped; an act the machine refuses by a
 * legal rule is a bug of the policy and throws. The same seed and run index give the same draws,
 * whichever engine runs the machine.
 */
import type { StateValue } from 'xstate';
import type { ProcedureContext } from '../../machines/context.ts';
import { addMonths, type IsoDate, maxDate, minDate } from '../../machines/dates.ts';
import { dayOf, daysFrom as daysBetween, plusDays as addDays } from './days.ts';
import type { CaseClosed, EventType, GdprArticle, Measure, ProcedureEvent } from '../../machines/events.ts';
import { STAGES, type Stage } from '../../machines/procedure.ts';
import { dayAfterTimeLimit } from '../../machines/calendar.ts';
import { fineCap, firstDayAfterResponsePeriod, firstDayToLiquidate, LAW } from '../../machines/rules.ts';
import type { Engine, EngineState } from './engine.ts';
import type { SimulationParams } from './params.ts';
import { bernoulli, branch, draw, drawInt, intBetween, type Rng, runRng, uniform } from './random.ts';

/** How a simulated case ended (or `open` when the horizon came first). */

/** The outcome a closure of a case in context `c` records: what the case went through last. */
export const closureOutcomeOf = (c: ProcedureContext): CaseClosed['data']['outcome'] =>
  c.sanction !== null
    ? 'sanction-executed'
    : c.referral !== null
      ? 'closed-by-rapporteur'
      : c.breachesFound.length > 0
        ? 'closed-after-instruction'
        : 'no-breach';

export const OUTCOMES = [
  'closedAtComplaint',
  'closedAfterInspection',
  'reminder',
  'warning',
  'formalNoticeComplied',
  'closedAfterFormalNotice',
  'closedByRapporteur',
  'dismissed',
  'sanctioned',
  'sanctionAnnulled',
  'open',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

/**
 * A what-if: this act happens on this date if the case then accepts it. Until then, random acts
 * that would make it impossible (an earlier closure, an extension past its date…) are not taken.
 */
export interface Assumption {
  readonly type: EventType;
  readonly on: IsoDate;
}

/** Where runs start: a state of the machine (value + context), and the first date acts may take. */
export interface StartSpec {
  readonly value: StateValue;
  readonly context: ProcedureContext;
  /** Acts are simulated from this date on (a fresh complaint's date, or the day after --as-of). */
  readonly base: IsoDate;
  /** A fresh case: the run records CaseOpened and ComplaintReceived on `base`. */
  readonly fresh: boolean;
  readonly assumptions: readonly Assumption[];
}

/** What happened to an assumption in one run. */
export const ASSUMPTION_STATUS = ['notReached', 'applied', 'notApplicable', 'refused'] as const;

export interface RunResult {
  readonly outcome: Outcome;
  /** Fine finally owed (after appeal), whole euros. */
  readonly fine: number;
  /** Penalties liquidated, whole euros. */
  readonly liquidated: number;
  /** Days from the start to the closure of the case, or -1 when still open. */
  readonly durationDays: number;
  /** Days spent in each stage (STAGES order; `closed` is always 0). */
  readonly stageDays: readonly number[];
  readonly assumptions: readonly (typeof ASSUMPTION_STATUS)[number][];
  readonly events: readonly ProcedureEvent[];
  readonly finalKey: string;
  readonly finalContext: ProcedureContext;
}

/** The policy produced an act the statechart refuses: a bug, never a silent skip. */
export class SimulationError extends Error {
  override readonly name = 'SimulationError';
  constructor(
    readonly event: ProcedureEvent,
    readonly state: string,
    readonly runIndex: number,
    options?: ErrorOptions,
  ) {
    super(`run ${runIndex}: the statechart refused ${event.type} on ${event.data.on} in ${state}`, options);
  }
}

type Track = 'main' | 'publicity' | 'compliance' | 'side' | 'assumed';
type Data = Record<string, unknown>;

interface Item {
  readonly on: IsoDate;
  readonly type: EventType;
  readonly track: Track;
  readonly seq: number;
  /** The act's data (without `on`), from the context when it happens; null = no longer due. */
  readonly data: (context: ProcedureContext, on: IsoDate) => Data | null;
  readonly assumption: number | undefined;
}

interface KeyInfo {
  readonly stage: Stage | null;
  readonly main: string;
  readonly publicity: string | null;
}

const keyInfos = new Map<string, KeyInfo>();
const leaves = (v: StateValue, prefix = ''): string[] =>
  typeof v === 'string'
    ? [`${prefix}${v}`]
    : Object.entries(v).flatMap(([k, child]) =>
        child === undefined ? [`${prefix}${k}`] : leaves(child, `${prefix}${k}.`),
      );

/** Stage, main leaf and publicity leaf of a state key (the same for every engine). */
const infoOf = (key: string): KeyInfo => {
  let info = keyInfos.get(key);
  if (!info) {
    const value = JSON.parse(key) as StateValue;
    const all = leaves(value);
    const top = (all[0] ?? '').split('.')[0] as string;
    info = {
      stage: top === 'unopened' ? null : (top as Stage),
      main: all.find((l) => !l.startsWith('formalNotice.publicity')) ?? '',
      publicity: all.find((l) => l.startsWith('formalNotice.publicity')) ?? null,
    };
    keyInfos.set(key, info);
  }
  return info;
};

const BREACHES: readonly GdprArticle[] = ['5(1)(a)', '6', '12'];
const VENUES = ['legifrance', 'cnil-site'];

interface Run {
  readonly rng: Rng;
  readonly p: SimulationParams['parameters'];
  readonly params: SimulationParams;
  readonly noEu: boolean;
  readonly agenda: Item[];
  seq: number;
  /** When the controller complies with an injunction after its deadline: undefined = not drawn, null = never. */
  complianceOn: IsoDate | null | undefined;
}

const schedule = (
  run: Run,
  track: Track,
  type: EventType,
  on: IsoDate,
  data: Item['data'],
  assumption?: number,
) => {
  run.agenda.push({ on, type, track, seq: run.seq++, data, assumption });
};

const clearTrack = (run: Run, track: Track) => {
  for (let i = run.agenda.length - 1; i >= 0; i--)
    if ((run.agenda[i] as Item).track === track) run.agenda.splice(i, 1);
};

const days = (run: Run, name: keyof SimulationParams['parameters']): number =>
  Math.max(0, drawInt(run.rng, run.p[name] as Parameters<typeof draw>[1]));

const none = (): Data => ({});

const breachesOf = (c: ProcedureContext): GdprArticle[] =>
  c.breachesFound.length > 0 ? [...c.breachesFound] : [...BREACHES];

/** Data of the acts that can also be assumed (--assume): drawn from the run and the context. */
const dataFor = (run: Run, type: EventType): Item['data'] | null => {
  const { rng, p } = run;
  switch (type) {
    case 'FormalNoticeClosed':
    case 'InjunctionComplied':
    case 'FormalNoticeDeadlineElapsed':
    case 'InjunctionDeadlineElapsed':
    case 'HearingHeld':
    case 'ProceedingsDismissed':
      return none;
    case 'ObservationsSubmitted':
      return () => ({ by: 'controller' });
    case 'InspectionOpened':
    case 'InspectionCarriedOut': {
      const method = branch(rng, p['inspection.method'].branches);
      return () => ({ method });
    }
    case 'InspectionCompleted':
      return (c) => ({ breaches: breachesOf(c) });
    case 'WarningIssued':
      return (c) => ({ grounds: breachesOf(c) });
    case 'LegalObligationsReminderIssued':
      return (c) => ({ breaches: breachesOf(c) });
    case 'FormalNoticeIssued': {
      const period = Math.max(LAW.formalNoticeMinimumDays, days(run, 'formalNotice.deadlineDays'));
      return (c, on) => {
        let deadline = addDays(on, period);
        if (on < LAW.decree2022517InForce)
          deadline = minDate(deadline, addMonths(on, LAW.formalNoticeMaximumMonthsBefore2022));
        return {
          reference: `MED-SIM-${c.decisions.length + 1}`,
          breaches: breachesOf(c),
          deadline,
          urgency: false,
        };
      };
    }
    case 'FormalNoticePublicationDecided':
      return () => ({ deliberation: 'MEDP-SIM-1' });
    case 'ReferredToRestrictedCommittee': {
      // One draw whatever the branch, so both engines consume the generator alike.
      const u = uniform(rng);
      return (c, on) => ({
        procedure:
          on >= LAW.decree2022517InForce &&
          u <
            p[
              c.decisions.some((d) => d.kind === 'formalNotice' && d.publishable)
                ? 'referral.simplifiedAfterPublicFormalNotice'
                : 'referral.simplified'
            ].probability
            ? 'simplified'
            : 'ordinary',
        rapporteur: 'Simulated rapporteur',
      });
    }
    case 'ReferredToOrdinaryProcedure':
      return () => ({ rapporteur: 'Simulated commissioner' });
    case 'SanctionReportNotified':
      return (_c, on) => ({ responseDeadline: addMonths(on, LAW.reportResponseMonths) });
    case 'SanctionImposed':
      return sanctionData(run);
    case 'CaseClosed':
      return (c) => ({ outcome: closureOutcomeOf(c) });
    default:
      return null;
  }
};

/** Event types an assumption may name (their data is generated). */
export const ASSUMABLE: readonly EventType[] = [
  'FormalNoticeClosed',
  'InjunctionComplied',
  'FormalNoticeDeadlineElapsed',
  'InjunctionDeadlineElapsed',
  'HearingHeld',
  'ProceedingsDismissed',
  'ObservationsSubmitted',
  'InspectionOpened',
  'InspectionCarriedOut',
  'InspectionCompleted',
  'WarningIssued',
  'LegalObligationsReminderIssued',
  'FormalNoticeIssued',
  'FormalNoticePublicationDecided',
  'ReferredToRestrictedCommittee',
  'ReferredToOrdinaryProcedure',
  'SanctionReportNotified',
  'SanctionImposed',
  'CaseClosed',
];

const sanctionData = (run: Run): Item['data'] => {
  const { rng, p } = run;
  const hasFine = bernoulli(rng, p['sanction.fine'].probability);
  const fineDraw = draw(rng, p['sanction.fineOrdinary']);
  const simplifiedFineDraw = draw(rng, p['sanction.fineSimplified']);
  const hasInjunction = bernoulli(rng, p['sanction.injunction'].probability);
  const deadlineDays = Math.max(1, days(run, 'injunction.deadlineDays'));
  const rate = draw(rng, p['injunction.penaltyPerDayOrdinary']);
  const simplifiedRate = draw(rng, p['injunction.penaltyPerDaySimplified']);
  const isPublic = bernoulli(rng, p['sanction.publicOrdinary'].probability);
  return (c, on) => {
    const simplified = c.referral?.procedure === 'simplified';
    const breaches = breachesOf(c);
    const cap = simplified
      ? LAW.simplifiedFineCap
      : fineCap(breaches, c.controller?.worldwideTurnover ?? null);
    const fine = hasFine
      ? Math.min(cap, Math.max(1, Math.round(simplified ? simplifiedFineDraw : fineDraw)))
      : 0;
    const rateCap = simplified ? LAW.simplifiedPenaltyCapPerDay : LAW.penaltyCapPerDay;
    const penaltyPerDay = Math.min(rateCap, Math.max(1, Math.round(simplified ? simplifiedRate : rate)));
    const measures: Measure[] = [];
    if (fine > 0) measures.push('fine');
    if (hasInjunction) measures.push('injunction');
    if (measures.length === 0) measures.push('reprimand');
    return {
      deliberation: `SAN-SIM-${c.decisions.length + 1}`,
      breaches,
      fine,
      measures,
      ...(hasInjunction
        ? {
            injunction: {
              // One order remedying every breach found: the simulation does not split them.
              orders: [{ order: 'Bring the processing into compliance', breaches }],
              deadline: addDays(on, deadlineDays),
              penaltyPerDay,
            },
          }
        : {}),
      public: !simplified && isPublic,
    };
  };
};

const liquidationNoticeData =
  (share: number): Item['data'] =>
  (c, on) => {
    const inj = c.injunction;
    if (!inj?.delayFrom) return null;
    const periodFrom = c.liquidations.at(-1)?.periodTo ?? inj.delayFrom;
    const periodTo = inj.compliedOn !== null && inj.compliedOn < on ? inj.compliedOn : on;
    if (periodFrom >= periodTo) return null;
    const proposedAmount = Math.floor(inj.penaltyPerDay * daysBetween(periodFrom, periodTo) * share);
    return { proposedAmount, periodFrom, periodTo };
  };

const main = (run: Run, type: EventType, on: IsoDate, data: Item['data'] | null = dataFor(run, type)) =>
  schedule(run, 'main', type, on, data ?? none);

/** Plans the main line of the procedure for a state just entered. */
type Planner = (run: Run, c: ProcedureContext, base: IsoDate, leaf: string) => void;

/** A state whose main line waits on nothing the simulation plans (before the case, after it). */
const nothing: Planner = () => undefined;

/** The rapporteur's instruction, ordinary or simplified: the report, or a closure by the rapporteur. */
const planInstruction: Planner = (run, _c, base, leaf) => {
  const { rng, p } = run;
  const closure = bernoulli(rng, p['referral.closedByRapporteur'].probability)
    ? addDays(base, days(run, 'referral.closedByRapporteurDays'))
    : null;
  // The rapporteur closes a procedure only from décret 2022-517 (D art. 39 as amended).
  if (closure !== null && closure >= LAW.decree2022517InForce)
    main(run, 'CaseClosed', closure, () => ({ outcome: 'closed-by-rapporteur' }));
  else main(run, 'SanctionReportNotified', addDays(base, days(run, 'referral.reportDays')));
  if (leaf.includes('simplified') && bernoulli(rng, p['referral.switchToOrdinary'].probability))
    main(run, 'ReferredToOrdinaryProcedure', addDays(base, days(run, 'referral.switchDays')));
};

/** The exchanges after the report, ordinary or simplified: observations, the session, the decision. */
const planExchanges: Planner = (run, c, base, leaf) => {
  const { rng, p } = run;
  const due = c.report?.responseDeadline ?? base;
  const responseBy = due > base ? due : base;
  const observationsOn = bernoulli(rng, p['exchanges.observationsSubmitted'].probability)
    ? minDate(addDays(base, intBetween(rng, 0, daysBetween(base, responseBy))), responseBy)
    : null;
  const simplified = leaf.includes('simplified');
  // The session and the decision come once the time to answer has run (D art. 40).
  const after = c.report ? firstDayAfterResponsePeriod(c.report) : base;
  const from = after > base ? after : base;
  const hearingOn =
    !simplified || bernoulli(rng, p['simplified.hearingRequested'].probability)
      ? addDays(from, days(run, 'ordinary.hearingDays'))
      : null;
  const decisionOn = hearingOn === null ? addDays(from, days(run, 'simplified.decisionDays')) : null;
  // From Cons. const. n° 2025-1154 QPC the controller is told of its right to remain silent
  // before it speaks (observations, session): the notice comes first, not before 9 Aug 2025.
  const speaks = [observationsOn, hearingOn].filter((d): d is IsoDate => d !== null);
  if (c.silenceNotifiedOn === null && speaks.some((d) => d >= LAW.rightToRemainSilentFrom))
    main(run, 'RightToRemainSilentNotified', maxDate(base, LAW.rightToRemainSilentFrom), none);
  if (observationsOn !== null) main(run, 'ObservationsSubmitted', observationsOn);
  if (hearingOn !== null) main(run, 'HearingHeld', hearingOn);
  if (decisionOn !== null) planDecision(run, decisionOn);
};

/** The deliberation after the session, ordinary or simplified: the decision. */
const planDeliberation: Planner = (run, _c, base) => {
  planDecision(run, addDays(base, days(run, 'ordinary.deliberationDays')));
};

/**
 * The plan of each state of the main line (every leaf of the statechart but the publicity of a
 * formal notice): test/simulation/plans.test.ts checks that the keys are the machine's leaves, so
 * that a state added to the machine cannot end simulated runs without a word.
 */
const PLANS: Readonly<Record<string, Planner>> = {
  unopened: nothing,
  complaint: (run, _c, base) => {
    const { rng, p } = run;
    const b = branch(rng, p['complaint.outcome'].branches);
    if (b === 'closed') {
      const fast = bernoulli(rng, p['complaint.fastTrack'].probability);
      const d = days(run, fast ? 'complaint.fastTrackDays' : 'complaint.instructionDays');
      main(run, 'CaseClosed', addDays(base, d), () => ({
        outcome: fast ? 'complaint-rejected' : 'closed-after-instruction',
      }));
    } else if (b === 'inspection')
      main(run, 'InspectionOpened', addDays(base, days(run, 'complaint.toInspectionDays')));
    else if (b === 'formalNotice')
      main(run, 'FormalNoticeIssued', addDays(base, days(run, 'complaint.toFormalNoticeDays')));
    else main(run, 'ReferredToRestrictedCommittee', addDays(base, days(run, 'complaint.toReferralDays')));
  },
  // Opened on the CNIL's own initiative (a check it decides, the press, mutual assistance): the
  // opening is the President's decision to inspect (LIL art. 19), so the inspection starts.
  'inspection.opened': (run, _c, base) => main(run, 'InspectionOpened', base),
  'inspection.inProgress': (run, _c, base) => {
    const d1 = days(run, 'inspection.carriedOutDays');
    const d2 = days(run, 'inspection.findingsDays');
    main(run, 'InspectionCarriedOut', addDays(base, d1));
    main(run, 'InspectionCompleted', addDays(base, d1 + d2));
  },
  'inspection.findings': (run, _c, base) => {
    const { rng, p } = run;
    const b = branch(rng, p['findings.outcome'].branches);
    const on = addDays(base, days(run, 'findings.decisionDays'));
    if (b === 'closed') main(run, 'CaseClosed', on, () => ({ outcome: 'no-breach' }));
    else if (b === 'reminder') main(run, 'LegalObligationsReminderIssued', on);
    else if (b === 'warning') main(run, 'WarningIssued', on);
    else if (b === 'formalNotice') main(run, 'FormalNoticeIssued', on);
    else main(run, 'ReferredToRestrictedCommittee', on);
  },
  'formalNotice.compliance.running': (run, c, base) => {
    const { rng, p } = run;
    const notice = c.formalNotice;
    if (!notice) return;
    const deadline = notice.deadline;
    if (!notice.extended && bernoulli(rng, p['formalNotice.extension'].probability)) {
      const extra = Math.max(1, days(run, 'formalNotice.extensionDays'));
      if (base <= deadline) {
        const on = addDays(base, intBetween(rng, 0, daysBetween(base, deadline)));
        // Before décret 2022-517 the renewed period could not exceed six months (D art. 38, 2019 version).
        const newDeadline =
          on < LAW.decree2022517InForce
            ? minDate(addDays(deadline, extra), addMonths(deadline, LAW.formalNoticeMaximumMonthsBefore2022))
            : addDays(deadline, extra);
        main(run, 'FormalNoticeDeadlineExtended', on, () => ({ newDeadline }));
        return;
      }
    }
    const inTime = bernoulli(
      rng,
      (run.noEu ? p['formalNotice.complianceInTimeNoEuEstablishment'] : p['formalNotice.complianceInTime'])
        .probability,
    );
    if (inTime && base <= deadline) {
      const u = intBetween(rng, 0, daysBetween(base, deadline));
      main(run, 'FormalNoticeClosed', minDate(addDays(base, u), deadline));
    } else {
      const elapsed = dayAfterTimeLimit(deadline);
      main(run, 'FormalNoticeDeadlineElapsed', elapsed > base ? elapsed : base);
    }
  },
  'formalNotice.compliance.deadlineElapsed': (run, _c, base) => {
    const { rng, p } = run;
    const b = branch(
      rng,
      (run.noEu ? p['formalNotice.afterDeadlineNoEuEstablishment'] : p['formalNotice.afterDeadline'])
        .branches,
    );
    if (b === 'lateClosure')
      main(run, 'FormalNoticeClosed', addDays(base, days(run, 'formalNotice.lateClosureDays')));
    else main(run, 'ReferredToRestrictedCommittee', addDays(base, days(run, 'formalNotice.referralDays')));
  },
  'restrictedCommittee.ordinary.instruction': planInstruction,
  'restrictedCommittee.simplified.instruction': planInstruction,
  'restrictedCommittee.ordinary.exchanges': planExchanges,
  'restrictedCommittee.simplified.exchanges': planExchanges,
  'restrictedCommittee.ordinary.deliberation': planDeliberation,
  'restrictedCommittee.simplified.deliberation': planDeliberation,
  'sanction.decided': (run, _c, base) => {
    main(run, 'CaseClosed', addDays(base, days(run, 'sanction.closureDays')), () => ({
      outcome: 'sanction-executed',
    }));
  },
  'sanction.injunctionRunning': (run, c, base) => {
    const { rng, p } = run;
    const inj = c.injunction;
    if (!inj) return;
    const inTime = bernoulli(
      rng,
      (run.noEu ? p['injunction.complianceInTimeNoEuEstablishment'] : p['injunction.complianceInTime'])
        .probability,
    );
    if (inTime && base <= inj.deadline) {
      const u = intBetween(rng, 0, daysBetween(base, inj.deadline));
      main(run, 'InjunctionComplied', minDate(addDays(base, u), inj.deadline));
    } else {
      const elapsed = addDays(inj.deadline, 1);
      main(run, 'InjunctionDeadlineElapsed', elapsed > base ? elapsed : base);
    }
  },
  'penaltyLiquidation.accruing': (run, c, base) => {
    const { rng, p } = run;
    const inj = c.injunction;
    if (!inj?.delayFrom) return;
    if (run.complianceOn === undefined) {
      const never = bernoulli(
        rng,
        (run.noEu ? p['injunction.neverCompliesNoEuEstablishment'] : p['injunction.neverComplies'])
          .probability,
      );
      const delay = Math.max(1, days(run, 'injunction.lateComplianceDays'));
      run.complianceOn = never ? null : addDays(inj.delayFrom, delay);
      if (run.complianceOn !== null)
        schedule(
          run,
          'compliance',
          'InjunctionComplied',
          run.complianceOn > base ? run.complianceOn : base,
          none,
        );
    }
    planLiquidation(run, c, base);
  },
  'penaltyLiquidation.liquidationNotified': (run, c, base) => {
    const { rng, p } = run;
    const notice = c.liquidationNotice;
    if (!notice) return;
    const d = Math.max(LAW.liquidationObservationDays, days(run, 'liquidation.decisionDays'));
    const earliest = firstDayToLiquidate(notice);
    const drawn = addDays(notice.on, d);
    const on = drawn > earliest ? drawn : earliest;
    const isPublic = bernoulli(rng, p['liquidation.public'].probability);
    main(run, 'PenaltyLiquidated', on > base ? on : base, (ctx) => {
      const n = ctx.liquidationNotice;
      if (!n) return null;
      return {
        deliberation: `SAN-SIM-${ctx.decisions.length + 1}`,
        amount: n.proposedAmount,
        periodFrom: n.periodFrom,
        periodTo: n.periodTo,
        public: ctx.referral?.procedure !== 'simplified' && isPublic,
      };
    });
  },
  'penaltyLiquidation.complied': (run, c, base) => {
    const inj = c.injunction;
    const from = c.liquidations.at(-1)?.periodTo ?? inj?.delayFrom ?? null;
    if (inj?.compliedOn && from !== null && from < inj.compliedOn && planLiquidation(run, c, base)) return;
    main(run, 'CaseClosed', addDays(base, days(run, 'sanction.closureDays')), () => ({
      outcome: 'sanction-executed',
    }));
  },
  closed: nothing,
};

/** The states of the main line the simulation plans (the keys of its plans). */
export const PLANNED_STATES: readonly string[] = Object.keys(PLANS);

const planMain = (run: Run, leaf: string, c: ProcedureContext, base: IsoDate) => {
  const plan = PLANS[leaf];
  if (plan === undefined) throw new RangeError(`the simulation has no plan for the state ${leaf}`);
  plan(run, c, base, leaf);
};

const planDecision = (run: Run, on: IsoDate) => {
  if (bernoulli(run.rng, run.p['decision.dismissal'].probability))
    schedule(run, 'main', 'ProceedingsDismissed', on, none);
  else schedule(run, 'main', 'SanctionImposed', on, sanctionData(run));
};

/** Plans the next liquidation if the committee liquidates; true when one is planned. */
const planLiquidation = (run: Run, c: ProcedureContext, base: IsoDate): boolean => {
  const n = c.liquidations.length;
  if (n >= run.params.run.maxLiquidations) return false;
  if (!bernoulli(run.rng, (n === 0 ? run.p['liquidation.first'] : run.p['liquidation.again']).probability))
    return false;
  const on = addDays(base, days(run, 'liquidation.noticeDays'));
  const share = draw(run.rng, run.p['liquidation.shareOfMaximum']);
  schedule(run, 'main', 'PenaltyLiquidationNotified', on, liquidationNoticeData(share));
  return true;
};

/** Plans the publicity region of a formal notice. */
const planPublicity = (run: Run, leaf: string, c: ProcedureContext, base: IsoDate) => {
  const { rng, p } = run;
  if (leaf === 'formalNotice.publicity.notPublic') {
    if (bernoulli(rng, p['formalNotice.public'].probability))
      schedule(
        run,
        'publicity',
        'FormalNoticePublicationDecided',
        addDays(base, days(run, 'formalNotice.publicationDecidedDays')),
        () => ({
          deliberation: 'MEDP-SIM-1',
        }),
      );
  } else if (leaf === 'formalNotice.publicity.publicationDecided') {
    const reference = c.formalNotice?.reference;
    if (reference)
      schedule(
        run,
        'publicity',
        'DecisionPublished',
        addDays(base, days(run, 'formalNotice.publishedDays')),
        (_c, on) => ({
          reference,
          venue: VENUES,
          anonymiseAfter: addMonths(on, 24),
        }),
      );
  }
};

/** Publication and appeal of a decision just taken (side acts, outside the main line). */
const planDecisionFollowUps = (
  run: Run,
  c: ProcedureContext,
  base: IsoDate,
  reference: string,
  appealable: boolean,
) => {
  const { rng, p } = run;
  const decision = c.decisions.find((d) => d.reference === reference);
  if (!decision) return;
  if (decision.publishable && decision.publishedOn === null)
    schedule(
      run,
      'side',
      'DecisionPublished',
      addDays(base, days(run, 'sanction.publishedDays')),
      (_c, on) => ({
        reference,
        venue: VENUES,
        // A publication ordered as a sanction states when the name disappears (CE 28 Sep 2016
        // n° 389448); two years, as the CNIL's deliberations usually say.
        anonymiseAfter: addMonths(on, 24),
      }),
    );
  if (!appealable || c.appeals.some((a) => a.decision === reference)) return;
  const simplified = c.referral?.procedure === 'simplified';
  if (!bernoulli(rng, (simplified ? p['appeal.simplified'] : p['appeal.ordinary']).probability)) return;
  const on = addDays(decision.on, days(run, 'appeal.lodgedDays'));
  if (on >= base)
    schedule(run, 'side', 'AppealLodged', on, () => ({ decision: reference, court: 'conseil-etat' }));
};

const planAppealDecision = (run: Run, base: IsoDate, decision: string) => {
  const { rng, p } = run;
  const outcome = branch(rng, p['appeal.outcome'].branches);
  const share = draw(rng, p['appeal.reformedShare']);
  schedule(run, 'side', 'AppealDecided', addDays(base, days(run, 'appeal.decisionDays')), (c) => {
    const fine =
      c.sanction?.deliberation === decision
        ? c.sanction.fine
        : (c.liquidations.find((l) => l.deliberation === decision)?.amount ?? 0);
    return { decision, outcome, ...(outcome === 'reformed' ? { fine: Math.floor(fine * share) } : {}) };
  });
};

/** Reactions to a side act or a decision, whatever the state. */
const react = (run: Run, event: ProcedureEvent, c: ProcedureContext) => {
  const on = event.data.on;
  if (event.type === 'SanctionImposed') planDecisionFollowUps(run, c, on, event.data.deliberation, true);
  else if (event.type === 'PenaltyLiquidated')
    planDecisionFollowUps(run, c, on, event.data.deliberation, false);
  else if (event.type === 'AppealLodged') planAppealDecision(run, on, event.data.decision);
};

/** At a fork, the side acts already under way: pending publications and appeals. */
const planSideAtFork = (run: Run, c: ProcedureContext, base: IsoDate) => {
  for (const a of c.appeals) if (a.decidedOn === null) planAppealDecision(run, base, a.decision);
  const sanction = c.sanction;
  if (sanction) planDecisionFollowUps(run, c, base, sanction.deliberation, true);
};

/** Could the pending assumed act `item` be recorded in `state`? (Builders draw nothing: no effect on the run.) */
const possible = <S extends EngineState>(engine: Engine<S>, state: S, item: Item): boolean => {
  if (!engine.accepts(state, item.type)) return false;
  const data = item.data(state.context, item.on);
  return (
    data !== null &&
    engine.step(state, { type: item.type, data: { on: item.on, ...data } } as ProcedureEvent) !== null
  );
};

/** True when going from `state` to `next` makes a pending assumed act (dated on or after `on`) impossible. */
const preventsAssumption = <S extends EngineState>(
  engine: Engine<S>,
  run: Run,
  state: S,
  next: S,
  on: IsoDate,
  status: readonly (typeof ASSUMPTION_STATUS)[number][],
): boolean => {
  for (const item of run.agenda) {
    if (item.assumption === undefined || status[item.assumption] !== 'notReached' || item.on < on) continue;
    if (possible(engine, state, item) && !possible(engine, next, item)) return true;
  }
  return false;
};

const takeNext = (agenda: Item[]): Item | undefined => {
  let best = -1;
  for (let i = 0; i < agenda.length; i++) {
    const a = agenda[i] as Item;
    const b = agenda[best] as Item | undefined;
    if (!b || a.on < b.on || (a.on === b.on && a.seq < b.seq)) best = i;
  }
  return best < 0 ? undefined : agenda.splice(best, 1)[0];
};

const MAX_EVENTS = 1_000;

/** Simulates run `index` of a seed from `start`, driving the machine with `engine`. */
export const simulateRun = <S extends EngineState>(
  engine: Engine<S>,
  startState: S,
  start: StartSpec,
  params: SimulationParams,
  seed: number,
  index: number,
  options: { readonly record?: boolean } = {},
): RunResult => {
  const rng = runRng(seed, index);
  const controller = start.fresh ? params.run.controller : start.context.controller;
  const run: Run = {
    rng,
    p: params.parameters,
    params,
    noEu: controller !== null && !controller.euEstablishment,
    agenda: [],
    seq: 0,
    complianceOn: undefined,
  };
  const horizon = addDays(start.base, params.run.horizonDays);
  const events: ProcedureEvent[] = [];
  const assumptions = start.assumptions.map(() => 'notReached' as (typeof ASSUMPTION_STATUS)[number]);
  start.assumptions.forEach((a, i) =>
    schedule(run, 'assumed', a.type, a.on, dataFor(run, a.type) ?? none, i),
  );

  let state = startState;
  if (start.fresh) {
    const { country, euEstablishment, worldwideTurnover } = params.run.controller;
    schedule(run, 'side', 'CaseOpened', start.base, () => ({
      caseId: 'simulated-case',
      controller: {
        name: 'Simulated controller',
        country,
        euEstablishment,
        ...(worldwideTurnover === undefined ? {} : { worldwideTurnover }),
        // The calibration data are sanctions of undertakings (GDPR art. 83(5): turnover caps).
        kind: 'undertaking',
      },
      origin: 'complaint',
    }));
    schedule(run, 'side', 'ComplaintReceived', start.base, () => ({
      complaintId: 'simulated-complaint',
      complainant: { kind: 'individual', name: 'Simulated complainant' },
      grounds: ['15'],
    }));
  } else {
    const info = infoOf(state.key);
    planMain(run, info.main, state.context, start.base);
    if (info.publicity) planPublicity(run, info.publicity, state.context, start.base);
    planSideAtFork(run, state.context, start.base);
  }

  const stageDays = [0, 0, 0, 0, 0, 0, 0];
  let lastDay = dayOf(start.base);
  let closedBy: EventType | null = null;
  let closedFrom: Stage | null = null;
  let count = 0;
  for (;;) {
    const item = takeNext(run.agenda);
    if (!item || item.on > horizon) break;
    if (!engine.accepts(state, item.type)) {
      if (item.assumption !== undefined) assumptions[item.assumption] = 'notApplicable';
      continue;
    }
    const data = item.data(state.context, item.on);
    if (data === null) continue;
    const event = { type: item.type, data: { on: item.on, ...data } } as ProcedureEvent;
    const next = engine.step(state, event);
    if (
      next !== null &&
      item.assumption === undefined &&
      preventsAssumption(engine, run, state, next, item.on, assumptions)
    )
      continue; // the assumed acts hold: a random act that would make one impossible is not taken
    if (next === null) {
      if (item.assumption !== undefined) {
        assumptions[item.assumption] = 'refused';
        continue;
      }
      throw new SimulationError(event, JSON.stringify(engine.valueOf(state)), index);
    }
    if (item.assumption !== undefined) assumptions[item.assumption] = 'applied';
    if (++count > MAX_EVENTS) throw new SimulationError(event, `more than ${MAX_EVENTS} acts`, index);
    if (options.record) events.push(event);
    const before = infoOf(state.key);
    const after = infoOf(next.key);
    const day = dayOf(item.on);
    if (before.stage !== null && before.stage !== 'closed')
      stageDays[STAGES.indexOf(before.stage)] =
        (stageDays[STAGES.indexOf(before.stage)] ?? 0) + day - lastDay;
    lastDay = day;
    if (after.stage === 'closed' && before.stage !== 'closed') {
      closedBy = item.type;
      closedFrom = before.stage;
    }
    state = next;
    if (after.main !== before.main || item.type === 'FormalNoticeDeadlineExtended') {
      clearTrack(run, 'main');
      planMain(run, after.main, next.context, item.on);
    }
    if (after.publicity !== null && after.publicity !== before.publicity) {
      clearTrack(run, 'publicity');
      planPublicity(run, after.publicity, next.context, item.on);
    }
    react(run, event, next.context);
  }

  const c = state.context;
  const outcome = classify(c, closedBy, closedFrom, infoOf(state.key).stage);
  return {
    outcome,
    fine: c.sanction?.fine ?? 0,
    liquidated: c.liquidations.reduce((s, l) => s + l.amount, 0),
    durationDays: c.closed ? Math.max(0, daysBetween(start.base, c.closed.on)) : -1, // 0: closed before a fork
    stageDays,
    assumptions,
    events,
    finalKey: state.key,
    finalContext: c,
  };
};

const classify = (
  c: ProcedureContext,
  closedBy: EventType | null,
  closedFrom: Stage | null,
  stage: Stage | null,
): Outcome => {
  if (c.sanction) return c.closed?.outcome === 'sanction-annulled' ? 'sanctionAnnulled' : 'sanctioned';
  if (stage !== 'closed') return 'open';
  switch (closedBy) {
    case 'LegalObligationsReminderIssued':
      return 'reminder';
    case 'WarningIssued':
      return 'warning';
    case 'FormalNoticeClosed':
      return 'formalNoticeComplied';
    case 'ProceedingsDismissed':
      return 'dismissed';
    case 'CaseClosed':
      return closedFrom === 'complaint'
        ? 'closedAtComplaint'
        : closedFrom === 'inspection'
          ? 'closedAfterInspection'
          : closedFrom === 'formalNotice'
            ? 'closedAfterFormalNotice'
            : 'closedByRapporteur';
    default:
      // Closed by a fork's history (or an annulment without sanction): the stage it closed in is unknown here.
      return c.closed?.outcome === 'formal-notice-complied'
        ? 'formalNoticeComplied'
        : 'closedAfterFormalNotice';
  }
};
