/**
 * Opening a read-model file (src/projector/schema.ts): created if absent, readable by its owner
 * only, brought to the layout and the read models' versions this code builds. Apart from the
 * schema, so that the declarations of the public entry points need no types of better-sqlite3.
 */
import Database from 'better-sqlite3';
import { createPrivateFile } from '../privacy/private-file.ts';
import { READ_MODELS } from './case-rows.ts';
import {
  builtByThisCode,
  deleteDatabaseFiles,
  dropPeriodIndexes,
  holdsReadModelsOnly,
  NotReadModelsError,
  OLD_TABLES,
  READ_MODEL_SCHEMA_VERSION,
  ReadModelStoreMismatchError,
  recordedStore,
  recordedVersions,
  RESET_TABLES,
  SCHEMA,
  UNSNAPSHOTTED,
  UnsupportedReadModelSchemaError,
} from './schema.ts';

/** How {@link openReadModelFile} opens a file. */
export interface ReadModelFileOptions {
  /** The identity of the event store the read models follow. */
  readonly store: string;
  /** Delete the file and start again from zero. */
  readonly rebuild: boolean;
  /** A part of a parallel rebuild: journal in memory, no sync, no index of the periods. */
  readonly scratch: boolean;
}

/** Empties every read model and the folds, and moves the checkpoint back to 0. */
const resetReadModels = (db: Database.Database): void => {
  for (const table of RESET_TABLES) db.prepare(`DELETE FROM ${table}`).run();
  db.prepare('DELETE FROM projections').run();
  db.prepare('DELETE FROM meta WHERE key = ?').run(UNSNAPSHOTTED);
  db.prepare("INSERT OR REPLACE INTO checkpoint (id, position, updated_at) VALUES (1, 0, '')").run();
};

/**
 * Opens (creating it if absent, readable by its owner only) the read-model file at `path`, at the
 * layout and the read models' versions this code builds: a file of an older layout, or built by
 * another version of a read model, starts again from zero. With `rebuild`, the file is deleted
 * first and built again from nothing (faster than emptying every table, and no page of the old
 * models stays behind).
 * @throws NotReadModelsError when a rebuild would delete a file holding something else.
 * @throws UnsupportedReadModelSchemaError when a newer version of this code wrote the file.
 * @throws ReadModelStoreMismatchError when the file follows another store (and no rebuild).
 */
export const openReadModelFile = (
  path: string,
  { store, rebuild, scratch }: ReadModelFileOptions,
): Database.Database => {
  if (rebuild && path !== ':memory:') {
    if (!holdsReadModelsOnly(path)) throw new NotReadModelsError(path);
    deleteDatabaseFiles(path);
  }
  createPrivateFile(path);
  const db = new Database(path, { timeout: 5000 });
  try {
    if (scratch) {
      db.pragma('journal_mode = MEMORY');
      db.pragma('synchronous = OFF');
    } else {
      db.pragma('journal_mode = WAL');
      // The read models can be rebuilt from the store; NORMAL keeps every commit atomic in WAL mode.
      db.pragma('synchronous = NORMAL');
    }
    // A rebuild writes the timeline B-tree of every case: keep its pages in memory.
    db.pragma('cache_size = -65536');
    db.pragma('busy_timeout = 5000');
    db.transaction(() => {
      const version = db.pragma('user_version', { simple: true });
      if (typeof version !== 'number' || version > READ_MODEL_SCHEMA_VERSION)
        throw new UnsupportedReadModelSchemaError(path, Number(version));
      if (version < READ_MODEL_SCHEMA_VERSION) {
        // An older layout: its tables go, and the read models are built again from the store.
        for (const table of [...RESET_TABLES, ...OLD_TABLES, 'projections', 'checkpoint', 'meta'])
          db.prepare(`DROP TABLE IF EXISTS ${table}`).run();
        db.exec(SCHEMA);
        db.pragma(`user_version = ${READ_MODEL_SCHEMA_VERSION}`);
      }
      const recorded = recordedStore(db);
      if (recorded !== null && recorded !== store && !rebuild)
        throw new ReadModelStoreMismatchError(path, recorded, store);
      if (recorded === null || rebuild) {
        resetReadModels(db);
        db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('store', ?)").run(store);
      }
      // Every read model at the version this code builds: they are folded from the store, so a new
      // version of any of them (or none recorded) restarts them all from zero.
      if (!builtByThisCode(recordedVersions(db))) {
        resetReadModels(db);
        const upsert = db.prepare<[string, number]>(
          'INSERT INTO projections (name, version) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET version = excluded.version',
        );
        for (const m of READ_MODELS) upsert.run(m.name, m.version);
      }
      // A part is read once, whole, by the merge: the periods are indexed there.
      if (scratch) dropPeriodIndexes(db);
    }).immediate();
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
};
