/**
 * The `esdb` section of `npm run bench`: recording cases on EventStoreDB through the code `case
 * record` runs (the case service on the store `openEventStore` opens for an `esdb://` connection
 * string: the real client, personal data encrypted), against the protocol-level test server
 * started in a process of its own, as the tests start it. The server counts every read and append
 * request it serves.
 *
 * - `appendsPerSecond`, `readsPerAppend`: many cases of a few facts, one `record` (one append) per
 *   fact. Reads per append count every stream and `$all` read the server served while recording:
 *   the case service's own (it reads the case's snapshot and the case to decide, then reads back
 *   what it appended) and the adapter's (none on the happy path).
 * - `longStream`: one case of `serviceLongAppends` facts recorded fact by fact, then the append
 *   rate at its end against the rate at the start of a new case, alternately in the same rounds
 *   (`endToStart` 1 is flat); `storeOnly` does the same with `appendToStream` at the expected
 *   revision, without the case service (the adapter's part of each append).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { createCaseService, type FactInput } from '../src/cases/service.ts';
import { openEventStore } from '../src/store/open.ts';
import type { EventStore } from '../src/store/port.ts';
import { countsSince, type ServedCounts } from '../test/support/esdb/counts.ts';
import { startEsdbTestServer } from '../test/support/esdb/launch.ts';

const TODAY = '2026-06-30';
const log = (message: string) => process.stderr.write(`${message}\n`);

const opened = (caseId: string): FactInput => ({
  type: 'CaseOpened',
  data: {
    on: '2024-01-02',
    caseId,
    controller: { name: `Controller ${caseId} SAS`, country: 'FR', euEstablishment: true },
    origin: 'complaint',
  },
});

const complaint = (caseId: string, i: number): FactInput => ({
  type: 'ComplaintReceived',
  data: {
    on: '2024-01-03',
    complaintId: `${caseId}-c${i}`,
    complainant: { kind: 'individual', name: `Person ${caseId} ${i}` },
    grounds: ['6'],
  },
});

const readsOf = (counts: ServedCounts) => counts.streamReads + counts.allReads;

const perSecond = (count: number, ms: number) => Math.round((count / ms) * 1000);

const time = async (act: () => Promise<void>): Promise<number> => {
  const t = performance.now();
  await act();
  return performance.now() - t;
};

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};

/**
 * `rounds` rounds of one append at the start of a stream and one at the end of a long one (each
 * function returns the ms its append took; which goes first alternates): appends per second of
 * each, from the median time (robust to the pauses of a shared machine), and end / start.
 */
const interleave = async (
  rounds: number,
  atStart: (k: number) => Promise<number>,
  atEnd: (k: number) => Promise<number>,
) => {
  const start: number[] = [];
  const end: number[] = [];
  for (let k = 0; k < rounds; k++) {
    if (k % 2 === 0) {
      start.push(await atStart(k));
      end.push(await atEnd(k));
    } else {
      end.push(await atEnd(k));
      start.push(await atStart(k));
    }
  }
  return {
    startAppendsPerSecond: Math.round(1000 / median(start)),
    endAppendsPerSecond: Math.round(1000 / median(end)),
    endToStart: Number((median(start) / median(end)).toFixed(2)),
  };
};

export interface EsdbBenchOptions {
  /** Cases of `factsPerCase` facts each (default 300 × 4). */
  readonly cases?: number;
  readonly factsPerCase?: number;
  /** Appends, one event each, on the long stream through the store alone (default 2 000). */
  readonly longAppends?: number;
  /**
   * Facts recorded one by one on the long case through the case service (default 2 000, as long as
   * the store's stream: the service decides on the case's snapshot and the events after it).
   */
  readonly serviceLongAppends?: number;
  /** Rounds of the start-vs-end comparison (default 200). */
  readonly rounds?: number;
}

