/**
 * What a simulated case does next: whenever it enters a state, the plan of that state puts on the
 * agenda the acts that may follow (a branch drawn with the probabilities of the parameter file, a
 * date drawn from a duration distribution). The main line has one plan per leaf of the statechart
 * ({@link PLANS}); the publicity of a formal notice, the publication and appeal of decisions, and
 * the opening of a fresh case are planned apart.
 */
import { findDecision, type ProcedureContext } from '../../machines/context.ts';
import { addMonths, type IsoDate, maxDate, minDate } from '../../machines/dates.ts';
import type { EventType, ProcedureEvent } from '../../machines/events.ts';
import { dayAfterTimeLimit } from '../../machines/calendar.ts';
import { firstDayAfterResponsePeriod, firstDayToLiquidate, LAW } from '../../machines/rules.ts';
import type { ActData } from './agenda.ts';
import { daysFrom as daysBetween, plusDays as addDays } from './days.ts';
import {
  type Assumable,
  assumableData,
  days,
  liquidationNoticeData,
  none,
  publicationData,
  type Run,
  sanctionData,
} from './policy.ts';
import { bernoulli, branch, draw, intBetween } from './random.ts';

/** Plans an act of the main line. */
const main = <T extends EventType>(run: Run, type: T, on: IsoDate, data: NoInfer<ActData<T>>): void =>
  run.agenda.schedule('main', type, on, data);

/** Plans an act of the main line whose data is the simulation's own (drawn now). */
const mainAct = (run: Run, type: Assumable, on: IsoDate): void =>
  run.agenda.schedule('main', type, on, assumableData(run, type));

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
  else mainAct(run, 'SanctionReportNotified', addDays(base, days(run, 'referral.reportDays')));
  if (leaf.includes('simplified') && bernoulli(rng, p['referral.switchToOrdinary'].probability))
    mainAct(run, 'ReferredToOrdinaryProcedure', addDays(base, days(run, 'referral.switchDays')));
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
  if (observationsOn !== null) mainAct(run, 'ObservationsSubmitted', observationsOn);
  if (hearingOn !== null) mainAct(run, 'HearingHeld', hearingOn);
  if (decisionOn !== null) planDecision(run, decisionOn);
};

/** The deliberation after the session, ordinary or simplified: the decision. */
const planDeliberation: Planner = (run, _c, base) => {
  planDecision(run, addDays(base, days(run, 'ordinary.deliberationDays')));
};

/** The committee's decision: the proceedings dismissed, or a sanction. */
const planDecision = (run: Run, on: IsoDate): void => {
  if (bernoulli(run.rng, run.p['decision.dismissal'].probability))
    main(run, 'ProceedingsDismissed', on, none);
  else main(run, 'SanctionImposed', on, sanctionData(run));
};

/** Plans the next liquidation if the committee liquidates; true when one is planned. */
const planLiquidation = (run: Run, c: ProcedureContext, base: IsoDate): boolean => {
  const n = c.liquidations.length;
  if (n >= run.params.run.maxLiquidations) return false;
  if (!bernoulli(run.rng, (n === 0 ? run.p['liquidation.first'] : run.p['liquidation.again']).probability))
    return false;
  const on = addDays(base, days(run, 'liquidation.noticeDays'));
  const share = draw(run.rng, run.p['liquidation.shareOfMaximum']);
  main(run, 'PenaltyLiquidationNotified', on, liquidationNoticeData(share));
  return true;
};

/** The closure of a case whose sanction has been carried out. */
const closeOnceExecuted = (run: Run, base: IsoDate): void =>
  main(run, 'CaseClosed', addDays(base, days(run, 'sanction.closureDays')), () => ({
    outcome: 'sanction-executed',
  }));

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
      mainAct(run, 'InspectionOpened', addDays(base, days(run, 'complaint.toInspectionDays')));
    else if (b === 'formalNotice')
      mainAct(run, 'FormalNoticeIssued', addDays(base, days(run, 'complaint.toFormalNoticeDays')));
    else mainAct(run, 'ReferredToRestrictedCommittee', addDays(base, days(run, 'complaint.toReferralDays')));
  },
  // Opened on the CNIL's own initiative (a check it decides, the press, mutual assistance): the
  // opening is the President's decision to inspect (LIL art. 19), so the inspection starts.
  'inspection.opened': (run, _c, base) => mainAct(run, 'InspectionOpened', base),
  'inspection.inProgress': (run, _c, base) => {
    const d1 = days(run, 'inspection.carriedOutDays');
    const d2 = days(run, 'inspection.findingsDays');
    mainAct(run, 'InspectionCarriedOut', addDays(base, d1));
    mainAct(run, 'InspectionCompleted', addDays(base, d1 + d2));
  },
  'inspection.findings': (run, _c, base) => {
    const { rng, p } = run;
    const b = branch(rng, p['findings.outcome'].branches);
    const on = addDays(base, days(run, 'findings.decisionDays'));
    if (b === 'closed') main(run, 'CaseClosed', on, () => ({ outcome: 'no-breach' }));
    else if (b === 'reminder') mainAct(run, 'LegalObligationsReminderIssued', on);
    else if (b === 'warning') mainAct(run, 'WarningIssued', on);
    else if (b === 'formalNotice') mainAct(run, 'FormalNoticeIssued', on);
    else mainAct(run, 'ReferredToRestrictedCommittee', on);
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
      mainAct(run, 'FormalNoticeClosed', minDate(addDays(base, u), deadline));
    } else {
      const elapsed = dayAfterTimeLimit(deadline);
      mainAct(run, 'FormalNoticeDeadlineElapsed', elapsed > base ? elapsed : base);
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
      mainAct(run, 'FormalNoticeClosed', addDays(base, days(run, 'formalNotice.lateClosureDays')));
    else mainAct(run, 'ReferredToRestrictedCommittee', addDays(base, days(run, 'formalNotice.referralDays')));
  },
  'restrictedCommittee.ordinary.instruction': planInstruction,
  'restrictedCommittee.simplified.instruction': planInstruction,
  'restrictedCommittee.ordinary.exchanges': planExchanges,
  'restrictedCommittee.simplified.exchanges': planExchanges,
  'restrictedCommittee.ordinary.deliberation': planDeliberation,
  'restrictedCommittee.simplified.deliberation': planDeliberation,
  'sanction.decided': (run, _c, base) => closeOnceExecuted(run, base),
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
      mainAct(run, 'InjunctionComplied', minDate(addDays(base, u), inj.deadline));
    } else {
      const elapsed = addDays(inj.deadline, 1);
      mainAct(run, 'InjunctionDeadlineElapsed', elapsed > base ? elapsed : base);
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
        run.agenda.schedule(
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
    closeOnceExecuted(run, base);
  },
  closed: nothing,
};

