/**
 * The case service: validate → fold the case's facts through the statechart → decide → append at
 * the expected revision. Nothing is written when the input is invalid or the procedure or the
 * law refuses it; a concurrent writer is detected by the store and the decision is taken again.
 */
import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { CATALOGUE } from '../../machines/catalogue.ts';
import type { IsoDate } from '../../machines/dates.ts';
import {
  decide,
  evolve,
  explainRefusal,
  fold,
  initialState,
  type ProcedureState,
  ProcedureViolationError,
  type Refusal,
} from '../../machines/decider.ts';
import {
  type Actor,
  CaseId,
  EVENT_TYPES,
  EventMetadata,
  isEventType,
  type ProcedureEvent,
  type Source,
  schemaOf,
} from '../../machines/events.ts';
import { isGeneratedPersonId } from '../../machines/personal-data.ts';
import { procedureMachine } from '../../machines/procedure.ts';
import { inOneFold } from '../../machines/transient.ts';
import {
  type CaseState,
  type CaseView,
  caseStateProjection,
  toCaseView,
} from '../../projections/case-state.ts';
import type { RecordedFact } from '../../projections/fact.ts';
import { chainEvents, streamHead, streamHeadAfter } from '../integrity/chain.ts';
import { personsOf, type ProtectedEventStore, withoutPersonalData } from '../privacy/protected-store.ts';
import { type EngineState, fastEngine } from '../simulation/engine.ts';
import {
  type AppendResult,
  canAppendToStreams,
  ConcurrencyConflictError,
  caseStreamId,
  type EventStore,
  type NewEvent,
  type RecordedEvent,
  type StreamAppend,
} from '../store/port.ts';
import { keepsSnapshots } from '../store/snapshots.ts';
import { schemaVersionOf, toFact, toNewEvent } from './codec.ts';
import { linkHashOf, restoreSnapshot, takeSnapshot, withheldEvent } from './snapshot.ts';

/** One field of the input that is wrong, and why. */
export interface InputIssue {
  readonly field: string;
  readonly message: string;
}

/** A fact to record. */
export interface FactInput {
  readonly type: string;
  readonly data: unknown;
  /** Event id; give a deterministic one to make recording idempotent (datasets). */
  readonly eventId?: string;
  readonly actor?: Actor;
  readonly source?: Source;
  readonly correlationId?: string;
  readonly causationId?: string;
}

export type RecordOutcome =
  | {
      readonly status: 'recorded';
      readonly facts: readonly RecordedFact[];
      /** Facts that were already stored (same event id) and were not appended again. */
      readonly unchanged: number;
      readonly revision: number;
    }
  | { readonly status: 'invalid'; readonly index: number; readonly issues: readonly InputIssue[] }
  | {
      readonly status: 'refused';
      readonly index: number;
      readonly event: ProcedureEvent;
      readonly refusal: Refusal;
    };

export interface CaseHistory {
  readonly caseId: string;
  readonly facts: readonly RecordedFact[];
  /** Revision of the last fact, or -1 when the case has no facts. */
  readonly revision: number;
  readonly state: ProcedureState;
}

/** The facts to record on one case (see `recordCases`). */
export interface CaseFacts {
  readonly caseId: string;
  readonly inputs: readonly FactInput[];
  /**
   * The inputs were checked already, and are not checked again: the case id is a `CaseId`, each
   * input's `type` and `data` are what {@link validateFact} returned for this case and today, and
   * {@link validateEnvelope} finds nothing wrong with it. The import file reader checks a file whole
   * before anything is written, and sets it for the facts it checked.
   */
  readonly checked?: boolean;
}

/** What `recordCases` did with one case: counts instead of the recorded facts. */
export type CaseRecordOutcome =
  | { readonly status: 'recorded'; readonly appended: number; readonly unchanged: number }
  | Exclude<RecordOutcome, { status: 'recorded' }>
  | { readonly status: 'diverged'; readonly error: HistoryDivergenceError };

/** A stored history does not match a dataset being replayed onto it. */
export class HistoryDivergenceError extends Error {
  override readonly name = 'HistoryDivergenceError';
  constructor(
    readonly caseId: string,
    readonly revision: number,
    message: string,
  ) {
    super(`case ${caseId}, revision ${revision}: ${message}`);
  }
}

