/**
 * `verify`: is the record sound? Reads the store as written (never through the decrypting layer,
 * never writing) and checks, for every case or one:
 * - `sqlite`: `PRAGMA integrity_check` of the event-store file, the key store and each read-model file;
 * - `revisions`: each stream's revisions run 0, 1, 2… without a gap or a repeat;
 * - `chain`: each event's hash matches its content and the previous event's hash (src/integrity/chain.ts);
 * - `decode`: every event decrypts (its personal fields) and matches its schema (after upcasting);
 * - `keys`: every key is present, or its person's erasure is recorded after the event; no key is
 *   left for a person whose every case records their erasure;
 * - `read-models`: each read-model file following this store has a checkpoint not ahead of the
 *   store, and holds exactly what projecting the store up to that checkpoint gives;
 * - `person-index`: the SQLite store's person index (src/store/person-index.ts) lists exactly the
 *   (person, stream) pairs of the log, so that `forget` misses no case.
 * Every problem is a finding (the record is not sound); events written before the chain existed
 * are counted as unchained legacy, which is a note, not a finding.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { isEventType } from '../../machines/events.ts';
import { personalFieldsOf, personOf } from '../../machines/personal-data.ts';
import { toFact } from '../cases/codec.ts';
import type { KeyStore } from '../privacy/keys.ts';
import { MissingKeyError, openEvent, withoutPersonalData } from '../privacy/protected-store.ts';
import { dumpReadModels, openReadModels, type ReadModelsDump } from '../projector/read-models.ts';
import { builtByThisCode, recordedCheckpoint, recordedStore, recordedVersions } from '../projector/schema.ts';
import { checkPersonIndex } from '../store/person-index.ts';
import { caseStreamId, type EventStore, type RecordedEvent } from '../store/port.ts';
import { canonicalJson, eventHash, linkOf } from './chain.ts';

export type CheckName = 'sqlite' | 'revisions' | 'chain' | 'decode' | 'keys' | 'read-models' | 'person-index';

/** One thing wrong with the record. */
export interface Finding {
  readonly check: CheckName;
  readonly caseId?: string;
  readonly revision?: number;
  /** A file the finding is about (a key store or read-model file). */
  readonly file?: string;
  readonly message: string;
}

/** The hash of a case's last event: keep it (or the digest of them all) to prove the record later. */
export interface StreamHead {
  readonly caseId: string;
  readonly revision: number;
  readonly hash: string;
}

export interface VerifyReport {
  /** The store, as displayed (no credentials). */
  readonly store: string;
  readonly sound: boolean;
  readonly findings: readonly Finding[];
  /** What was not checked, or is worth knowing (unchained legacy events, other read models). */
  readonly notes: readonly string[];
  readonly cases: number;
  readonly events: number;
  /** Events carrying their link in the chain, and events written before the chain existed. */
  readonly chained: number;
  readonly legacy: number;
  readonly heads: readonly StreamHead[];
  /** SHA-256 of every case's head (canonical JSON of `heads`): one value to keep elsewhere. */
  readonly digest: string | null;
}

export interface VerifyOptions {
  /** The store as written (ciphertexts): a `ProtectedEventStore`'s `raw`. */
  readonly store: EventStore;
  readonly keys: KeyStore;
  /** The store as displayed in the report (credential-free). */
  readonly storeName: string;
  /** The identity read-model files record for this store (src/projector/identity.ts). */
  readonly storeIdentity: string;
  /** The SQLite file of the store, for `integrity_check` and its head; absent for other stores. */
  readonly sqlitePath?: string;
  /** Read-model files to check (those that do not exist are skipped). */
  readonly readModels?: readonly string[];
  /** Check this case only. */
  readonly caseId?: string;
}

interface StreamState {
  next: number;
  head: string | null;
  chained: boolean;
  /** Revisions at which each person's erasure is recorded. */
  readonly erasures: Map<string, number[]>;
  /** Each person's last complaint (personal data held from it on). */
  readonly held: Map<string, number>;
}