/** The states of the main line the simulation plans (the keys of its plans). */
export const PLANNED_STATES: readonly string[] = Object.keys(PLANS);

/** Plans the main line for the state `leaf` of the main line, just entered on `base`. */
export const planMain = (run: Run, leaf: string, c: ProcedureContext, base: IsoDate): void => {
  const plan = PLANS[leaf];
  if (plan === undefined) throw new RangeError(`the simulation has no plan for the state ${leaf}`);
  plan(run, c, base, leaf);
};

/** Plans the publicity region of a formal notice, for its state `leaf` just entered on `base`. */
export const planPublicity = (run: Run, leaf: string, c: ProcedureContext, base: IsoDate): void => {
  const { rng, p } = run;
  if (leaf === 'formalNotice.publicity.notPublic') {
    if (bernoulli(rng, p['formalNotice.public'].probability))
      run.agenda.schedule(
        'publicity',
        'FormalNoticePublicationDecided',
        addDays(base, days(run, 'formalNotice.publicationDecidedDays')),
        assumableData(run, 'FormalNoticePublicationDecided'),
      );
  } else if (leaf === 'formalNotice.publicity.publicationDecided') {
    const reference = c.formalNotice?.reference;
    if (reference)
      run.agenda.schedule(
        'publicity',
        'DecisionPublished',
        addDays(base, days(run, 'formalNotice.publishedDays')),
        publicationData(reference),
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
): void => {
  const { rng, p } = run;
  const decision = findDecision(c, reference);
  if (!decision) return;
  if (decision.publishable && decision.publishedOn === null)
    run.agenda.schedule(
      'side',
      'DecisionPublished',
      addDays(base, days(run, 'sanction.publishedDays')),
      publicationData(reference),
    );
  if (!appealable || c.appeals.some((a) => a.decision === reference)) return;
  const simplified = c.referral?.procedure === 'simplified';
  if (!bernoulli(rng, (simplified ? p['appeal.simplified'] : p['appeal.ordinary']).probability)) return;
  const on = addDays(decision.on, days(run, 'appeal.lodgedDays'));
  if (on >= base)
    run.agenda.schedule('side', 'AppealLodged', on, () => ({ decision: reference, court: 'conseil-etat' }));
};

/** The court's decision on an appeal lodged against `decision`. */
const planAppealDecision = (run: Run, base: IsoDate, decision: string): void => {
  const { rng, p } = run;
  const outcome = branch(rng, p['appeal.outcome'].branches);
  const share = draw(rng, p['appeal.reformedShare']);
  run.agenda.schedule('side', 'AppealDecided', addDays(base, days(run, 'appeal.decisionDays')), (c) => {
    const fine =
      c.sanction?.deliberation === decision
        ? c.sanction.fine
        : (c.liquidations.find((l) => l.deliberation === decision)?.amount ?? 0);
    return { decision, outcome, ...(outcome === 'reformed' ? { fine: Math.floor(fine * share) } : {}) };
  });
};

/** Reactions to a side act or a decision just recorded, whatever the state. */
export const react = (run: Run, event: ProcedureEvent, c: ProcedureContext): void => {
  const on = event.data.on;
  if (event.type === 'SanctionImposed') planDecisionFollowUps(run, c, on, event.data.deliberation, true);
  else if (event.type === 'PenaltyLiquidated')
    planDecisionFollowUps(run, c, on, event.data.deliberation, false);
  else if (event.type === 'AppealLodged') planAppealDecision(run, on, event.data.decision);
};

/** At a fork, the side acts already under way: pending publications and appeals. */
export const planSideAtFork = (run: Run, c: ProcedureContext, base: IsoDate): void => {
  for (const a of c.appeals) if (a.decidedOn === null) planAppealDecision(run, base, a.decision);
  const sanction = c.sanction;
  if (sanction) planDecisionFollowUps(run, c, base, sanction.deliberation, true);
};

/** A fresh case: opened on a complaint received on `base`, against the parameter file's controller. */
export const planFreshCase = (run: Run, base: IsoDate): void => {
  const { country, euEstablishment, worldwideTurnover } = run.params.run.controller;
  run.agenda.schedule('side', 'CaseOpened', base, () => ({
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
  run.agenda.schedule('side', 'ComplaintReceived', base, () => ({
    complaintId: 'simulated-complaint',
    complainant: { kind: 'individual', name: 'Simulated complainant' },
    grounds: ['15'],
  }));
};
