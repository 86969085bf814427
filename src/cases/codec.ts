/**
 * Between procedure facts and store events: metadata on the way in; on the way out, upcasting
 * (machines/versions.ts) then validation. A stored event that no longer matches its schema, or
 * that was written at a schema version this code does not know, is an `EventDeserializationError`
 * naming the stream, revision, event type and versions — never a silently skipped fact.
 */
import type { z } from 'zod';
import {
  EventMetadata,
  type EventType,
  isEventType,
  ProcedureEvent,
  type Source,
} from '../../machines/events.ts';
import { CURRENT_VERSION, UnknownSchemaVersionError, UpcastError, upcast } from '../../machines/versions.ts';
import type { RecordedFact } from '../../projections/fact.ts';
import {
  EventDeserializationError,
  type JsonObject,
  type NewEvent,
  type RecordedEvent,
} from '../store/port.ts';

const issuesOf = (error: z.ZodError): string =>
  error.issues.map((i) => `${i.path.map(String).join('.')}: ${i.message}`).join('; ');

/** The schema version an event of this type is written at. */
export const schemaVersionOf = (type: EventType): number => CURRENT_VERSION[type];

export const toNewEvent = (id: string, event: ProcedureEvent, metadata: EventMetadata): NewEvent => ({
  id,
  type: event.type,
  // Zod output is plain JSON data (ISO strings, integers, booleans, arrays, objects).
  data: event.data as unknown as JsonObject,
  metadata: metadata as unknown as JsonObject,
});

/** The metadata schema but for the source, validated apart (see {@link parseMetadata}). */
const MetadataBesideSource = EventMetadata.omit({ source: true });

/** Sources already validated, by their fields: a store holds few distinct sources. */
const validSources = new Map<string, Source>();
const MAX_VALID_SOURCES = 10_000;
/** No valid title, reference or URL holds a control character: the fields join unambiguously. */
const ABSENT = '\u0002';
const sourceKey = (source: Record<string, unknown>): string | null => {
  let key = '';
  let fields = 0;
  for (const name of ['title', 'reference', 'url', 'date', 'note']) {
    const value = source[name];
    if (value === undefined) key += `${ABSENT}\u0001`;
    else if (typeof value === 'string') {
      key += `${value}\u0001`;
      fields++;
    } else return null;
  }
  return Object.keys(source).length === fields ? key : null;
};

/**
 * `EventMetadata.safeParse`, faster on a store's events: most share one of a few sources, each
 * validated once (its fields key a cache of the validated value); the other fields are validated
 * every time. Whatever does not take this path, and every failure, goes through the whole schema,
 * so the result and the error messages are the schema's (test/cases/codec.test.ts).
 */
export const parseMetadata = (metadata: unknown): ReturnType<typeof EventMetadata.safeParse> => {
  const source: unknown = (metadata as { source?: unknown } | null)?.source;
  if (source === null || typeof source !== 'object' || Array.isArray(source))
    return EventMetadata.safeParse(metadata);
  const key = sourceKey(source as Record<string, unknown>);
  if (key === null) return EventMetadata.safeParse(metadata);
  const { source: _source, ...rest } = metadata as Record<string, unknown>;
  const others = MetadataBesideSource.safeParse(rest);
  if (!others.success) return EventMetadata.safeParse(metadata);
  let valid = validSources.get(key);
  if (valid === undefined) {
    const parsed = EventMetadata.shape.source.safeParse(source);
    if (!parsed.success || parsed.data === undefined) return EventMetadata.safeParse(metadata);
    if (validSources.size >= MAX_VALID_SOURCES) validSources.clear();
    valid = parsed.data;
    validSources.set(key, valid);
  }
  return { success: true, data: { source: valid, ...others.data } };
};

/**
 * Decodes a stored event: upcasts its data from the version it was written at to the current one,
 * then validates it. The fact's `metadata.schemaVersion` is the version of its data as returned
 * (the current one); the store keeps the version it was written with.
 * @throws EventDeserializationError naming the stream, revision, type, versions and field.
 */
export const toFact = (recorded: RecordedEvent): RecordedFact => {
  const fail = (reason: string, cause: unknown): never => {
    throw new EventDeserializationError(recorded.streamId, recorded.revision, { reason, cause });
  };
  const metadata = parseMetadata(recorded.metadata);
  if (!metadata.success)
    return fail(`${recorded.type}: metadata ${issuesOf(metadata.error)}`, metadata.error);
  const type = recorded.type;
  if (!isEventType(type)) return fail(`unknown event type ${JSON.stringify(type)}`, undefined);
  const stored = metadata.data.schemaVersion;
  const current = CURRENT_VERSION[type];
  let data: unknown;
  try {
    data = upcast(type, stored, recorded.data);
  } catch (error) {
    if (error instanceof UpcastError || error instanceof UnknownSchemaVersionError)
      return fail(error.message, error);
    throw error;
  }
  const event = ProcedureEvent.safeParse({ type, data });
  if (!event.success)
    return fail(
      `${type} (stored at schema version ${stored}, read as ${current}) does not match its schema: ${issuesOf(event.error)}`,
      event.error,
    );
  return {
    event: event.data,
    metadata: { ...metadata.data, schemaVersion: current },
    eventId: recorded.id,
    revision: recorded.revision,
    position: recorded.position,
  };
};