const CASE_PREFIX = caseStreamId('');
const BATCH = 500;

/** `PRAGMA integrity_check` of a SQLite file, opened read-only: the problems it lists. */
const integrityProblems = (path: string): string[] => {
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    const rows = db.pragma('integrity_check') as { integrity_check: string }[];
    return rows.map((r) => r.integrity_check).filter((r) => r !== 'ok');
  } catch (error) {
    return [(error as Error).message];
  } finally {
    db?.close();
  }
};

/** Checks the record; never writes. */
export const verifyStore = async (options: VerifyOptions): Promise<VerifyReport> => {
  const { store, keys, caseId } = options;
  const findings: Finding[] = [];
  const notes: string[] = [];
  const find = (finding: Finding) => findings.push(finding);

  // ── SQLite files ───────────────────────────────────────────────────────────────────────────
  const keysFile = keys.location === 'memory:' ? undefined : keys.location;
  for (const file of [options.sqlitePath, keysFile].filter((f): f is string => f !== undefined))
    if (existsSync(file))
      for (const problem of integrityProblems(file))
        find({ check: 'sqlite', file, message: `integrity_check: ${problem}` });
  if (options.sqlitePath === undefined)
    notes.push('integrity_check: not applicable (the server keeps its own files)');

  // ── The events ─────────────────────────────────────────────────────────────────────────────
  const streams = new Map<string, StreamState>();
  const missing: { caseId: string; revision: number; personId: string }[] = [];
  let events = 0;
  let chained = 0;
  let legacy = 0;
  let lastPosition = 0;
  const source: AsyncIterable<RecordedEvent> | RecordedEvent[] =
    caseId === undefined
      ? store.readAll({ streamPrefix: CASE_PREFIX })
      : await store.readStream(caseStreamId(caseId));

  for await (const event of source) {
    events++;
    const id = event.streamId.slice(CASE_PREFIX.length);
    const at = { caseId: id, revision: event.revision };
    lastPosition = Math.max(lastPosition, event.position);
    let stream = streams.get(event.streamId);
    if (!stream) {
      stream = { next: 0, head: null, chained: false, erasures: new Map(), held: new Map() };
      streams.set(event.streamId, stream);
    }

    // Revisions: 0, 1, 2…
    if (event.revision !== stream.next)
      find({
        check: 'revisions',
        ...at,
        message:
          event.revision > stream.next
            ? `revision ${event.revision} follows revision ${stream.next - 1}: ${event.revision - stream.next} event(s) missing`
            : `revision ${event.revision} is stored again after revision ${stream.next - 1}`,
      });
    stream.next = event.revision + 1;

    // The chain.
    const link = linkOf(event.metadata);
    if (link === 'malformed') {
      find({ check: 'chain', ...at, message: 'its integrity link is malformed' });
      stream.head = eventHash(event, stream.head);
    } else if (link === undefined) {
      if (stream.chained)
        find({
          check: 'chain',
          ...at,
          message:
            'it carries no hash, after events that do: its link was removed, or it was written around the case service',
        });
      else legacy++;
      stream.head = eventHash(event, stream.head);
    } else {
      chained++;
      if (link.prev !== stream.head)
        find({
          check: 'chain',
          ...at,
          message:
            'its link does not follow the previous event (an event before it was changed, removed or inserted)',
        });
      if (eventHash(event, link.prev) !== link.hash)
        find({
          check: 'chain',
          ...at,
          message: 'its content does not match its hash: it was changed after it was written',
        });
      stream.chained = true;
      stream.head = link.hash;
    }

    // Decoding, keys and erasures.
    if (event.type === 'PersonalDataErased' && typeof event.data.personId === 'string') {
      const list = stream.erasures.get(event.data.personId) ?? [];
      list.push(event.revision);
      stream.erasures.set(event.data.personId, list);
    }
    const person = personalFieldsOf(event.type) ? personOf(event.type, event.data) : undefined;
    if (person !== undefined) stream.held.set(person, event.revision);
    let readable: RecordedEvent;
    try {
      readable = openEvent(keys, event);
    } catch (error) {
      if (error instanceof MissingKeyError) {
        missing.push({ caseId: id, revision: event.revision, personId: error.personId });
        readable = withoutPersonalData(event);
      } else {
        find({
          check: 'decode',
          ...at,
          message: `a personal field does not decrypt: ${(error as Error).message}`,
        });
        readable = withoutPersonalData(event);
      }
    }
    try {
      if (!isEventType(readable.type)) throw new TypeError(`unknown event type ${readable.type}`);
      toFact(readable);
    } catch (error) {
      find({ check: 'decode', ...at, message: (error as Error).message });
    }
  }

  // Keys: each missing key must be an erasure recorded after the event.
  for (const m of missing) {
    const erasures = streams.get(caseStreamId(m.caseId))?.erasures.get(m.personId) ?? [];
    if (!erasures.some((r) => r > m.revision))
      find({
        check: 'keys',
        caseId: m.caseId,
        revision: m.revision,
        message: `the key of ${m.personId} is missing and no PersonalDataErased of ${m.personId} is recorded after it (a lost key is not an erasure)`,
      });
  }
  // …and a person erased everywhere has no key left (forget stopped before deleting it).
  const stillHeld = new Set<string>();
  const erasedSomewhere = new Map<string, string>();
  for (const [streamId, stream] of streams)
    for (const [person, lastHeld] of stream.held) {
      const lastErased = Math.max(-1, ...(stream.erasures.get(person) ?? []));
      if (lastErased > lastHeld) erasedSomewhere.set(person, streamId.slice(CASE_PREFIX.length));
      else stillHeld.add(person);
    }
  for (const [person, where] of erasedSomewhere)
    if (!stillHeld.has(person) && caseId === undefined && keys.has(person))
      find({
        check: 'keys',
        caseId: where,
        message: `the erasure of ${person} is recorded, but their key still exists: run \`forget ${person}\` again`,
      });

  // ── The person index ───────────────────────────────────────────────────────────────────────
  if (options.sqlitePath !== undefined && caseId === undefined && existsSync(options.sqlitePath)) {
    const index = personIndexCheck(options.sqlitePath);
    if (!index.current)
      notes.push(
        'person index: absent or built for other personal fields; the next command that writes to the store builds it',
      );
    else if (index.missing > 0 || index.extra > 0)
      find({
        check: 'person-index',
        file: options.sqlitePath,
        message:
          `the person index lacks ${index.missing} and adds ${index.extra} (person, case) pair(s) against the log ` +
          '(the file was edited): `forget` could miss a case; drop its trigger (`DROP TRIGGER person_streams_on_append`) ' +
          'and open the store again to rebuild it from the log',
      });
  }

  // ── Read models ────────────────────────────────────────────────────────────────────────────
  const storeHead = options.sqlitePath !== undefined ? sqliteHead(options.sqlitePath) : lastPosition;
  for (const file of options.readModels ?? []) {
    if (!existsSync(file)) continue;
    const problems = integrityProblems(file);
    for (const problem of problems) find({ check: 'sqlite', file, message: `integrity_check: ${problem}` });
    if (problems.length > 0) continue;
    const header = readModelHeader(file);
    if (header.store !== options.storeIdentity) {
      notes.push(
        `read models ${file}: follow another store (${header.store ?? 'none recorded'}), not checked`,
      );
      continue;
    }
    if (header.checkpoint > storeHead) {
      find({
        check: 'read-models',
        file,
        message:
          `checkpoint ${header.checkpoint} is ahead of the store's last event (${storeHead}): the store lost ` +
          'events the read models had seen (a truncated log, or an older copy), or the file was edited',
      });
      continue;
    }
    if (!builtByThisCode(header.versions)) {
      notes.push(
        `read models ${file}: built by another version of the projections, not compared (run \`project rebuild\`)`,
      );
      continue;
    }
    const expected = await projectUpTo(store, options.storeIdentity, header.checkpoint).catch(
      (error: unknown) => {
        notes.push(
          `read models ${file}: not compared, the store cannot be projected (${(error as Error).message})`,
        );
        return undefined;
      },
    );
    if (!expected) continue;
    const difference = firstDifference(expected, dumpReadModels(file), caseId);
    if (difference)
      find({
        check: 'read-models',
        file,
        ...(difference.caseId === undefined ? {} : { caseId: difference.caseId }),
        message: `table ${difference.table} differs from a projection of the store up to checkpoint ${header.checkpoint}: the file was edited`,
      });
  }

  const heads = [...streams]
    .map(([streamId, s]) => ({
      caseId: streamId.slice(CASE_PREFIX.length),
      revision: s.next - 1,
      hash: s.head ?? '',
    }))
    .sort((a, b) => (a.caseId < b.caseId ? -1 : a.caseId > b.caseId ? 1 : 0));
  if (legacy > 0)
    notes.push(
      `${legacy} event(s) were recorded before the hash chain existed (unchained legacy); the first chained event of their case commits to them`,
    );
  return {
    store: options.storeName,
    sound: findings.length === 0,
    findings,
    notes,
    cases: streams.size,
    events,
    chained,
    legacy,
    heads,
    digest: heads.length === 0 ? null : createHash('sha256').update(canonicalJson(heads)).digest('hex'),
  };
};

