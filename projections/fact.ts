/** A fact as the projections see it: a validated event with its place in the stream and its metadata. */
import type { EventMetadata, ProcedureEvent } from '../machines/events.ts';

export interface RecordedFact {
  readonly event: ProcedureEvent;
  readonly metadata: EventMetadata;
  readonly eventId: string;
  /** 0-based revision in the case's stream. */
  readonly revision: number;
  readonly position: number;
}

/** A projection: a pure fold over facts. Raising `version` rebuilds its read model. */
export interface Projection<S> {
  readonly name: string;
  readonly version: number;
  readonly initial: () => S;
  readonly evolve: (state: S, fact: RecordedFact) => S;
}

/** The facts of a history that had taken effect on `asOf` (their `on` is ≤ asOf). */
export const factsAsOf = (facts: readonly RecordedFact[], asOf: string): RecordedFact[] =>
  facts.filter((f) => f.event.data.on <= asOf);
