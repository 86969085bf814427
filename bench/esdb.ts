/**
 * The `esdb` section of `npm run bench`: recording cases on EventStoreDB through the code `case
 * record` runs (the case service on the store `openEventStore` opens for an `esdb://` connection
 * string: the real client, personal data encrypted), against the protocol-level test server
 * started in a process of its own, as the tests start it. The server counts every read and append
 * request it serves.
 *
 * - `appendsPerSecond`, `readsPerAppend`: many cases of a few facts, one `record` (one append) per
 *   fact. Reads per append count every stream and `$all` read the server served while recording:
 *   the case service's own (it reads the case to decide, then reads back what it appended) and the
 *   adapter's (none on the happy path).
 * - `longStream`: one case recorded fact by fact, the append rate over its first and its last
 *   appends; `storeOnly` does the same with `appendToStream` at the expected revision, without the
 *   case service (the adapter's part of each append).
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

/** Appends per second over each window of `window` consecutive appends timed by `times` (ms each). */
const rates = (times: readonly number[], window: number) => {
  const sum = (part: readonly number[]) => part.reduce((a, b) => a + b, 0);
  return {
    firstAppendsPerSecond: perSecond(window, sum(times.slice(0, window))),
    lastAppendsPerSecond: perSecond(window, sum(times.slice(-window))),
  };
};

export interface EsdbBenchOptions {
  /** Cases of `factsPerCase` facts each (default 300 × 4). */
  readonly cases?: number;
  readonly factsPerCase?: number;
  /** Appends, one event each, on the long stream through the store alone (default 2 000). */
  readonly longAppends?: number;
  /** Facts recorded one by one on the long case through the case service (default `longAppends`). */
  readonly serviceLongAppends?: number;
}

export const esdbBench = async ({
  cases = 300,
  factsPerCase = 4,
  longAppends = 2_000,
  serviceLongAppends = longAppends,
}: EsdbBenchOptions = {}) => {
  const dir = mkdtempSync(join(tmpdir(), 'cnil-bench-esdb-'));
  const server = await startEsdbTestServer();
  let store: EventStore | undefined;
  try {
    store = await openEventStore(server.connectionString, { keys: `sqlite:${join(dir, 'keys.db')}` });
    const service = createCaseService({ store, today: () => TODAY });
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

    // One long case, fact by fact through the case service.
    const longId = `bench-${run}-long`;
    const serviceTimes: number[] = [];
    const longBefore = await server.counts();
    for (let i = 0; i < serviceLongAppends; i++) {
      const t = performance.now();
      const outcome = await service.record(longId, i === 0 ? opened(longId) : complaint(longId, i));
      serviceTimes.push(performance.now() - t);
      if (outcome.status !== 'recorded') throw new Error(`esdb bench: ${JSON.stringify(outcome)}`);
    }
    const longCounts = countsSince(longBefore, await server.counts());

    // The same number of appends on one stream through the store alone, at the expected revision.
    const storeStream = `bench-${run}-store-long`;
    const storeTimes: number[] = [];
    const storeBefore = await server.counts();
    for (let revision = -1; revision < longAppends - 1; revision++) {
      const t = performance.now();
      await store.appendToStream(
        storeStream,
        [{ id: randomUUID(), type: 'Happened', data: { n: revision + 1 }, metadata: {} }],
        { expectedRevision: revision < 0 ? 'no-stream' : revision },
      );
      storeTimes.push(performance.now() - t);
    }
    const storeCounts = countsSince(storeBefore, await server.counts());
    const window = Math.min(200, Math.floor(Math.min(longAppends, serviceLongAppends) / 2));
    const throughService = rates(serviceTimes, window);
    const storeOnly = rates(storeTimes, window);
    log(
      `esdb long stream: case service (${serviceLongAppends} facts) ${throughService.firstAppendsPerSecond} → ` +
        `${throughService.lastAppendsPerSecond} appends/s, store alone (${longAppends} appends) ` +
        `${storeOnly.firstAppendsPerSecond} → ${storeOnly.lastAppendsPerSecond} appends/s (first vs last ${window})`,
    );

    return {
      workload: `${cases} cases × ${factsPerCase} facts, each fact one \`case record\` (case service, protected store, openEventStore on esdb://), against the protocol-level test server in its own process`,
      appends: counts.appends,
      appendsPerSecond: perSecond(counts.appends, ms),
      readsPerAppend: Number((readsOf(counts) / counts.appends).toFixed(2)),
      served: counts,
      longStream: {
        appends: serviceLongAppends,
        window,
        ...throughService,
        readsPerAppend: Number((readsOf(longCounts) / longCounts.appends).toFixed(2)),
        storeOnly: {
          appends: longAppends,
          ...storeOnly,
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
