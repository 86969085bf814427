/**
 * `npm run bench`: performance of the simulator and of rebuilding case states, as one JSON
 * document on stdout (progress on stderr). Ratios are against baselines run in the same process
 * on the same workload. Not a test: numbers depend on the machine and its load.
 *
 * - simulation: fresh complaints with the default parameters (src/simulation/params), fast path
 *   (transition table derived from the machine) vs plain XState `transition()`; one thread, and
 *   two worker threads. Also a deeper workload: Clearview AI forked on 2021-12-01.
 * - import: `import` of simulated cases (a JSON Lines file of `--events` events, default 1 M) into a
 *   new SQLite store, against inserting the same rows into the same schema in batches.
 * - rebuild: `project rebuild` of that store (the projection runner, every read model, a new
 *   read-model file, on two threads from PARALLEL_REBUILD_THRESHOLD case events, and on one)
 *   against reading and JSON-parsing the same file with the SQLite adapter.
 * - asOf: `ledger|deadlines|register --as-of` over the rebuilt read models; longCase: `case record` and `case show`
 *   on one case of 25 000 events.
 *
 * `npm run bench -- --events 100000 --only import,rebuild` for a quick run.
 */
import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { addDays, type IsoDate } from '../machines/dates.ts';
import { createCaseService } from '../src/cases/service.ts';
import { openImportFile } from '../src/import/file.ts';
import { generateDatasets } from '../src/import/generate.ts';
import { importCases } from '../src/import/import.ts';
import { storeIdentity } from '../src/projector/identity.ts';
import { deadlinesAsOf, ledgerAsOf, registerAsOf } from '../src/projector/queries.ts';
import { openReadModels } from '../src/projector/read-models.ts';
import { PARALLEL_REBUILD_THRESHOLD, rebuildReadModels } from '../src/projector/parallel.ts';
import { DEFAULT_BATCH_SIZE } from '../src/projector/runner.ts';
import { runBatch } from '../src/simulation/batch.ts';
import { deriveTransitionTable } from '../src/simulation/engine.ts';
import { loadParams, type SimulationParams } from '../src/simulation/params.ts';
import { runSimulation } from '../src/simulation/runner.ts';
import type { StartSpec } from '../src/simulation/run.ts';
import { datasetStateAsOf, forkStart, freshStart } from '../src/simulation/start.ts';
import { openEventStore } from '../src/store/open.ts';
import { createSqliteEventStore } from '../src/store/sqlite.ts';
import { esdbBench } from './esdb.ts';
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

/** Seconds of CPU this process used (user + system) during `f`, and its wall-clock seconds. */
const timeCpu = async <T>(
  f: () => T | Promise<T>,
): Promise<{ value: T; seconds: number; cpuSeconds: number }> => {
  const cpu = process.cpuUsage();
  const { value, seconds } = await time(f);
  const used = process.cpuUsage(cpu);
  return { value, seconds, cpuSeconds: (used.user + used.system) / 1e6 };
};

const BENCH_TODAY = '2026-06-30';

/**
 * The corpus: simulated case histories (src/import/generate.ts, as `bench/generate-import.ts`
 * writes them) as a JSON Lines file of about `target` events.
 */
const writeCorpus = async (file: string, target: number) => {
  const params = await loadParams();
  const out = openSync(file, 'w');
  let events = 0;
  let cases = 0;
  try {
    for (let seed = 1; events < target; seed++) {
      const datasets = generateDatasets({ cases: 2_000, seed, until: '2025-12-31' as IsoDate, params });
      for (const d of datasets) {
        if (events >= target) break;
        writeSync(out, `${JSON.stringify(d)}\n`);
        events += d.events.length;
        cases++;
      }
    }
  } finally {
    closeSync(out);
  }
  return { events, cases };
};

/**
 * `import <file>` (src/cli/commands/import.ts's code: openImportFile, then importCases on the
 * protected SQLite store) vs the raw batched insert of the same rows into the same schema.
 */
