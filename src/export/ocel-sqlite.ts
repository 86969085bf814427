/**
 * The OCEL 2.0 relational format in SQLite (specification §6, and the validation scheme
 * https://www.ocel-standard.org/2.0/ocel20-schema-relational.pdf): the tables `event`, `object`
 * (`ocel_id` primary key, `ocel_type`), `event_map_type` and `object_map_type` (each type and the
 * suffix of its table), one `event_<type>` table per event type (`ocel_id`, `ocel_time`, one column
 * per attribute), one `object_<type>` table per object type (`ocel_id`, `ocel_time`,
 * `ocel_changed_field`, one column per attribute: a first row with the values the object was
 * created with, then a row per change naming the changed field), `event_object` (E2O, with
 * `ocel_qualifier`) and `object_object` (O2O, with `ocel_qualifier`), with their primary and
 * foreign keys. Times are ISO 8601 text in `TIMESTAMP` columns.
 */
import { renameSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { AttributeType } from './facts.ts';
import type { OcelLog, OcelType } from './ocel.ts';

const SQL_TYPE: Record<AttributeType, string> = {
  string: 'TEXT',
  time: 'TIMESTAMP',
  integer: 'INTEGER',
  float: 'REAL',
  boolean: 'BOOLEAN',
};

/** A SQL identifier in double quotes. */
const id = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** The table suffix of a type: its name with anything but letters, digits and `_` removed. */
export const tableSuffix = (type: string): string => type.replace(/[^A-Za-z0-9_]/g, '');

/** Booleans as 1 and 0, as SQLite stores them. */
const sqlValue = (value: string | number | boolean): string | number =>
  typeof value === 'boolean' ? (value ? 1 : 0) : value;

const columns = (t: OcelType) => t.attributes.map((a) => `${id(a.name)} ${SQL_TYPE[a.type]}`);

/**
 * Writes the log to a new SQLite file at `path` (replacing it): built in a file beside it, then
 * renamed, so a failure never leaves half a log at `path`.
 */
export const writeOcelSqlite = (log: OcelLog, path: string): void => {
  const building = `${path}.${process.pid}.partial`;
  rmSync(building, { force: true });
  const db = new Database(building);
  try {
    db.pragma('foreign_keys = ON');
    db.exec(`
      CREATE TABLE event_map_type (ocel_type TEXT PRIMARY KEY, ocel_type_map TEXT NOT NULL UNIQUE);
      CREATE TABLE object_map_type (ocel_type TEXT PRIMARY KEY, ocel_type_map TEXT NOT NULL UNIQUE);
      CREATE TABLE event (
        ocel_id TEXT PRIMARY KEY,
        ocel_type TEXT NOT NULL REFERENCES event_map_type (ocel_type)
      );
      CREATE TABLE object (
        ocel_id TEXT PRIMARY KEY,
        ocel_type TEXT NOT NULL REFERENCES object_map_type (ocel_type)
      );
      CREATE TABLE event_object (
        ocel_event_id TEXT NOT NULL REFERENCES event (ocel_id),
        ocel_object_id TEXT NOT NULL REFERENCES object (ocel_id),
        ocel_qualifier TEXT NOT NULL,
        PRIMARY KEY (ocel_event_id, ocel_object_id, ocel_qualifier)
      );
      CREATE TABLE object_object (
        ocel_source_id TEXT NOT NULL REFERENCES object (ocel_id),
        ocel_target_id TEXT NOT NULL REFERENCES object (ocel_id),
        ocel_qualifier TEXT NOT NULL,
        PRIMARY KEY (ocel_source_id, ocel_target_id, ocel_qualifier)
      );
    `);
    for (const t of log.eventTypes)
      db.exec(`CREATE TABLE ${id(`event_${tableSuffix(t.name)}`)} (
        ocel_id TEXT PRIMARY KEY REFERENCES event (ocel_id),
        ocel_time TIMESTAMP NOT NULL${columns(t)
          .map((c) => `,\n        ${c}`)
          .join('')}
      )`);
    for (const t of log.objectTypes)
      db.exec(`CREATE TABLE ${id(`object_${tableSuffix(t.name)}`)} (
        ocel_id TEXT NOT NULL REFERENCES object (ocel_id),
        ocel_time TIMESTAMP NOT NULL,
        ocel_changed_field TEXT${columns(t)
          .map((c) => `,\n        ${c}`)
          .join('')}
      )`);

    db.transaction(() => {
      const mapType = (table: string, types: readonly OcelType[]) => {
        const insert = db.prepare(`INSERT INTO ${table} (ocel_type, ocel_type_map) VALUES (?, ?)`);
        for (const t of types) insert.run(t.name, tableSuffix(t.name));
      };
      mapType('event_map_type', log.eventTypes);
      mapType('object_map_type', log.objectTypes);

      const insertObject = db.prepare('INSERT INTO object (ocel_id, ocel_type) VALUES (?, ?)');
      const insertO2O = db.prepare(
        'INSERT INTO object_object (ocel_source_id, ocel_target_id, ocel_qualifier) VALUES (?, ?, ?)',
      );
      for (const o of log.objects) insertObject.run(o.id, o.type);
      for (const o of log.objects)
        for (const r of o.relationships) insertO2O.run(o.id, r.objectId, r.qualifier);
      for (const o of log.objects) {
        const table = id(`object_${tableSuffix(o.type)}`);
        // The values the object was created with (those set at its first time), then each change.
        const first = o.attributes[0]?.time;
        const initial = o.attributes.filter((a) => a.time === first);
        const changes = o.attributes.filter((a) => a.time !== first);
        const names = initial.map((a) => id(a.name));
        db.prepare(
          `INSERT INTO ${table} (ocel_id, ocel_time, ocel_changed_field${names.map((n) => `, ${n}`).join('')})
           VALUES (?, ?, NULL${names.map(() => ', ?').join('')})`,
        ).run(o.id, first ?? '1970-01-01T00:00:00Z', ...initial.map((a) => sqlValue(a.value)));
        for (const a of changes)
          db.prepare(
            `INSERT INTO ${table} (ocel_id, ocel_time, ocel_changed_field, ${id(a.name)}) VALUES (?, ?, ?, ?)`,
          ).run(o.id, a.time, a.name, sqlValue(a.value));
      }

      const insertEvent = db.prepare('INSERT INTO event (ocel_id, ocel_type) VALUES (?, ?)');
      const insertE2O = db.prepare(
        'INSERT INTO event_object (ocel_event_id, ocel_object_id, ocel_qualifier) VALUES (?, ?, ?)',
      );
      for (const e of log.events) {
        insertEvent.run(e.id, e.type);
        const names = e.attributes.map((a) => id(a.name));
        db.prepare(
          `INSERT INTO ${id(`event_${tableSuffix(e.type)}`)} (ocel_id, ocel_time${names.map((n) => `, ${n}`).join('')})
           VALUES (?, ?${names.map(() => ', ?').join('')})`,
        ).run(e.id, e.time, ...e.attributes.map((a) => sqlValue(a.value)));
        for (const r of e.relationships) insertE2O.run(e.id, r.objectId, r.qualifier);
      }
    })();
    db.close();
    renameSync(building, path);
  } catch (error) {
    if (db.open) db.close();
    rmSync(building, { force: true });
    throw error;
  }
};