/** What a JSON type is called in a message to a person. */
const EXPECTED: Readonly<Record<string, string>> = {
  boolean: 'true or false',
  string: 'a text',
  number: 'a number',
  int: 'a whole number',
  array: 'a list [ … ]',
  object: 'an object { … }',
};

/** A zod issue in words a person understands: `data.urgency is required: true or false`. */
const describeIssue = (issue: z.core.$ZodIssue): string => {
  // zod's own wording only; a message written in a schema is kept as it is.
  if (issue.code === 'invalid_type' && issue.message.startsWith('Invalid input: expected')) {
    const expected = EXPECTED[issue.expected] ?? issue.expected;
    return /received undefined$/.test(issue.message) ? `is required: ${expected}` : `must be ${expected}`;
  }
  if (issue.code === 'unrecognized_keys')
    return `${issue.keys.map((k) => JSON.stringify(k)).join(', ')} ${issue.keys.length > 1 ? 'are not fields' : 'is not a field'} of this object`;
  return issue.message;
};

const zodIssues = (error: z.ZodError, prefix: string): InputIssue[] =>
  error.issues.map((i) => ({
    field: [prefix, ...i.path.map(String)].filter(Boolean).join('.'),
    message: describeIssue(i),
  }));

/** Validates a fact's type and data; `caseId` is the case it is recorded on. */
export const validateFact = (
  caseId: string,
  input: Pick<FactInput, 'type' | 'data'>,
  today: string,
): { ok: true; event: ProcedureEvent } | { ok: false; issues: InputIssue[] } => {
  if (!isEventType(input.type))
    return {
      ok: false,
      issues: [
        {
          field: 'type',
          message: `unknown event type ${JSON.stringify(input.type)}; known: ${EVENT_TYPES.join(', ')}`,
        },
      ],
    };
  const parsed = schemaOf(input.type).shape.data.safeParse(input.data);
  if (!parsed.success) return { ok: false, issues: zodIssues(parsed.error, 'data') };
  const event = { type: input.type, data: parsed.data } as ProcedureEvent;
  const issues: InputIssue[] = [];
  if (event.data.on > today)
    issues.push({
      field: 'data.on',
      message: `${event.data.on} is in the future (today is ${today}): record acts once they happened`,
    });
  if (
    event.type === 'ComplaintReceived' &&
    event.data.complainant.personId !== undefined &&
    !isGeneratedPersonId(event.data.complainant.personId)
  )
    issues.push({
      field: 'data.complainant.personId',
      message:
        `${event.data.complainant.personId} is not an opaque generated id (person-<hex>): a person id is ` +
        'stored in clear, so it must say nothing about the person; leave it out to have one generated, ' +
        'or reuse the id `case history` shows for the same person',
    });
  if (event.type === 'CaseOpened' && event.data.caseId !== caseId)
    issues.push({
      field: 'data.caseId',
      message: `${event.data.caseId} is not the case being opened (${caseId})`,
    });
  return issues.length > 0 ? { ok: false, issues } : { ok: true, event };
};

/**
 * The event with its person named: a complainant without a `personId` gets one derived from the
 * event id, so that their personal data are encrypted under a key of their own and can be erased
 * (`forget`). Give the same `personId` to every complaint of one person to erase them together.
 */
const personIdFor = (eventId: string): string =>
  `person-${createHash('sha256').update(eventId, 'utf8').digest('hex').slice(0, 16)}`;

const withPerson = (event: ProcedureEvent, eventId: string): ProcedureEvent =>
  event.type === 'ComplaintReceived' && event.data.complainant.personId === undefined
    ? {
        ...event,
        data: { ...event.data, complainant: { ...event.data.complainant, personId: personIdFor(eventId) } },
      }
    : event;

/** The metadata a caller may give with a fact; the rest (recordedAt, schemaVersion) is the service's. */
const FactEnvelope = EventMetadata.pick({
  source: true,
  actor: true,
  correlationId: true,
  causationId: true,
})
  .extend({
    // EventStoreDB takes only UUIDs as event ids: refuse others before any store sees them.
    eventId: z.uuid({ message: 'must be a UUID (datasets derive one from their keys)' }),
  })
  .partial();

