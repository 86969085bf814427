/**
 * Two ways to drive THE statechart (machines/procedure.ts), with one interface for the simulator:
 *
 * - `xstateEngine`: plain XState — `transition()` for every event and `getNextTransitions()` for the
 *   event types a state accepts, exactly as machines/decider.ts does. The reference.
 * - `fastEngine`: a transition table derived from the machine at start-up by exploring it with its
 *   own `transition()` (see `deriveTransitionTable`). At run time a step evaluates the machine's own
 *   guard implementations (`procedureMachine.implementations.guards`: the legal rules of
 *   machines/rules.ts and the routes), folds the event into the context with the machine's action
 *   (`record`, machines/context.ts) as many times as XState runs it, and looks the next state up in
 *   the table. No second model is written by hand: change the statechart and the table follows.
 *
 * test/simulation/equivalence.test.ts proves that both engines produce identical trajectories.
 */
import { getNextTransitions, initialTransition, type StateValue, transition } from 'xstate';
import { type ProcedureContext, record } from '../../machines/context.ts';
import type { ProcedureState } from '../../machines/decider.ts';
import type { EventType, ProcedureEvent } from '../../machines/events.ts';
import { type LawfulParams, procedureMachine, type RouteId, type Stage } from '../../machines/procedure.ts';

/** A machine state as the simulator sees it. */
export interface EngineState {
  /** Canonical key of the state value (`JSON.stringify(value)`). */
  readonly key: string;
  readonly context: ProcedureContext;
}

export interface Engine<S extends EngineState = EngineState> {
  readonly name: 'fast' | 'xstate';
  /** The engine's state for an XState snapshot (the start of a simulation). */
  fromSnapshot(snapshot: ProcedureState): S;
  /** Does the state have a transition for this event type (whether or not its rules hold)? */
  accepts(state: S, type: EventType): boolean;
  /** The next state, or null when the machine refuses the event. */
  step(state: S, event: ProcedureEvent): S | null;
  /** The state value of a state key. */
  valueOf(state: S): StateValue;
}

const keyOf = (value: StateValue): string => JSON.stringify(value);

// ── The reference: plain XState ────────────────────────────────────────────────────────────────

interface XstateState extends EngineState {
  readonly snapshot: ProcedureState;
}

const wrap = (snapshot: ProcedureState): XstateState => ({
  key: keyOf(snapshot.value),
  context: snapshot.context,
  snapshot,
});

/** Plain `transition()` and `getNextTransitions()` at every step, no caching. */
export const xstateEngine = (): Engine<XstateState> => ({
  name: 'xstate',
  fromSnapshot: wrap,
  accepts: (state, type) => getNextTransitions(state.snapshot).some((t) => t.eventType === type),
  step: (state, event) => {
    const [next] = transition(procedureMachine, state.snapshot, event);
    return next === state.snapshot ? null : wrap(next);
  },
  valueOf: (state) => state.snapshot.value,
});

// ── The fast path: a table derived from the machine ──────────────────────────────────────────────

/** What XState does for one event in one state, given which of its candidate guards hold. */
interface Outcome {
  /** How many times the machine's `record` action runs (once per transition taken). */
  readonly records: number;
  /** Next state key for each combination of the eventless routes (bit i = route i holds). */
  readonly next: readonly string[];
  /** True when the eventless routes can change the next state (else next[0] is the answer). */
  readonly eventless: boolean;
}

interface Candidate {
  readonly params: LawfulParams;
}

interface StateEntry {
  readonly key: string;
  readonly value: StateValue;
  readonly stage: Stage | null;
  /** Candidate transitions per event type, in XState's order. */
  readonly candidates: ReadonlyMap<EventType, readonly Candidate[]>;
  /** Outcome per event type, indexed by the bit set of candidate guards that hold (0 = refused). */
  readonly outcomes: ReadonlyMap<EventType, readonly (Outcome | null)[]>;
}

export interface TransitionTable {
  readonly states: ReadonlyMap<string, StateEntry>;
  /** Routes of eventless (`always`) transitions, in bit order. */
  readonly eventlessRoutes: readonly RouteId[];
  /** Structural `transition()` calls made to derive the table. */
  readonly derivations: number;
}

interface Guarded {
  readonly type: string;
  readonly params: { readonly route: RouteId } | LawfulParams;
}

const isGuarded = (guard: unknown): guard is Guarded =>
  typeof guard === 'object' && guard !== null && 'type' in guard && 'params' in guard;

/** The routes used by eventless transitions anywhere in the machine. */
const eventlessRoutesOf = (): RouteId[] => {
  const routes = new Set<RouteId>();
  const visit = (node: (typeof procedureMachine)['root']) => {
    for (const t of node.always ?? [])
      if (isGuarded(t.guard) && t.guard.type === 'when')
        routes.add((t.guard.params as { route: RouteId }).route);
    for (const child of Object.values(node.states)) visit(child);
  };
  visit(procedureMachine.root);
  return [...routes].sort();
};

/**
 * Explores the machine from its initial state with its own `transition()`, on a structural copy
 * (`provide`) whose guards answer from a given truth assignment and whose `record` action is
 * counted instead of run. Every reachable state, every event type it accepts and every
 * combination of its candidate guards and of the eventless routes is tried once.
 */
