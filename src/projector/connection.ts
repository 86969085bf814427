/**
 * The SQLite connection behind each open {@link ReadModels}, for the readers of this package that
 * query its tables directly (the case index). Kept out of the `ReadModels` interface, so that a
 * program using `cnil-enforcement/projector` needs neither better-sqlite3's types nor the tables'
 * layout.
 */
import type Database from 'better-sqlite3';
import type { ReadModels } from './read-models.ts';

const connections = new WeakMap<ReadModels, Database.Database>();

/** Records the connection of read models just opened. */
export const keepConnection = (readModels: ReadModels, db: Database.Database): void => {
  connections.set(readModels, db);
};

/**
 * The connection of read models opened by {@link openReadModels}: everything written goes through
 * their `apply`, this is for reading.
 */
export const connectionOf = (readModels: ReadModels): Database.Database => {
  const db = connections.get(readModels);
  if (db === undefined) throw new TypeError('these read models were not opened by openReadModels');
  return db;
};
