/**
 * `npm run bench`: performance of the simulator and of rebuilding case states, as one JSON
 * document on stdout (progress on stderr). Ratios are against baselines run in the same process
 * on the same workload. Not a test: numbers depend on the machine and its load.
 *
 * - simulation: fresh complaints with the default parameters (src/simulation/params), fast path
 *   (transition table derived from the machine) vs plain XState `transition()`; one thread, and
 *   two worker threads. Also a deeper workload: Clearview AI forked on 2021-12-01.
 * - rebuild: 1 M events of simulated cases written to a temporary SQLite file through the SQLite
 *   adapter, then read back (`readAll`, JSON parsed) with and without folding each case.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IsoDate } from '../machines/dates.ts';
import { evolve, initialState, type ProcedureState } from '../machines/decider.ts';
import { schemaVersionOf, toNewEvent } from '../src/cases/codec.ts';
import { runBatch } from '../src/simulation/batch.ts';
import { deriveTransitionTable, fastEngine } from '../src/simulation/engine.ts';
import { loadParams, type SimulationParams } from '../src/simulation/params.ts';
import { rebuildCases } from '../src/simulation/rebuild.ts';
import { runSimulation } from '../src/simulation/runner.ts';
import { simulateRun, type StartSpec } from '../src/simulation/simulate.ts';
import { datasetStateAsOf, forkStart, freshStart } from '../src/simulation/start.ts';
import { createSqliteEventStore } from '../src/store/sqlite.ts';
import type { ProcedureEvent } from '../machines/events.ts';
import { startup } from './startup.ts';

const log = (message: string) => process.stderr.write(`${message}\n`);
const round = (x: number) => Math.round(x);

const time = async <T>(f: () => T | Promise<T>): Promise<{ value: T; seconds: number }> => {
  const t = performance.now();
  const value = await f();
  return { value, seconds: (performance.now() - t) / 1000 };
};

/** Runs per second of one thread on a workload. */
const perSecond = async (
  params: SimulationParams,
  start: StartSpec,
  engine: 'fast' | 'xstate',
  runs: number,
) => {
  const { seconds } = await time(() => runBatch({ params, start, seed: 1, engine, from: 0, to: runs }));
  return runs / seconds;
};

/**
 * Fast path vs plain transition() on the same workload, alternated over several rounds; the best
 * round of each counts (the machine is shared: other processes slow some rounds down).
 */
const compare = async (
  params: SimulationParams,
  start: StartSpec,
  fastRuns: number,
  naiveRuns: number,
  rounds = 3,
) => {
  runBatch({ params, start, seed: 99, engine: 'fast', from: 0, to: Math.min(fastRuns, 20_000) }); // warm-up (JIT, date cache)
  runBatch({ params, start, seed: 99, engine: 'xstate', from: 0, to: Math.min(naiveRuns, 1_000) });
  let fast = 0;
  let naive = 0;
  for (let r = 0; r < rounds; r++) {
    fast = Math.max(fast, await perSecond(params, start, 'fast', fastRuns));
    naive = Math.max(naive, await perSecond(params, start, 'xstate', naiveRuns));
  }
  return { fast, naive };
};

const simulation = async () => {
  const params = await loadParams();
  const fresh = freshStart(params.run.startDate);
  const { state } = await datasetStateAsOf('clearview', '2021-12-01' as IsoDate);
  const clearview = forkStart(state, '2021-12-01' as IsoDate);

  const derivation = await time(() => deriveTransitionTable());
  log(`table derived in ${(derivation.seconds * 1000).toFixed(0)} ms`);
  const { fast, naive } = await compare(params, fresh, 200_000, 10_000);
  log(
    `fresh complaints, 1 thread: fast path ${round(fast)} runs/s, plain transition() ${round(naive)} runs/s`,
  );
  const { fast: deepFast, naive: deepNaive } = await compare(params, clearview, 40_000, 2_000);
  log(
    `Clearview fork, 1 thread: fast path ${round(deepFast)} runs/s, plain transition() ${round(deepNaive)} runs/s`,
  );

  const workerRuns = 1_000_000;
  const one = await time(() =>
    runSimulation({ params, start: fresh, runs: workerRuns, seed: 1, workers: 1 }),
  );
  const two = await time(() =>
    runSimulation({ params, start: fresh, runs: workerRuns, seed: 1, workers: 2 }),
  );
  log(
    `${workerRuns} runs end to end: 1 thread ${one.seconds.toFixed(2)} s, 2 workers ${two.seconds.toFixed(2)} s`,
  );
  const small = 100_000;
  const oneSmall = await time(() =>
    runSimulation({ params, start: fresh, runs: small, seed: 1, workers: 1 }),
  );
  const twoSmall = await time(() =>
    runSimulation({ params, start: fresh, runs: small, seed: 1, workers: 2 }),
  );
  log(
    `${small} runs end to end: 1 thread ${oneSmall.seconds.toFixed(2)} s, 2 workers ${twoSmall.seconds.toFixed(2)} s`,
  );
  const best = Math.max(fast, workerRuns / one.seconds, workerRuns / two.seconds);
  return {
    workload: 'fresh complaints, default parameters (src/simulation/params/cnil-2024.json)',
    casesPerSecond: round(best),
    casesPerSecondOneThread: round(fast),
    naiveCasesPerSecond: round(naive),
    ratio: Number((fast / naive).toFixed(1)),
    tableDerivationMs: round(derivation.seconds * 1000),
    clearviewFork: {
      workload: 'Clearview AI forked on 2021-12-01 (formal notice running; longer trajectories)',
      casesPerSecond: round(deepFast),
      naiveCasesPerSecond: round(deepNaive),
      ratio: Number((deepFast / deepNaive).toFixed(1)),
    },
    workers: {
      cores: availableParallelism(),
      runs1M: {
        oneThreadSeconds: Number(one.seconds.toFixed(2)),
        twoWorkersSeconds: Number(two.seconds.toFixed(2)),
      },
      runs100k: {
        oneThreadSeconds: Number(oneSmall.seconds.toFixed(2)),
        twoWorkersSeconds: Number(twoSmall.seconds.toFixed(2)),
      },
      identical: JSON.stringify(one.value.outcomes) === JSON.stringify(two.value.outcomes),
    },
  };
};

