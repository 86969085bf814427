/**
 * One simulated procedure: a policy drives THE statechart through an `Engine` (engine.ts).
 *
 * The run keeps an agenda of dated acts (agenda.ts). Whenever the case enters a state, the plan of
 * that state (plans.ts) puts on it what may happen next, with data that respects the legal rules
 * (policy.ts); the earliest act of the agenda is then put to the machine. An act the state no
 * longer accepts (a publication planned before the case closed, say) is dropped; an act the
 * machine refuses by a legal rule is a bug of the policy and throws. The same seed and run index
 * give the same draws, whichever engine runs the machine.
 */
import type { StateValue } from 'xstate';
import type { ProcedureContext } from '../../machines/context.ts';
import type { IsoDate } from '../../machines/dates.ts';
import { leafPaths } from '../../machines/decider.ts';
import type { EventType, ProcedureEvent } from '../../machines/events.ts';
import { STAGES, type Stage } from '../../machines/procedure.ts';
import { liquidatedTotal } from '../../projections/penalty.ts';
import { type Agenda, type AgendaItem, createAgenda } from './agenda.ts';
import { dayOf, daysFrom as daysBetween, plusDays as addDays } from './days.ts';
import type { Engine, EngineState } from './engine.ts';
import type { SimulationParams } from './params.ts';
import { planFreshCase, planMain, planPublicity, planSideAtFork, react } from './plans.ts';
import { type Assumable, assumableData, type Run } from './policy.ts';
import { runRng } from './random.ts';

/** How a simulated case ended (or `open` when the horizon came first). */
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
  readonly type: Assumable;
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
type AssumptionStatus = (typeof ASSUMPTION_STATUS)[number];

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
  readonly assumptions: readonly AssumptionStatus[];
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

/** What the run needs of a state: its stage, its main-line leaf and its publicity leaf. */
interface KeyInfo {
  readonly stage: Stage | null;
  readonly main: string;
  readonly publicity: string | null;
}

const keyInfos = new Map<string, KeyInfo>();
const PUBLICITY = 'formalNotice.publicity';

/** Stage, main leaf and publicity leaf of a state key (the same for every engine). */
const infoOf = (key: string): KeyInfo => {
  let info = keyInfos.get(key);
  if (!info) {
    const leaves = leafPaths(JSON.parse(key) as StateValue);
    const top = (leaves[0] ?? '').split('.')[0] as string;
    info = {
      stage: top === 'unopened' ? null : (top as Stage),
      main: leaves.find((l) => !l.startsWith(PUBLICITY)) ?? '',
      publicity: leaves.find((l) => l.startsWith(PUBLICITY)) ?? null,
    };
    keyInfos.set(key, info);
  }
  return info;
};

/** The event an act of the agenda makes, or null when its data says it is no longer due. */
const eventOf = (item: AgendaItem, context: ProcedureContext): ProcedureEvent | null => {
  const data = item.data(context, item.on);
  // The data was typed for `item.type` when the act was planned (Agenda.schedule).
  return data === null ? null : ({ type: item.type, data: { on: item.on, ...data } } as ProcedureEvent);
};

/** Could the pending act `item` be recorded in `state`? (Data builders draw nothing: no effect on the run.) */
const possible = <S extends EngineState>(engine: Engine<S>, state: S, item: AgendaItem): boolean => {
  if (!engine.accepts(state, item.type)) return false;
  const event = eventOf(item, state.context);
  return event !== null && engine.step(state, event) !== null;
};

/** True when going from `state` to `next` makes a pending assumed act (dated on or after `on`) impossible. */
const preventsAssumption = <S extends EngineState>(
  engine: Engine<S>,
  agenda: Agenda,
  state: S,
  next: S,
  on: IsoDate,
  status: readonly AssumptionStatus[],
): boolean => {
  for (const item of agenda.items()) {
    if (item.assumption === undefined || status[item.assumption] !== 'notReached' || item.on < on) continue;
    if (possible(engine, state, item) && !possible(engine, next, item)) return true;
  }
  return false;
};

