/**
 * Rows of one table buffered during a batch and written by multi-row INSERT statements: the
 * projection runner writes most of its rows this way (the timeline's, the periods', the folds').
 */
import type Database from 'better-sqlite3';

export interface RowBuffer {
  /** Adds a row (its values in the buffer's column order), writing the buffer once full. */
  push(...row: unknown[]): void;
  /** Writes what is left. */
  flush(): void;
  /** Forgets the rows not yet written (those of a batch that failed). */
  clear(): void;
}

/** Rows written by one multi-row INSERT (SQLite allows 32 766 parameters per statement). */
export const ROWS_PER_INSERT = 100;
/**
 * A buffer of rows for one table, written by multi-row INSERT statements (one statement per
 * {@link ROWS_PER_INSERT} rows instead of one per row); `flush` writes what is left.
 */
export const createRowBuffer = (
  db: Database.Database,
  table: string,
  columns: readonly string[],
): RowBuffer => {
  const one = `(${columns.map(() => '?').join(', ')})`;
  const sql = (rows: number) =>
    `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${Array.from({ length: rows }, () => one).join(', ')}`;
  const many = db.prepare(sql(ROWS_PER_INSERT));
  const single = db.prepare(sql(1));
  let values: unknown[] = [];
  return {
    push: (...row: unknown[]): void => {
      for (const v of row) values.push(v);
      if (values.length === ROWS_PER_INSERT * columns.length) {
        many.run(values);
        values = [];
      }
    },
    flush: (): void => {
      const width = columns.length;
      for (let i = 0; i < values.length; i += width) single.run(values.slice(i, i + width));
      values = [];
    },
    /** Forgets the rows not yet written (those of a batch that failed). */
    clear: (): void => {
      values = [];
    },
  };
};
