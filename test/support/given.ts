/**
 * Given/when/then specifications over the decider (machines/decider.ts). Pure: no store, no I/O.
 *
 * ```ts
 * it('a formal notice after inspection findings moves the case to formalNotice', () =>
 *   given(...history.upToFindings())
 *     .when(formalNoticeIssued())
 *     .thenState('formalNotice.compliance.running'));
 *
 * it('refuses a fine above 20 M€ (GDPR art. 83(5))', () =>
 *   given(...history.upToOrdinaryDeliberation())
 *     .when(sanctionImposed({ fine: 20_000_001 }))
 *     .thenRefused('fineCap'));
 * ```
 *
 * `given` folds its events with `fold`, which throws on an unlawful history: a specification
 * never starts from a state the law forbids. `when` asks `decide`; the `then…` assertions
 * return values (the next state, the refusal) so that a test can be a single expression, and an
 * accepted outcome can go on with `.when(…)`.
 */
import { createActor } from 'xstate';
import type { ProcedureContext } from '../../machines/context.ts';
import {
  type Decision,
  decide,
  describeState,
  evolve,
  fold,
  ProcedureViolationError,
  type ProcedureState,
  type Refusal,
  type RuleViolated,
  stageOf,
  type TransitionNotAllowed,
} from '../../machines/decider.ts';
import type { EventType, ProcedureEvent } from '../../machines/events.ts';
import { procedureMachine, type Stage } from '../../machines/procedure.ts';
import type { RuleId } from '../../machines/rules.ts';
import { expect } from 'vitest';

// ── Transitions of the statechart ────────────────────────────────────────────────────────────

/** What this module reads of an XState transition definition. */
interface AnyTransition {
  readonly eventType: string;
  readonly source: { readonly id: string };
  readonly target?: readonly { readonly id: string }[] | undefined;
}

const ROOT = procedureMachine.id;
const shortId = (id: string): string => (id === ROOT ? '(root)' : id.slice(ROOT.length + 1));

/**
 * A readable key of a transition of the statechart:
 * `'complaint: InspectionOpened → inspection'`, `'inspection.inProgress: InspectionCarriedOut'`
 * (no target: the case stays in its state), `'sanction.decided: (always) → sanction.injunctionRunning'`.
 */
export const transitionKey = (t: AnyTransition): string => {
  const event = t.eventType === '' ? '(always)' : t.eventType;
  const targets = (t.target ?? []).map((n) => shortId(n.id));
  return `${shortId(t.source.id)}: ${event}${targets.length > 0 ? ` → ${targets.join(', ')}` : ''}`;
};

interface WalkedNode {
  readonly transitions: ReadonlyMap<string, readonly AnyTransition[]>;
  readonly always?: readonly AnyTransition[] | undefined;
  readonly states: Readonly<Record<string, WalkedNode>>;
}

/** Every transition of the statechart (event-driven and eventless), as keys. */
export const allTransitions = (): string[] => {
  const keys: string[] = [];
  const walk = (node: WalkedNode): void => {
    for (const transitions of node.transitions.values()) keys.push(...transitions.map(transitionKey));
    keys.push(...(node.always ?? []).map(transitionKey));
    for (const child of Object.values(node.states)) walk(child);
  };
  walk(procedureMachine.root as unknown as WalkedNode);
  return keys;
};

/** The transitions the statechart takes on `event` from `state` (with the eventless ones that follow). */
export const transitionsTaken = (state: ProcedureState, event: ProcedureEvent): string[] => {
  const taken: string[] = [];
  let listening = false;
  const actor = createActor(procedureMachine, {
    snapshot: state,
    inspect: (inspection) => {
      if (listening && inspection.type === '@xstate.microstep')
        taken.push(...(inspection._transitions as AnyTransition[]).map(transitionKey));
    },
  });
  actor.start();
  listening = true;
  actor.send(event);
  actor.stop();
  return taken;
};

// ── Assertions on a state ────────────────────────────────────────────────────────────────────

