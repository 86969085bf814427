/**
 * Contention: several writers append to the SAME case stream at the same moment —
 * - on SQLite, separate OS processes on one file created by the SQLite store;
 * - on EventStoreDB, separate processes each with several client instances, through the
 *   protocol-level test server (a process of its own), and against a real server when
 *   EVENTSTORE_CONNECTION_STRING is set (skipped, and said so, otherwise).
 *
 * Each writer (test/support/contention-writer.ts) loops: read the stream's last revision, append a
 * batch of 1–3 events at it (on SQLite after a pause of 0–2 ms, a writer deciding, which widens the
 * window for a conflict), record where it landed or the ConcurrencyConflictError. Then the stored
 * stream is checked against what every writer was told: each append landed at exactly the next
 * revision or failed with ConcurrencyConflictError (anything else fails the test), revisions run
 * 0..k without a gap, every landed event is stored once at the revision its writer was told, no
 * failed event is stored, and batches are neither split nor interleaved.
 *
 * The same through the case service (which decides again after a conflict): every writer records
 * facts the statechart accepts again and again in the case's state, then tries the fact that moves
 * the case on. The stored history folds through the statechart, exactly one writer moved the case
 * on, every refusal is the statechart's answer in the final state, and no fact is lost or duplicated.
 *
 * On SQLite, a writer that finds the write lock held waits for it: it neither fails to open the
 * store nor gets SQLITE_BUSY.
 *
 * `npm test` runs a few hundred contended appends per store; `npm run test:long` over a thousand.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptedEventTypes, decide, describeState } from '../../machines/decider.ts';
import type { ProcedureEvent } from '../../machines/events.ts';
import { createCaseService, type FactInput } from '../../src/cases/service.ts';
import { openEventStore } from '../../src/store/open.ts';
import { caseStreamId, type RecordedEvent } from '../../src/store/port.ts';
import { createSqliteEventStore } from '../../src/store/sqlite.ts';
import {
  caseOpened,
  complaintReceived,
  inspectionCarriedOut,
  inspectionCompleted,
  inspectionOpened,
} from '../support/builders.ts';
import type {
  AppendAttempt,
  ServiceAttempt,
  WriterConfig,
  WriterReport,
} from '../support/contention-writer.ts';
import { withEsdbTestServer } from '../support/esdb/with-test-server.ts';
import { scale } from '../support/long.ts';

const WRITER = fileURLToPath(new URL('../support/contention-writer.ts', import.meta.url));
const TODAY = '2026-11-23';
const MAX_BATCH = 3;
/** Per test: processes start slowly on a busy 2-core machine. */
const TIMEOUT = scale(180_000, 3_600_000);

// ── Running the writers ─────────────────────────────────────────────────────────────────────

interface Run {
  readonly reports: readonly WriterReport[];
  /** Wall time from `go` to the last writer's report. */
  readonly ms: number;
}

/**
 * Starts one process per config, lets them all go at once, and collects their reports; `whileRunning`
 * runs in this process from the moment they go.
 */
const runWriters = async (
  configs: readonly WriterConfig[],
  whileRunning: () => Promise<void> = async () => undefined,
): Promise<Run> => {
  const children = configs.map((config) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, JSON.stringify(config)], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const lines: string[] = [];
    let onReady: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => {
      onReady = resolve;
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line === 'ready') onReady();
      else lines.push(line);
    });
    const exited = new Promise<WriterReport>((resolve, reject) =>
      child.once('close', (code, signal) => {
        const last = lines.at(-1);
        if (code !== 0 || last === undefined) {
          reject(new Error(`writer ${config.writer} exited (${code ?? signal}): ${stderr}`));
        } else {
          resolve(JSON.parse(last) as WriterReport);
        }
      }),
    );
    return { child, ready: Promise.race([ready, exited.then(() => undefined)]), exited };
  });
  try {
    await Promise.all(children.map(({ ready }) => ready));
    const started = performance.now();
    for (const { child } of children) child.stdin.end('go\n');
    const [reports] = await Promise.all([Promise.all(children.map(({ exited }) => exited)), whileRunning()]);
    return { reports, ms: performance.now() - started };
  } finally {
    for (const { child } of children) if (child.exitCode === null) child.kill('SIGKILL');
  }
};

// ── What the writers were told, against what is stored ──────────────────────────────────────

const perSecond = (count: number, ms: number): number => Math.round((count * 1000) / ms);
/** Median and 99th percentile, in whole ms. */
const percentiles = (values: readonly number[]): { p50: number; p99: number } => {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) =>
    Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
  return { p50: at(0.5), p99: at(0.99) };
};

