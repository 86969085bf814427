/**
 * The package as a user installs it: `npm pack`, the tarball installed into an empty folder with
 * its production dependencies only, then
 * - `npx cnil replay clearview --json` (the bin through npm's symlink, from another folder),
 * - `cnil --version`, `cnil events FormalNoticeIssued --json-schema`, `cnil case show clearview`,
 * - a TypeScript consumer compiled against the package's types (module nodenext, library checks
 *   on) that imports every entry point of the `exports` map, folds the Clearview events through
 *   the decider, records the case through a SQLite store and asks the ledger of the read models.
 *
 * Installing builds better-sqlite3 from source (minutes) and needs the npm registry, so this suite
 * runs where CNIL_PACK_TEST=1 (.ci/run sets it) and is skipped, with a line saying so, elsewhere.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ENABLED = process.env.CNIL_PACK_TEST === '1';
if (!ENABLED)
  process.stderr.write(
    'SKIPPED: test/package/pack.test.ts (npm pack + install) — set CNIL_PACK_TEST=1 to run it.\n',
  );

const ROOT = resolve('.');
/** Every module entry point of the package (`cnil-enforcement`, `cnil-enforcement/store`…). */
const ENTRY_POINTS = Object.keys(
  (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, unknown> })
    .exports,
)
  .filter((key) => key !== './package.json')
  .map((key) => `cnil-enforcement${key.slice(1)}`);
let dir: string;
let consumer: string;

const run = (command: string, args: readonly string[], cwd: string) => {
  const r = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, CNIL_TODAY: '2026-11-23' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

describe.skipIf(!ENABLED)(
  'the packed package, installed without dev dependencies',
  { timeout: 900_000 },
  () => {
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'cnil-pack-'));
      execFileSync('npm', ['pack', '--pack-destination', dir], { cwd: ROOT, stdio: 'ignore' });
      const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
      if (!tarball) throw new Error('npm pack wrote no tarball');
      consumer = join(dir, 'consumer');
      mkdirSync(consumer);
      writeFileSync(
        join(consumer, 'package.json'),
        JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
      );
      execFileSync('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', join(dir, tarball)], {
        cwd: consumer,
        stdio: 'ignore',
        env: { ...process.env, npm_config_build_from_source: 'true' },
      });
    }, 900_000);
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('npx cnil replay clearview --json shows the case, from the installed bin', () => {
      const r = run('npx', ['--no-install', 'cnil', 'replay', 'clearview', '--json'], consumer);
      expect(r.code, r.stderr).toBe(0);
      const view = JSON.parse(r.stdout);
      expect(view).toMatchObject({
        caseId: 'clearview-ai',
        stage: 'penaltyLiquidation',
        fines: { imposed: 20_000_000 },
      });
    });

    it('cnil --version, events --json-schema and case show clearview work with no dev dependency', () => {
      const bin = join(consumer, 'node_modules', '.bin', 'cnil');
      expect(run(bin, ['--version'], consumer).stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
      const schema = run(bin, ['events', 'FormalNoticeIssued', '--json-schema'], consumer);
      expect(schema.code, schema.stderr).toBe(0);
      expect(JSON.parse(schema.stdout).required).toContain('deadline');
      const show = run(bin, ['case', 'show', 'clearview'], consumer);
      expect(show.code, show.stderr).toBe(0);
      expect(show.stdout).toContain('clearview-ai');
      expect(run('ls', [join(consumer, 'node_modules')], consumer).stdout).not.toMatch(
        /\b(tsx|vitest|typescript)\b/,
      );
    });

    it('a TypeScript program imports the library, folds Clearview through the decider, records the case and asks the ledger', () => {
      writeFileSync(
        join(consumer, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            target: 'ES2022',
            module: 'nodenext',
            moduleResolution: 'nodenext',
            strict: true,
            outDir: 'out',
            // A Node program has Node's types; the repository's copy stands in for the consumer's own.
            typeRoots: [join(ROOT, 'node_modules/@types')],
            types: ['node'],
          },
          include: ['main.ts'],
        }),
      );
      writeFileSync(
        join(consumer, 'main.ts'),
        `import { datasetFacts, datasetProcedureEvents, fold, isoDate, loadDataset, stageOf, type ProcedureState } from 'cnil-enforcement';
import { createCaseService } from 'cnil-enforcement/cases';
import { catchUp, ledgerAsOf, openReadModels, storeIdentity } from 'cnil-enforcement/projector';
import { openEventStore } from 'cnil-enforcement/store';
${ENTRY_POINTS.map((entry, i) => `import * as entry${i} from '${entry}';`).join('\n')}

// Each entry point's types compile in a program of its own, and its module loads.
const entryPoints = [${ENTRY_POINTS.map((_, i) => `entry${i}`).join(', ')}].filter((m) => Object.keys(m).length > 0).length;
const clearview = await loadDataset('clearview');
const state: ProcedureState = fold(datasetProcedureEvents(clearview));
const store = await openEventStore('sqlite:./consumer.db');
const service = createCaseService({ store, today: () => '2026-11-23' });
const outcome = await service.record('acme-sas', {
  type: 'CaseOpened',
  data: { on: '2024-01-16', caseId: 'acme-sas', controller: { name: 'Acme SAS', country: 'FR', euEstablishment: true }, origin: 'complaint' },
});
await service.recordAll(clearview.caseId, datasetFacts(clearview));
const readModels = openReadModels('./consumer.read-models.db', { store: storeIdentity('sqlite:./consumer.db') });
store.keys.registerReadModels(readModels.path);
const projected = await catchUp(store.raw, readModels);
const ledger = ledgerAsOf(readModels, isoDate('2023-04-13'));
readModels.close();
await store.close();
console.log(JSON.stringify({ entryPoints, stage: stageOf(state), recorded: outcome.status, projected: projected.stored, liquidated: ledger.totals.penaltiesLiquidated }));
`,
      );
      const tsc = run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', '.'], consumer);
      expect(tsc.code, tsc.stdout + tsc.stderr).toBe(0);
      const r = run(process.execPath, ['out/main.js'], consumer);
      expect(r.code, r.stderr).toBe(0);
      expect(ENTRY_POINTS).toEqual(
        expect.arrayContaining(['cnil-enforcement/projector', 'cnil-enforcement/store/sqlite']),
      );
      expect(JSON.parse(r.stdout)).toEqual({
        entryPoints: ENTRY_POINTS.length,
        stage: 'penaltyLiquidation',
        recorded: 'recorded',
        projected: 29,
        liquidated: 5_200_000,
      });
    });
  },
);
