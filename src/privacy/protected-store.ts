/**
 * Crypto-shredding as a decorator of any event store: the personal fields of an event
 * (machines/personal-data.ts) are encrypted with their person's key (AES-256-GCM, node:crypto)
 * before they reach the store, and decrypted when read. Once the person's keys are deleted
 * (`forget`), every copy of those fields reads as "[personal data erased]", while the rest of the
 * event — dates, amounts, articles, references — stays as it was. The event log is never rewritten.
 *
 * What the store holds in place of a personal field:
 * `{ "$encrypted": { "v": 1, "alg": "A256GCM", "keyId": …, "iv": …, "data": …, "tag": … } }`
 * (base64). The ciphertext is bound to its place (stream, event id, field path) as associated
 * data, so it cannot be moved to another event or field; a tampered one is an
 * `EventDeserializationError`, never a silently wrong value.
 */
import { createCipheriv, createDecipheriv, randomFillSync } from 'node:crypto';
import {
  ERASED,
  personalFieldsOf,
  personOf,
  valueAt,
  withholdPersonalData,
  withValueAt,
} from '../../machines/personal-data.ts';
import {
  type BatchAppendStore,
  canAppendToStreams,
  EventDeserializationError,
  type EventStore,
  hasPersonIndex,
  type JsonObject,
  type JsonValue,
  type NewEvent,
  type RecordedEvent,
  type Subscription,
  type SubscriptionMessage,
} from '../store/port.ts';
import type { KeyStore, PersonKey, PersonStream } from './keys.ts';

const ALGORITHM = 'aes-256-gcm';
const NONE: ReadonlySet<string> = new Set();
const IV_BYTES = 12;

interface Envelope {
  readonly v: 1;
  readonly alg: 'A256GCM';
  readonly keyId: string;
  readonly iv: string;
  readonly data: string;
  readonly tag: string;
}

/** A personal field of an event has no person to encrypt it for: it would be stored in clear. */
export class PersonalDataError extends Error {
  override readonly name = 'PersonalDataError';
  constructor(
    readonly streamId: string,
    readonly eventId: string,
    readonly field: string,
  ) {
    super(
      `stream ${streamId}, event ${eventId}: ${field} is personal data but the event names no person ` +
        '(record it through the case service, which assigns one)',
    );
  }
}

/**
 * A personal field's key is not in the key store, and no `PersonalDataErased` of its person is
 * recorded after it in the case: the key was lost (a deleted or replaced key file, the wrong
 * `--keys`), which is not an erasure and is never shown as one.
 */
export class MissingKeyError extends Error {
  override readonly name = 'MissingKeyError';
  constructor(
    readonly streamId: string,
    readonly revision: number,
    readonly personId: string,
    readonly keyId: string,
    readonly keyStore: string,
  ) {
    super(
      `case ${streamId.replace(/^case-/, '')}, revision ${revision}: the key of ${personId} is missing from the ` +
        `key store ${keyStore}, and no PersonalDataErased of ${personId} is recorded; the key store was lost or ` +
        'is not the one of this store (--keys): restore it from a backup',
    );
  }
}

const associatedData = (streamId: string, eventId: string, path: readonly string[]): Buffer =>
  Buffer.from(`cnil-enforcement/personal-data/v1\n${streamId}\n${eventId}\ndata.${path.join('.')}`, 'utf8');

const isEnvelope = (value: unknown): value is { $encrypted: Envelope } =>
  typeof value === 'object' &&
  value !== null &&
  Object.hasOwn(value, '$encrypted') &&
  Object.keys(value).length === 1;

/** Random IVs drawn by blocks from the system's CSPRNG (one call per 1 024 IVs, not one per field). */
const IV_POOL = Buffer.alloc(IV_BYTES * 1024);
let ivOffset = IV_POOL.length;
const freshIv = (): Buffer => {
  if (ivOffset === IV_POOL.length) {
    randomFillSync(IV_POOL);
    ivOffset = 0;
  }
  // A copy: the pool is overwritten when it is refilled.
  const iv = Buffer.from(IV_POOL.subarray(ivOffset, ivOffset + IV_BYTES));
  ivOffset += IV_BYTES;
  return iv;
};

const encrypt = (key: Buffer, keyId: string, plaintext: string, aad: Buffer): { $encrypted: Envelope } => {
  const iv = freshIv();
  const cipher = createCipheriv(ALGORITHM, key, iv);
  cipher.setAAD(aad);
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return {
    $encrypted: {
      v: 1,
      alg: 'A256GCM',
      keyId,
      iv: iv.toString('base64'),
      data: data.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
    },
  };
};