/** Checks appends against the stored stream; returns the figures. */
const checkAppends = (attempts: readonly AppendAttempt[], stored: readonly RecordedEvent[], ms: number) => {
  // Every append either landed or met a ConcurrencyConflictError: nothing else.
  const errors = attempts.flatMap((a) =>
    a.outcome === 'error' ? [`${a.writer}#${a.attempt}: ${a.error.name}: ${a.error.message}`] : [],
  );
  expect(errors).toEqual([]);
  const landed = attempts.filter((a) => a.outcome === 'landed');
  const conflicts = attempts.filter((a) => a.outcome === 'conflict');

  // A landed batch sits right after the revision its writer expected.
  const next = (expected: AppendAttempt['expected']) => (expected === 'no-stream' ? -1 : Number(expected));
  const misplaced = landed.filter((a) => a.revision !== next(a.expected) + a.ids.length);
  expect(misplaced).toEqual([]);
  // A conflict is real: another writer had moved the stream past what this one expected.
  const untrue = conflicts.filter(
    (a) => a.actual === 'no-stream' || (a.expected !== 'no-stream' && a.actual <= Number(a.expected)),
  );
  expect(untrue).toEqual([]);

  // The stream: revisions 0..k, no gap, positions in commit order.
  expect(stored.map((event) => event.revision)).toEqual(stored.map((_, i) => i));
  for (const [i, event] of stored.entries()) {
    if (i > 0) expect(event.position).toBeGreaterThan(stored[i - 1]?.position ?? Number.POSITIVE_INFINITY);
  }

  // Every landed event is stored once, at the revision its writer was told; batches are whole and in
  // order; no event of a failed append is stored.
  const storedAt = new Map<string, RecordedEvent>();
  for (const event of stored) {
    expect(storedAt.has(event.id), `event ${event.id} stored twice`).toBe(false);
    storedAt.set(event.id, event);
  }
  for (const a of landed) {
    const first = a.revision - a.ids.length + 1;
    const where = a.ids.map((id) => storedAt.get(id));
    expect(where.map((event) => event?.revision)).toEqual(a.ids.map((_, i) => first + i));
    expect(where.map((event) => event?.data)).toEqual(
      a.ids.map((_, index) => ({ writer: a.writer, attempt: a.attempt, index, size: a.ids.length })),
    );
    expect(where.at(-1)?.position).toBe(a.position);
  }
  const failedIds = attempts.filter((a) => a.outcome !== 'landed').flatMap((a) => a.ids);
  expect(failedIds.filter((id) => storedAt.has(id))).toEqual([]);
  const landedIds = landed.flatMap((a) => a.ids);
  expect(stored).toHaveLength(landedIds.length);

  // The writers did contend.
  expect(conflicts.length).toBeGreaterThan(0);
  return {
    attempts: attempts.length,
    landed: landed.length,
    conflicts: conflicts.length,
    events: stored.length,
    ms: Math.round(ms),
    landedLatencyMs: percentiles(landed.map((a) => a.ms)),
    attemptsPerSecond: perSecond(attempts.length, ms),
    eventsPerSecond: perSecond(stored.length, ms),
  };
};

// ── The case service: a case under inspection, facts it accepts again and again ──────────────

/** The case's facts before the writers start: an inspection in progress. */
const inspectionUnderWay = (caseId: string): ProcedureEvent[] => [
  caseOpened({ caseId }),
  complaintReceived(),
  inspectionOpened(),
];
/** Writer `w`'s `n`-th act of inspection: accepted again and again while the inspection is in progress. */
const inspectionAct = (w: number, n: number): Omit<FactInput, 'eventId'> => ({
  type: 'InspectionCarriedOut',
  data: inspectionCarriedOut({ description: `writer ${w}, act ${n}` }).data,
});
/** Ends the inspection: accepted once, after which the acts above are refused. */
const findings = (w: number): Omit<FactInput, 'eventId'> => ({
  type: 'InspectionCompleted',
  data: inspectionCompleted({ reportRef: `CTL-2023-${w}` }).data,
});

