/**
 * The command line as a new user meets it: the version, the help with examples, clear failures
 * (one line, exit 3, no stack trace; one JSON document under --json), read-only commands that
 * create no file, the catalogue of events, listing cases and asking what a case accepts next,
 * data from a file or standard input, and the `clearview` alias. Real processes, real SQLite files.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_TODAY, runCli } from '../support/cli.ts';

let dir: string;
let store: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cnil-door-'));
  store = `sqlite:${join(dir, 'cnil.db')}`;
  expect((await runCli(['--store', store, 'replay', 'clearview'])).code).toBe(0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('version and help', () => {
  it('--version prints the version of package.json', async () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    const r = await runCli(['--version']);
    expect(r).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it('every subcommand help shows the global options and examples', async () => {
    const r = await runCli(['case', 'show', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Global Options:');
    expect(r.stdout).toContain('--store <connection>');
    expect(r.stdout).toMatch(/Examples:\n\s+\$ cnil case show clearview/);
  });
});

describe('given a store that cannot be used, the command fails on one line with exit 3', () => {
  it('an unknown kind of store', async () => {
    const r = await runCli(['--store', 'postgres://x', 'case', 'show', 'acme-sas']);
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('unsupported event store "postgres://x"');
  });

  it('a file that is not a database, with a JSON error under --json', async () => {
    const junk = join(dir, 'junk.db');
    writeFileSync(junk, 'not a database at all, not even close '.repeat(200));
    const text = await runCli(['--store', `sqlite:${junk}`, 'case', 'show', 'acme-sas']);
    expect(text.code).toBe(3);
    expect(text.stderr.trim()).toBe(`store unavailable: sqlite:${junk}: the file is not a SQLite database`);
    const json = await runCli(['--json', '--store', `sqlite:${junk}`, 'case', 'show', 'acme-sas']);
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout)).toEqual({
      error: {
        code: 'unavailable',
        message: `sqlite:${junk}: the file is not a SQLite database`,
        store: `sqlite:${junk}`,
      },
    });
  });

  it('an EventStoreDB server that cannot be reached: within 5 s, no credentials shown, a hint', async () => {
    const started = Date.now();
    const r = await runCli([
      '--store',
      'esdb://admin:s3cret@127.0.0.1:1?tls=false',
      'case',
      'show',
      'acme-sas',
    ]);
    expect(r.code).toBe(3);
    expect(Date.now() - started).toBeLessThan(5_000 + 3_000); // + the process's own start-up
    expect(r.stderr).toContain('esdb://127.0.0.1:1: the server cannot be reached');
    expect(r.stderr).toContain('docker compose up');
    expect(r.stderr).not.toContain('s3cret');
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('a database locked by another process', async () => {
    const path = join(dir, 'locked.db');
    expect((await runCli(['--store', `sqlite:${path}`, 'replay', 'clearview'])).code).toBe(0);
    const holder = new Database(path);
    holder.exec('BEGIN EXCLUSIVE');
    try {
      const r = await runCli([
        '--store',
        `sqlite:${path}`,
        'case',
        'record',
        'clearview',
        'InjunctionComplied',
        '--data',
        '{"on":"2024-01-02"}',
      ]);
      expect(r.code).toBe(3);
      expect(r.stderr.trim()).toBe(
        `store unavailable: sqlite:${path}: the database is locked by another process (try again when it has finished)`,
      );
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
  });

  it('--debug adds the stack trace', async () => {
    const r = await runCli(['--debug', '--store', 'postgres://x', 'case', 'show', 'acme-sas']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/\n\s+at /);
  });
});

describe('every outcome under --json is one JSON document on stdout', () => {
  it('invalid input names the field', async () => {
    const r = await runCli([
      '--json',
      '--store',
      store,
      'case',
      'record',
      'clearview',
      'InjunctionComplied',
      '--data',
      '{}',
    ]);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'invalid', field: 'data.on' } });
  });

  it('a refusal names the state and the events it accepts', async () => {
    const r = await runCli([
      '--json',
      '--store',
      store,
      'case',
      'record',
      'clearview',
      'HearingHeld',
      '--data',
      '{"on":"2023-06-01"}',
    ]);
    expect(r.code).toBe(1);
    const { error } = JSON.parse(r.stdout) as { error: { code: string; state: string; accepts: string[] } };
    expect(error.code).toBe('refused');
    expect(error.state).toBe('penaltyLiquidation.accruing');
    expect(error.accepts).toContain('InjunctionComplied');
  });

  it('a usage error is invalid input', async () => {
    const r = await runCli(['--json', 'case', 'show']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).error.code).toBe('invalid');
  });

  it('validation messages say what is expected', async () => {
    const r = await runCli([
      '--store',
      store,
      'case',
      'record',
      'clearview',
      'FormalNoticeIssued',
      '--data',
      '{"on":"2023-01-01","reference":"MED-1","breaches":["6"],"deadline":"2023-03-01"}',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('data.urgency: is required: true or false');
  });

  it.each([
    [['case', 'show', 'nobody'], 'caseId: no case nobody in this store'],
    [['case', 'history', 'nobody'], 'caseId: no case nobody in this store'],
    [['simulate', '--case', 'nobody', '--runs', '10'], '--case: no case nobody in this store'],
    [['report', 'nobody', '--out', '-'], 'caseId: no case nobody in this store (sqlite:'],
  ])('a case id the store does not hold is invalid input naming the option: %j', async (args, message) => {
    const r = await runCli(['--store', store, ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });

  it.each([
    [
      ['project', 'rebuild', '--batch-size', '1e3'],
      '--batch-size: 1e3 is not a whole number from 1 to 100000',
    ],
    [['project', 'rebuild', '--workers', '0x2'], '--workers: 0x2 is not auto or a whole number from 1 to 16'],
    [['simulate', '--runs', ' 12'], '--runs:  12 is not a whole number from 1 to 100000000'],
    [['simulate', '--workers', '65'], '--workers: 65 is not auto or a whole number from 1 to 64'],
    [['inspect', 'clearview', '--speed', '1.5'], '--speed: 1.5 is not a whole number of milliseconds ≥ 0'],
  ])('a whole number is written in digits, within its range: %j', async (args, message) => {
    // Given a number in another notation, or out of range, when the command reads it
    const r = await runCli(['--store', store, ...args]);
    // Then it is invalid input naming the option, and nothing is run
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });
});

describe('output piped to a reader that leaves early (`cnil … | head`)', () => {
  it('is dropped quietly: no stack trace, the exit code of the command', async () => {
    // Given a reader that closes the pipe before the command writes anything
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', '--store', store, 'case', 'history', 'clearview', '--json'],
      { env: { ...process.env, CNIL_TODAY: CLI_TODAY }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // When the command writes its output, then it exits 0 and says nothing on stderr
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});

describe('a command that only reads creates no file', () => {
  it.each([
    ['case', 'show', 'acme-sas'],
    ['case', 'history', 'acme-sas'],
    ['case', 'list'],
    ['case', 'next', 'acme-sas'],
    ['deadlines'],
    ['ledger'],
    ['register'],
    ['report', 'acme-sas', '--out', '-'],
  ])('%s on a mistyped store: exit 3, nothing created', async (...args) => {
    const empty = mkdtempSync(join(dir, 'typo-'));
    const r = await runCli(['--store', `sqlite:${join(empty, 'typo.db')}`, ...args]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('no such store');
    expect(readdirSync(empty)).toEqual([]);
  });

  it('reading a store creates no key store and no read-model file beside it', async () => {
    const copy = mkdtempSync(join(dir, 'copy-'));
    const r0 = await runCli(['--store', `sqlite:${join(copy, 'c.db')}`, 'replay', 'clearview']);
    expect(r0.code).toBe(0);
    const before = readdirSync(copy).sort();
    for (const args of [['case', 'list'], ['deadlines'], ['ledger'], ['case', 'show', 'clearview']])
      expect((await runCli(['--store', `sqlite:${join(copy, 'c.db')}`, ...args])).code).toBe(0);
    expect(readdirSync(copy).sort()).toEqual(before);
    expect(before.some((f) => f.includes('read-models'))).toBe(false);
  });
});

describe('commands people reach for', () => {
  it('case list shows each case with its stage, filtered by stage and date', async () => {
    const now = JSON.parse((await runCli(['--json', '--store', store, 'case', 'list'])).stdout);
    expect(now.cases).toEqual([
      expect.objectContaining({
        caseId: 'clearview-ai',
        stage: 'penaltyLiquidation',
        openedOn: '2020-05-01',
      }),
    ]);
    const then = JSON.parse(
      (
        await runCli([
          '--json',
          '--store',
          store,
          'case',
          'list',
          '--as-of',
          '2022-03-01',
          '--stage',
          'formalNotice',
        ])
      ).stdout,
    );
    expect(then.cases.map((c: { caseId: string }) => c.caseId)).toEqual(['clearview-ai']);
    const none = JSON.parse(
      (
        await runCli([
          '--json',
          '--store',
          store,
          'case',
          'list',
          '--as-of',
          '2022-03-01',
          '--stage',
          'sanction',
        ])
      ).stdout,
    );
    expect(none.cases).toEqual([]);
  });

  it('case next lists what the case accepts now, with the fields each needs', async () => {
    const r = await runCli(['--json', '--store', store, 'case', 'next', 'clearview']);
    expect(r.code).toBe(0);
    const next = JSON.parse(r.stdout) as {
      accepts: { type: string; fields: { field: string; required: boolean; type: string }[] }[];
    };
    const complied = next.accepts.find((e) => e.type === 'InjunctionComplied');
    expect(complied?.fields).toContainEqual({ field: 'on', required: true, type: 'date YYYY-MM-DD' });
    expect(next.accepts.map((e) => e.type)).not.toContain('HearingHeld');
  });

  it('events lists the catalogue; events <Type> --json-schema prints the JSON Schema of its data', async () => {
    const list = JSON.parse((await runCli(['--json', 'events'])).stdout) as { type: string }[];
    expect(list.map((e) => e.type)).toContain('FormalNoticeIssued');
    const schema = JSON.parse((await runCli(['events', 'FormalNoticeIssued', '--json-schema'])).stdout);
    expect(schema).toMatchObject({ type: 'object', additionalProperties: false });
    expect(schema.required).toEqual(
      expect.arrayContaining(['on', 'reference', 'breaches', 'deadline', 'urgency']),
    );
    expect(schema.properties.on).toMatchObject({ type: 'string', format: 'date' });
    const unknown = await runCli(['events', 'FormalNotice']);
    expect(unknown.code).toBe(2);
  });

  it('--data @file and --data - read the data from a file and from standard input', async () => {
    const own = `sqlite:${join(dir, 'data-input.db')}`;
    const file = join(dir, 'opened.json');
    writeFileSync(
      file,
      JSON.stringify({
        on: '2024-01-16',
        controller: { name: 'Acme SAS', country: 'FR', euEstablishment: true },
        origin: 'complaint',
      }),
    );
    expect((await runCli(['--store', own, 'case', 'open', 'acme-sas', '--data', `@${file}`])).code).toBe(0);
    const piped = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/main.ts',
        '--store',
        own,
        'case',
        'record',
        'acme-sas',
        'ComplaintReceived',
        '--data',
        '-',
      ],
      {
        input: JSON.stringify({
          on: '2024-01-20',
          complaintId: 'PLT-1',
          complainant: { kind: 'individual', name: 'C. M.' },
          grounds: ['15'],
        }),
        encoding: 'utf8',
        env: { ...process.env, CNIL_TODAY: CLI_TODAY },
      },
    );
    expect(piped.status, piped.stderr).toBe(0);
    const missing = await runCli([
      '--store',
      own,
      'case',
      'record',
      'acme-sas',
      'WarningIssued',
      '--data',
      '@/no/such/file.json',
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--data: cannot read /no/such/file.json');
  });

  it('diagram takes its format from the --out extension; a contradicting --format is invalid input', async () => {
    const svg = join(dir, 'procedure.svg');
    expect((await runCli(['diagram', '--out', svg])).code).toBe(0);
    expect(readFileSync(svg, 'utf8')).toMatch(/^<(\?xml|svg)/);
    const clash = await runCli(['diagram', '--format', 'mermaid', '--out', join(dir, 'x.svg')]);
    expect(clash.code).toBe(2);
    expect(clash.stderr).toContain('--format');
    expect(existsSync(join(dir, 'x.svg'))).toBe(false);
  });

  it('report --out - writes the page to standard output', async () => {
    const r = await runCli(['--store', store, 'report', 'clearview-ai', '--out', '-']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^<!doctype html>/i);
  });
});
