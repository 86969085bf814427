/**
 * A scratch file without a name, for what an import checked: the checked case histories are
 * written to it while the file is checked, then read back as they are imported, so that no fact is
 * validated twice and memory stays flat. The file is created in the temporary directory readable by
 * its owner only, and unlinked at once: it takes disk space only while it is open, and no name of it
 * remains after the process ends, whichever way it ends (a kill included). What it holds is
 * encrypted (AES-256-CTR) under a key that never leaves the process's memory: the complainants'
 * names it carries are unreadable in the disk's free blocks once the process is gone.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  mkdtempSync,
  openSync,
  rmdirSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** Characters held in memory before they are written out. */
const BUFFERED = 1 << 20;

export interface Spool {
  /** Appends one line (without its `\n`). False once the spool cannot be used (e.g. the disk is full). */
  write(line: string): boolean;
  /** The lines written, in order; the spool is closed when they have been read (or the reading stops). */
  lines(): AsyncGenerator<string>;
  /** Frees the file (its disk space). */
  close(): void;
}

/** A new spool, or undefined when the temporary directory cannot hold one (the caller does without). */
export const createSpool = (): Spool | undefined => {
  let fd: number;
  try {
    const dir = mkdtempSync(join(tmpdir(), 'cnil-import-'));
    const path = join(dir, 'checked.jsonl');
    fd = openSync(path, 'wx+', 0o600);
    unlinkSync(path);
    rmdirSync(dir);
  } catch {
    return undefined; // no usable temporary directory: the import reads and checks the file again
  }
  // A key and counter of its own for this file, in memory only.
  const [key, iv] = [randomBytes(32), randomBytes(16)];
  const cipher = createCipheriv('aes-256-ctr', key, iv);
  let buffer: string[] = [];
  let buffered = 0;
  let usable = true;
  let open = true;
  const close = () => {
    if (open) closeSync(fd);
    open = false;
    usable = false;
    buffer = [];
  };
  const flush = (): boolean => {
    if (!usable) return false;
    try {
      if (buffer.length > 0) writeSync(fd, cipher.update(buffer.join(''), 'utf8'));
    } catch {
      close(); // e.g. ENOSPC: the spool is given up, the file is read again instead
      return false;
    }
    buffer = [];
    buffered = 0;
    return true;
  };
  return {
    write(line) {
      if (!usable) return false;
      buffer.push(line, '\n');
      buffered += line.length + 1;
      return buffered < BUFFERED || flush();
    },
    async *lines() {
      if (!flush()) throw new Error('the spool was given up');
      // The stream owns the descriptor from here, and closes it when it ends or is destroyed.
      open = false;
      usable = false;
      const file = createReadStream('', { fd, start: 0, autoClose: true });
      const input = file.pipe(createDecipheriv('aes-256-ctr', key, iv)).setEncoding('utf8');
      const reader = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
      try {
        for await (const line of reader) yield line;
      } finally {
        reader.close();
        input.destroy();
        file.destroy();
      }
    },
    close,
  };
};
