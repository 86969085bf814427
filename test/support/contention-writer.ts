/**
 * One contending writer, run as its own process by test/store/contention.test.ts:
 *
 *   node --import tsx test/support/contention-writer.ts '<WriterConfig as JSON>'
 *
 * It opens the store (`sqlite:<path>` or `esdb://…`), prints `ready`, waits for `go` on stdin (so
 * that every writer starts at the same moment), runs its loop, prints one JSON line (a
 * {@link WriterReport}) and exits. It never throws on a failed append: every outcome, including an
 * unexpected error, is reported, and the test decides.
 *
 * - `append` mode, through the `EventStore` port: read the stream from the last revision this writer
 *   knows, append a batch of 1..`maxBatch` events at the stream's last revision, record where it
 *   landed or the `ConcurrencyConflictError`. `clients` loops run side by side, each with its own
 *   store instance (its own SQLite connection or EventStoreDB client).
 * - `service` mode, through the case service (which decides again after a conflict): record
 *   `repeatable` facts one by one on the case, then try to record `closing` once.
 */
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { FactInput } from '../../src/cases/service.ts';
import { openEventStore, parseStoreConnection } from '../../src/store/open.ts';
import {
  ConcurrencyConflictError,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
} from '../../src/store/port.ts';
import { createSqliteEventStore } from '../../src/store/sqlite.ts';
import { aroundAppends } from './append-hook.ts';

export type WriterConfig =
  | {
      readonly mode: 'append';
      readonly store: string;
      readonly writer: string;
      /** The writer's number, which varies the batch sizes between writers. */
      readonly index: number;
      readonly streamId: string;
      readonly attempts: number;
      readonly maxBatch: number;
      /** Loops in this process, each with its own store instance; default 1. */
      readonly clients?: number;
      /** The longest pause between reading the head and appending (a writer deciding), in ms; default 0. */
      readonly thinkMs?: number;
    }
  | {
      readonly mode: 'service';
      readonly store: string;
      /** The key store of personal data (see `openEventStore`); default: the store's default. */
      readonly keys?: string;
      readonly writer: string;
      readonly caseId: string;
      readonly today: string;
      /** How often the service decides again after a conflict; default: the service's default. */
      readonly retries?: number;
      /** Facts the statechart accepts again and again in the case's state, recorded in this order. */
      readonly repeatable: readonly Omit<FactInput, 'eventId'>[];
      /** A fact that moves the case on, tried once after the repeatable ones. */
      readonly closing: Omit<FactInput, 'eventId'>;
    };

/** An error as the writer saw it. */
export interface ErrorSeen {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
}

/** One append through the port. */
export type AppendAttempt = {
  readonly writer: string;
  readonly attempt: number;
  /** The ids of the batch, in order. */
  readonly ids: readonly string[];
  readonly expected: ExpectedRevision;
  readonly ms: number;
} & (
  | { readonly outcome: 'landed'; readonly revision: number; readonly position: number }
  | { readonly outcome: 'conflict'; readonly actual: number | 'no-stream' }
  | { readonly outcome: 'error'; readonly error: ErrorSeen }
);

/** One fact recorded through the case service. */
export type ServiceAttempt = {
  readonly writer: string;
  readonly eventId: string;
  readonly type: string;
} & (
  | { readonly status: 'recorded'; readonly revision: number }
  | { readonly status: 'refused'; readonly refusal: { kind: string; state: string; message: string } }
  /** The service met a conflict on every one of its tries and gave up with ConcurrencyConflictError. */
  | { readonly status: 'gave-up' }
  | { readonly status: 'error'; readonly error: ErrorSeen }
);

export interface WriterReport {
  readonly writer: string;
  /** Wall time of the loop, from `go` to the last outcome. */
  readonly ms: number;
  readonly appends: readonly AppendAttempt[];
  readonly facts: readonly ServiceAttempt[];
  /** Appends the service made, and how many of them met a ConcurrencyConflictError. */
  readonly serviceAppends: number;
  readonly serviceConflicts: number;
}

const seen = (error: unknown): ErrorSeen => {
  if (!(error instanceof Error)) return { name: typeof error, message: String(error) };
  const code = (error as { code?: unknown }).code;
  return { name: error.name, message: error.message, ...(code === undefined ? {} : { code: String(code) }) };
};

/** The adapter itself for `append` mode (what is under test is the adapter's append). */
const openAdapter = async (connection: string): Promise<EventStore> => {
  const location = parseStoreConnection(connection);
  if (location.kind === 'sqlite') return createSqliteEventStore(location.path);
  if (location.kind === 'eventstoredb') {
    const { createEventStoreDbEventStore } = await import('../../src/store/eventstoredb.ts');
    return createEventStoreDbEventStore(location.connectionString);
  }
  throw new Error(`contention writer: ${connection} is not shared between processes`);
};

