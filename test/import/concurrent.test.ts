/**
 * Two `import` processes started together on the same file and the same SQLite store: each case is
 * written once, and the two reports together count each case and each event once — a run counts
 * only what it wrote, never what the other run stored first.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDatasets, toJsonLines } from '../../src/import/generate.ts';
import { loadParams } from '../../src/simulation/params.ts';
import { runCli } from '../support/cli.ts';

const CASES = 600;
let dir: string;
let file: string;
let events = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cnil-import-concurrent-'));
  file = join(dir, 'cases.jsonl');
  const datasets = generateDatasets({ cases: CASES, seed: 31, params: await loadParams() });
  events = datasets.reduce((n, d) => n + d.events.length, 0);
  writeFileSync(file, toJsonLines(datasets));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Report {
  cases: { total: number; imported: number; unchanged: number; refused: number };
  events: { appended: number; alreadyStored: number };
}

describe('given two imports of the same file started at once on one store', () => {
  it('writes every case once, and the two reports together count each case and event once', async () => {
    const store = join(dir, 'cnil.db');
    // Small groups: the two runs interleave their transactions.
    const run = () =>
      runCli(['--store', `sqlite:${store}`, '--json', 'import', file], { CNIL_IMPORT_GROUP_EVENTS: '200' });
    const [a, b] = await Promise.all([run(), run()]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const ra = JSON.parse(a.stdout) as Report;
    const rb = JSON.parse(b.stdout) as Report;

    const db = new Database(store, { readonly: true });
    const stored = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM events').get()?.n;
    const streams = db
      .prepare<[], { n: number }>('SELECT COUNT(DISTINCT stream_id) AS n FROM events')
      .get()?.n;
    db.close();
    expect(stored).toBe(events);
    expect(streams).toBe(CASES);
    expect(ra.events.appended + rb.events.appended).toBe(events);
    expect(ra.cases.imported + rb.cases.imported).toBe(CASES);
    expect(ra.cases.unchanged + rb.cases.unchanged).toBe(CASES);
    expect(ra.events.alreadyStored + rb.events.alreadyStored).toBe(events);
  }, 180_000);
});
