/**
 * Replay-as-regression: stored events, decoded as any reader decodes them (upcast to the current
 * schema, then validated), are folded through the current statechart, and each case's outcome is
 * compared with the one it had when it was recorded. A change to the schemas, the upcasters, the
 * machine, the rules or the read models that would change what an old history means fails here,
 * naming the event and the state where it diverges.
 *
 * @example
 * const fixture = await readRegressionFixture(new URL('../../test/fixtures/events-v1.json', import.meta.url));
 * await loadRecorded(store, fixture.events);
 * const report = await replayStore(store, fixture.cases); // throws ReplayDivergenceError
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { IsoDate } from '../../machines/dates.ts';
import { describeState, ProcedureViolationError } from '../../machines/decider.ts';
import { STAGES } from '../../machines/procedure.ts';
import { caseStateProjection, type CaseState, toCaseView } from '../../projections/case-state.ts';
import { factsAsOf, type RecordedFact } from '../../projections/fact.ts';
import { toFact } from '../cases/codec.ts';
import {
  caseStreamId,
  EventDeserializationError,
  type EventStore,
  type JsonObject,
  type RecordedEvent,
} from '../store/port.ts';

// ── What a case is expected to reach ─────────────────────────────────────────────────────────

/** A case's outcome as of a date: the figures of its JSON view (DESIGN.md §7) that a replay must reproduce. */
export const CaseOutcome = z.strictObject({
  asOf: IsoDate,
  stage: z.enum(STAGES).nullable(),
  /** The state path, as `describeState` writes it: 'formalNotice.compliance.running + …'. */
  state: z.string().nullable(),
  revision: z.number().int().min(-1),
  lastEvent: z.strictObject({ type: z.string(), on: IsoDate }).nullable(),
  fines: z.strictObject({ imposed: z.number().int() }),
  penalty: z.strictObject({
    ratePerDay: z.number().int(),
    daysOfDelay: z.number().int(),
    accrued: z.number().int(),
    liquidated: z.number().int(),
  }),
  deadlines: z.array(z.strictObject({ kind: z.string(), due: IsoDate })),
});
export type CaseOutcome = z.infer<typeof CaseOutcome>;

export const ExpectedCase = z.strictObject({
  caseId: z.string(),
  description: z.string(),
  expected: CaseOutcome,
});
export type ExpectedCase = z.infer<typeof ExpectedCase>;

/** A stored event exactly as the store gives it back (without its store-assigned position). */
export const StoredEvent = z.strictObject({
  streamId: z.string(),
  revision: z.number().int().nonnegative(),
  id: z.string(),
  type: z.string(),
  data: z.record(z.string(), z.unknown()),
  metadata: z.record(z.string(), z.unknown()),
});
export type StoredEvent = z.infer<typeof StoredEvent>;

/** A saved store: its raw events in global order, and the outcome each case had when they were recorded. */
export const RegressionFixture = z.strictObject({
  about: z.array(z.string()),
  schemaVersion: z.number().int().positive(),
  cases: z.array(ExpectedCase).min(1),
  events: z.array(StoredEvent).min(1),
});
export type RegressionFixture = z.infer<typeof RegressionFixture>;

export const readRegressionFixture = async (file: URL | string): Promise<RegressionFixture> =>
  RegressionFixture.parse(JSON.parse(await readFile(file, 'utf8')));

/**
 * Appends saved events to a store as they are (no decoding, no upcasting: what an old database
 * holds), stream by stream in their global order, each batch at the revision it was stored at.
 */
export const loadRecorded = async (store: EventStore, events: readonly StoredEvent[]): Promise<void> => {
  let batch: StoredEvent[] = [];
  const flush = async () => {
    const [first] = batch;
    if (!first) return;
    await store.appendToStream(
      first.streamId,
      batch.map((e) => ({
        id: e.id,
        type: e.type,
        data: e.data as JsonObject,
        metadata: e.metadata as JsonObject,
      })),
      { expectedRevision: first.revision === 0 ? 'no-stream' : first.revision - 1 },
    );
    batch = [];
  };
  for (const event of events) {
    if (batch.length > 0 && batch[0]?.streamId !== event.streamId) await flush();
    batch.push(event);
  }
  await flush();
};

// ── Divergence ───────────────────────────────────────────────────────────────────────────────

/** The stored event a divergence is found at. */
export interface DivergentEvent {
  readonly streamId: string;
  readonly revision: number;
  readonly type: string;
  /** The legal date of the act (`data.on` as stored), when it has one. */
  readonly on: string | null;
}

/** Why a replay diverges: an event cannot be read, the machine refuses it, or the outcome differs. */
export type DivergenceKind = 'undecodable' | 'refused' | 'outcome';

/** A stored history no longer replays to what it meant when it was recorded. */
export class ReplayDivergenceError extends Error {
  override readonly name = 'ReplayDivergenceError';
  constructor(
    readonly caseId: string,
    readonly kind: DivergenceKind,
    /** The event the replay stops at (for `outcome`, the last event folded); null for an empty case. */
    readonly event: DivergentEvent | null,
    /** The state expected there (the recorded outcome's state, or the state before a refused event). */
    readonly expectedState: string | null,
    /** The state the current code reaches (for a refusal, the state that refuses the event). */
    readonly actualState: string | null,
    /** What differs, one line each. */
    readonly differences: readonly string[],
    options?: ErrorOptions,
  ) {
    const where = event
      ? `${event.streamId} revision ${event.revision} (${event.type}${event.on ? ` on ${event.on}` : ''})`
      : `${caseStreamId(caseId)} (no event)`;
    super(`case ${caseId} diverges at ${where}: ${differences.join('; ')}`, options);
  }
}