/** Context expectations: a function that asserts, or a partial object matched with `toMatchObject`. */
export type ContextCheck = ((context: ProcedureContext) => void) | Record<string, unknown>;

const paths = (state: ProcedureState): string[] => describeState(state.value).split(' + ');

/**
 * `expected` is a state path as `describeState` writes it, e.g. 'sanction.injunctionRunning'.
 * In a parallel state, one region may be named ('formalNotice.compliance.running') or several,
 * joined with ' + '; each must be an active leaf.
 */
const assertState = (state: ProcedureState, expected: string): void => {
  const actual = paths(state);
  const wanted = expected.split(' + ').map((p) => p.trim());
  const missing = wanted.filter((p) => !actual.includes(p));
  expect(missing, `state is ${describeState(state.value)}, expected ${expected}`).toEqual([]);
};

const assertStage = (state: ProcedureState, expected: Stage | null): void => {
  expect(stageOf(state), `state is ${describeState(state.value)}`).toBe(expected);
};

const assertContext = (state: ProcedureState, check: ContextCheck): void => {
  if (typeof check === 'function') check(state.context);
  else expect(state.context).toMatchObject(check);
};

export interface StateAssertions<Self> {
  readonly state: ProcedureState;
  readonly context: ProcedureContext;
  thenState(expected: string): Self;
  thenStage(expected: Stage | null): Self;
  thenContext(check: ContextCheck): Self;
}

/** An accepted fact: the state it leads to, and the transitions the statechart took. */
export interface Accepted extends StateAssertions<Accepted> {
  /** The state in which the fact was accepted. */
  readonly before: ProcedureState;
  readonly event: ProcedureEvent;
  /** The transitions taken on `event` (with the eventless ones that followed). */
  readonly transitions: readonly string[];
  /** The transitions taken by every fact of the chain since `given(…)`, in order. */
  readonly taken: readonly string[];
  /** Goes on from the state reached. */
  when(event: ProcedureEvent): When;
}

export interface Given extends StateAssertions<Given> {
  readonly events: readonly ProcedureEvent[];
  when(event: ProcedureEvent): When;
}

export interface RefusalExpectations {
  /** A field the message must name (defaults to the field of the rule, when it has one). */
  readonly field?: string;
  /** Other text the message must contain (a date, an amount). */
  readonly mentions?: string | readonly string[];
  /** For `TransitionNotAllowed`: exactly the event types the state accepts. */
  readonly accepts?: readonly EventType[];
}

export interface When {
  readonly event: ProcedureEvent;
  readonly decision: Decision;
  thenAccepted(): Accepted;
  thenState(expected: string): Accepted;
  thenStage(expected: Stage | null): Accepted;
  thenContext(check: ContextCheck): Accepted;
  /** `'TransitionNotAllowed'`, or the id of the rule that must refuse the fact. */
  thenRefused(expected: 'TransitionNotAllowed', options?: RefusalExpectations): TransitionNotAllowed;
  thenRefused(expected: RuleId, options?: RefusalExpectations): RuleViolated;
}

/** The field a rule is about, when it is always the same one. */
const fieldOfRule = (rule: RuleId, event: ProcedureEvent): string | undefined => {
  switch (rule) {
    case 'chronology':
    case 'formalNoticeDeadlinePassed':
    case 'injunctionDeadlinePassed':
    case 'complianceBeforeDeadline':
    case 'responsePeriodHasRun':
      return 'data.on';
    case 'formalNoticeExtensionLimitBefore2022':
      return 'data.newDeadline';
    case 'formalNoticeMinimumPeriod':
    case 'formalNoticeMaximumPeriodBefore2022':
      return 'data.deadline';
    case 'reportResponsePeriod':
      return 'data.responseDeadline';
    case 'fineCap':
      return 'data.fine';
    case 'penaltyCap':
      return 'data.injunction.penaltyPerDay';
    case 'liquidationCap':
      return event.type === 'PenaltyLiquidated' ? 'data.amount' : 'data.proposedAmount';
    default:
      return undefined;
  }
};