/** The person index of a SQLite event store against a scan of its log, read-only. */
const personIndexCheck = (path: string): ReturnType<typeof checkPersonIndex> => {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return checkPersonIndex(db);
  } finally {
    db.close();
  }
};

/** The last global position of a SQLite event store (0 when empty), read-only. */
const sqliteHead = (path: string): number => {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return (
      db.prepare<[], { head: number | null }>('SELECT MAX(position) AS head FROM events').get()?.head ?? 0
    );
  } finally {
    db.close();
  }
};

interface ReadModelHeader {
  readonly store: string | undefined;
  readonly checkpoint: number;
  readonly versions: Map<string, number>;
}

const readModelHeader = (path: string): ReadModelHeader => {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return {
      store: recordedStore(db) ?? undefined,
      checkpoint: recordedCheckpoint(db),
      versions: recordedVersions(db),
    };
  } finally {
    db.close();
  }
};

/** The read models a projection of the store's case events up to `checkpoint` gives, in memory. */
const projectUpTo = async (
  store: EventStore,
  identity: string,
  checkpoint: number,
): Promise<ReadModelsDump> => {
  const readModels = openReadModels(':memory:', { store: identity });
  try {
    let batch: RecordedEvent[] = [];
    for await (const event of store.readAll({ streamPrefix: CASE_PREFIX })) {
      if (event.position > checkpoint) break;
      batch.push(event);
      if (batch.length >= BATCH) {
        readModels.apply(batch, event.position);
        batch = [];
      }
    }
    readModels.apply(batch, checkpoint);
    return readModels.dump();
  } finally {
    readModels.close();
  }
};

/** The first table (and case) where two dumps differ, optionally only for one case. */
const firstDifference = (
  expected: ReadModelsDump,
  actual: ReadModelsDump,
  caseId: string | undefined,
): { table: string; caseId?: string } | undefined => {
  const only = (rows: Record<string, unknown>[] = []) =>
    caseId === undefined ? rows : rows.filter((r) => r.case_id === caseId);
  for (const table of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
    const a = only(expected[table]);
    const b = only(actual[table]);
    const length = Math.max(a.length, b.length);
    for (let i = 0; i < length; i++)
      if (canonicalJson(a[i]) !== canonicalJson(b[i])) {
        const row = (a[i] ?? b[i]) as Record<string, unknown>;
        return typeof row.case_id === 'string' ? { table, caseId: row.case_id } : { table };
      }
  }
  return undefined;
};