const importBench = async (dir: string, file: string, corpus: { events: number; cases: number }) => {
  const storePath = join(dir, 'cnil.db');
  const store = await openEventStore(`sqlite:${storePath}`);
  const imported = await timeCpu(async () => {
    const source = await openImportFile(file, { today: BENCH_TODAY });
    let done = 0;
    return importCases(createCaseService({ store, today: () => BENCH_TODAY }), source.entries(), {
      onCase: () => {
        if (++done % 20_000 === 0) log(`  ${done} cases imported`);
      },
    });
  });
  await store.close();
  const appended = imported.value.events.appended;
  log(
    `import: ${appended} events in ${imported.seconds.toFixed(1)} s (${round(appended / imported.seconds)} events/s)`,
  );
  // The raw baseline: the rows the import wrote, inserted into a new file of the same schema in
  // transactions of 10 000 rows through one prepared statement (synchronous = FULL, as the store).
  const rawPath = join(dir, 'raw.db');
  await createSqliteEventStore(rawPath).close();
  const source = new Database(storePath, { readonly: true });
  const target = new Database(rawPath);
  target.pragma('journal_mode = WAL');
  target.pragma('synchronous = FULL');
  const insert = target.prepare(
    'INSERT INTO events (event_id, stream_id, revision, type, data, metadata, created) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const rows = source
    .prepare(
      'SELECT event_id, stream_id, revision, type, data, metadata, created FROM events ORDER BY position',
    )
    .raw()
    .all() as unknown[][];
  source.close();
  const insertMany = target.transaction((chunk: unknown[][]) => {
    for (const row of chunk) insert.run(row);
  });
  const raw = await timeCpu(() => {
    for (let i = 0; i < rows.length; i += 10_000) insertMany(rows.slice(i, i + 10_000));
  });
  target.close();
  log(`raw batched insert: ${round(rows.length / raw.seconds)} events/s`);
  return {
    workload: `import of ${corpus.cases} simulated cases (${corpus.events} events, JSON Lines, ${(statSync(file).size / 1e6).toFixed(0)} MB), fresh SQLite store`,
    cases: imported.value.cases.imported,
    events: appended,
    seconds: Number(imported.seconds.toFixed(1)),
    eventsPerSecond: round(appended / imported.seconds),
    rawInsertEventsPerSecond: round(rows.length / raw.seconds),
    ratioToRawInsert: Number((raw.seconds / imported.seconds).toFixed(2)),
    cpuRatioToRawInsert: Number((raw.cpuSeconds / imported.cpuSeconds).toFixed(2)),
  };
};

/** A process's resident memory in bytes, from /proc (Linux); undefined elsewhere or once it ended. */
const residentBytes = (pid: number): number | undefined => {
  try {
    const kb = /^VmRSS:\s+(\d+) kB/mu.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
};

/**
 * The memory of `cnil project rebuild` itself: the installed command (dist/src/cli/bin.js) run as
 * its own process into a new read-model file, its resident memory sampled every 50 ms from /proc.
 * The peak over the first and the second half of the run (the rate is steady, so each half covers
 * about half of the events): flat when it does not grow with the number of events. Measured apart
 * from the timings, whose process holds the other sections' memory. Undefined without /proc.
 */
const rebuildMemory = async (dir: string) => {
  const bin = resolve('dist/src/cli/bin.js');
  if (!existsSync(bin) || !existsSync('/proc/self/status')) return undefined;
  const args = [bin, '--store', `sqlite:${join(dir, 'cnil.db')}`, 'project', 'rebuild'];
  const child = spawn(
    process.execPath,
    [...args, '--read-models', join(dir, 'read-models-memory.db'), '--json'],
    {
      stdio: 'ignore',
    },
  );
  const samples: { at: number; bytes: number }[] = [];
  const started = Date.now();
  const timer = setInterval(() => {
    const bytes = child.pid === undefined ? undefined : residentBytes(child.pid);
    if (bytes !== undefined) samples.push({ at: Date.now() - started, bytes });
  }, 50);
  const code = await new Promise<number | null>((done) => child.on('exit', done));
  clearInterval(timer);
  if (code !== 0) throw new Error(`cnil project rebuild exited with ${code}`);
  const seconds = (Date.now() - started) / 1000;
  const half = (seconds * 1000) / 2;
  const peak = (keep: (at: number) => boolean) =>
    Math.round(Math.max(0, ...samples.filter((x) => keep(x.at)).map((x) => x.bytes)) / 1e6);
  return {
    command: 'cnil project rebuild (dist/src/cli/bin.js, its own process, threads as it chooses)',
    seconds: Number(seconds.toFixed(1)),
    firstHalfOfRun: peak((at) => at < half),
    secondHalfOfRun: peak((at) => at >= half),
  };
};

/**
 * `project rebuild` (`rebuildReadModels` into a new read-model file, every read model, the store
 * as written, threads as the command chooses them) vs reading and JSON-parsing the same file with
 * the SQLite adapter's `readAll`. The best of two rounds each, alternated; then one round on one
 * thread (`--workers 1`).
 */
const rebuildBench = async (dir: string) => {
  const storePath = join(dir, 'cnil.db');
  const rawRead = () =>
    timeCpu(async () => {
      const store = createSqliteEventStore(storePath);
      let n = 0;
      for await (const e of store.readAll()) if (e.data) n++;
      await store.close();
      return n;
    });
  let round_ = 0;
  const rebuildOnce = (workers: number | 'auto' = 'auto') =>
    timeCpu(async () => {
      const connection = `sqlite:${storePath}`;
      const store = await openEventStore(connection, { mode: 'read' });
      const readModels = openReadModels(join(dir, `read-models-${round_++}.db`), {
        store: storeIdentity(connection),
        rebuild: true,
      });
      // As `project rebuild` does: the store as written (the read models withhold personal data).
      const result = await rebuildReadModels(store.raw, readModels, {
        sqlitePath: storePath,
        workers,
        batchSize: DEFAULT_BATCH_SIZE,
      });
      const { cases } = readModels.counts();
      readModels.close();
      await store.close();
      return { ...result, cases };
    });
  const counter = new Database(storePath, { readonly: true });
  const committedEvents = (counter.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n;
  counter.close();
  const raw = await rawRead();
  const rebuilt = await rebuildOnce();
  const raw2 = await rawRead();
  const rebuilt2 = await rebuildOnce();
  const oneThread = await rebuildOnce(1);
  const best = (a: typeof raw, b: typeof raw) => (a.seconds <= b.seconds ? a : b);
  const r = best(raw, raw2);
  const p = rebuilt.seconds <= rebuilt2.seconds ? rebuilt : rebuilt2;
  const events = p.value.delivered;
  log(
    `raw read: ${round(r.value / r.seconds)} events/s; project rebuild: ${round(events / p.seconds)} events/s`,
  );
  return {
    workload: `project rebuild of ${events} events (${p.value.cases} cases) into a new read-model file`,
    events,
    cases: p.value.cases,
    seconds: Number(p.seconds.toFixed(1)),
    eventsPerSecond: round(events / p.seconds),
    rawReadEventsPerSecond: round(r.value / r.seconds),
    ratioToRawRead: Number((r.seconds / p.seconds).toFixed(2)),
    cpuRatioToRawRead: Number((r.cpuSeconds / p.cpuSeconds).toFixed(2)),
    threads: committedEvents >= PARALLEL_REBUILD_THRESHOLD && availableParallelism() >= 2 ? 2 : 1,
    oneThread: {
      eventsPerSecond: round(events / oneThread.seconds),
      ratioToRawRead: Number((r.seconds / oneThread.seconds).toFixed(2)),
    },
    peakRssMB: await rebuildMemory(dir),
    readModels: join(dir, 'read-models-0.db'),
  };
};

/**
 * `ledger|deadlines|register --as-of D` on the rebuilt read models (each command's query, without
 * start-up): the median of 5 runs each, on a date in the middle of the corpus and on its last day.
 */
const asOfBench = async (readModelsPath: string, storeConnection: string) => {
  const readModels = openReadModels(readModelsPath, { store: storeIdentity(storeConnection) });
  try {
    const { cases } = readModels.counts();
    const median = async (f: () => unknown) => {
      const times: number[] = [];
      for (let i = 0; i < 5; i++) times.push((await time(f)).seconds * 1000);
      return Math.round(times.sort((a, b) => a - b)[2] ?? 0);
    };
    const middle = '2024-06-30' as IsoDate;
    const end = '2025-12-31' as IsoDate;
    const figures = {
      cases,
      ledgerMs: await median(() => ledgerAsOf(readModels, middle)),
      deadlinesMs: await median(() => deadlinesAsOf(readModels, middle)),
      registerMs: await median(() => registerAsOf(readModels, middle)),
      ledgerAtEndMs: await median(() => ledgerAsOf(readModels, end)),
      deadlinesAtEndMs: await median(() => deadlinesAsOf(readModels, end)),
      sanctioned: ledgerAsOf(readModels, middle).cases.length,
      openDeadlines: deadlinesAsOf(readModels, middle).deadlines.length,
    };
    log(
      `as of ${middle} over ${cases} cases: ledger ${figures.ledgerMs} ms, deadlines ${figures.deadlinesMs} ms, register ${figures.registerMs} ms`,
    );
    return { date: middle, ...figures };
  } finally {
    readModels.close();
  }
};

/**
 * One case of 25 000 complaints, recorded 5 000 at a time (`recordAllMs`), then what the commands
 * run once the store is open (process start-up and opening the store are left out: see
 * bench/startup.ts): `case record` — the service's `record` of a 25 001st complaint, then the view
 * it prints (`recordMs`); `case show` — the view of the case today (`showMs`) and as of the date of
 * its middle complaint (`showAsOfMs`). The complaints are dated a day per hundred.
 */
const longCaseBench = async (dir: string, complaints = 25_000) => {
  const store = await openEventStore(`sqlite:${join(dir, 'long.db')}`);
  try {
    const service = createCaseService({ store, today: () => BENCH_TODAY });
    const caseId = 'long-case';
    const opened = await service.record(caseId, {
      type: 'CaseOpened',
      data: {
        on: '2020-01-02',
        caseId,
        controller: { name: 'Long Case SAS', country: 'FR', euEstablishment: true },
        origin: 'complaint',
      },
    });
    if (opened.status !== 'recorded') throw new Error(`long case: ${JSON.stringify(opened)}`);
    const dayOf = (i: number) => addDays('2020-01-03', Math.floor(i / 100));
    const complaint = (i: number) => ({
      type: 'ComplaintReceived',
      data: {
        on: dayOf(i),
        complaintId: `c-${i}`,
        complainant: { kind: 'individual', name: `Person ${i}` },
        grounds: ['6'],
      },
    });
    const recordedAll = await time(async () => {
      for (let i = 0; i < complaints; i += 5_000) {
        const outcome = await service.recordAll(
          caseId,
          Array.from({ length: Math.min(5_000, complaints - i) }, (_, k) => complaint(i + k)),
        );
        if (outcome.status !== 'recorded') throw new Error(`long case: ${JSON.stringify(outcome)}`);
      }
    });
    const today = BENCH_TODAY as IsoDate;
    const recorded = await time(async () => {
      const outcome = await service.record(caseId, {
        ...complaint(complaints),
        data: { ...complaint(complaints).data, on: today },
      });
      if (outcome.status !== 'recorded') throw new Error(`long case: ${JSON.stringify(outcome)}`);
      return service.view(caseId, today);
    });
    const shown = await time(() => service.view(caseId, today));
    const middle = dayOf(complaints / 2);
    const shownAsOf = await time(() => service.view(caseId, middle));
    if (shown.value?.revision !== complaints + 1 || shownAsOf.value === undefined)
      throw new Error(`long case: shown at revision ${shown.value?.revision}`);
    const ms = (t: { seconds: number }) => round(t.seconds * 1000);
    log(
      `long case (${complaints + 2} events): recordAll ${ms(recordedAll)} ms, record ${ms(recorded)} ms, ` +
        `show ${ms(shown)} ms, show --as-of ${middle} ${ms(shownAsOf)} ms (revision ${shownAsOf.value.revision})`,
    );
    return {
      events: complaints + 2,
      recordAllMs: ms(recordedAll),
      perThousandEventsMs: round((recordedAll.seconds * 1000) / (complaints / 1000)),
      recordMs: ms(recorded),
      showMs: ms(shown),
      showAsOfMs: ms(shownAsOf),
    };
  } finally {
    await store.close();
  }
};

const main = async () => {
  const { values } = parseArgs({
    options: { events: { type: 'string' }, only: { type: 'string' } },
  });
  const events = Number(values.events ?? process.env.BENCH_EVENTS ?? 1_000_000);
  if (!Number.isInteger(events) || events < 1000)
    throw new RangeError(`--events: ${values.events} is not a whole number ≥ 1000`);
  const only = values.only?.split(',');
  const wanted = (section: string) => only === undefined || only.includes(section);
  log(
    `node ${process.version}, ${cpus()[0]?.model ?? 'cpu'} × ${availableParallelism()}, load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  const dir = mkdtempSync(join(base, 'cnil-bench-'));
  const result: Record<string, unknown> = {
    node: process.version,
    cpu: `${cpus()[0]?.model ?? 'unknown'} × ${availableParallelism()}`,
    loadAverageAtStart: loadavg().map((l) => Number(l.toFixed(2))),
    files: base === '/dev/shm' ? 'SQLite files on tmpfs (/dev/shm)' : 'SQLite files in the temp dir',
  };
  try {
    if (wanted('startup')) result.startup = startup();
    if (wanted('simulation')) result.simulation = await simulation();
    if (wanted('import') || wanted('rebuild') || wanted('asOf')) {
      const file = join(dir, 'cases.jsonl');
      const corpus = await writeCorpus(file, events);
      log(`corpus: ${corpus.cases} cases, ${corpus.events} events`);
      result.import = await importBench(dir, file, corpus);
      if (wanted('rebuild') || wanted('asOf')) {
        const rebuilt = await rebuildBench(dir);
        const { readModels, ...figures } = rebuilt;
        result.rebuild = figures;
        if (wanted('asOf')) result.asOf = await asOfBench(readModels, `sqlite:${join(dir, 'cnil.db')}`);
      }
    }
    if (wanted('longCase')) result.longCase = await longCaseBench(dir);
    if (wanted('esdb')) result.esdb = await esdbBench();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  result.loadAverageAtEnd = loadavg().map((l) => Number(l.toFixed(2)));
  const sim = result.simulation as { casesPerSecond: number; ratio: number } | undefined;
  const reb = result.rebuild as { ratioToRawRead: number } | undefined;
  const imp = result.import as { ratioToRawInsert: number } | undefined;
  result.targets = {
    ...(sim && {
      casesPerSecond: { target: 100_000, reached: sim.casesPerSecond >= 100_000 },
      ratio: { target: 10, reached: sim.ratio >= 10 },
    }),
    ...(reb && { rebuildRatio: { target: 0.5, reached: reb.ratioToRawRead >= 0.5 } }),
    ...(imp && { importRatio: { target: 0.3, reached: imp.ratioToRawInsert >= 0.3 } }),
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
};

await main();
