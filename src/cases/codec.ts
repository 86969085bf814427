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
import {
  CURRENT_VERSION,
  isObject,
  UnknownSchemaVersionError,
  UpcastError,
  upcast,
} from '../../machines/versions.ts';
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

/** The fields most events of a store share with many others (one import, one actor), validated once. */
const SharedFields = EventMetadata.pick({
  actor: true,
  recordedAt: true,
  correlationId: true,
  schemaVersion: true,
});
type SharedFields = z.infer<typeof SharedFields>;

/** Validated shared fields and sources, by their values: a store holds few distinct ones. */
const validShared = new Map<string, SharedFields>();
const validSources = new Map<string, Source>();
const MAX_CACHED = 10_000;
const remember = <T>(cache: Map<string, T>, key: string, value: T): T => {
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(key, value);
  return value;
};

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

const METADATA_FIELDS = new Set(Object.keys(EventMetadata.shape));
/** The `integrity` hashes, as the schema checks them. */
const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * The metadata as the schema would read it, when it takes the common shape: a source and shared
 * fields already validated (else validated now, once), a causation id and an integrity link
 * checked here by the schema's own rules. `undefined` for anything else: the schema decides.
 */
const commonMetadata = (metadata: unknown): EventMetadata | undefined => {
  if (!isObject(metadata)) return undefined;
  for (const name in metadata)
    if (!METADATA_FIELDS.has(name) || metadata[name] === undefined) return undefined;
  const { source, actor, recordedAt, correlationId, causationId, schemaVersion, integrity } = metadata;
  if (!isObject(source) || typeof actor !== 'string' || typeof recordedAt !== 'string') return undefined;
  if (typeof correlationId !== 'string' || typeof schemaVersion !== 'number') return undefined;
  // causationId: z.string().min(1).max(100).optional()
  if (
    causationId !== undefined &&
    (typeof causationId !== 'string' || causationId.length < 1 || causationId.length > 100)
  )
    return undefined;
  // integrity: z.strictObject({ alg: 'sha256', prev: hex64 | null, hash: hex64 }).optional()
  let link: EventMetadata['integrity'];
  if (integrity !== undefined) {
    if (!isObject(integrity) || Object.keys(integrity).length !== 3) return undefined;
    const { alg, prev, hash } = integrity;
    if (alg !== 'sha256' || typeof hash !== 'string' || !SHA256_HEX.test(hash)) return undefined;
    if (prev !== null && (typeof prev !== 'string' || !SHA256_HEX.test(prev))) return undefined;
    link = { alg, prev, hash };
  }
  const key = sourceKey(source);
  if (key === null) return undefined;
  let valid = validSources.get(key);
  if (valid === undefined) {
    const parsed = EventMetadata.shape.source.safeParse(source);
    if (!parsed.success || parsed.data === undefined) return undefined;
    valid = remember(validSources, key, parsed.data);
  }
  const sharedKey = `${actor}\u0001${recordedAt}\u0001${correlationId}\u0001${schemaVersion}`;
  let shared = validShared.get(sharedKey);
  if (shared === undefined) {
    const parsed = SharedFields.safeParse({ actor, recordedAt, correlationId, schemaVersion });
    if (!parsed.success) return undefined;
    shared = remember(validShared, sharedKey, parsed.data);
  }
  // The schema's key order.
  return {
    source: valid,
    actor: shared.actor,
    recordedAt: shared.recordedAt,
    correlationId: shared.correlationId,
    ...(causationId === undefined ? {} : { causationId }),
    schemaVersion: shared.schemaVersion,
    ...(link === undefined ? {} : { integrity: link }),
  };
};

/**
 * `EventMetadata.safeParse`, faster on a store's events: most share one of a few sources, and
 * their actor, recording time, correlation and schema version with many others: each distinct
 * value is validated once (the values key caches of validated ones); the causation id and the hash
 * chain's link are checked every time, by the schema's rules. Whatever does not take this path,
 * and every failure, goes through the whole schema, so the result and the error messages are the
 * schema's (test/cases/codec.test.ts).
 */
export const parseMetadata = (metadata: unknown): ReturnType<typeof EventMetadata.safeParse> => {
  const common = commonMetadata(metadata);
  return common === undefined ? EventMetadata.safeParse(metadata) : { success: true, data: common };
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
