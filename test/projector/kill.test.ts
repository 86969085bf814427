/**
 * Crash safety, with real processes: `project rebuild` killed with SIGKILL in the middle of a
 * rebuild, then `project run`, leaves read models identical to an uninterrupted rebuild — each
 * batch and its checkpoint are one transaction.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaseService } from '../../src/cases/service.ts';
import { dumpReadModels, openReadModels } from '../../src/projector/read-models.ts';
import { catchUp } from '../../src/projector/runner.ts';
import { createSqliteEventStore } from '../../src/store/sqlite.ts';
import { recordSyntheticCases, TODAY } from './fixtures.ts';

const CASES = 300;
let dir: string;
let storePath: string;
let facts = 0;

const cliArgs = (...args: string[]) => [
  '--import',
  'tsx',
  'src/cli/main.ts',
  '--store',
  `sqlite:${storePath}`,
  ...args,
];
const env = { ...process.env, CNIL_TODAY: TODAY };

/** SQLite errors that only mean the file is still being created by the process under test. */
const NOT_READY = new Set(['SQLITE_BUSY', 'SQLITE_CANTOPEN', 'SQLITE_NOTADB']);

/** The checkpoint committed in a read-model file, or -1 while the file or its tables do not exist yet. */
const committedCheckpoint = (path: string): number => {
  if (!existsSync(path)) return -1;
  try {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      const row = db.prepare('SELECT position FROM checkpoint WHERE id = 1').get() as
        { position: number } | undefined;
      return row?.position ?? -1;
    } finally {
      db.close();
    }
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (error instanceof Error && (/no such table/.test(error.message) || NOT_READY.has(String(code))))
      return -1; // not created yet
    throw error;
  }
};

const exited = (child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> =>
  new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cnil-kill-'));
  storePath = join(dir, 'cnil.db');
  const store = createSqliteEventStore(storePath);
  facts = await recordSyntheticCases(createCaseService({ store, today: () => TODAY }), CASES);
  await store.close();
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe(`given a SQLite store of ${CASES} synthetic cases`, () => {
  it('a rebuild killed (SIGKILL) mid-way and resumed by `project run` equals an uninterrupted rebuild', async () => {
    expect(facts).toBeGreaterThan(3000);
    const store = createSqliteEventStore(storePath);
    const reference = openReadModels(join(dir, 'uninterrupted.db'), { store: `sqlite:${storePath}` });
    await catchUp(store, reference);
    await store.close();
    expect(reference.checkpoint()).toBe(facts);

    // When a rebuild is killed once it has committed some batches but not all…
    const killedPath = join(dir, 'killed.db');
    const rebuild = spawn(
      process.execPath,
      cliArgs('project', 'rebuild', '--read-models', killedPath, '--batch-size', '20'),
      { env, stdio: 'ignore' },
    );
    const rebuildExit = exited(rebuild);
    const deadline = Date.now() + 30_000;
    while (committedCheckpoint(killedPath) <= 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 5));
    rebuild.kill('SIGKILL');
    expect(await rebuildExit).toEqual({ code: null, signal: 'SIGKILL' });
    const afterKill = committedCheckpoint(killedPath);
    expect(afterKill).toBeGreaterThan(0);
    expect(afterKill).toBeLessThan(facts);

    // …and the runner is started again…
    const { stdout } = await promisify(execFile)(
      process.execPath,
      cliArgs('project', 'run', '--read-models', killedPath, '--json'),
      { env },
    );
    expect(JSON.parse(stdout)).toMatchObject({ checkpoint: facts, stored: facts - afterKill });

    // …the read models are those of the uninterrupted rebuild.
    expect(dumpReadModels(killedPath)).toEqual(reference.dump());
    reference.close();
  }, 60_000);
});
