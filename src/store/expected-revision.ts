/**
 * The append rules every adapter shares: expected-revision checks and idempotent writes by event id.
 * Adapters call {@link checkAppend} inside their write transaction, before writing anything.
 */
import {
  type AppendResult,
  ConcurrencyConflictError,
  DuplicateEventIdError,
  type ExpectedRevision,
  type NewEvent,
} from './port.ts';

/** Where a stored event sits: its stream, its revision there and its global position. */
export interface StoredEventRef {
  readonly streamId: string;
  readonly revision: number;
  readonly position: number;
}

/**
 * Throws `ConcurrencyConflictError` unless a stream whose last event is at `current`
 * (`-1` when the stream does not exist) satisfies `expected`.
 */
export const checkExpectedRevision = (
  streamId: string,
  expected: ExpectedRevision,
  current: number,
): void => {
  if (typeof expected === 'number' && (!Number.isSafeInteger(expected) || expected < 0)) {
    throw new RangeError(
      `stream ${streamId}: expected revision ${expected} is not a revision (an integer ≥ 0)`,
    );
  }
  const ok = expected === 'any' || (expected === 'no-stream' ? current === -1 : current === expected);
  if (!ok) throw new ConcurrencyConflictError(streamId, expected, current === -1 ? 'no-stream' : current);
};

/**
 * Applies the append rules to a batch about to be appended after `head` (the stream's last event,
 * `undefined` for a missing stream); `lookup` finds where an event id is already stored.
 *
 * - Ids inside the batch must be unique, else `DuplicateEventIdError`.
 * - If every event of the batch is already stored in this stream, consecutively and in the same order,
 *   the append is an idempotent retry: whatever `expected`, the original result (revision and position
 *   of the last of those events) is returned. Only ids are compared, not types or data.
 * - If only some ids are stored, or they are stored elsewhere or in another order: `DuplicateEventIdError`.
 * - Otherwise the expected revision is checked (`ConcurrencyConflictError`).
 * - An empty batch writes nothing and returns the stream's head: its last revision and that event's
 *   position, both `-1` when the stream does not exist.
 *
 * @returns the result to return without writing, or `undefined` when the batch must be written.
 */
export const checkAppend = (
  streamId: string,
  events: readonly Pick<NewEvent, 'id'>[],
  expected: ExpectedRevision,
  head: StoredEventRef | undefined,
  lookup: (eventId: string) => StoredEventRef | undefined,
): AppendResult | undefined => {
  const ids = new Set<string>();
  for (const { id } of events) {
    if (ids.has(id)) throw new DuplicateEventIdError(streamId, id);
    ids.add(id);
  }

  const stored = events.map(({ id }) => ({ id, ref: lookup(id) }));
  const known = stored.filter((event) => event.ref !== undefined);
  const [first] = known;
  if (first?.ref !== undefined) {
    // A partial retry names its first stored id; a misplaced one names the first id out of place.
    if (known.length < stored.length) throw new DuplicateEventIdError(streamId, first.id);
    const start = first.ref.revision;
    const misplaced = stored.find(({ ref }, i) => ref?.streamId !== streamId || ref.revision !== start + i);
    if (misplaced !== undefined) throw new DuplicateEventIdError(streamId, misplaced.id);
    const last = stored.at(-1)?.ref ?? first.ref;
    return { nextExpectedRevision: last.revision, position: last.position };
  }

  checkExpectedRevision(streamId, expected, head?.revision ?? -1);
  if (events.length > 0) return undefined;
  return { nextExpectedRevision: head?.revision ?? -1, position: head?.position ?? -1 };
};