/** Checks the caller's event id and metadata (actor, source, correlation and causation ids) before anything is decided. */
export const validateEnvelope = (input: FactInput): InputIssue[] => {
  const given = Object.fromEntries(
    (['eventId', 'source', 'actor', 'correlationId', 'causationId'] as const)
      .filter((key) => input[key] !== undefined)
      .map((key) => [key, input[key]]),
  );
  const parsed = FactEnvelope.safeParse(given);
  return parsed.success ? [] : zodIssues(parsed.error, '');
};

export interface CaseServiceOptions {
  readonly store: EventStore;
  /** Today's date (YYYY-MM-DD), for refusing acts dated in the future. */
  readonly today: () => string;
  /** The recording timestamp for metadata. */
  readonly now?: () => Date;
  /** How often to decide again after a concurrent write; default 3. */
  readonly retries?: number;
  /**
   * A write snapshots the case's state (when the store keeps snapshots: src/store/snapshots.ts)
   * once this many of its events had to be folded from the log; default 100 (500 before 3 December
   * 2026: a long case on EventStoreDB now appends about 40 % faster, docs/performance.md). Short
   * cases never get one; a long one is loaded from its snapshot and at most this many events.
   */
  readonly snapshotEvery?: number;
  /**
   * A fold of this many events or more goes through the statechart's transition table instead of
   * `transition()` (see {@link foldHistory}); default 2 000.
   */
  readonly fastFoldFrom?: number;
}

/** Events read per page when folding a case up to a date. */
const PAGE = 1000;

/**
 * How many events a fold takes before it goes through the statechart's transition table
 * (src/simulation/engine.ts: derived from the machine once per process, ~0.1 s, and proven to
 * give the states `transition()` gives) rather than through `transition()` itself.
 */
const FAST_FOLD_FROM = 2000;

/**
 * Folds a history from `from` in time linear in its length (machines/transient.ts): through
 * `transition()` for a short one, through the statechart's transition table for a long one.
 * @throws ProcedureViolationError on a fact the statechart refuses, as `fold` does.
 */
export const foldHistory = (
  events: readonly ProcedureEvent[],
  from: ProcedureState = initialState(),
  fastFrom = FAST_FOLD_FROM,
): ProcedureState => {
  if (events.length < fastFrom) return fold(events, from);
  const engine = fastEngine();
  const snapshotOf = (state: EngineState): ProcedureState =>
    procedureMachine.resolveState({ value: engine.valueOf(state), context: state.context });
  return inOneFold(() => {
    let state = engine.fromSnapshot(from);
    for (const event of events) {
      const next = engine.step(state, event);
      if (next === null) throw new ProcedureViolationError(explainRefusal(snapshotOf(state), event), event);
      state = next;
    }
    return snapshotOf(state);
  });
};

/**
 * Events of a case read together with its snapshot before a write: most cases are shorter (the
 * Clearview case has 22 events), and a long case reads that many events it does not need.
 */
const OPENING = 64;

const isProtected = (store: EventStore): store is ProtectedEventStore =>
  'raw' in store && 'seal' in store && typeof (store as ProtectedEventStore).seal === 'function';