const stateAssertions = <Self>(state: ProcedureState, self: () => Self): StateAssertions<Self> => ({
  state,
  context: state.context,
  thenState: (expected) => {
    assertState(state, expected);
    return self();
  },
  thenStage: (expected) => {
    assertStage(state, expected);
    return self();
  },
  thenContext: (check) => {
    assertContext(state, check);
    return self();
  },
});

const accepted = (
  before: ProcedureState,
  state: ProcedureState,
  event: ProcedureEvent,
  transitions: readonly string[],
  taken: readonly string[],
): Accepted => {
  const self: Accepted = {
    ...stateAssertions<Accepted>(state, () => self),
    before,
    event,
    transitions,
    taken,
    when: (next) => whenFrom(state, next, taken),
  };
  return self;
};

const whenFrom = (state: ProcedureState, event: ProcedureEvent, takenSoFar: readonly string[] = []): When => {
  const decision = decide(state, event);
  const where = describeState(state.value);

  const thenAccepted = (): Accepted => {
    if (!decision.accepted)
      expect.fail(`${event.type} on ${event.data.on} was refused in ${where}: ${decision.refusal.message}`);
    expect(decision.events, 'decide records exactly the fact').toEqual([event]);
    const next = evolve(state, event);
    const transitions = transitionsTaken(state, event);
    return accepted(state, next, event, transitions, [...takenSoFar, ...transitions]);
  };

  function thenRefused(expected: 'TransitionNotAllowed', options?: RefusalExpectations): TransitionNotAllowed;
  function thenRefused(expected: RuleId, options?: RefusalExpectations): RuleViolated;
  function thenRefused(
    expected: 'TransitionNotAllowed' | RuleId,
    options: RefusalExpectations = {},
  ): Refusal {
    if (decision.accepted) {
      const next = evolve(state, event);
      expect.fail(
        `${event.type} on ${event.data.on} was accepted in ${where} (→ ${describeState(next.value)}); expected ${expected}`,
      );
    }
    const { refusal } = decision;
    // evolve agrees with decide: an unlawful fact cannot be folded into a history.
    expect(() => evolve(state, event)).toThrow(ProcedureViolationError);
    expect(refusal.eventType).toBe(event.type);
    expect(refusal.state).toBe(where);
    const mentions = typeof options.mentions === 'string' ? [options.mentions] : (options.mentions ?? []);
    for (const text of mentions) expect(refusal.message).toContain(text);

    if (expected === 'TransitionNotAllowed') {
      expect(refusal, refusal.message).toMatchObject({ kind: 'TransitionNotAllowed' });
      const notAllowed = refusal as TransitionNotAllowed;
      expect(notAllowed.message).toContain(`not allowed in state ${where}`);
      expect(notAllowed.accepts).not.toContain(event.type);
      for (const type of notAllowed.accepts) expect(notAllowed.message).toContain(type);
      if (options.accepts) expect([...notAllowed.accepts].sort()).toEqual([...options.accepts].sort());
      return notAllowed;
    }
    expect(refusal, refusal.message).toMatchObject({ kind: 'RuleViolated', rule: expected });
    const violated = refusal as RuleViolated;
    expect(violated.message).toContain(expected);
    expect(violated.message).toContain(violated.basis);
    const field = options.field ?? fieldOfRule(expected, event);
    if (field !== undefined) expect(violated.message).toContain(field);
    return violated;
  }

  return {
    event,
    decision,
    thenAccepted,
    thenState: (expected) => thenAccepted().thenState(expected),
    thenStage: (expected) => thenAccepted().thenStage(expected),
    thenContext: (check) => thenAccepted().thenContext(check),
    thenRefused,
  };
};

/** The state after `events` (folded through the statechart; an unlawful history throws). */
export const given = (...events: ProcedureEvent[]): Given => {
  const state = fold(events);
  const self: Given = {
    ...stateAssertions<Given>(state, () => self),
    events,
    when: (event) => whenFrom(state, event),
  };
  return self;
};
