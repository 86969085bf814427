/**
 * Rebuilding every case's state from the event store through the fast path: the same statechart
 * (the transition table of engine.ts), folded per stream in global order. An event the machine
 * refuses throws `ProcedureViolationError`, as `evolve` does; `validate` decodes each event with
 * its zod schema first (src/cases/codec.ts) — the cost of that is measured by bench/.
 */
import { explainRefusal, initialState, ProcedureViolationError } from '../../machines/decider.ts';
import type { ProcedureEvent } from '../../machines/events.ts';
import { procedureMachine } from '../../machines/procedure.ts';
import { toFact } from '../cases/codec.ts';
import type { RecordedEvent } from '../store/port.ts';
import { type Engine, type EngineState, fastEngine } from './engine.ts';

export interface RebuiltCase {
  state: EngineState;
  /** Revision of the last folded event. */
  revision: number;
}

export interface RebuildOptions {
  /** Decode every event with its schema (default true). */
  readonly validate?: boolean;
  readonly engine?: Engine;
  /** Only streams starting with this prefix (default `case-`). */
  readonly streamPrefix?: string;
}

/** Folds every case stream of `events` (in global order) through the statechart. */
export const rebuildCases = async (
  events: AsyncIterable<RecordedEvent>,
  { validate = true, engine = fastEngine(), streamPrefix = 'case-' }: RebuildOptions = {},
): Promise<Map<string, RebuiltCase>> => {
  const cases = new Map<string, RebuiltCase>();
  const initial = engine.fromSnapshot(initialState());
  for await (const recorded of events) {
    if (!recorded.streamId.startsWith(streamPrefix)) continue;
    const event = validate
      ? toFact(recorded).event
      : ({ type: recorded.type, data: recorded.data } as unknown as ProcedureEvent);
    const current = cases.get(recorded.streamId);
    if (current && recorded.revision <= current.revision) continue; // re-delivered
    const state = current?.state ?? initial;
    const next = engine.step(state, event);
    if (next === null) {
      const snapshot = procedureMachine.resolveState({
        value: engine.valueOf(state),
        context: state.context,
      });
      throw new ProcedureViolationError(explainRefusal(snapshot, event), event);
    }
    if (current) {
      current.state = next;
      current.revision = recorded.revision;
    } else cases.set(recorded.streamId, { state: next, revision: recorded.revision });
  }
  return cases;
};