const checkService = async (target: Target, caseId: string, run: Run, setup: number) => {
  const store = await openTarget(target);
  try {
    const facts = run.reports.flatMap((report) => report.facts);
    const errors = facts.flatMap((f) =>
      f.status === 'error' ? [`${f.writer} ${f.type}: ${f.error.message}`] : [],
    );
    expect(errors).toEqual([]);

    // The stored history folds through the statechart (load throws on a fact it refuses).
    const history = await createCaseService({ store, today: () => TODAY }).load(caseId);
    expect(history.facts.map((fact) => fact.revision)).toEqual(history.facts.map((_, i) => i));
    const written = history.facts.slice(setup);

    // Every recorded fact is stored once, at the revision the service returned; nothing else is.
    const recorded = facts.filter(
      (f): f is Extract<ServiceAttempt, { status: 'recorded' }> => f.status === 'recorded',
    );
    const byId = new Map(written.map((fact) => [fact.eventId, fact.revision]));
    expect(byId.size).toBe(written.length);
    expect(recorded.filter((f) => byId.get(f.eventId) !== f.revision)).toEqual([]);
    expect(written).toHaveLength(recorded.length);
    const notRecorded = facts.filter((f) => f.status !== 'recorded');
    expect(notRecorded.filter((f) => byId.has(f.eventId))).toEqual([]);
    // Each writer's facts are stored in the order it recorded them.
    for (const report of run.reports) {
      const revisions = report.facts.flatMap((f) => (f.status === 'recorded' ? [f.revision] : []));
      expect(revisions).toEqual([...revisions].sort((a, b) => a - b));
    }

    // Exactly one writer moved the case on; every refusal is the statechart's answer in that state.
    const closingType = findings(0).type;
    expect(written.filter((fact) => fact.event.type === closingType)).toHaveLength(1);
    const finalState = describeState(history.state.value);
    const refused = facts.filter(
      (f): f is Extract<ServiceAttempt, { status: 'refused' }> => f.status === 'refused',
    );
    for (const f of refused) {
      expect(f.refusal).toMatchObject({ kind: 'TransitionNotAllowed', state: finalState });
      expect(acceptedEventTypes(history.state)).not.toContain(f.type);
    }
    expect(decide(history.state, inspectionCarriedOut()).accepted).toBe(false);

    const serviceAppends = run.reports.reduce((sum, r) => sum + r.serviceAppends, 0);
    const conflicts = run.reports.reduce((sum, r) => sum + r.serviceConflicts, 0);
    const gaveUp = facts.filter((f) => f.status === 'gave-up').length;
    expect(conflicts).toBeGreaterThan(0);
    return {
      facts: facts.length,
      recorded: recorded.length,
      refused: refused.length,
      gaveUp,
      appends: serviceAppends,
      conflicts,
      retries: conflicts - gaveUp,
      ms: Math.round(run.ms),
      factsPerSecond: perSecond(recorded.length, run.ms),
    };
  } finally {
    await store.close();
  }
};

// ── The scenarios, for any store shared between processes ─────────────────────────────────────

/** A store the writers share, and the key store of its personal data (kept out of ./data). */
interface Target {
  readonly store: string;
  readonly keys: string;
}
const openTarget = ({ store, keys }: Target) => openEventStore(store, { keys });

/** A temporary directory for the enclosing describe (the key store of EventStoreDB runs). */
const scratchDir = (): (() => string) => {
  let dir: string | undefined;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cnil-contention-'));
  });
  afterAll(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });
  return () => dir ?? 'the scratch directory has not been made';
};

interface Sizes {
  readonly processes: number;
  readonly clients: number;
  /** The longest pause of a writer between reading the head and appending, in ms. */
  readonly thinkMs: number;
  readonly attempts: number;
  readonly serviceWriters: number;
  readonly factsEach: number;
}

const contention = (label: string, target: () => Target, sizes: Sizes): void => {
  const writers = sizes.processes * sizes.clients;
  const total = writers * sizes.attempts;

  it(
    `given ${writers} writers (${sizes.processes} processes × ${sizes.clients} clients) on one ${label} stream, when each appends ${sizes.attempts} batches of 1–${MAX_BATCH} events at the revision it last read, then each lands at the next revision or fails with ConcurrencyConflictError, and the stream has no gap, no loss, no duplicate, no split batch`,
    async () => {
      const streamId = caseStreamId(`contention-${randomUUID()}`);
      const run = await runWriters(
        Array.from({ length: sizes.processes }, (_, index) => ({
          mode: 'append' as const,
          store: target().store,
          writer: `w${index}`,
          index,
          streamId,
          attempts: sizes.attempts,
          maxBatch: MAX_BATCH,
          clients: sizes.clients,
          thinkMs: sizes.thinkMs,
        })),
      );
      const attempts = run.reports.flatMap((report) => report.appends);
      expect(attempts).toHaveLength(total);
      const store = await openTarget(target());
      const stored = await store.readStream(streamId).finally(() => store.close());

      const figures = checkAppends(attempts, stored, run.ms);
      console.info(`contention, ${label}, appends through the port: ${JSON.stringify(figures)}`);
    },
    TIMEOUT,
  );

  it(
    `given ${sizes.serviceWriters} processes recording on one case under inspection through the case service (${label}), when each records ${sizes.factsEach} acts of inspection and then the findings, then the history folds through the statechart, one writer closed the inspection, every refusal is the statechart's, and no fact is lost or duplicated`,
    async () => {
      const caseId = `contention-${randomUUID().slice(0, 8)}`;
      const setupStore = await openTarget(target());
      const setup = inspectionUnderWay(caseId);
      try {
        const outcome = await createCaseService({ store: setupStore, today: () => TODAY }).recordAll(
          caseId,
          setup.map((event) => ({ type: event.type, data: event.data })),
        );
        expect(outcome.status).toBe('recorded');
      } finally {
        await setupStore.close();
      }

      const run = await runWriters(
        Array.from({ length: sizes.serviceWriters }, (_, w) => ({
          mode: 'service' as const,
          store: target().store,
          keys: target().keys,
          writer: `s${w}`,
          caseId,
          today: TODAY,
          repeatable: Array.from({ length: sizes.factsEach }, (_, n) => inspectionAct(w, n)),
          closing: findings(w),
        })),
      );

      const figures = await checkService(target(), caseId, run, setup.length);
      console.info(`contention, ${label}, facts through the case service: ${JSON.stringify(figures)}`);
    },
    TIMEOUT,
  );
};

