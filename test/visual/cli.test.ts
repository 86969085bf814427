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

describe('serve, as a process', () => {
  it('lists the cases of a store from read models built in memory, creating no file, and stops on SIGTERM', async () => {
    const { spawn } = await import('node:child_process');
    const { readdirSync } = await import('node:fs');
    const home = mkdtempSync(join(dir, 'serve-'));
    const storePath = join(home, 'cnil.db');
    expect((await runCli(['--store', `sqlite:${storePath}`, 'replay', 'clearview'])).code).toBe(0);
    const before = readdirSync(home).sort();
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/main.ts',
        '--store',
        `sqlite:${storePath}`,
        'serve',
        '--port',
        String(port),
      ],
      { env: { ...process.env, CNIL_TODAY: '2026-11-23' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      let out = '';
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('Browse http://127.0.0.1:')) resolve();
        });
        child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
      });
      const index = await (await fetch(`http://127.0.0.1:${port}/?stage=penaltyLiquidation`)).text();
      expect(index).toContain('Cases 1–1 of 1 in stage penaltyLiquidation.');
      expect(index).toContain(
        '<td><a href="/report/clearview-ai">clearview-ai</a></td><td>Clearview AI Inc.</td>',
      );
    } finally {
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
    expect(readdirSync(home).sort()).toEqual(before);
  });
});
