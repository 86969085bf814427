/**
 * Files that may hold personal data, or what protects it (keys, read models, inspector recordings),
 * are created readable and writable by their owner only (0600), from their first byte: the mode is
 * set when the file is created, not changed afterwards. SQLite creates a database's write-ahead log
 * and shared-memory files with the mode of the database file, so they follow.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';

/** Owner read and write, nothing for group and others. */
export const PRIVATE_MODE = 0o600;

/**
 * Creates `path` (and its directory) empty with mode 0600 when it does not exist; returns whether
 * it created it. An existing file is left as it is.
 */
export const createPrivateFile = (path: string): boolean => {
  if (path === ':memory:' || existsSync(path)) return false;
  mkdirSync(dirname(path), { recursive: true });
  try {
    closeSync(openSync(path, 'wx', PRIVATE_MODE));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false; // another process won
    throw error;
  }
  // The process umask can only remove bits; this makes the mode exactly 0600 whatever it is.
  chmodSync(path, PRIVATE_MODE);
  return true;
};
