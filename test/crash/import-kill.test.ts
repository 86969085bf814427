/**
 * Crash safety of `import`, with real processes and real SQLite files: an import of a few hundred
 * simulated cases is killed with SIGKILL at random points, again and again, each restart resuming
 * the previous one. After every kill the store holds, for each case, either nothing or its whole
 * history (one atomic append per case), and the cases recorded are the first ones of the file.
 * Once an import runs to the end, the store holds exactly what an uninterrupted import writes —
 * same events, same ids, same order — and `project rebuild` gives the same read models.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dumpReadModels, type ReadModelsDump } from '../../src/projector/read-models.ts';
import { datasetFacts } from '../../src/history/dataset.ts';
import { createCaseService } from '../../src/cases/service.ts';
import { generateDatasets, toJsonLines } from '../../src/import/generate.ts';
import { importCases } from '../../src/import/import.ts';
import { openEventStore } from '../../src/store/open.ts';
import { CLI_TODAY } from '../support/cli.ts';
import { loadParams } from '../../src/simulation/params.ts';
import { caseStreamId } from '../../src/store/port.ts';
import { scale } from '../support/long.ts';
import {
  committedEvents,
  crashSeed,
  jitter,
  killPoints,
  killRng,
  rawStreams,
  rebuildInProcess,
  rebuildReadModels,
  runAndKill,
  runCli,
  storeContents,
} from './support.ts';

const CASES = scale(200, 300);
const CHAINS = scale(1, 10);
const KILLS_PER_CHAIN = scale(8, 12);
const SEED = crashSeed();

let dir: string;
let file: string;
/** The stream of each case, in file order, and the ids of its complete history. */
let expected: { stream: string; ids: string[] }[];
let total = 0;
let reference: Awaited<ReturnType<typeof storeContents>>;
let referenceModels: ReadModelsDump;

const importInto = (storePath: string, ...more: string[]) =>
  runCli(['--store', `sqlite:${storePath}`, 'import', file, ...more]);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cnil-import-kill-'));
  file = join(dir, 'cases.jsonl');
  const datasets = generateDatasets({ cases: CASES, seed: 2026, params: await loadParams() });
  writeFileSync(file, toJsonLines(datasets));
  expected = datasets.map((d) => ({
    stream: caseStreamId(d.caseId),
    ids: datasetFacts(d).map((f) => f.eventId as string),
  }));
  total = expected.reduce((n, c) => n + c.ids.length, 0);
  // The uninterrupted import (in this process: the same code as the command, without start-up)…
  const uninterrupted = join(dir, 'uninterrupted.db');
  const store = await openEventStore(`sqlite:${uninterrupted}`);
  const report = await importCases(
    createCaseService({ store, today: () => CLI_TODAY }),
    datasets.map((dataset, i) => ({ dataset, line: i + 1 })),
  );
  await store.close();
  expect(report).toMatchObject({ cases: { imported: CASES }, events: { appended: total } });
  reference = await storeContents(uninterrupted);
  // …and its read models.
  // (The read models keep no recording time: they compare as they are.)
  referenceModels = await rebuildInProcess(uninterrupted, join(dir, 'uninterrupted-read-models.db'));
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every case is absent or whole, and the whole ones are the first `k` of the file. */
const expectWholeCasesOnly = (storePath: string, where: string): number => {
  const streams = rawStreams(storePath);
  for (const [stream, ids] of streams) {
    const want = expected.find((c) => c.stream === stream);
    expect(want, `${where}: unexpected stream ${stream}`).toBeDefined();
    expect(ids, `${where}: ${stream} holds a partial batch`).toEqual(want?.ids);
  }
  const recorded = expected.filter((c) => streams.has(c.stream)).length;
  expect(
    expected.slice(0, recorded).every((c) => streams.has(c.stream)),
    `${where}: the cases recorded are not the first ${recorded} of the file`,
  ).toBe(true);
  return recorded;
};

describe(`given a file of ${CASES} simulated case histories (JSON Lines)`, () => {
  it(
    `an import killed (SIGKILL) ${CHAINS * KILLS_PER_CHAIN} times at random points (seed ${SEED}; CNIL_CRASH_SEED=${SEED} to replay) never leaves a partial case, and completes to the uninterrupted store and read models`,
    async () => {
      expect(total).toBeGreaterThan(CASES * 3);
      const figures: string[] = [];
      for (let chain = 0; chain < CHAINS; chain++) {
        const rng = killRng(SEED, chain);
        const storePath = join(dir, `chain-${chain}.db`);
        for (const [k, point] of killPoints(rng, KILLS_PER_CHAIN, total).entries()) {
          // When an import is killed once at least `point` events are committed…
          const killed = await runAndKill(
            ['--store', `sqlite:${storePath}`, 'import', file],
            () => committedEvents(storePath),
            point,
            jitter(rng),
          );
          // …each case is absent or whole.
          const where = `seed ${SEED}, chain ${chain}, kill ${k} (target ${point}, ${killed.at} events committed)`;
          const cases = expectWholeCasesOnly(storePath, where);
          figures.push(killed.finished ? 'finished' : `${killed.at} events/${cases} cases`);
        }
        // When the import is run again to the end…
        const before = committedEvents(storePath);
        const rerun = await importInto(storePath, '--json');
        expect(rerun.code, rerun.stderr).toBe(0);
        expect(JSON.parse(rerun.stdout)).toMatchObject({
          cases: { total: CASES, refused: 0 },
          events: { appended: total - before, alreadyStored: before },
        });
        // …the store is that of the uninterrupted import…
        expect(await storeContents(storePath), `seed ${SEED}, chain ${chain}`).toEqual(reference);
        // …and so are the read models.
        const readModels = join(dir, `chain-${chain}-read-models.db`);
        await rebuildReadModels(storePath, readModels);
        expect(dumpReadModels(readModels), `seed ${SEED}, chain ${chain}`).toEqual(referenceModels);
        // A third run appends nothing.
        const again = await importInto(storePath, '--json');
        expect(JSON.parse(again.stdout)).toMatchObject({
          cases: { unchanged: CASES },
          events: { appended: 0 },
        });
      }
      process.stderr.write(
        `import kill test, seed ${SEED}: ${CHAINS * KILLS_PER_CHAIN} kills of an import of ${CASES} cases (${total} events); cases whole at each kill: ${figures.join(', ')}\n`,
      );
    },
    scale(300_000, 3_600_000),
  );
});