// ── SQLite: processes on one file ───────────────────────────────────────────────────────────

describe('SQLite: writer processes on one file', () => {
  let dir: string;
  let path: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cnil-contention-'));
    path = join(dir, 'cnil.db');
    await createSqliteEventStore(path).close(); // the file, created by the SQLite store
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(
    'given another connection holding the write lock of the file, when a writer process opens the store and appends, then it opens without the lock, waits for it and lands: a held lock is a wait, not SQLITE_BUSY',
    async () => {
      const streamId = caseStreamId(`contention-${randomUUID()}`);
      const holder = new Database(path);
      const heldMs = 1_000;
      try {
        // Held while the writer starts, opens the store (which needs no write lock) and appends.
        holder.exec('BEGIN IMMEDIATE');
        const run = await runWriters(
          [
            {
              mode: 'append',
              store: `sqlite:${path}`,
              writer: 'late',
              index: 0,
              streamId,
              attempts: 1,
              maxBatch: 1,
            },
          ],
          async () => {
            await new Promise((resolve) => setTimeout(resolve, heldMs));
            holder.exec('COMMIT');
          },
        );
        const [append] = run.reports.flatMap((report) => report.appends);
        expect(append).toMatchObject({ outcome: 'landed', expected: 'no-stream', revision: 0 });
        // It waited for the lock: its append began a few ms after `go`, the lock went 1 s after it.
        expect(append?.ms).toBeGreaterThan(heldMs / 2);
      } finally {
        if (holder.inTransaction) holder.exec('ROLLBACK');
        holder.close();
      }
    },
    TIMEOUT,
  );

  contention('SQLite', () => ({ store: `sqlite:${path}`, keys: `sqlite:${join(dir, 'keys.db')}` }), {
    processes: scale(4, 8),
    clients: 1,
    thinkMs: 2,
    attempts: scale(75, 150),
    serviceWriters: scale(3, 8),
    factsEach: scale(20, 40),
  });
});

// ── EventStoreDB ────────────────────────────────────────────────────────────────────────────

const ESDB_SIZES: Sizes = {
  processes: scale(2, 4),
  clients: 2,
  thinkMs: 0,
  attempts: scale(30, 130),
  serviceWriters: scale(2, 6),
  factsEach: scale(8, 40),
};

describe('EventStoreDB through the protocol-level test server: writer processes, several clients each', () => {
  const dir = scratchDir();
  const server = withEsdbTestServer();

  contention(
    'EventStoreDB test server',
    () => ({
      store: server().connectionString,
      keys: `sqlite:${join(dir(), 'keys.db')}`,
    }),
    ESDB_SIZES,
  );
});

const REAL = process.env.EVENTSTORE_CONNECTION_STRING;
if (REAL === undefined || REAL === '') {
  console.info(
    'Contention against a real EventStoreDB: SKIPPED — set EVENTSTORE_CONNECTION_STRING ' +
      '(e.g. esdb://localhost:2113?tls=false after `docker compose up -d --wait`) to run it.',
  );
}
describe.skipIf(REAL === undefined || REAL === '')('EventStoreDB against a real server', () => {
  const dir = scratchDir();
  contention(
    'EventStoreDB (real server)',
    () => ({ store: REAL ?? '', keys: `sqlite:${join(dir(), 'keys.db')}` }),
    ESDB_SIZES,
  );
});