const decrypt = (key: Buffer, envelope: Envelope, aad: Buffer): string => {
  if (envelope.v !== 1 || envelope.alg !== 'A256GCM') throw new RangeError('unknown envelope version');
  const decipher = createDecipheriv(ALGORITHM, key, Buffer.from(envelope.iv, 'base64'));
  decipher.setAAD(aad);
  decipher.setAuthTag(Buffer.from(envelope.tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(envelope.data, 'base64')), decipher.final()]).toString(
    'utf8',
  );
};

/** Encrypts the personal fields of an event about to be appended to `streamId`. */
export const sealEvent = (keys: Pick<KeyStore, 'keyFor'>, streamId: string, event: NewEvent): NewEvent => {
  const spec = personalFieldsOf(event.type);
  if (!spec) return event;
  const personId = valueAt(event.data, spec.person);
  let personKey: PersonKey | undefined; // asked of the key store once per event, on first use
  let data: unknown = event.data;
  for (const path of spec.fields) {
    const value = valueAt(data, path);
    if (typeof value !== 'string') continue;
    if (typeof personId !== 'string')
      throw new PersonalDataError(streamId, event.id, `data.${path.join('.')}`);
    personKey ??= keys.keyFor(personId);
    const { keyId, key } = personKey;
    data = withValueAt(data, path, encrypt(key, keyId, value, associatedData(streamId, event.id, path)));
  }
  return { ...event, data: data as JsonObject };
};

/**
 * Decrypts the personal fields of a stored event; fields whose key was deleted read as
 * {@link ERASED} when their person is in `erased` (an erasure recorded after the event). Fields
 * stored in clear (before this module existed) are returned as stored.
 * @throws EventDeserializationError when a ciphertext does not decrypt (tampered or misplaced).
 * @throws MissingKeyError when a key is missing and its person is not in `erased`.
 */
export const openEvent = (
  keys: KeyStore,
  event: RecordedEvent,
  erased: ReadonlySet<string> = NONE,
): RecordedEvent => {
  const spec = personalFieldsOf(event.type);
  if (!spec) return event;
  let data: unknown = event.data;
  for (const path of spec.fields) {
    const value = valueAt(data, path);
    if (!isEnvelope(value)) continue;
    const envelope = value.$encrypted;
    const key = typeof envelope.keyId === 'string' ? keys.key(envelope.keyId) : undefined;
    let plaintext: string;
    if (key === undefined) {
      const personId = valueAt(event.data, spec.person);
      if (typeof personId !== 'string' || !erased.has(personId))
        throw new MissingKeyError(
          event.streamId,
          event.revision,
          String(personId),
          String(envelope.keyId),
          keys.location,
        );
      plaintext = ERASED;
    } else
      try {
        plaintext = decrypt(key, envelope, associatedData(event.streamId, event.id, path));
      } catch (error) {
        throw new EventDeserializationError(event.streamId, event.revision, { cause: error });
      }
    data = withValueAt(data, path, plaintext as JsonValue);
  }
  return { ...event, data: data as JsonObject };
};

/** The persons whose personal data the events carry (to create their keys in one go). */
export const personsOf = (events: readonly NewEvent[]): string[] => {
  const persons = new Set<string>();
  for (const event of events) {
    const spec = personalFieldsOf(event.type);
    const personId = spec && valueAt(event.data, spec.person);
    if (typeof personId === 'string') persons.add(personId);
  }
  return [...persons];
};

/**
 * The persons whose personal data each stream's events carry: the entries of the key store's person
 * index (for a store that keeps none of its own).
 */
const personStreamsOf = (
  appends: readonly { readonly streamId: string; readonly events: readonly NewEvent[] }[],
): PersonStream[] => {
  const seen = new Set<string>();
  const entries: PersonStream[] = [];
  for (const { streamId, events } of appends)
    for (const event of events) {
      const personId = personOf(event.type, event.data);
      if (personId === undefined || seen.has(`${personId}\n${streamId}`)) continue;
      seen.add(`${personId}\n${streamId}`);
      entries.push({ personId, streamId });
    }
  return entries;
};

/**
 * Seals the events of many streams (see {@link sealEvent}) with one key look-up per person: the
 * persons' keys are read, and the missing ones created, at once (one commit of the key store).
 */
export const sealStreams = (
  keys: KeyStore,
  appends: readonly { readonly streamId: string; readonly events: readonly NewEvent[] }[],
): NewEvent[][] => {
  const persons = personsOf(appends.flatMap((a) => a.events));
  let lookup: Pick<KeyStore, 'keyFor'> = keys;
  if (keys.keysFor) {
    const found = keys.keysFor(persons);
    lookup = { keyFor: (personId) => found.get(personId) ?? keys.keyFor(personId) };
  } else keys.prepare?.(persons);
  return appends.map((a) => a.events.map((e) => sealEvent(lookup, a.streamId, e)));
};

