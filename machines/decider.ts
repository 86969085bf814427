/**
 * The decider: `decide` asks the statechart whether a fact may be recorded now and says why
 * not; `evolve` folds a recorded fact through the statechart and throws on one it refuses.
 * Both use the machine itself (`transition`, `getNextTransitions`): there is no second model.
 */
import {
  getNextTransitions,
  initialTransition,
  type SnapshotFrom,
  type StateValue,
  transition,
} from 'xstate';
import type { EventType, ProcedureEvent } from './events.ts';
import { type LawfulParams, procedureMachine, type Stage } from './procedure.ts';
import { type RuleId, violations } from './rules.ts';
import { inOneFold } from './transient.ts';

export type ProcedureState = SnapshotFrom<typeof procedureMachine>;

const INITIAL: ProcedureState = initialTransition(procedureMachine)[0];

/** The state of a case before any fact. */
export const initialState = (): ProcedureState => INITIAL;

/** The stage (top-level state) of a case; `null` before it is opened. */
export const stageOf = (state: { readonly value: StateValue }): Stage | null => {
  const value = state.value;
  const top = typeof value === 'string' ? value : Object.keys(value)[0];
  return top === 'unopened' || top === undefined ? null : (top as Stage);
};

/**
 * The paths of the active leaves of a state value, in the value's order:
 * `{ formalNotice: { compliance: 'running', publicity: 'notPublic' } }` →
 * `['formalNotice.compliance.running', 'formalNotice.publicity.notPublic']`. A state with no
 * active child (`undefined` or `{}`) is a leaf.
 */
export const leafPaths = (value: StateValue, prefix = ''): string[] =>
  typeof value === 'string'
    ? [`${prefix}${value}`]
    : Object.entries(value).flatMap(([k, child]) =>
        child === undefined || (typeof child === 'object' && Object.keys(child).length === 0)
          ? [`${prefix}${k}`]
          : leafPaths(child, `${prefix}${k}.`),
      );

/** A readable state path: 'formalNotice.compliance.running + formalNotice.publicity.published'. */
export const describeState = (value: StateValue): string => leafPaths(value).join(' + ');

/** The event types the state has a transition for (whether or not their rules would hold). */
export const acceptedEventTypes = (state: ProcedureState): EventType[] => [
  ...new Set(
    getNextTransitions(state)
      .map((t) => t.eventType)
      .filter((t): t is EventType => !t.startsWith('xstate.') && t !== ''),
  ),
];

export interface TransitionNotAllowed {
  readonly kind: 'TransitionNotAllowed';
  readonly eventType: string;
  readonly stage: Stage | null;
  readonly state: string;
  readonly accepts: readonly EventType[];
  readonly message: string;
}

export interface RuleViolated {
  readonly kind: 'RuleViolated';
  readonly eventType: string;
  readonly stage: Stage | null;
  readonly state: string;
  readonly rule: RuleId;
  readonly basis: string;
  readonly reason: string;
  readonly message: string;
}

/** Why the procedure or the law refuses a fact. A value, not an error. */
export type Refusal = TransitionNotAllowed | RuleViolated;

export type Decision =
  | { readonly accepted: true; readonly events: readonly ProcedureEvent[] }
  | { readonly accepted: false; readonly refusal: Refusal };

const isLawfulGuard = (guard: unknown): guard is { type: 'lawful'; params: LawfulParams } =>
  typeof guard === 'object' && guard !== null && (guard as { type?: unknown }).type === 'lawful';

/** Explains why the machine refuses `event` in `state`. */
export const explainRefusal = (state: ProcedureState, event: ProcedureEvent): Refusal => {
  const stage = stageOf(state);
  const where = describeState(state.value);
  const candidates = getNextTransitions(state).filter((t) => t.eventType === event.type);
  const accepts = acceptedEventTypes(state);
  const ruleIds = [
    ...new Set(candidates.flatMap((t) => (isLawfulGuard(t.guard) ? [...t.guard.params.rules] : []))),
  ] as RuleId[];
  const [first] = violations(state.context, event, ruleIds);
  if (first) {
    const id = first.rule.id as RuleId;
    return {
      kind: 'RuleViolated',
      eventType: event.type,
      stage,
      state: where,
      rule: id,
      basis: first.rule.basis,
      reason: first.reason,
      message: `${event.type} refused by rule ${id} (${first.rule.basis}): ${first.reason}`,
    };
  }
  return {
    kind: 'TransitionNotAllowed',
    eventType: event.type,
    stage,
    state: where,
    accepts,
    message:
      `${event.type} is not allowed in state ${where}` +
      (candidates.length > 0 ? ' with this data' : '') +
      `; it accepts: ${accepts.length > 0 ? accepts.join(', ') : 'nothing'}`,
  };
};

/** May `event` be recorded now? */
export const decide = (state: ProcedureState, event: ProcedureEvent): Decision =>
  state.can(event)
    ? { accepted: true, events: [event] }
    : { accepted: false, refusal: explainRefusal(state, event) };

/** A fact the statechart refuses was found in a history: the history and the law disagree. */
export class ProcedureViolationError extends Error {
  override readonly name = 'ProcedureViolationError';
  constructor(
    readonly refusal: Refusal,
    readonly event: ProcedureEvent,
    options?: ErrorOptions,
  ) {
    super(`${event.type} on ${event.data.on}: ${refusal.message}`, options);
  }
}

/** Folds a recorded fact through the statechart; throws `ProcedureViolationError` if it refuses it. */
export const evolve = (state: ProcedureState, event: ProcedureEvent): ProcedureState => {
  const [next] = transition(procedureMachine, state, event);
  if (next === state) throw new ProcedureViolationError(explainRefusal(state, event), event);
  return next;
};

/**
 * Folds a whole history, in time linear in its length (the context's lists are appended to in
 * place inside the fold: machines/transient.ts). `from` is left as it was.
 */
export const fold = (events: Iterable<ProcedureEvent>, from: ProcedureState = INITIAL): ProcedureState =>
  inOneFold(() => {
    let state = from;
    for (const event of events) state = evolve(state, event);
    return state;
  });