const rebuild = async (target: number) => {
  const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  const dir = mkdtempSync(join(base, 'cnil-bench-'));
  const path = join(dir, 'events.db');
  try {
    // Cases with long histories: every complaint goes further than the complaint stage.
    const params = structuredClone(await loadParams());
    params.parameters['complaint.outcome'].branches = {
      closed: 0,
      inspection: 0.6,
      formalNotice: 0.2,
      referral: 0.2,
    };
    const start = freshStart('2023-01-02' as IsoDate);
    const engine = fastEngine();
    const from = engine.fromSnapshot(initialState());
    const store = createSqliteEventStore(path);
    let written = 0;
    let cases = 0;
    const write = await time(async () => {
      while (written < target) {
        const run = simulateRun(engine, from, start, params, 5, cases, { record: true });
        const events = run.events.slice(0, target - written);
        const recordedAt = '2026-01-01T00:00:00.000Z';
        await store.appendToStream(
          `case-bench-${cases}`,
          events.map((e: ProcedureEvent) =>
            toNewEvent(randomUUID(), e, {
              actor: 'scheduler',
              recordedAt,
              correlationId: 'bench',
              schemaVersion: schemaVersionOf(e.type),
            }),
          ),
          { expectedRevision: 'no-stream' },
        );
        written += events.length;
        cases++;
        if (cases % 20_000 === 0) log(`  ${written} events written`);
      }
    });
    log(`wrote ${written} events of ${cases} cases in ${write.seconds.toFixed(1)} s`);

    // Raw read and read + fold alternated twice; the best of each counts.
    const readOnly = () =>
      time(async () => {
        let n = 0;
        for await (const e of store.readAll()) if (e.data) n++;
        return n;
      });
    const readFold = () => time(() => rebuildCases(store.readAll(), { validate: false }));
    const raw = await readOnly();
    const fastFold = await readFold();
    const raw2 = await readOnly();
    const fastFold2 = await readFold();
    raw.seconds = Math.min(raw.seconds, raw2.seconds);
    fastFold.seconds = Math.min(fastFold.seconds, fastFold2.seconds);
    log(`raw read: ${round(raw.value / raw.seconds)} events/s`);
    log(`read + fold (fast path): ${round(written / fastFold.seconds)} events/s`);
    const validated = await time(() => rebuildCases(store.readAll(), { validate: true }));
    log(`read + validate + fold (fast path): ${round(written / validated.seconds)} events/s`);
    // Plain XState on the first 100 000 events (extrapolated per event).
    const sample = 100_000;
    const naive = await time(async () => {
      const states = new Map<string, ProcedureState>();
      let n = 0;
      for await (const e of store.readAll({ maxCount: sample })) {
        const event = { type: e.type, data: e.data } as unknown as ProcedureEvent;
        states.set(e.streamId, evolve(states.get(e.streamId) ?? initialState(), event));
        n++;
      }
      return n;
    });
    log(`read + fold (transition()): ${round(naive.value / naive.seconds)} events/s`);
    // The fast rebuild reaches the same states as transition() on the sample.
    const sampleFast = await rebuildCases(store.readAll({ maxCount: sample }), { validate: false });
    await store.close();
    return {
      events: written,
      cases: cases,
      file: base === '/dev/shm' ? 'SQLite file on tmpfs (/dev/shm)' : 'SQLite file in the temp dir',
      writeSeconds: Number(write.seconds.toFixed(1)),
      rawReadEventsPerSecond: round(raw.value / raw.seconds),
      eventsPerSecond: round(written / fastFold.seconds),
      ratioToRawRead: Number((raw.seconds / fastFold.seconds).toFixed(2)),
      validatedEventsPerSecond: round(written / validated.seconds),
      validatedRatioToRawRead: Number((raw.seconds / validated.seconds).toFixed(2)),
      naiveEventsPerSecond: round(naive.value / naive.seconds),
      naiveSampleEvents: naive.value,
      sampleCases: sampleFast.size,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

const main = async () => {
  const events = Number(process.env.BENCH_EVENTS ?? 1_000_000);
  log(`node ${process.version}, ${cpus()[0]?.model ?? 'cpu'} × ${availableParallelism()}`);
  const boot = startup();
  const sim = await simulation();
  const reb = await rebuild(events);
  const result = {
    node: process.version,
    cpu: `${cpus()[0]?.model ?? 'unknown'} × ${availableParallelism()}`,
    startup: boot,
    simulation: sim,
    rebuild: reb,
    targets: {
      casesPerSecond: { target: 100_000, reached: sim.casesPerSecond >= 100_000 },
      ratio: { target: 10, reached: sim.ratio >= 10 },
      rebuildRatio: { target: 0.5, reached: reb.ratioToRawRead >= 0.5 },
    },
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
};

await main();
