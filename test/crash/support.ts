/**
 * Killing real CLI processes with SIGKILL at random points, and looking at what they left on disk.
 *
 * A kill point is a number of committed rows (events in the store, or the read models' checkpoint)
 * drawn by a seeded generator, plus a random delay of up to {@link MAX_JITTER_MS} once that number
 * is reached, so that kills land anywhere in the process's work — between cases, while it decides,
 * in the middle of a transaction. The seed fixes the kill points; the exact instants depend on the
 * machine's timing, so a failure names the seed, the kill and the rows committed at that moment.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { intBetween, runRng, type Rng, uniform } from '../../src/simulation/random.ts';
import { openEventStore } from '../../src/store/open.ts';
import { storeIdentity } from '../../src/projector/identity.ts';
import { openReadModels, type ReadModelsDump } from '../../src/projector/read-models.ts';
import { catchUp } from '../../src/projector/runner.ts';
import { CLI_TODAY, runCli } from '../support/cli.ts';

export { runCli };

/** The seed of the kill points: CNIL_CRASH_SEED to replay a run, else a new one each run. */
export const crashSeed = (): number => {
  const fixed = process.env.CNIL_CRASH_SEED;
  return fixed === undefined || fixed === '' ? Math.floor(Math.random() * 2 ** 31) : Number(fixed);
};

export const MAX_JITTER_MS = 25;

/** The generator of one chain of kills. */
export const killRng = (seed: number, chain: number): Rng => runRng(seed, chain);

/** `count` kill points in [1, total − 1], ascending (a chain of restarts makes progress). */
export const killPoints = (rng: Rng, count: number, total: number): number[] =>
  Array.from({ length: count }, () => intBetween(rng, 1, total - 1)).sort((a, b) => a - b);

export const jitter = (rng: Rng): number => Math.floor(uniform(rng) * MAX_JITTER_MS);

/** SQLite errors that only mean the file is still being created by the process under test. */
const NOT_READY = new Set(['SQLITE_BUSY', 'SQLITE_CANTOPEN', 'SQLITE_NOTADB']);

/** Runs `query` on a read-only connection, or returns `fallback` while the file or table is not there yet. */
export const peek = <T>(path: string, query: (db: Database.Database) => T, fallback: T): T => {
  if (!existsSync(path)) return fallback;
  try {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      return query(db);
    } finally {
      db.close();
    }
  } catch (error) {
    const code = String((error as { code?: unknown }).code);
    if (error instanceof Error && (/no such table/.test(error.message) || NOT_READY.has(code)))
      return fallback;
    throw error;
  }
};

