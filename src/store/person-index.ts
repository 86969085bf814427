/**
 * The person index of the SQLite store: which streams hold personal data of which person (the
 * pseudonymous `personId` of the events machines/personal-data.ts lists, never a name), so that
 * `forget` reads the person's cases only instead of the whole log.
 *
 * It lives in the store's own file: a table `person_streams (person_id, stream_id)` filled by a
 * trigger on `events`, so every appended event is indexed in the very transaction that appends it,
 * whichever code appends (an older version of this code too, once the trigger is in the file); a
 * rolled-back append leaves no entry. The trigger's SQL is derived from PERSONAL_FIELDS: when the
 * file has no trigger (a store from before the index) or another one (the personal fields changed),
 * the table is rebuilt by one scan of the log, in SQL, and the trigger replaced, in one transaction.
 *
 * Additive: its own table and trigger, created if absent; the schema version of `events` is untouched.
 * Erasure never removes an entry: the person id stays in the log (only their keys are deleted).
 */
import type Database from 'better-sqlite3';
import { PERSONAL_FIELDS } from '../../machines/personal-data.ts';
import type { PersonIndexStore } from './port.ts';

export const PERSON_INDEX_TABLE = 'person_streams';
const TRIGGER = 'person_streams_on_append';

const quote = (text: string): string => `'${text.replaceAll("'", "''")}'`;
/** The JSON path of a person id in `data`: `$."complainant"."personId"`. */
const jsonPath = (path: readonly string[]): string =>
  quote(`$${path.map((key) => `."${key.replaceAll('"', '""')}"`).join('')}`);

/** The person id of an event row (`type`, `data`) of the given columns, or NULL. */
const personIdSql = (type: string, data: string): string =>
  `CASE ${type} ${PERSONAL_FIELDS.map((p) => `WHEN ${quote(p.type)} THEN json_extract(${data}, ${jsonPath(p.person)})`).join(' ')} END`;

const personalTypes = PERSONAL_FIELDS.map((p) => quote(p.type)).join(', ');

const TABLE_SQL = `CREATE TABLE IF NOT EXISTS ${PERSON_INDEX_TABLE} (
    person_id TEXT NOT NULL,
    stream_id TEXT NOT NULL,
    PRIMARY KEY (person_id, stream_id)
  ) WITHOUT ROWID`;

/** The trigger as SQLite keeps it in `sqlite_master.sql` (compared to tell an outdated one). */
export const PERSON_INDEX_TRIGGER_SQL = `CREATE TRIGGER ${TRIGGER} AFTER INSERT ON events
  WHEN NEW.type IN (${personalTypes}) AND json_valid(NEW.data)
  BEGIN
    INSERT OR IGNORE INTO ${PERSON_INDEX_TABLE} (person_id, stream_id)
      SELECT person_id, NEW.stream_id FROM (SELECT ${personIdSql('NEW.type', 'NEW.data')} AS person_id)
      WHERE typeof(person_id) = 'text';
  END`;

/** The index as a full scan of the log computes it (what the trigger keeps, and what `verify` checks). */
export const SCAN_SQL = `SELECT DISTINCT person_id, stream_id FROM (
    SELECT ${personIdSql('type', 'data')} AS person_id, stream_id FROM events
    WHERE type IN (${personalTypes}) AND json_valid(data)
  ) WHERE typeof(person_id) = 'text'`;

const currentTrigger = (db: Database.Database): string | undefined =>
  db
    .prepare<[string], { sql: string }>("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?")
    .get(TRIGGER)?.sql;

/** Whether the file's index is complete and kept by the current trigger. */
export const personIndexIsCurrent = (db: Database.Database): boolean =>
  currentTrigger(db) === PERSON_INDEX_TRIGGER_SQL;

/**
 * Makes sure the file holds the index, kept by the current trigger: when it does not, rebuilds the
 * table from the whole log and installs the trigger, in one write transaction (the write lock is
 * taken only then; checked again under it, so two processes opening an old file build it once).
 * Returns whether the index is in place; false when the file cannot be written (read-only file
 * or directory): the store then answers without it (the caller scans).
 */
export const ensurePersonIndex = (db: Database.Database): boolean => {
  if (personIndexIsCurrent(db)) return true;
  try {
    db.transaction(() => {
      if (personIndexIsCurrent(db)) return;
      db.exec(`DROP TRIGGER IF EXISTS ${TRIGGER}`);
      db.exec(TABLE_SQL);
      db.exec(`DELETE FROM ${PERSON_INDEX_TABLE}`);
      db.exec(`INSERT INTO ${PERSON_INDEX_TABLE} (person_id, stream_id) ${SCAN_SQL}`);
      db.exec(PERSON_INDEX_TRIGGER_SQL);
    }).immediate();
  } catch (error) {
    if (error instanceof Error && 'code' in error && String(error.code).startsWith('SQLITE_READONLY'))
      return false;
    throw error;
  }
  return true;
};

/** The lookup of a file holding the index. */
export const personIndexOf = (db: Database.Database): PersonIndexStore => {
  let select: Database.Statement<[string], { stream_id: string }> | undefined;
  return {
    streamsHoldingPerson: async (personId) => {
      // Checked on each lookup: another process may have replaced the trigger since, or the file
      // could not be written when it was opened.
      if (!personIndexIsCurrent(db)) return undefined;
      select ??= db.prepare<[string], { stream_id: string }>(
        `SELECT stream_id FROM ${PERSON_INDEX_TABLE} WHERE person_id = ? ORDER BY stream_id`,
      );
      return select.all(personId).map((r) => r.stream_id);
    },
  };
};

/**
 * Differences between the index and a full scan of the log: entries missing from the index, and
 * entries the log does not justify. Both empty on a sound file (what `verify` checks).
 */
export const checkPersonIndex = (
  db: Database.Database,
): { readonly current: boolean; readonly missing: number; readonly extra: number } => {
  if (!personIndexIsCurrent(db)) return { current: false, missing: 0, extra: 0 };
  const count = (sql: string) => (db.prepare(`SELECT COUNT(*) AS n FROM (${sql})`).get() as { n: number }).n;
  const indexed = `SELECT person_id, stream_id FROM ${PERSON_INDEX_TABLE}`;
  return {
    current: true,
    missing: count(`${SCAN_SQL} EXCEPT ${indexed}`),
    extra: count(`${indexed} EXCEPT ${SCAN_SQL}`),
  };
};
