/**
 * The data a simulated act carries: drawn from the run's generator with the probabilities and
 * durations of the parameter file, and built from the case's context when the act happens, within
 * the legal rules (deadlines, caps, periods). The acts a user may assume (`--assume`) are exactly
 * those whose data the simulation can build alone: the keys of {@link ASSUMABLE_DATA}.
 */
import type { ProcedureContext } from '../../machines/context.ts';
import { addMonths, type IsoDate, minDate } from '../../machines/dates.ts';
import type { CaseClosed, EventType, GdprArticle, Measure } from '../../machines/events.ts';
import { fineCap, LAW } from '../../machines/rules.ts';
import type { ActData, Agenda, DataOf } from './agenda.ts';
import { daysFrom as daysBetween, plusDays as addDays } from './days.ts';
import type { SimulationParams } from './params.ts';
import { bernoulli, branch, draw, drawInt, type Rng, uniform } from './random.ts';

/** The state of one run the policy draws from and plans on. */
export interface Run {
  readonly rng: Rng;
  readonly p: SimulationParams['parameters'];
  readonly params: SimulationParams;
  /** The controller has no establishment in the EU (its compliance is drawn from other figures). */
  readonly noEu: boolean;
  readonly agenda: Agenda;
  /** When the controller complies with an injunction after its deadline: undefined = not drawn, null = never. */
  complianceOn: IsoDate | null | undefined;
}

/** A duration of the parameter file, drawn in whole days (never negative). */
export const days = (run: Run, name: keyof SimulationParams['parameters']): number =>
  Math.max(0, drawInt(run.rng, run.p[name] as Parameters<typeof draw>[1]));

/** The data of an act that carries nothing but its date. */
export const none = (): Record<never, never> => ({});

/** The breaches a simulated decision names when the inspection found none recorded. */
const BREACHES: readonly GdprArticle[] = ['5(1)(a)', '6', '12'];
/** Where a simulated decision is published. */
const VENUES: DataOf<'DecisionPublished'>['venue'] = ['legifrance', 'cnil-site'];

/**
 * The publication of the decision `reference`. A publication states when the name disappears (CE
 * 28 Sep 2016 n° 389448); two years, as the CNIL's deliberations usually say.
 */
export const publicationData =
  (reference: string): ActData<'DecisionPublished'> =>
  (_c, on) => ({ reference, venue: VENUES, anonymiseAfter: addMonths(on, 24) });

const breachesOf = (c: ProcedureContext): GdprArticle[] =>
  c.breachesFound.length > 0 ? [...c.breachesFound] : [...BREACHES];

/** The outcome a closure of a case in context `c` records: what the case went through last. */
export const closureOutcomeOf = (c: ProcedureContext): CaseClosed['data']['outcome'] =>
  c.sanction !== null
    ? 'sanction-executed'
    : c.referral !== null
      ? 'closed-by-rapporteur'
      : c.breachesFound.length > 0
        ? 'closed-after-instruction'
        : 'no-breach';

/**
 * A sanction decision: whether it fines, orders and publishes, all drawn now (whatever the
 * procedure, so that both engines consume the generator alike); the caps of the procedure the case
 * is in apply when it is taken.
 */
export const sanctionData = (run: Run): ActData<'SanctionImposed'> => {
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

/**
 * The notice of a liquidation of the penalties accrued since the last one (or since the injunction's
 * deadline), up to the compliance or the notice's date, for `share` of the maximum.
 */
export const liquidationNoticeData =
  (share: number): ActData<'PenaltyLiquidationNotified'> =>
  (c, on) => {
    const inj = c.injunction;
    if (!inj?.delayFrom) return null;
    const periodFrom = c.liquidations.at(-1)?.periodTo ?? inj.delayFrom;
    const periodTo = inj.compliedOn !== null && inj.compliedOn < on ? inj.compliedOn : on;
    if (periodFrom >= periodTo) return null;
    const proposedAmount = Math.floor(inj.penaltyPerDay * daysBetween(periodFrom, periodTo) * share);
    return { proposedAmount, periodFrom, periodTo };
  };

/** How an inspection is made (on site, online, on documents, by hearing): drawn when planned. */
const inspectionMethod = ({ rng, p }: Run): ActData<'InspectionOpened' | 'InspectionCarriedOut'> => {
  const method = branch(rng, p['inspection.method'].branches);
  return () => ({ method });
};

/**
 * The acts whose data the simulation builds alone, each with how: what it draws when planned, and
 * what it builds from the context when it happens. Their keys are the acts a user may assume.
 */
const ASSUMABLE_DATA = {
  FormalNoticeClosed: () => none,
  InjunctionComplied: () => none,
  FormalNoticeDeadlineElapsed: () => none,
  InjunctionDeadlineElapsed: () => none,
  HearingHeld: () => none,
  ProceedingsDismissed: () => none,
  ObservationsSubmitted: () => () => ({ by: 'controller' }),
  InspectionOpened: (run) => inspectionMethod(run),
  InspectionCarriedOut: (run) => inspectionMethod(run),
  InspectionCompleted: () => (c) => ({ breaches: breachesOf(c) }),
  WarningIssued: () => (c) => ({ grounds: breachesOf(c) }),
  LegalObligationsReminderIssued: () => (c) => ({ breaches: breachesOf(c) }),
  FormalNoticeIssued: (run) => {
    const period = Math.max(LAW.formalNoticeMinimumDays, days(run, 'formalNotice.deadlineDays'));
    return (c, on) => {
      let deadline = addDays(on, period);
      // Before décret 2022-517 the period could not exceed six months (D art. 38, 2019 version).
      if (on < LAW.decree2022517InForce)
        deadline = minDate(deadline, addMonths(on, LAW.formalNoticeMaximumMonthsBefore2022));
      return {
        reference: `MED-SIM-${c.decisions.length + 1}`,
        breaches: breachesOf(c),
        deadline,
        urgency: false,
      };
    };
  },
  FormalNoticePublicationDecided: () => () => ({ deliberation: 'MEDP-SIM-1' }),
  ReferredToRestrictedCommittee: ({ rng, p }) => {
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
  },
  ReferredToOrdinaryProcedure: () => () => ({ rapporteur: 'Simulated commissioner' }),
  SanctionReportNotified: () => (_c, on) => ({ responseDeadline: addMonths(on, LAW.reportResponseMonths) }),
  SanctionImposed: sanctionData,
  CaseClosed: () => (c) => ({ outcome: closureOutcomeOf(c) }),
} satisfies { readonly [T in EventType]?: (run: Run) => ActData<T> };

/** An act a user may assume: its data is built by the simulation. */
export type Assumable = keyof typeof ASSUMABLE_DATA;

/** The event types an assumption may name, in the order the help lists them. */
export const ASSUMABLE = Object.keys(ASSUMABLE_DATA) as readonly Assumable[];

export const isAssumable = (type: string): type is Assumable => Object.hasOwn(ASSUMABLE_DATA, type);

/** The data of an assumable act of type `type`: drawn now, built when it happens. */
export const assumableData = <T extends Assumable>(run: Run, type: T): ActData<T> =>
  (ASSUMABLE_DATA[type] as (run: Run) => ActData<T>)(run);
