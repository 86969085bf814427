/**
 * Crash safety of the projection runner, with real processes and real SQLite files: `project
 * rebuild` and `project run` are killed with SIGKILL at random points of a chain of restarts (each
 * process a rebuild from zero or a resumption, with a random batch size). After every kill the
 * read models are exactly those of the facts up to their checkpoint — never half a batch — and a
 * final `project run` gives read models equal to an uninterrupted rebuild.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaseService } from '../../src/cases/service.ts';
import { generateDatasets } from '../../src/import/generate.ts';
import { importCases } from '../../src/import/import.ts';
import { dumpReadModels, type ReadModelsDump } from '../../src/projector/read-models.ts';
import { intBetween, uniform } from '../../src/simulation/random.ts';
import { loadParams } from '../../src/simulation/params.ts';
import { openEventStore } from '../../src/store/open.ts';
import { CLI_TODAY } from '../support/cli.ts';
import { scale } from '../support/long.ts';
import {
  checkpointSince,
  committedCheckpoint,
  committedEvents,
  crashSeed,
  jitter,
  killRng,
  peek,
  rebuildInProcess,
  runAndKill,
  runCli,
} from './support.ts';

const CASES = 200;
const CHAINS = scale(1, 10);
const KILLS_PER_CHAIN = scale(5, 12);
const SEED = crashSeed();

let dir: string;
let storePath: string;
let total = 0;
let reference: ReadModelsDump;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cnil-projection-kill-'));
  storePath = join(dir, 'cnil.db');
  const datasets = generateDatasets({ cases: CASES, seed: 2027, params: await loadParams() });
  const store = await openEventStore(`sqlite:${storePath}`);
  const report = await importCases(
    createCaseService({ store, today: () => CLI_TODAY }),
    datasets.map((dataset, i) => ({ dataset, line: i + 1 })),
  );
  await store.close();
  expect(report.cases.imported).toBe(CASES);
  total = committedEvents(storePath);
  reference = await rebuildInProcess(storePath, join(dir, 'uninterrupted.db'));
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The read models hold the facts of positions 1…checkpoint, and the case rows and snapshots derived from them. */
const expectConsistentAtCheckpoint = (readModels: string, where: string): number => {
  const checkpoint = committedCheckpoint(readModels);
  const storeIds = peek(
    storePath,
    (db) =>
      (
        db.prepare('SELECT event_id FROM events WHERE position <= ? ORDER BY position').all(checkpoint) as {
          event_id: string;
        }[]
      )
        .map((r) => r.event_id)
        .sort(),
    [],
  );
  const { factIds, cases, latest, snapshots } = peek(
    readModels,
    (db) => ({
      factIds: (
        db.prepare('SELECT event_id FROM timeline ORDER BY event_id').all() as { event_id: string }[]
      ).map((r) => r.event_id),
      cases: db.prepare('SELECT case_id, revision FROM cases ORDER BY case_id').all(),
      latest: db
        .prepare('SELECT case_id, MAX(revision) AS revision FROM timeline GROUP BY case_id ORDER BY case_id')
        .all(),
      snapshots: db.prepare('SELECT case_id, revision FROM folds ORDER BY case_id').all(),
    }),
    { factIds: [] as string[], cases: [] as unknown[], latest: [] as unknown[], snapshots: [] as unknown[] },
  );
  expect(factIds, `${where}: the timeline is not that of the facts up to checkpoint ${checkpoint}`).toEqual(
    storeIds,
  );
  expect(cases, `${where}: the case rows do not follow the timeline`).toEqual(latest);
  expect(snapshots, `${where}: the snapshots do not follow the timeline`).toEqual(latest);
  return checkpoint;
};

describe(`given a SQLite store of ${CASES} simulated cases`, () => {
  it(
    `project rebuild / run killed (SIGKILL) ${CHAINS * KILLS_PER_CHAIN} times at random points (seed ${SEED}; CNIL_CRASH_SEED=${SEED} to replay) never commit half a batch, and resume to the read models of an uninterrupted rebuild`,
    async () => {
      expect(total).toBeGreaterThan(CASES * 3);
      const kinds = { rebuild: 0, run: 0 };
      const points: string[] = [];
      for (let chain = 0; chain < CHAINS; chain++) {
        const rng = killRng(SEED, 1000 + chain);
        const readModels = join(dir, `chain-${chain}.db`);
        for (let k = 0; k < KILLS_PER_CHAIN; k++) {
          // When a rebuild (from zero) or a run (resuming) is killed at a random checkpoint…
          const current = committedCheckpoint(readModels);
          const command = k === 0 || current >= total - 1 || uniform(rng) < 0.5 ? 'rebuild' : 'run';
          const target = intBetween(rng, command === 'rebuild' ? 1 : current + 1, total - 1);
          const batchSize = intBetween(rng, 1, 50);
          const since = new Date().toISOString();
          const killed = await runAndKill(
            [
              '--store',
              `sqlite:${storePath}`,
              'project',
              command,
              '--read-models',
              readModels,
              '--batch-size',
              String(batchSize),
            ],
            () =>
              command === 'rebuild' ? checkpointSince(readModels, since) : committedCheckpoint(readModels),
            target,
            jitter(rng),
          );
          kinds[command]++;
          points.push(`${command}@${killed.finished ? 'end' : killed.at}`);
          // …the read models are whole batches: the facts up to the checkpoint and what derives from them.
          expectConsistentAtCheckpoint(
            readModels,
            `seed ${SEED}, chain ${chain}, kill ${k}: ${command} --batch-size ${batchSize} (target ${target}, checkpoint ${killed.at})`,
          );
        }
        // When the runner is started again…
        const resumed = await runCli([
          '--store',
          `sqlite:${storePath}`,
          'project',
          'run',
          '--read-models',
          readModels,
          '--json',
        ]);
        expect(resumed.code, resumed.stderr).toBe(0);
        expect(JSON.parse(resumed.stdout)).toMatchObject({ checkpoint: total });
        // …the read models are those of the uninterrupted rebuild.
        expect(dumpReadModels(readModels), `seed ${SEED}, chain ${chain}`).toEqual(reference);
      }
      process.stderr.write(
        `projection kill test, seed ${SEED}: ${kinds.rebuild} rebuilds and ${kinds.run} runs killed, store of ${CASES} cases (${total} events); checkpoints at the kills: ${points.join(', ')}\n`,
      );
    },
    scale(300_000, 3_600_000),
  );
});