/** A case with more acts than this is a loop of the policy. */
const MAX_EVENTS = 1_000;

/** One run to simulate. */
export interface RunRequest<S extends EngineState> {
  /** The engine that runs the statechart. */
  readonly engine: Engine<S>;
  /** Where the run starts, and its state in `engine`. */
  readonly start: StartSpec;
  readonly from: S;
  readonly params: SimulationParams;
  /** The seed and the run's index: the run's draws depend on them only. */
  readonly seed: number;
  readonly index: number;
  /** Keep the acts recorded (`RunResult.events`); otherwise that list is empty. */
  readonly record?: boolean;
}

/** Simulates run `index` of a seed from `start`, driving the machine with `engine`. */
export const simulateRun = <S extends EngineState>({
  engine,
  start,
  from,
  params,
  seed,
  index,
  record = false,
}: RunRequest<S>): RunResult => {
  const controller = start.fresh ? params.run.controller : start.context.controller;
  const run: Run = {
    rng: runRng(seed, index),
    p: params.parameters,
    params,
    noEu: controller !== null && !controller.euEstablishment,
    agenda: createAgenda(),
    complianceOn: undefined,
  };
  const { agenda } = run;
  const horizon = addDays(start.base, params.run.horizonDays);
  const events: ProcedureEvent[] = [];
  const assumptions = start.assumptions.map((): AssumptionStatus => 'notReached');
  start.assumptions.forEach((a, i) =>
    agenda.schedule('assumed', a.type, a.on, assumableData(run, a.type), i),
  );

  let state = from;
  if (start.fresh) planFreshCase(run, start.base);
  else {
    const info = infoOf(state.key);
    planMain(run, info.main, state.context, start.base);
    if (info.publicity) planPublicity(run, info.publicity, state.context, start.base);
    planSideAtFork(run, state.context, start.base);
  }

  const stageDays = STAGES.map(() => 0);
  let lastDay = dayOf(start.base);
  let closedBy: EventType | null = null;
  let closedFrom: Stage | null = null;
  let count = 0;
  for (;;) {
    const item = agenda.takeNext();
    if (!item || item.on > horizon) break;
    if (!engine.accepts(state, item.type)) {
      if (item.assumption !== undefined) assumptions[item.assumption] = 'notApplicable';
      continue;
    }
    const event = eventOf(item, state.context);
    if (event === null) continue;
    const next = engine.step(state, event);
    if (
      next !== null &&
      item.assumption === undefined &&
      preventsAssumption(engine, agenda, state, next, item.on, assumptions)
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
    if (record) events.push(event);
    const before = infoOf(state.key);
    const after = infoOf(next.key);
    const day = dayOf(item.on);
    if (before.stage !== null && before.stage !== 'closed') {
      const stage = STAGES.indexOf(before.stage);
      stageDays[stage] = (stageDays[stage] ?? 0) + day - lastDay;
    }
    lastDay = day;
    if (after.stage === 'closed' && before.stage !== 'closed') {
      closedBy = item.type;
      closedFrom = before.stage;
    }
    state = next;
    if (after.main !== before.main || item.type === 'FormalNoticeDeadlineExtended') {
      agenda.clear('main');
      planMain(run, after.main, next.context, item.on);
    }
    if (after.publicity !== null && after.publicity !== before.publicity) {
      agenda.clear('publicity');
      planPublicity(run, after.publicity, next.context, item.on);
    }
    react(run, event, next.context);
  }

  const c = state.context;
  return {
    outcome: classify(c, closedBy, closedFrom, infoOf(state.key).stage),
    fine: c.sanction?.fine ?? 0,
    liquidated: liquidatedTotal(c),
    durationDays: c.closed ? Math.max(0, daysBetween(start.base, c.closed.on)) : -1, // 0: closed before a fork
    stageDays,
    assumptions,
    events,
    finalKey: state.key,
    finalContext: c,
  };
};

/** The outcome of a run: how the case closed (the act, the stage it closed from), or `open`. */
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