export const esdbBench = async ({
  cases = 300,
  factsPerCase = 4,
  longAppends = 2_000,
  serviceLongAppends = 2_000,
  rounds = 200,
}: EsdbBenchOptions = {}) => {
  const dir = mkdtempSync(join(tmpdir(), 'cnil-bench-esdb-'));
  const server = await startEsdbTestServer();
  let store: EventStore | undefined;
  try {
    const esdb = await openEventStore(server.connectionString, { keys: `sqlite:${join(dir, 'keys.db')}` });
    store = esdb;
    const service = createCaseService({ store: esdb, today: () => TODAY });
    const run = randomUUID().slice(0, 8);

    // Many short cases, each fact recorded alone (as `case record` does).
    const before = await server.counts();
    const started = performance.now();
    for (let c = 0; c < cases; c++) {
      const caseId = `bench-${run}-${c}`;
      for (let f = 0; f < factsPerCase; f++) {
        const outcome = await service.record(caseId, f === 0 ? opened(caseId) : complaint(caseId, f));
        if (outcome.status !== 'recorded') throw new Error(`esdb bench: ${JSON.stringify(outcome)}`);
      }
    }
    const ms = performance.now() - started;
    const counts = countsSince(before, await server.counts());
    if (counts.appends !== cases * factsPerCase || counts.wrongExpectedVersions !== 0)
      throw new Error(`esdb bench: unexpected appends ${JSON.stringify(counts)}`);
    log(
      `esdb: ${counts.appends} appends (${cases} cases × ${factsPerCase} facts) through the case service in ` +
        `${Math.round(ms)} ms: ${perSecond(counts.appends, ms)} appends/s, ` +
        `${(readsOf(counts) / counts.appends).toFixed(2)} reads per append`,
    );

    // One long case, fact by fact through the case service; then, alternately, one more fact on it
    // and one on a new case: the rate at the end of a long stream against the rate at the start of
    // one, measured in the same rounds (a shared machine's load moves between rounds).
    const longId = `bench-${run}-long`;
    const shortId = `bench-${run}-short`;
    const record = async (caseId: string, i: number): Promise<number> => {
      const t = performance.now();
      const outcome = await service.record(caseId, i === 0 ? opened(caseId) : complaint(caseId, i));
      if (outcome.status !== 'recorded') throw new Error(`esdb bench: ${JSON.stringify(outcome)}`);
      return performance.now() - t;
    };
    const serviceBuilt = await time(async () => {
      for (let i = 0; i < serviceLongAppends; i++) await record(longId, i);
    });
    const serviceRounds = await interleave(
      rounds,
      (k) => record(shortId, k),
      (k) => record(longId, serviceLongAppends + k),
    );

    // The same through the store alone: one event per append at the expected revision.
    const append = async (streamId: string, revision: number): Promise<number> => {
      const t = performance.now();
      await esdb.appendToStream(
        streamId,
        [{ id: randomUUID(), type: 'Happened', data: { n: revision + 1 }, metadata: {} }],
        { expectedRevision: revision < 0 ? 'no-stream' : revision },
      );
      return performance.now() - t;
    };
    const storeLong = `bench-${run}-store-long`;
    const storeShort = `bench-${run}-store-short`;
    const storeBefore = await server.counts();
    const storeBuilt = await time(async () => {
      for (let revision = -1; revision < longAppends - 1; revision++) await append(storeLong, revision);
    });
    const storeRounds = await interleave(
      rounds,
      (k) => append(storeShort, k - 1),
      (k) => append(storeLong, longAppends - 1 + k),
    );
    const storeCounts = countsSince(storeBefore, await server.counts());
    log(
      `esdb long stream, ${rounds} appends at the start of a stream vs at the end of a long one: ` +
        `case service (${serviceLongAppends} facts, built in ${Math.round(serviceBuilt)} ms) ` +
        `${serviceRounds.startAppendsPerSecond} vs ${serviceRounds.endAppendsPerSecond} appends/s; ` +
        `store alone (${longAppends} events, built in ${Math.round(storeBuilt)} ms) ` +
        `${storeRounds.startAppendsPerSecond} vs ${storeRounds.endAppendsPerSecond} appends/s`,
    );

    return {
      workload: `${cases} cases × ${factsPerCase} facts, each fact one \`case record\` (case service, protected store, openEventStore on esdb://), against the protocol-level test server in its own process`,
      appends: counts.appends,
      appendsPerSecond: perSecond(counts.appends, ms),
      readsPerAppend: Number((readsOf(counts) / counts.appends).toFixed(2)),
      served: counts,
      longStream: {
        facts: serviceLongAppends,
        buildMs: Math.round(serviceBuilt),
        rounds,
        ...serviceRounds,
        storeOnly: {
          events: longAppends,
          buildMs: Math.round(storeBuilt),
          ...storeRounds,
          readsPerAppend: Number((readsOf(storeCounts) / storeCounts.appends).toFixed(2)),
        },
      },
    };
  } finally {
    await store?.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
};