export const createCaseService = ({
  store,
  today,
  now = () => new Date(),
  retries = 3,
  snapshotEvery = 100,
  fastFoldFrom = FAST_FOLD_FROM,
}: CaseServiceOptions) => {
  const foldMany = (events: readonly ProcedureEvent[], from?: ProcedureState) =>
    foldHistory(events, from, fastFoldFrom);
  const load = async (caseId: string): Promise<CaseHistory> => {
    const recorded = await store.readStream(caseStreamId(caseId));
    const facts = recorded.map(toFact);
    const state = foldMany(facts.map((f) => f.event));
    return { caseId, facts, revision: facts.at(-1)?.revision ?? -1, state };
  };

  // The store as written, when it encrypts personal data: decisions need no personal data.
  const written: EventStore = isProtected(store) ? store.raw : store;

  /**
   * A case's events as stored, and its facts with personal data withheld — what deciding needs (the
   * statechart holds person ids, never names), read without any key — and the hash its next event
   * must chain to.
   */
  const readWithheld = async (caseId: string) => withheld(await written.readStream(caseStreamId(caseId)));
  /** The facts of a whole stream's events with personal data withheld, and its chain head. */
  const withheld = (recorded: readonly RecordedEvent[]) => {
    const facts = recorded.map((e) => toFact(withoutPersonalData(e)));
    return { facts, revision: facts.at(-1)?.revision ?? -1, head: streamHead(recorded) };
  };

  /** A case's history with personal data withheld (see {@link readWithheld}), folded. */
  const loadWithheld = async (caseId: string): Promise<CaseHistory & { readonly head: string | null }> => {
    const { facts, revision, head } = await readWithheld(caseId);
    const state = foldMany(facts.map((f) => f.event));
    return { caseId, facts, revision, state, head };
  };

  // Snapshots are kept by the store as written: they hold no personal data (src/cases/snapshot.ts).
  const snapshots = keepsSnapshots(written) ? written : undefined;

  /**
   * Where a case stands now, with personal data withheld: its state, revision, chain head and last
   * event id, from its snapshot and the events after it when the snapshot holds, else from all its
   * events. `folded` counts the events folded from the log (the whole stream when no snapshot held).
   */
  const loadLatest = async (caseId: string) => {
    const streamId = caseStreamId(caseId);
    // The snapshot and the case's first events at once: a short case is read whole by then (one
    // round trip to a server instead of two), a long one without a usable snapshot is read on from
    // there, and a long one with a snapshot has read at most OPENING events for nothing.
    const openingCount = Math.min(OPENING, snapshotEvery);
    const [snapshot, opening] = await Promise.all([
      snapshots?.readSnapshot(streamId),
      snapshots ? written.readStream(streamId, { maxCount: openingCount }) : undefined,
    ]);
    const short = opening !== undefined && opening.length < openingCount;
    const restored = !short && snapshot && restoreSnapshot(snapshot);
    if (snapshot && restored) {
      const recorded = await written.readStream(streamId, { fromRevision: snapshot.revision });
      const at = recorded[0];
      const headAt = at && (linkHashOf(at.metadata) ?? snapshot.head);
      if (at?.id === snapshot.eventId && at.revision === snapshot.revision && typeof headAt === 'string') {
        const after = recorded.slice(1);
        const facts = after.map((e) => toFact(withoutPersonalData(e)));
        return {
          state: foldMany(
            facts.map((f) => f.event),
            restored,
          ),
          revision: after.at(-1)?.revision ?? at.revision,
          head: streamHeadAfter(headAt, after),
          lastEventId: after.at(-1)?.id ?? at.id,
          folded: facts.length,
        };
      }
    }
    const { facts, revision, head } =
      opening === undefined
        ? await readWithheld(caseId)
        : withheld(
            short
              ? opening
              : [
                  ...opening,
                  ...(await written.readStream(streamId, {
                    fromRevision: (opening.at(-1)?.revision ?? -1) + 1,
                  })),
                ],
          );
    return {
      state: foldMany(facts.map((f) => f.event)),
      revision,
      head,
      lastEventId: facts.at(-1)?.eventId,
      folded: facts.length,
    };
  };

  /**
   * Writes the snapshot of a case after a write. A snapshot is derived data: failing to write one
   * loses no fact (the write is done), only time on the next load, so its failure is not the write's.
   */
  const keepSnapshot = async (caseId: string, state: ProcedureState, revision: number, last: NewEvent) => {
    if (!snapshots) return false;
    try {
      const head = linkHashOf(last.metadata);
      await snapshots.writeSnapshot(
        takeSnapshot(caseStreamId(caseId), state, { revision, eventId: last.id, head }),
      );
      return true;
    } catch (error) {
      if (error instanceof Error) return false;
      throw error;
    }
  };

  /**
   * The case as it stood on `asOf` (what `cnil case show` prints), or undefined when the store has
   * no such case: folded from the case's snapshot when it was taken on or before `asOf`, else from
   * its first event, reading only the events dated up to `asOf` (acts are recorded in date order).
   * Equal to `caseViewAsOf(caseId, facts, asOf)` over the case's facts.
   */
  const view = async (caseId: string, asOf: IsoDate): Promise<CaseView | undefined> => {
    const streamId = caseStreamId(caseId);
    const snapshot = await snapshots?.readSnapshot(streamId);
    const restored = snapshot && snapshot.lastOn <= asOf ? restoreSnapshot(snapshot) : undefined;
    if (snapshot && restored) {
      // The snapshot holds only if the stream still has, at its revision, the event it was taken after.
      const [at] = await store.readStream(streamId, { fromRevision: snapshot.revision, maxCount: 1 });
      if (at?.id === snapshot.eventId && at.revision === snapshot.revision) {
        const { lastEventType: type, lastActOn: on } = restored.context;
        const start = {
          procedure: restored,
          revision: at.revision,
          lastEvent: type && on ? { type, on } : null,
        };
        const { state } = await foldUpTo(streamId, asOf, start);
        return toCaseView(caseId, state, asOf);
      }
    }
    const { state, read } = await foldUpTo(streamId, asOf, caseStateProjection.initial());
    return read === 0 ? undefined : toCaseView(caseId, state, asOf);
  };

  /**
   * Folds the events of a stream that follow `start` and are dated on or before `asOf`, reading
   * them a page at a time and stopping at the first one dated later (acts are recorded in date
   * order: the statechart's rule `chronology`). Personal data withheld.
   */
  const foldUpTo = async (streamId: string, asOf: IsoDate, start: CaseState) => {
    const facts: RecordedFact[] = [];
    let read = 0;
    for (let from = start.revision + 1; ;) {
      // Read through the store's keys, though the view shows no personal data: a lost key store is
      // an error to report (MissingKeyError), never data shown as erased.
      const page = await store.readStream(streamId, { fromRevision: from, maxCount: PAGE });
      read += page.length;
      let later = false;
      for (const recorded of page) {
        const fact = toFact(withoutPersonalData(recorded));
        if (fact.event.data.on > asOf) {
          later = true;
          break;
        }
        facts.push(fact);
      }
      const last = page.at(-1);
      if (later || last === undefined || page.length < PAGE) break;
      from = last.revision + 1;
    }
    const last = facts.at(-1);
    const state: CaseState = last
      ? {
          procedure: foldMany(
            facts.map((f) => f.event),
            start.procedure,
          ),
          revision: last.revision,
          lastEvent: { type: last.event.type, on: last.event.data.on },
        }
      : start;
    return { state, read };
  };

  /**
   * The events as they will be stored, linked in the case's hash chain after `head`: personal
   * fields encrypted first, so the hashes cover the ciphertexts and erasure keeps them valid.
   */
  const sealAndChain = (
    streamId: string,
    revision: number,
    head: string | null,
    events: readonly NewEvent[],
  ): NewEvent[] =>
    chainEvents(streamId, revision + 1, head, isProtected(store) ? store.seal(streamId, events) : events);

  /** Checks a case's inputs and gives each its event (with its person) and its id. */
  const prepare = (
    caseId: string,
    inputs: readonly FactInput[],
  ): { events: ProcedureEvent[]; eventIds: string[] } | Extract<RecordOutcome, { status: 'invalid' }> => {
    const id = CaseId.safeParse(caseId);
    if (!id.success) return { status: 'invalid', index: 0, issues: zodIssues(id.error, 'caseId') };
    const day = today();
    const events: ProcedureEvent[] = [];
    // Ids are chosen once, so that a retry after a concurrent write appends the same events.
    const eventIds = inputs.map((input) => input.eventId ?? randomUUID());
    for (const [index, input] of inputs.entries()) {
      const checked = validateFact(caseId, input, day);
      if (!checked.ok) return { status: 'invalid', index, issues: checked.issues };
      const envelope = validateEnvelope(input);
      if (envelope.length > 0) return { status: 'invalid', index, issues: envelope };
      events.push(withPerson(checked.event, eventIds[index] as string));
    }
    return { events, eventIds };
  };

  /** The events and ids of inputs checked already (see {@link CaseFacts.checked}). */
  const prepareChecked = (inputs: readonly FactInput[]): { events: ProcedureEvent[]; eventIds: string[] } => {
    const eventIds = inputs.map((input) => input.eventId ?? randomUUID());
    const events = inputs.map((input, index) =>
      withPerson({ type: input.type, data: input.data } as ProcedureEvent, eventIds[index] as string),
    );
    return { events, eventIds };
  };

  /**
   * What to append to a case whose stored history is `stored`, folded to `state`: the facts not
   * stored yet, each decided by `step` (the next state, or why the procedure or the law refuses it).
   */
  const plan = <S>(
    caseId: string,
    inputs: readonly FactInput[],
    { events, eventIds }: { events: readonly ProcedureEvent[]; eventIds: readonly string[] },
    stored: {
      readonly facts: readonly Pick<RecordedFact, 'eventId' | 'revision'>[];
      readonly revision: number;
    },
    state: S,
    step: (state: S, event: ProcedureEvent) => S | Refusal,
    isRefusal: (next: S | Refusal) => next is Refusal,
    checked = false,
  ):
    | { status: 'append'; newEvents: NewEvent[]; unchanged: number }
    | Extract<RecordOutcome, { status: 'refused' }> => {
    const storedIds = new Map(stored.facts.map((f) => [f.eventId, f.revision]));
    let unchanged = 0;
    const pending: { index: number; input: FactInput; event: ProcedureEvent }[] = [];
    for (const [index, input] of inputs.entries()) {
      const event = events[index] as ProcedureEvent;
      const storedAt = input.eventId === undefined ? undefined : storedIds.get(input.eventId);
      if (storedAt !== undefined) {
        if (pending.length > 0 || storedAt !== unchanged)
          throw new HistoryDivergenceError(
            caseId,
            storedAt,
            `event ${input.eventId} is stored, but out of order`,
          );
        unchanged++;
        continue;
      }
      const next = step(state, event);
      if (isRefusal(next)) return { status: 'refused', index, event, refusal: next };
      state = next;
      pending.push({ index, input, event });
    }
    if (unchanged > 0 && unchanged < stored.facts.length && pending.length > 0)
      throw new HistoryDivergenceError(
        caseId,
        unchanged,
        'the stored history has facts that are not in the input; refusing to append after them',
      );
    const recordedAt = now().toISOString();
    const correlationId = inputs[0]?.correlationId ?? randomUUID();
    let causation: string | undefined = stored.facts.at(-1)?.eventId;
    const newEvents = pending.map(({ index, input, event }) => {
      const eventId = eventIds[index] as string;
      // The keys in EventMetadata's order (what parsing it returns).
      const given: Record<string, unknown> = {};
      if (input.source) given.source = input.source;
      given.actor = input.actor ?? CATALOGUE[event.type].actor;
      given.recordedAt = recordedAt;
      given.correlationId = input.correlationId ?? correlationId;
      const causationId = input.causationId ?? causation;
      if (causationId) given.causationId = causationId;
      given.schemaVersion = schemaVersionOf(event.type);
      // Checked inputs hold zod's output already (the envelope included), in the schema's key
      // order: parsing them again would return them as they are.
      const metadata = checked ? (given as unknown as EventMetadata) : EventMetadata.parse(given);
      causation = eventId;
      return toNewEvent(eventId, event, metadata);
    });
    return { status: 'append', newEvents, unchanged };
  };

  /**
   * The facts just appended after `revision`, as a read of the stream would return them. One
   * event is decoded from what was appended (its data before sealing, as the read would open it;
   * its metadata with the chain's link) at the position the store returned, with no read; several
   * are read back, for the position of each (an append returns the last one's only).
   */
  const appendedFacts = async (
    streamId: string,
    revision: number,
    newEvents: readonly NewEvent[],
    chained: readonly NewEvent[],
    appendedAt: AppendResult,
  ): Promise<RecordedFact[]> => {
    const [plain, sealed] = [newEvents[0], chained[0]];
    if (chained.length === 1 && plain !== undefined && sealed !== undefined)
      return [
        toFact({
          ...sealed,
          data: plain.data,
          streamId,
          revision: revision + 1,
          position: appendedAt.position,
          created: '',
        }),
      ];
    const appended = await store.readStream(streamId, { fromRevision: revision + 1 });
    const ids = new Set(newEvents.map((n) => n.id));
    return appended.filter((e) => ids.has(e.id)).map(toFact);
  };

  const isXstateRefusal = (next: ProcedureState | Refusal): next is Refusal => 'kind' in next;

  /**
   * Records facts on a case, in order, atomically: either all are appended or none.
   * Facts whose `eventId` is already stored are skipped (they must be the stream's next facts).
   */
  const recordAll = async (caseId: string, inputs: readonly FactInput[]): Promise<RecordOutcome> => {
    const prepared = prepare(caseId, inputs);
    if ('status' in prepared) return prepared;
    // Facts given with their ids (datasets) are matched against the ids of the stored ones, which
    // takes the whole history; other facts are decided on the case's latest snapshot and the
    // events after it.
    const byId = inputs.some((input) => input.eventId !== undefined);
    for (let attempt = 0; ; attempt++) {
      const latest = byId ? undefined : await loadLatest(caseId);
      const history = latest
        ? {
            ...latest,
            facts:
              latest.lastEventId === undefined
                ? []
                : [{ eventId: latest.lastEventId, revision: latest.revision }],
          }
        : await loadWithheld(caseId).then((full) => ({ ...full, folded: full.facts.length }));
      // Decided on the facts with their personal data withheld, as stored ones are: the state
      // reached is the one a snapshot may keep.
      let reached = history.state;
      const planned = inOneFold(() =>
        plan(
          caseId,
          inputs,
          prepared,
          history,
          history.state,
          (state, event) => {
            const withheld = withheldEvent(event);
            const decision = decide(state, withheld);
            return decision.accepted ? (reached = evolve(state, withheld)) : decision.refusal;
          },
          isXstateRefusal,
        ),
      );
      if (planned.status === 'refused') return planned;
      const { newEvents, unchanged } = planned;
      if (newEvents.length === 0)
        return { status: 'recorded', facts: [], unchanged, revision: history.revision };
      // The new persons' keys at once (one commit of the key store), then the events sealed and chained.
      if (isProtected(store)) store.keys.prepare?.(personsOf(newEvents));
      const streamId = caseStreamId(caseId);
      const chained = sealAndChain(streamId, history.revision, history.head, newEvents);
      let appendedAt: AppendResult;
      try {
        // To the store as written: the events are sealed and their persons indexed already.
        appendedAt = await written.appendToStream(streamId, chained, {
          expectedRevision: history.revision < 0 ? 'no-stream' : history.revision,
        });
      } catch (error) {
        if (error instanceof ConcurrencyConflictError && attempt < retries) continue;
        throw error;
      }
      const last = chained.at(-1);
      if (last && history.folded + chained.length >= snapshotEvery)
        await keepSnapshot(caseId, reached, history.revision + chained.length, last);
      const facts = await appendedFacts(streamId, history.revision, newEvents, chained, appendedAt);
      return { status: 'recorded', facts, unchanged, revision: facts.at(-1)?.revision ?? history.revision };
    }
  };

  /**
   * Records the facts of many cases, each case all-or-nothing as {@link recordAll} does, but the
   * cases together in one store transaction when the store can (`appendToStreams`: one commit and
   * one sync for all), and decided through the statechart's fast path (src/simulation/engine.ts,
   * equivalent to `transition()`). A case another writer changed meanwhile is decided again.
   * `appended` counts only the events this call wrote: a case written by a concurrent run of the
   * same input counts as unchanged.
   *
   * The work is done once per batch where it can be: one query tells which cases already have
   * events (only those are read), one look-up per person gives the complainants' keys (the missing
   * ones created in one commit), and facts marked `checked` are not validated again. The events
   * appended are the ones {@link recordAll} would append, id for id and field for field
   * (test/import/equivalence.test.ts).
   */
  const recordCases = async (cases: readonly CaseFacts[]): Promise<CaseRecordOutcome[]> => {
    if (!canAppendToStreams(store) || !canAppendToStreams(written)) {
      const one: CaseRecordOutcome[] = [];
      for (const { caseId, inputs } of cases) {
        try {
          const outcome = await recordAll(caseId, inputs);
          one.push(
            outcome.status === 'recorded'
              ? { status: 'recorded', appended: outcome.facts.length, unchanged: outcome.unchanged }
              : outcome,
          );
        } catch (error) {
          if (!(error instanceof HistoryDivergenceError)) throw error;
          one.push({ status: 'diverged', error });
        }
      }
      return one;
    }
    const engine = fastEngine();
    const initial = engine.fromSnapshot(initialState());
    const isRefusal = (next: EngineState | Refusal): next is Refusal => 'kind' in next;
    const step = (state: EngineState, event: ProcedureEvent): EngineState | Refusal =>
      engine.step(state, event) ??
      explainRefusal(
        procedureMachine.resolveState({ value: engine.valueOf(state), context: state.context }),
        event,
      );
    const outcomes: (CaseRecordOutcome | undefined)[] = cases.map(() => undefined);
    const prepared = cases.map(({ caseId, inputs, checked }, i) => {
      const p = checked ? prepareChecked(inputs) : prepare(caseId, inputs);
      if ('status' in p) outcomes[i] = p;
      return p;
    });
    for (let attempt = 0; ; attempt++) {
      const appends: { index: number; append: StreamAppend; unchanged: number; head: string | null }[] = [];
      const open = cases.flatMap(({ caseId }, i) =>
        outcomes[i] === undefined ? [caseStreamId(caseId)] : [],
      );
      // Which cases have events already, in one query: a new case is not read at all.
      const revisions = await written.streamRevisions(open);
      for (const [i, { caseId, inputs, checked }] of cases.entries()) {
        const p = prepared[i];
        if (outcomes[i] !== undefined || p === undefined || 'status' in p) continue;
        try {
          const stored = revisions.has(caseStreamId(caseId))
            ? await readWithheld(caseId)
            : { facts: [], revision: -1, head: null };
          const { facts, revision, head } = stored;
          // One linear fold per case (machines/transient.ts): its growing lists are not copied per fact.
          const planned = inOneFold(() => {
            let state = initial;
            for (const fact of facts) {
              const next = step(state, fact.event);
              if (isRefusal(next)) throw new ProcedureViolationError(next, fact.event);
              state = next;
            }
            return plan(caseId, inputs, p, { facts, revision }, state, step, isRefusal, checked);
          });
          if (planned.status === 'refused') outcomes[i] = planned;
          else if (planned.newEvents.length === 0)
            outcomes[i] = { status: 'recorded', appended: 0, unchanged: planned.unchanged };
          else
            appends.push({
              index: i,
              unchanged: planned.unchanged,
              head,
              append: {
                streamId: caseStreamId(caseId),
                events: planned.newEvents,
                expectedRevision: revision < 0 ? 'no-stream' : revision,
              },
            });
        } catch (error) {
          if (!(error instanceof HistoryDivergenceError)) throw error;
          outcomes[i] = { status: 'diverged', error };
        }
      }
      if (appends.length === 0) break;
      // Sealed once here (one key look-up per person, the new keys in one commit of the key store),
      // chained, and appended to the store underneath: nothing is sealed twice.
      const sealed = isProtected(store)
        ? store.sealStreams(appends.map((a) => a.append))
        : appends.map((a) => a.append.events);
      const results = await written.appendToStreams(
        appends.map(({ append, head }, k) => {
          const revision = append.expectedRevision === 'no-stream' ? -1 : Number(append.expectedRevision);
          return {
            ...append,
            events: chainEvents(append.streamId, revision + 1, head, sealed[k] as NewEvent[]),
          };
        }),
      );
      let conflicts = 0;
      results.forEach((result, k) => {
        const { index, unchanged, append } = appends[k] as (typeof appends)[number];
        if (result.status === 'failed') {
          if (result.error instanceof ConcurrencyConflictError && attempt < retries) conflicts++;
          else throw result.error;
        } else
          outcomes[index] =
            result.status === 'written'
              ? { status: 'recorded', appended: append.events.length, unchanged }
              : // Another writer stored these very events first: none of them is this call's.
                { status: 'recorded', appended: 0, unchanged: unchanged + append.events.length };
      });
      if (conflicts === 0) break;
    }
    return outcomes.map((o) => {
      if (o === undefined) throw new TypeError('a case was left without an outcome');
      return o;
    });
  };

  return {
    load,
    loadWithheld,
    /**
     * Where a case stands now (its state and revision, personal data withheld), from its snapshot
     * and the events after it when it has one.
     */
    current: async (caseId: string) => {
      const { state, revision } = await loadLatest(caseId);
      return { caseId, state, revision };
    },
    view,
    /**
     * Drops the snapshots of these cases (`forget` does, for the cases it touches); the next write
     * on each folds it from its events and takes a new one.
     */
    dropSnapshots: async (caseIds: readonly string[]): Promise<number> =>
      snapshots ? snapshots.deleteSnapshots(caseIds.map(caseStreamId)) : 0,
    recordAll,
    recordCases,
    /** Records one fact. */
    record: (caseId: string, input: FactInput) => recordAll(caseId, [input]),
  };
};

export type CaseService = ReturnType<typeof createCaseService>;