export const deriveTransitionTable = (): TransitionTable => {
  const eventlessRoutes = eventlessRoutesOf();
  let holds = new Set<unknown>();
  let routesHold = new Set<RouteId>();
  /** Whether the last structural transition evaluated an eventless route. */
  const routes = { asked: false };
  const structural = procedureMachine.provide({
    guards: {
      lawful: (_args, params: LawfulParams) => holds.has(params),
      when: (_args, params: { route: RouteId }) => {
        routes.asked = true;
        return routesHold.has(params.route);
      },
    },
    actions: { record: () => undefined },
  });
  const context = initialTransition(procedureMachine)[0].context;
  const states = new Map<string, StateEntry>();
  let derivations = 0;
  const initialValue = initialTransition(procedureMachine)[0].value;
  const queue: StateValue[] = [initialValue];
  while (queue.length > 0) {
    const value = queue.shift() as StateValue;
    const key = keyOf(value);
    if (states.has(key)) continue;
    const snapshot = structural.resolveState({ value, context });
    const candidates = new Map<EventType, Candidate[]>();
    for (const t of getNextTransitions(snapshot)) {
      const type = t.eventType as EventType;
      if (type.startsWith('xstate.') || (type as string) === '') continue;
      if (!isGuarded(t.guard) || t.guard.type !== 'lawful')
        throw new TypeError(`transition ${type} from ${t.source.id} has no lawful guard`);
      candidates.set(type, [...(candidates.get(type) ?? []), { params: t.guard.params as LawfulParams }]);
    }
    const outcomes = new Map<EventType, (Outcome | null)[]>();
    for (const [type, list] of candidates) {
      const byBits: (Outcome | null)[] = [null];
      for (let bits = 1; bits < 1 << list.length; bits++) {
        holds = new Set(list.filter((_, i) => (bits >> i) & 1).map((c) => c.params));
        const next: string[] = [];
        let records = -1;
        // Every combination of the eventless routes, unless the target has no eventless transition.
        routes.asked = false;
        for (let ev = 0; ev < 1 << eventlessRoutes.length; ev++) {
          if (ev > 0 && !routes.asked) break;
          routesHold = new Set(eventlessRoutes.filter((_, i) => (ev >> i) & 1));
          const [after, actions] = transition(structural, snapshot, { type } as ProcedureEvent);
          derivations++;
          const count = actions.filter((a) => a.type === 'record').length;
          if (records !== -1 && records !== count)
            throw new TypeError(`record count of ${type} in ${key} depends on eventless routes`);
          records = count;
          next.push(keyOf(after.value));
          queue.push(after.value);
        }
        byBits.push({ records, next, eventless: next.length > 1 && next.some((k) => k !== next[0]) });
      }
      outcomes.set(type, byBits);
    }
    const top = typeof value === 'string' ? value : Object.keys(value)[0];
    states.set(key, {
      key,
      value,
      stage: top === 'unopened' || top === undefined ? null : (top as Stage),
      candidates,
      outcomes,
    });
  }
  return { states, eventlessRoutes, derivations };
};

let shared: TransitionTable | undefined;
/** The table, derived once per process (thread). */
export const transitionTable = (): TransitionTable => (shared ??= deriveTransitionTable());

const { lawful, when } = procedureMachine.implementations.guards as unknown as {
  lawful: (args: { context: ProcedureContext; event: ProcedureEvent }, params: LawfulParams) => boolean;
  when: (args: { context: ProcedureContext; event: ProcedureEvent }, params: { route: RouteId }) => boolean;
};

/** The fast path: table lookups, and the machine's own guards and action. */
export const fastEngine = (table: TransitionTable = transitionTable()): Engine => {
  const entry = (key: string): StateEntry => {
    const found = table.states.get(key);
    if (!found) throw new RangeError(`state ${key} is not in the transition table`);
    return found;
  };
  const routeParams = table.eventlessRoutes.map((route) => ({ route }));
  return {
    name: 'fast',
    fromSnapshot: (snapshot) => ({ key: entry(keyOf(snapshot.value)).key, context: snapshot.context }),
    accepts: (state, type) => entry(state.key).candidates.has(type),
    step: (state, event) => {
      const e = entry(state.key);
      const candidates = e.candidates.get(event.type);
      if (!candidates) return null;
      const args = { context: state.context, event };
      let bits = 0;
      for (let i = 0; i < candidates.length; i++)
        if (lawful(args, (candidates[i] as Candidate).params)) bits |= 1 << i;
      if (bits === 0) return null;
      const outcome = (e.outcomes.get(event.type) as (Outcome | null)[])[bits] as Outcome;
      let context = state.context;
      for (let i = 0; i < outcome.records; i++) context = record(context, event);
      let ev = 0;
      if (outcome.eventless) {
        const after = { context, event };
        for (let i = 0; i < routeParams.length; i++)
          if (when(after, routeParams[i] as { route: RouteId })) ev |= 1 << i;
      }
      return { key: outcome.next[ev] as string, context };
    },
    valueOf: (state) => entry(state.key).value,
  };
};

/** The stage of an engine state, from the table. */
export const stageOfKey = (key: string, table: TransitionTable = transitionTable()): Stage | null =>
  table.states.get(key)?.stage ?? null;