const appendLoop = async (
  store: EventStore,
  writer: string,
  streamId: string,
  attempts: number,
  maxBatch: number,
  thinkMs: number,
  seed: number,
): Promise<AppendAttempt[]> => {
  const outcomes: AppendAttempt[] = [];
  let head = -1;
  for (let attempt = 0; attempt < attempts; attempt++) {
    // The stream's last revision: read what others appended since the last one this writer knows.
    const fresh = await store.readStream(streamId, { fromRevision: head + 1 });
    head = fresh.at(-1)?.revision ?? head;
    const size = 1 + ((seed + attempt) % maxBatch);
    const events: NewEvent[] = Array.from({ length: size }, (_, index) => ({
      id: randomUUID(),
      type: 'ContentionProbe',
      data: { writer, attempt, index, size },
      metadata: { actor: 'scheduler', correlationId: `${writer}/${attempt}` },
    }));
    const pause = Math.floor((seed + attempt) / maxBatch) % (thinkMs + 1);
    if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
    const ids = events.map((event) => event.id);
    const expected: ExpectedRevision = head < 0 ? 'no-stream' : head;
    const started = performance.now();
    const base = { writer, attempt, ids, expected };
    try {
      const result = await store.appendToStream(streamId, events, { expectedRevision: expected });
      const ms = performance.now() - started;
      outcomes.push({
        ...base,
        ms,
        outcome: 'landed',
        revision: result.nextExpectedRevision,
        position: result.position,
      });
      head = result.nextExpectedRevision;
    } catch (error) {
      const ms = performance.now() - started;
      if (error instanceof ConcurrencyConflictError) {
        outcomes.push({ ...base, ms, outcome: 'conflict', actual: error.actual });
      } else {
        outcomes.push({ ...base, ms, outcome: 'error', error: seen(error) });
      }
    }
  }
  return outcomes;
};

/** Counts the appends the service makes and the conflicts they meet (its retries are the difference). */
const counting = (store: EventStore, counts: { appends: number; conflicts: number }): EventStore =>
  aroundAppends(store, async (append) => {
    counts.appends++;
    try {
      return await append();
    } catch (error) {
      if (error instanceof ConcurrencyConflictError) counts.conflicts++;
      throw error;
    }
  });

/** Opens what the writer needs; returns its loop, to run once every writer is ready. */
const prepare = async (config: WriterConfig): Promise<() => Promise<Omit<WriterReport, 'writer' | 'ms'>>> => {
  if (config.mode === 'append') {
    const stores = await Promise.all(
      Array.from({ length: config.clients ?? 1 }, () => openAdapter(config.store)),
    );
    return async () => {
      const each = await Promise.all(
        stores.map((store, client) =>
          appendLoop(
            store,
            stores.length === 1 ? config.writer : `${config.writer}.${client}`,
            config.streamId,
            config.attempts,
            config.maxBatch,
            config.thinkMs ?? 0,
            config.index * 7 + client,
          ),
        ),
      );
      await Promise.all(stores.map((store) => store.close()));
      return { appends: each.flat(), facts: [], serviceAppends: 0, serviceConflicts: 0 };
    };
  }

  // Loaded only in this mode: the statechart and its dependencies take a second to load.
  const { createCaseService } = await import('../../src/cases/service.ts');
  const store = await openEventStore(config.store, config.keys === undefined ? {} : { keys: config.keys });
  const counts = { appends: 0, conflicts: 0 };
  const service = createCaseService({
    store: counting(store, counts),
    today: () => config.today,
    ...(config.retries === undefined ? {} : { retries: config.retries }),
  });
  return async () => {
    const facts: ServiceAttempt[] = [];
    try {
      for (const fact of [...config.repeatable, config.closing]) {
        const eventId = randomUUID();
        const base = { writer: config.writer, eventId, type: fact.type };
        try {
          const outcome = await service.record(config.caseId, { ...fact, eventId });
          if (outcome.status === 'recorded') {
            const mine = outcome.facts.find((recorded) => recorded.eventId === eventId);
            if (mine === undefined)
              throw new Error(`recorded, but ${eventId} is not among the facts returned`);
            facts.push({ ...base, status: 'recorded', revision: mine.revision });
          } else if (outcome.status === 'refused') {
            const { kind, state, message } = outcome.refusal;
            facts.push({ ...base, status: 'refused', refusal: { kind, state, message } });
          } else {
            const issues = outcome.issues.map((issue) => `${issue.field}: ${issue.message}`).join('; ');
            facts.push({ ...base, status: 'error', error: { name: 'Invalid', message: issues } });
          }
        } catch (error) {
          if (error instanceof ConcurrencyConflictError) facts.push({ ...base, status: 'gave-up' });
          else facts.push({ ...base, status: 'error', error: seen(error) });
        }
      }
    } finally {
      await store.close();
    }
    return { appends: [], facts, serviceAppends: counts.appends, serviceConflicts: counts.conflicts };
  };
};

const main = async (): Promise<void> => {
  const config = JSON.parse(process.argv[2] ?? '') as WriterConfig;
  const run = await prepare(config);

  // The barrier: every writer is started and connected before any of them writes.
  process.stdout.write('ready\n');
  const lines = createInterface({ input: process.stdin });
  await new Promise<void>((resolve) => lines.on('line', (line) => line.trim() === 'go' && resolve()));
  lines.close();

  const started = performance.now();
  const outcomes = await run();
  const report: WriterReport = { writer: config.writer, ms: performance.now() - started, ...outcomes };
  process.stdout.write(`${JSON.stringify(report)}\n`);
};

await main();