const locate = (recorded: RecordedEvent): DivergentEvent => ({
  streamId: recorded.streamId,
  revision: recorded.revision,
  type: recorded.type,
  on: typeof recorded.data.on === 'string' ? recorded.data.on : null,
});

const stateOf = (s: CaseState): string | null => (s.revision < 0 ? null : describeState(s.procedure.value));

/**
 * Decodes a case's stored events (upcasting them) and folds them through the current statechart.
 * @throws ReplayDivergenceError at the first event that cannot be decoded or that the machine refuses.
 */
export const foldRecorded = (caseId: string, recorded: readonly RecordedEvent[]): RecordedFact[] => {
  const facts: RecordedFact[] = [];
  let state = caseStateProjection.initial();
  for (const event of recorded) {
    let fact: RecordedFact;
    try {
      fact = toFact(event);
    } catch (error) {
      if (!(error instanceof EventDeserializationError)) throw error;
      throw new ReplayDivergenceError(
        caseId,
        'undecodable',
        locate(event),
        stateOf(state),
        null,
        [`the stored event cannot be read: ${error.message}`],
        { cause: error },
      );
    }
    try {
      state = caseStateProjection.evolve(state, fact);
    } catch (error) {
      if (!(error instanceof ProcedureViolationError)) throw error;
      const { refusal } = error;
      const accepts = 'accepts' in refusal ? refusal.accepts : null;
      throw new ReplayDivergenceError(
        caseId,
        'refused',
        locate(event),
        stateOf(state),
        refusal.state,
        [
          `the current machine refuses it in state ${refusal.state}` +
            (accepts ? ` (which accepts ${accepts.join(', ') || 'nothing'})` : ''),
          refusal.message,
        ],
        { cause: error },
      );
    }
    facts.push(fact);
  }
  return facts;
};

/** The outcome of a case's facts as of `asOf`, in the fields of {@link CaseOutcome}. */
export const outcomeOf = (caseId: string, facts: readonly RecordedFact[], asOf: IsoDate): CaseOutcome => {
  const state = factsAsOf(facts, asOf).reduce(caseStateProjection.evolve, caseStateProjection.initial());
  const view = toCaseView(caseId, state, asOf);
  return {
    asOf,
    stage: view.stage,
    state: view.state === null ? null : describeState(view.state),
    revision: view.revision,
    lastEvent: view.lastEvent,
    fines: view.fines,
    // The fields recorded with version 1 (views have gained fields since, e.g. accruedNotLiquidated).
    penalty: {
      ratePerDay: view.penalty.ratePerDay,
      daysOfDelay: view.penalty.daysOfDelay,
      accrued: view.penalty.accrued,
      liquidated: view.penalty.liquidated,
    },
    deadlines: view.deadlines.map(({ kind, due }) => ({ kind, due })),
  };
};

/** Field by field, what differs between two outcomes: 'fines.imposed: expected 20000000, got 0'. */
export const outcomeDifferences = (expected: CaseOutcome, actual: CaseOutcome): string[] => {
  const flat = (value: unknown, prefix: string): [string, string][] =>
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? Object.entries(value).flatMap(([k, v]) => flat(v, prefix ? `${prefix}.${k}` : k))
      : [[prefix, JSON.stringify(value)]];
  const got = new Map(flat(actual, ''));
  const want = new Map(flat(expected, ''));
  return [...new Set([...want.keys(), ...got.keys()])].flatMap((field) =>
    want.get(field) === got.get(field)
      ? []
      : [`${field}: expected ${want.get(field) ?? 'nothing'}, got ${got.get(field) ?? 'nothing'}`],
  );
};

/**
 * Checks that a case's facts reach the expected outcome.
 * @throws ReplayDivergenceError naming the last fact, the expected and actual states, and every figure that differs.
 */
export const checkOutcome = (caseId: string, facts: readonly RecordedFact[], expected: CaseOutcome): void => {
  const actual = outcomeOf(caseId, facts, expected.asOf);
  const differences = outcomeDifferences(expected, actual);
  if (differences.length === 0) return;
  const last = facts.at(-1);
  throw new ReplayDivergenceError(
    caseId,
    'outcome',
    last
      ? {
          streamId: caseStreamId(caseId),
          revision: last.revision,
          type: last.event.type,
          on: last.event.data.on,
        }
      : null,
    expected.state,
    actual.state,
    [`as of ${expected.asOf}, ${differences.join(', ')}`],
  );
};

/** Replays one case's stored events and checks its outcome. @throws ReplayDivergenceError */
export const replayCase = (
  caseId: string,
  recorded: readonly RecordedEvent[],
  expected: CaseOutcome,
): RecordedFact[] => {
  const facts = foldRecorded(caseId, recorded);
  checkOutcome(caseId, facts, expected);
  return facts;
};

export interface ReplayReport {
  readonly cases: number;
  readonly events: number;
  /** Events stored at an older schema version than the current one, upcast on read. */
  readonly upcast: number;
}

/**
 * Replays every expected case from a store. Each case's stream must exist.
 * @throws ReplayDivergenceError at the first case that diverges.
 */
export const replayStore = async (
  store: EventStore,
  cases: readonly Pick<ExpectedCase, 'caseId' | 'expected'>[],
): Promise<ReplayReport> => {
  let events = 0;
  let upcast = 0;
  for (const { caseId, expected } of cases) {
    const recorded = await store.readStream(caseStreamId(caseId));
    const facts = replayCase(caseId, recorded, expected);
    events += recorded.length;
    upcast += recorded.filter((r, i) => r.metadata.schemaVersion !== facts[i]?.metadata.schemaVersion).length;
  }
  return { cases: cases.length, events, upcast };
};
