/**
 * Tamper evidence: the events of each case are chained by hashes. Each event's metadata carries
 * `integrity: { alg: 'sha256', prev, hash }`, where `prev` is the hash of the stream's previous
 * event (null for the first) and `hash` is SHA-256 over a canonical JSON of the event as stored —
 * stream, revision, id, type, data, its other metadata — and `prev`. Changing, removing or
 * reordering an event breaks the chain at that point and every link after it.
 *
 * The hash covers the data AS STORED: personal fields are hashed as their ciphertext, so erasing
 * a person (deleting their key) leaves every hash verifiable (src/privacy/).
 *
 * Events written before the chain existed carry no `integrity`. Their hash is computed the same way
 * when needed, so the first chained event of a stream commits to the unchained events before it;
 * an unchained event AFTER a chained one is a finding (see src/integrity/verify.ts).
 *
 * The hashes prove that the record is the one that was written, to someone holding a hash of its
 * head made earlier (`cnil verify` prints each stream's head and one digest of them all): whoever
 * can write the file can also recompute every hash, so keep a digest outside the machine.
 */
import { createHash } from 'node:crypto';
import type { JsonObject, JsonValue, NewEvent } from '../store/port.ts';

export const CHAIN_ALGORITHM = 'sha256';
const DOMAIN = 'cnil-enforcement/chain/v1\n';

/** The link an event's metadata carries. */
export interface ChainLink {
  readonly alg: typeof CHAIN_ALGORITHM;
  /** Hash of the stream's previous event, null for its first event. */
  readonly prev: string | null;
  /** Hash of this event (its content and `prev`). */
  readonly hash: string;
}

/** JSON with object keys sorted at every level: the same value always gives the same text. */
export const canonicalJson = (value: unknown): string => {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i > 0 ? ',' : '') + canonicalJson(value[i]);
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  // Code-unit order, as `sort()` gives: the same on every platform.
  const keys = Object.keys(record).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const v = record[key];
    if (v === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(key)}:${canonicalJson(v)}`;
    first = false;
  }
  return `${out}}`;
};

/** The event's metadata without its link (what the hash covers); itself when it has none. */
const contentMetadata = (metadata: JsonObject): JsonObject => {
  if (!Object.hasOwn(metadata, 'integrity')) return metadata;
  const { integrity: _link, ...rest } = metadata;
  return rest;
};

/** What an event is, for its hash: where it is and what it holds, as stored. */
export interface ChainedContent {
  readonly streamId: string;
  readonly revision: number;
  readonly id: string;
  readonly type: string;
  readonly data: JsonObject;
  readonly metadata: JsonObject;
}

/** The hash of an event at its place in the stream, after `prev`. */
export const eventHash = (event: ChainedContent, prev: string | null): string =>
  createHash(CHAIN_ALGORITHM)
    .update(DOMAIN)
    .update(
      canonicalJson({
        streamId: event.streamId,
        revision: event.revision,
        id: event.id,
        type: event.type,
        data: event.data,
        metadata: contentMetadata(event.metadata),
        prev,
      }),
    )
    .digest('hex');

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * The link an event carries: a well-formed one, `undefined` when it carries none (written before the
 * chain), or `'malformed'`.
 */
export const linkOf = (metadata: JsonObject): ChainLink | 'malformed' | undefined => {
  const link = metadata.integrity;
  if (link === undefined) return undefined;
  if (typeof link !== 'object' || link === null || Array.isArray(link)) return 'malformed';
  const { alg, prev, hash } = link as Record<string, JsonValue>;
  if (alg !== CHAIN_ALGORITHM || typeof hash !== 'string' || !HEX64.test(hash)) return 'malformed';
  if (prev !== null && (typeof prev !== 'string' || !HEX64.test(prev))) return 'malformed';
  return { alg, prev, hash };
};

/**
 * The hash of a stored event that closes the chain so far: its own link's hash when it carries
 * one, otherwise computed (an unchained event of before the chain) after `prev`.
 */
export const headHash = (event: ChainedContent, prev: string | null): string => {
  const link = linkOf(event.metadata);
  return typeof link === 'object' ? link.hash : eventHash(event, prev);
};

/**
 * The hash of a stream's last event, from its events in order (as stored): what the next event's
 * `prev` must be. Null for an empty stream.
 */
export const streamHead = (events: readonly ChainedContent[]): string | null => {
  let head: string | null = null;
  // Only events after the last chained one need hashing: its link already commits to the rest.
  let start = 0;
  for (let i = events.length - 1; i >= 0; i--) {
    const link = linkOf((events[i] as ChainedContent).metadata);
    if (typeof link === 'object') {
      head = link.hash;
      start = i + 1;
      break;
    }
  }
  for (const event of events.slice(start)) head = eventHash(event, head);
  return head;
};

/**
 * The head after `events`, which follow in their stream an event whose head hash is `prev`: what
 * {@link streamHead} gives for the whole stream, from its events after a known point only.
 */
export const streamHeadAfter = (prev: string | null, events: readonly ChainedContent[]): string | null => {
  let head = prev;
  for (const event of events) head = headHash(event, head);
  return head;
};

/**
 * Links `events`, about to be appended to `streamId` from revision `firstRevision`, after the
 * stream's head hash `prev`: each one's metadata gets its `integrity` link. The events must be in
 * the form they will be stored in (personal data already encrypted).
 */
export const chainEvents = (
  streamId: string,
  firstRevision: number,
  prev: string | null,
  events: readonly NewEvent[],
): NewEvent[] => {
  let head = prev;
  return events.map((event, i) => {
    const metadata = contentMetadata(event.metadata);
    const hash = eventHash({ ...event, metadata, streamId, revision: firstRevision + i }, head);
    const link: JsonObject = { alg: CHAIN_ALGORITHM, prev: head, hash };
    head = hash;
    return { ...event, metadata: { ...metadata, integrity: link } };
  });
};
