/** `simulate` as a user runs it: a real process, JSON out, exit 2 naming the field. */
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'cnil-sim-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = (...args: string[]) => runCli(args);

describe('simulate', () => {
  it('prints the same JSON document twice for --runs 2000 --seed 1', async () => {
    const [a, b] = await Promise.all([
      cli('simulate', '--runs', '2000', '--seed', '1', '--json'),
      cli('simulate', '--runs', '2000', '--seed', '1', '--json'),
    ]);
    expect(a.code).toBe(0);
    expect(b.stdout).toBe(a.stdout);
    const doc = JSON.parse(a.stdout);
    expect(doc.simulation).toMatchObject({
      runs: 2000,
      seed: 1,
      start: { kind: 'fresh', date: '2025-01-06' },
    });
    expect(doc.runs).toBe(2000);
    expect(
      Object.values(doc.outcomes as Record<string, { runs: number }>).reduce((s, o) => s + o.runs, 0),
    ).toBe(2000);
    expect(doc.outcomes.closedAtComplaint.share).toBeGreaterThan(0.9);
    expect(doc.durationToClosure).toMatchObject({
      medianDays: expect.any(Number),
      p90Days: expect.any(Number),
    });
    expect(doc.fines).toMatchObject({
      mean: expect.any(Number),
      median: 0,
      whenSanctioned: expect.any(Object),
    });
  }, 60_000);

  it('forks Clearview with a what-if and prints a table', async () => {
    const r = await cli(
      'simulate',
      '--from',
      'clearview',
      '--as-of',
      '2021-12-01',
      '--runs',
      '500',
      '--assume',
      'FormalNoticeClosed@+50',
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('clearview-ai as of 2021-12-01');
    expect(r.stdout).toContain('assuming FormalNoticeClosed on 2022-01-20');
    expect(r.stdout).toMatch(/formal notice closed \(compliance\) +500 +100\.0 %/);
  }, 60_000);

  it('refuses a parameter file with an error, naming the field (exit 2)', async () => {
    const params = JSON.parse(readFileSync('src/simulation/params/cnil-2024.json', 'utf8'));
    params.parameters['decision.dismissal'].probability = -0.1;
    const file = join(dir, 'params.json');
    writeFileSync(file, JSON.stringify(params));
    const r = await cli('simulate', '--runs', '10', '--params', file);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      '--params parameters["decision.dismissal"].probability: must be between 0 and 1',
    );
  }, 60_000);

  it('refuses an assumption it cannot read, naming --assume (exit 2)', async () => {
    const r = await cli(
      'simulate',
      '--from',
      'clearview',
      '--as-of',
      '2021-12-01',
      '--assume',
      'Complied@+30',
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--assume');
    expect(r.stderr).toContain('Complied is not an event of the catalogue');
  }, 60_000);

  it('compares Clearview with and without compliance on the same runs (--compare), JSON side by side', async () => {
    const r = await cli(
      'simulate',
      '--from',
      'clearview',
      '--as-of',
      '2022-11-01',
      '--runs',
      '300',
      '--assume',
      'InjunctionComplied@+30',
      '--compare',
      'none',
      '--json',
    );
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.simulation.assumptions).toEqual([{ event: 'InjunctionComplied', on: '2022-12-01' }]);
    expect(doc.comparison.simulation.assumptions).toEqual([]);
    expect(doc.comparison.simulation.seed).toBe(doc.simulation.seed);
    // Complying before the injunction's deadline leaves no penalty to liquidate; never complying does.
    expect(doc.liquidated.runs).toBe(0);
    expect(doc.comparison.liquidated.runs).toBeGreaterThan(0);
  }, 60_000);

  it('refuses a --compare what-if it cannot read, naming --compare (exit 2)', async () => {
    const r = await cli('simulate', '--runs', '10', '--compare', 'Complied@+30');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--compare');
  }, 60_000);
});