/** Events committed in a SQLite event store. */
export const committedEvents = (path: string): number =>
  peek(path, (db) => (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n, 0);

/** The checkpoint committed in a read-model file. */
export const committedCheckpoint = (path: string): number =>
  peek(
    path,
    (db) =>
      (db.prepare('SELECT position FROM checkpoint WHERE id = 1').get() as { position: number } | undefined)
        ?.position ?? 0,
    0,
  );

/**
 * The checkpoint a read-model file reached after `since` (ISO time): 0 until a batch committed by a
 * process started at `since` — so that a rebuild is not killed on the checkpoint left by the last one.
 */
export const checkpointSince = (path: string, since: string): number =>
  peek(
    path,
    (db) => {
      const row = db.prepare('SELECT position, updated_at FROM checkpoint WHERE id = 1').get() as
        { position: number; updated_at: string } | undefined;
      return row !== undefined && row.updated_at >= since ? row.position : 0;
    },
    0,
  );

/** The event ids of each stream of a SQLite event store, in revision order, read from the file itself. */
export const rawStreams = (path: string): Map<string, string[]> => {
  const rows = peek(
    path,
    (db) =>
      db.prepare('SELECT stream_id, revision, event_id FROM events ORDER BY stream_id, revision').all() as {
        stream_id: string;
        revision: number;
        event_id: string;
      }[],
    [],
  );
  const streams = new Map<string, string[]>();
  for (const row of rows) {
    const ids = streams.get(row.stream_id) ?? [];
    if (row.revision !== ids.length)
      throw new Error(`stream ${row.stream_id} has revision ${row.revision} after ${ids.length} event(s)`);
    ids.push(row.event_id);
    streams.set(row.stream_id, ids);
  }
  return streams;
};

const tsxArgs = (args: readonly string[]) => ['--import', 'tsx', 'src/cli/main.ts', ...args];

export interface Killed {
  /** The rows committed when the kill was sent (-1 if the file could not be read just then)… */
  readonly at: number;
  /** …and whether the process had already finished by itself (the kill point came too late). */
  readonly finished: boolean;
}

const exited = (child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> =>
  new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

/**
 * Starts the CLI with `args`, waits until `committed()` reaches `target`, waits `delayMs` more, and
 * kills it with SIGKILL. Resolves once it is dead.
 */
export const runAndKill = async (
  args: readonly string[],
  committed: () => number,
  target: number,
  delayMs: number,
  timeoutMs = 300_000,
): Promise<Killed> => {
  const child = spawn(process.execPath, tsxArgs(args), {
    env: { ...process.env, CNIL_TODAY: CLI_TODAY },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = exited(child);
  let done: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  void exit.then((e) => (done = e));
  // While the process runs, a look may catch its file being replaced (a rebuild deletes it and
  // creates it again, with its log): a look that fails is no answer yet (-1), and the next one is
  // made 2 ms later. Once the process is dead, the test's own checks read the file and fail on error.
  const look = (): number => {
    try {
      return committed();
    } catch {
      return -1;
    }
  };
  const deadline = Date.now() + timeoutMs;
  while (done === undefined && look() < target) {
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${args.join(' ')}: ${target} rows not committed within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  if (done === undefined && delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
  const at = look();
  if (done === undefined && child.exitCode === null) child.kill('SIGKILL');
  const result = await exit;
  if (result.signal === 'SIGKILL') return { at, finished: false };
  // It may finish between the last look and the kill: then it must have succeeded.
  if (result.code === 0) return { at, finished: true };
  throw new Error(`${args.join(' ')} failed (exit ${result.code ?? result.signal}): ${stderr}`);
};

/**
 * Every event of a store, read through the adapter, without the recording time and the hash-chain
 * link (which covers the recording time and the ciphertexts' random IVs: both differ per run).
 */
export const storeContents = async (path: string) => {
  const store = await openEventStore(`sqlite:${path}`);
  try {
    const events = [];
    for await (const e of store.readAll()) {
      const {
        recordedAt: _recordedAt,
        integrity: _link,
        ...metadata
      } = e.metadata as Record<string, unknown>;
      events.push({
        position: e.position,
        streamId: e.streamId,
        revision: e.revision,
        id: e.id,
        type: e.type,
        data: e.data,
        metadata,
      });
    }
    return events;
  } finally {
    await store.close();
  }
};

/**
 * The read models of a store rebuilt from zero in this process — the runner `project rebuild`
 * runs (src/projector/runner.ts), without the process start-up — as a dump.
 */
export const rebuildInProcess = async (
  storePath: string,
  readModelsPath: string,
): Promise<ReadModelsDump> => {
  const connection = `sqlite:${storePath}`;
  const store = await openEventStore(connection);
  const readModels = openReadModels(readModelsPath, { store: storeIdentity(connection), rebuild: true });
  try {
    await catchUp(store, readModels);
    return readModels.dump();
  } finally {
    readModels.close();
    await store.close();
  }
};

/** `project rebuild` of a store into a read-model file, as a user runs it. */
export const rebuildReadModels = async (storePath: string, readModelsPath: string): Promise<void> => {
  const result = await runCli([
    '--store',
    `sqlite:${storePath}`,
    'project',
    'rebuild',
    '--read-models',
    readModelsPath,
  ]);
  if (result.code !== 0) throw new Error(`project rebuild failed (${result.code}): ${result.stderr}`);
};
