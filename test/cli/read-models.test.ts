/**
 * The read-model commands as a user runs them: real processes, real SQLite files, `--json`.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaseService } from '../../src/cases/service.ts';
import { createSqliteEventStore } from '../../src/store/sqlite.ts';
import { recordClearview, TODAY } from '../projector/fixtures.ts';
import { type CliResult, runCli } from '../support/cli.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let dir: string;

const cli = (store: string, ...args: string[]): Promise<CliResult> =>
  runCli(['--store', `sqlite:${join(dir, store)}`, ...args], {
    CNIL_TODAY: TODAY,
    CNIL_READ_MODELS: join(dir, `${store}.read-models.db`),
  });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cnil-cli-read-models-'));
  const whole = createSqliteEventStore(join(dir, 'clearview.db'));
  await recordClearview(createCaseService({ store: whole, today: () => TODAY }));
  await whole.close();
  const partial = createSqliteEventStore(join(dir, 'until-publication.db'));
  await recordClearview(
    createCaseService({ store: partial, today: () => TODAY }),
    'F12-formal-notice-published',
  );
  await partial.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ledger, register, deadlines and project status on the Clearview store', { timeout: 60_000 }, () => {
  it('ledger --as-of 2023-04-13 --json: 115 days accrued = 11 500 000 €, 5 200 000 € liquidated in 2023', async () => {
    const { code, stdout } = await cli('clearview.db', 'ledger', '--as-of', '2023-04-13', '--json');
    expect(code).toBe(0);
    const ledger = JSON.parse(stdout);
    expect(Object.keys(ledger)).toEqual(['asOf', 'cases', 'byYear', 'totals']);
    expect(ledger.cases[0]).toMatchObject({
      caseId: 'clearview-ai',
      fines: { imposed: 20_000_000 },
      penalty: { ratePerDay: 100_000, daysOfDelay: 115, accrued: 11_500_000, liquidated: 5_200_000 },
    });
    expect(ledger.byYear).toEqual([
      { year: 2022, finesImposed: 20_000_000, penaltiesLiquidated: 0 },
      { year: 2023, finesImposed: 0, penaltiesLiquidated: 5_200_000 },
    ]);
  });

  it('ledger --as-of 2025-01-01 says what is due (25 200 000 €) apart from the penalty accrued and not liquidated (69 200 000 €, not owed)', async () => {
    const { code, stdout } = await cli('clearview.db', 'ledger', '--as-of', '2025-01-01');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Due +25 200 000 €$/m);
    expect(stdout).toMatch(/^Penalty accrued, not liquidated \(not owed\) +69 200 000 €$/m);
    expect(stdout).toContain('not owed until the restricted committee liquidates it (D art. 44)');
    expect(stdout).not.toContain('Outstanding');
  });

  it('register --as-of 2023-12-16 --json hides the name in MED-2021-134 and MEDP-2021-002; deadlines --as-of 2023-12-17 agrees: no anonymisation left open', async () => {
    const register = await cli('clearview.db', 'register', '--as-of', '2023-12-16', '--json');
    expect(register.code).toBe(0);
    expect(
      JSON.parse(register.stdout).decisions.map((e: { reference: string; company: string }) => [
        e.reference,
        e.company,
      ]),
    ).toEqual([
      ['MED-2021-134', '[anonymised]'],
      ['MEDP-2021-002', '[anonymised]'],
      ['SAN-2022-019', 'Clearview AI Inc.'],
      ['SAN-2023-005', 'Clearview AI Inc.'],
    ]);
    const deadlines = await cli('clearview.db', 'deadlines', '--as-of', '2023-12-17');
    expect(deadlines.code).toBe(0);
    expect(deadlines.stdout).not.toContain('anonymisation');
    // The day before, both anonymisations are due on 16 Dec 2023.
    const before = await cli('clearview.db', 'deadlines', '--as-of', '2023-12-15');
    expect(
      before.stdout.match(/2023-12-16 +due +clearview-ai +penaltyLiquidation +anonymisation/g),
    ).toHaveLength(2);
  });

  it('the queries create no read-model file: they build the read models in memory until `project run` keeps them', async () => {
    expect(existsSync(join(dir, 'clearview.db.read-models.db'))).toBe(false);
    const deadlines = await cli('clearview.db', 'deadlines', '--as-of', '2023-12-17');
    expect(deadlines.code).toBe(0);
    expect(deadlines.stderr).toContain('built in memory');
    expect(existsSync(join(dir, 'clearview.db.read-models.db'))).toBe(false);
  });

  it('project status --json after project run: lag 0; another store is refused with exit 2', async () => {
    expect((await cli('clearview.db', 'project', 'run')).code).toBe(0);
    const status = await cli('clearview.db', 'project', 'status', '--json');
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      checkpoint: 28,
      head: 28,
      lag: 0,
      cases: 1,
      facts: 28,
    });
    const mixed = await cli(
      'until-publication.db',
      'deadlines',
      '--read-models',
      join(dir, 'clearview.db.read-models.db'),
    );
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain('--read-models');
    expect(mixed.stderr).toContain('project rebuild');
  });
});

describe('advance', { timeout: 60_000 }, () => {
  it('--to 2022-02-01 --json records the lapse of the formal notice once; a date after today is refused', async () => {
    const first = await cli('until-publication.db', 'advance', '--to', '2022-02-01', '--json');
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({
      to: '2022-02-01',
      cases: 1,
      appended: [{ caseId: 'clearview-ai', type: 'FormalNoticeDeadlineElapsed', on: '2022-01-27' }],
      skipped: [],
    });
    const second = await cli('until-publication.db', 'advance', '--to', '2022-02-01', '--json');
    expect(JSON.parse(second.stdout).appended).toEqual([]);
    const future = await cli('until-publication.db', 'advance', '--to', '2026-11-24');
    expect(future.code).toBe(2);
    expect(future.stderr).toContain('--to');
  });
});

describe('project run --follow', { timeout: 60_000 }, () => {
  it('projects a fact recorded by another process while it runs, and exits 0 on SIGTERM', async () => {
    const storePath = join(dir, 'follow.db');
    const writer = createSqliteEventStore(storePath);
    const service = createCaseService({ store: writer, today: () => TODAY });
    await recordClearview(service, 'F21-liquidation-notified');
    const runner = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/main.ts',
        '--store',
        `sqlite:${storePath}`,
        'project',
        'run',
        '--follow',
        '--json',
      ],
      { env: { ...process.env, CNIL_TODAY: TODAY, CNIL_READ_MODELS: join(dir, 'follow.read-models.db') } },
    );
    let stdout = '';
    let stderr = '';
    runner.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    runner.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exit = new Promise<number | null>((resolve) => runner.once('exit', (code) => resolve(code)));
    for (const deadline = Date.now() + 20_000; !stderr.includes('Caught up') && Date.now() < deadline;)
      await sleep(20);
    expect(stderr).toContain('Caught up at checkpoint 23');

    await recordClearview(service, 'F22-penalty-liquidated');
    for (const deadline = Date.now() + 10_000; !stderr.includes('checkpoint 24') && Date.now() < deadline;)
      await sleep(20);
    runner.kill('SIGTERM');

    expect(await exit).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ delivered: 24, stored: 24, checkpoint: 24 });
    await writer.close();
  });
});

describe('project status reads the read models without changing them', { timeout: 60_000 }, () => {
  const models = () => join(dir, 'status.db.read-models.db');
  beforeAll(async () => {
    const store = createSqliteEventStore(join(dir, 'status.db'));
    await recordClearview(createCaseService({ store, today: () => TODAY }));
    await store.close();
  });

  it('given no read-model file, then status says none, with every case event as its lag, and creates no file', async () => {
    const status = await cli('status.db', 'project', 'status', '--json');
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      layout: 'none',
      checkpoint: 0,
      head: 28,
      lag: 28,
      cases: 0,
    });
    expect(existsSync(models())).toBe(false);
    const text = await cli('status.db', 'project', 'status');
    expect(text.stdout).toContain('none yet: `project run` builds them');
    expect(text.stdout).toMatch(/^Projections {2}none$/m);
  });

  it('given a file built by an older version, then status says outdated and leaves it as it was; `project run` rebuilds it', async () => {
    expect((await cli('status.db', 'project', 'run')).code).toBe(0);
    const db = new Database(models());
    db.pragma('user_version = 2');
    db.close();
    const before = readFileSync(models());

    const status = await cli('status.db', 'project', 'status', '--json');
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ layout: 'outdated', checkpoint: 0, lag: 28 });
    expect(readFileSync(models()).equals(before)).toBe(true);
    const still = new Database(models(), { readonly: true });
    expect(still.pragma('user_version', { simple: true })).toBe(2);
    expect(still.prepare('SELECT COUNT(*) AS n FROM timeline').get()).toEqual({ n: 28 });
    still.close();

    expect((await cli('status.db', 'project', 'run')).code).toBe(0);
    expect(JSON.parse((await cli('status.db', 'project', 'status', '--json')).stdout)).toMatchObject({
      layout: 'current',
      checkpoint: 28,
      lag: 0,
      facts: 28,
    });
  });

  it('given a file that follows another store, then status is refused naming --read-models (exit 2)', async () => {
    const status = await cli('until-publication.db', 'project', 'status', '--read-models', models());
    expect(status.code).toBe(2);
    expect(status.stderr).toContain('--read-models');
  });
});