/**
 * A stored event without its personal data, which are withheld (machines/personal-data.ts) whether
 * the event holds them decrypted, as ciphertext or erased: what the read models keep, and what the
 * case service decides on. Needs no key.
 */
export const withoutPersonalData = (event: RecordedEvent): RecordedEvent => {
  const data = withholdPersonalData(event.type, event.data) as JsonObject;
  return data === event.data ? event : { ...event, data };
};

/** An event store whose personal fields are encrypted under keys kept in `keys`. */
export interface ProtectedEventStore extends EventStore, Partial<BatchAppendStore> {
  readonly keys: KeyStore;
  /** The events as they will be stored: personal fields encrypted (appending them seals nothing twice). */
  seal(streamId: string, events: readonly NewEvent[]): NewEvent[];
  /** {@link seal} for many streams at once, one key look-up per person (see {@link sealStreams}). */
  sealStreams(
    appends: readonly { readonly streamId: string; readonly events: readonly NewEvent[] }[],
  ): NewEvent[][];
  /** The store underneath, holding only ciphertexts (for audits and tests). */
  readonly raw: EventStore;
}

/**
 * Wraps `store` so that personal data are encrypted on append and decrypted on read. Closing it
 * closes the store and the key store.
 */
export const protectPersonalData = (store: EventStore, keys: KeyStore): ProtectedEventStore => {
  /**
   * A store without a person index of its own (EventStoreDB, memory) has the key store keep one:
   * each append's persons are recorded before it is made, so the index never misses a stream.
   */
  const index =
    !hasPersonIndex(store) && keys.indexStreams
      ? (appends: Parameters<typeof personStreamsOf>[0]) => keys.indexStreams?.(personStreamsOf(appends))
      : () => undefined;
  /** The persons whose erasure the stream records after `event`. */
  const erasedAfter = async (event: RecordedEvent): Promise<Set<string>> => {
    const later = await store.readStream(event.streamId, { fromRevision: event.revision + 1 });
    return new Set(
      later.flatMap((e) =>
        e.type === 'PersonalDataErased' && typeof e.data.personId === 'string' ? [e.data.personId] : [],
      ),
    );
  };
  /** Opens an event; a missing key is looked up against the erasures recorded after it (rare). */
  const open = async (event: RecordedEvent): Promise<RecordedEvent> => {
    try {
      return openEvent(keys, event);
    } catch (error) {
      if (!(error instanceof MissingKeyError)) throw error;
      return openEvent(keys, event, await erasedAfter(event));
    }
  };
  return {
    keys,
    raw: store,
    // Events sealed here are appended by the caller (the case service, to the store as written):
    // they are indexed now, before any append (again when appended through this store: no change).
    seal: (streamId, events) => {
      const sealed = events.map((e) => sealEvent(keys, streamId, e));
      index([{ streamId, events }]);
      return sealed;
    },
    sealStreams: (appends) => {
      const sealed = sealStreams(keys, appends);
      index(appends);
      return sealed;
    },
    // Async, so that a PersonalDataError is a rejected promise like every other append error.
    appendToStream: async (streamId, events, options) => {
      const sealed = events.map((e) => sealEvent(keys, streamId, e));
      index([{ streamId, events }]);
      return store.appendToStream(streamId, sealed, options);
    },
    // Many streams in one transaction, when the store can: the new persons' keys are created first,
    // together (one commit of the key store), then every event is sealed and the batch appended.
    ...(canAppendToStreams(store)
      ? {
          appendToStreams: async (appends: Parameters<BatchAppendStore['appendToStreams']>[0]) => {
            const sealed = sealStreams(keys, appends);
            index(appends);
            return store.appendToStreams(appends.map((a, i) => ({ ...a, events: sealed[i] ?? [] })));
          },
          streamRevisions: (streamIds: readonly string[]) => store.streamRevisions(streamIds),
        }
      : {}),
    ...(store.headPosition ? { headPosition: () => (store.headPosition as () => Promise<number>)() } : {}),
    readStream: async (streamId, options) => {
      const events = await store.readStream(streamId, options);
      const opened: RecordedEvent[] = [];
      for (const e of events) opened.push(await open(e));
      return opened;
    },
    async *readAll(options) {
      for await (const event of store.readAll(options)) yield await open(event);
    },
    subscribeToAll(options): Subscription {
      const inner = store.subscribeToAll(options);
      return {
        close: () => inner.close(),
        async *[Symbol.asyncIterator](): AsyncIterator<SubscriptionMessage> {
          for await (const message of inner)
            yield message.kind === 'event' ? { kind: 'event', event: await open(message.event) } : message;
        },
      };
    },
    async close() {
      try {
        await store.close();
      } finally {
        keys.close();
      }
    },
  };
};
