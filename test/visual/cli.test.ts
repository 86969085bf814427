/**
 * The picture commands as a user runs them: real processes, exit codes 0 and 2.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqliteEventStore } from '../../src/store/sqlite.ts';
import { procedureGraph, safeId } from '../../src/visual/diagram.ts';
import { runCli } from '../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'cnil-visual-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = (...args: string[]) => runCli(args);

describe('diagram', () => {
  it('--format mermaid prints the statechart, Clearview path highlighted with --case', async () => {
    const { code, stdout } = await cli(
      'diagram',
      '--format',
      'mermaid',
      '--case',
      'clearview',
      '--as-of',
      '2023-04-13',
    );
    expect(code).toBe(0);
    expect(stdout.startsWith('stateDiagram-v2\n')).toBe(true);
    for (const n of procedureGraph().nodes) expect(stdout).toContain(safeId(procedureGraph(), n.id));
    expect(stdout).toContain('class penaltyLiquidation_accruing current');
  });

  it('names the field of a bad option (exit 2)', async () => {
    const format = await cli('diagram', '--format', 'png');
    expect(format.code).toBe(2);
    expect(format.stderr).toContain("'png' is invalid");
    const asOf = await cli('diagram', '--as-of', '2023-01-01');
    expect(asOf.code).toBe(2);
    expect(asOf.stderr).toContain('--as-of: needs --case');
  });
});

describe('report', () => {
  it('writes one self-contained HTML file for Clearview', async () => {
    const out = join(dir, 'report.html');
    const { code, stdout } = await cli('report', 'clearview', '--as-of', '2023-04-13', '--out', out);
    expect(code).toBe(0);
    expect(stdout).toContain(`Wrote ${out}`);
    const html = readFileSync(out, 'utf8');
    expect(html.match(/<tr class="timeline-row/g)).toHaveLength(24);
    expect(html).toContain('data-testid="penalty-chart"');
  });

  it('says when the store does not exist, creating nothing (exit 3)', async () => {
    const { code, stderr } = await cli(
      '--store',
      `sqlite:${join(dir, 'missing.db')}`,
      'report',
      'acme-sas',
      '--out',
      join(dir, 'x.html'),
    );
    expect(code).toBe(3);
    expect(stderr).toContain('no such store');
    expect(existsSync(join(dir, 'missing.db'))).toBe(false);
  });

  it('says when the store has no such case (exit 2)', async () => {
    expect((await cli('--store', `sqlite:${join(dir, 'empty.db')}`, 'case', 'list')).code).toBe(3);
    const created = createSqliteEventStore(join(dir, 'empty.db'));
    await created.close();
    const { code, stderr } = await cli(
      '--store',
      `sqlite:${join(dir, 'empty.db')}`,
      'report',
      'acme-sas',
      '--out',
      join(dir, 'x.html'),
    );
    expect(code).toBe(2);
    expect(stderr).toContain('caseId: no case acme-sas in this store');
  });
});

describe('inspect --record', () => {
  it('records the inspection events of a stored case without serving anything', async () => {
    const store = `sqlite:${join(dir, 'cnil.db')}`;
    expect((await cli('--store', store, 'replay', 'clearview')).code).toBe(0);
    const file = join(dir, 'inspect.jsonl');
    const { code, stdout } = await cli(
      '--store',
      store,
      'inspect',
      'clearview-ai',
      '--as-of',
      '2021-12-31',
      '--record',
      file,
    );
    expect(code).toBe(0);
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; event?: { type: string } });
    expect(stdout).toContain(`Recorded ${lines.length} inspection event(s)`);
    expect(lines[0]?.type).toBe('@xstate.actor');
    expect(
      lines
        .filter((l) => l.type === '@xstate.event')
        .map((l) => l.event?.type)
        .at(-1),
    ).toBe('DecisionPublished');
  });
});
