/**
 * `import <file>` as a user runs it: a real process, real files, a real SQLite store.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProcedureEvent } from '../../machines/events.ts';
import type { Dataset } from '../../src/history/dataset.ts';
import { toJsonLines } from '../../src/import/generate.ts';
import {
  caseOpened,
  complaintReceived,
  formalNoticeClosed,
  formalNoticeIssued,
  inspectionCompleted,
  inspectionOpened,
} from '../support/builders.ts';
import { type CliResult, runCli } from '../support/cli.ts';
import { rawStreams } from '../crash/support.ts';

let dir: string;
let n = 0;

/** A fresh store for each scenario. */
const freshStore = () => join(dir, `store-${++n}.db`);
const cli = (store: string, ...args: string[]): Promise<CliResult> =>
  runCli(['--store', `sqlite:${store}`, ...args]);
const write = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

const SOURCE = {
  title: 'Case file of the test suite',
  url: 'https://example.org/case-file',
  date: 'stated' as const,
};

/** A case history in the dataset format: keys e0, e1, … */
const dataset = (caseId: string, events: readonly ProcedureEvent[]): Dataset => ({
  dataset: 'import-test',
  version: 1,
  caseId,
  title: `Case ${caseId}`,
  notes: [],
  events: events.map((e, i) => ({
    key: `e${i}`,
    type: e.type,
    data: (e.type === 'CaseOpened' ? { ...e.data, caseId } : e.data) as Record<string, unknown>,
    source: SOURCE,
  })),
});

const complied = (caseId: string) =>
  dataset(caseId, [
    caseOpened(),
    complaintReceived(),
    inspectionOpened(),
    inspectionCompleted(),
    formalNoticeIssued(),
    formalNoticeClosed(),
  ]);
const opened = (caseId: string) => dataset(caseId, [caseOpened(), complaintReceived()]);
/** A formal notice with 4 days to comply and no urgency: refused by the law. */
const tooShortNotice = (caseId: string) =>
  dataset(caseId, [
    caseOpened(),
    complaintReceived(),
    inspectionOpened(),
    inspectionCompleted(),
    formalNoticeIssued({ on: '2023-06-01', deadline: '2023-06-05' }),
  ]);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cnil-import-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('import <file>', () => {
  it('records every case of a JSON Lines file, then appends nothing when run again', async () => {
    const store = freshStore();
    const file = write(
      'three.jsonl',
      toJsonLines([complied('alpha-sa'), opened('beta-sarl'), complied('gamma-sas')]),
    );

    const first = await cli(store, 'import', file);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('3 case(s) — 3 imported, 0 unchanged, 0 refused');
    expect(first.stdout).toContain('14 event(s) appended, 0 already stored');

    const shown = await cli(store, 'case', 'show', 'alpha-sa', '--json');
    expect(JSON.parse(shown.stdout)).toMatchObject({ caseId: 'alpha-sa', stage: 'closed', revision: 5 });

    const again = await cli(store, 'import', file, '--json');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({
      file,
      cases: { total: 3, imported: 0, unchanged: 3, refused: 0 },
      events: { appended: 0, alreadyStored: 14 },
      refused: [],
    });
  });

  it('reads the dataset format of `replay`: a single dataset, whose facts `replay` then finds stored', async () => {
    const store = freshStore();
    const imported = await cli(store, 'import', 'src/history/clearview.json', '--json');
    expect(imported.code, imported.stderr).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({
      cases: { total: 1, imported: 1 },
      events: { appended: 28 },
    });
    const replayed = await cli(store, 'replay', 'clearview');
    expect(replayed.stderr).toContain('0 fact(s) appended, 28 already stored');
  });

  it('completes a case whose history grew since the last import, and reads a JSON array of datasets', async () => {
    const store = freshStore();
    const short = complied('delta-sa');
    short.events.splice(4); // up to the findings
    expect((await cli(store, 'import', write('short.json', JSON.stringify([short])))).code).toBe(0);
    const grown = await cli(
      store,
      'import',
      write('grown.json', JSON.stringify([complied('delta-sa'), opened('eps-sa')], null, 2)),
      '--json',
    );
    expect(grown.code, grown.stderr).toBe(0);
    expect(JSON.parse(grown.stdout)).toMatchObject({
      cases: { imported: 2, unchanged: 0 },
      events: { appended: 4, alreadyStored: 4 },
    });
  });

  it('refuses a case the law forbids (exit 1, naming case, event and rule) and keeps the others', async () => {
    const store = freshStore();
    const file = write(
      'refused.jsonl',
      toJsonLines([complied('one-sa'), tooShortNotice('two-sa'), opened('three-sa')]),
    );

    const result = await cli(store, 'import', file);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('3 case(s) — 2 imported, 0 unchanged, 1 refused');
    expect(result.stdout).toMatch(
      /line 2, case two-sa: FormalNoticeIssued of 2023-06-01 \(key e4\), \S+ — .*less than 10 day/,
    );
    expect(result.stderr).toContain('1 case(s) refused');
    // The cases before and after it are recorded, whole; nothing of the refused one is.
    expect([...rawStreams(store).entries()]).toEqual([
      ['case-one-sa', expect.any(Array)],
      ['case-three-sa', expect.any(Array)],
    ]);
    expect(rawStreams(store).get('case-one-sa')).toHaveLength(6);

    // Run again: the recorded cases are unchanged, the refused one is refused again.
    const again = await cli(store, 'import', file, '--json');
    expect(again.code).toBe(1);
    const json = JSON.parse(again.stdout);
    expect(json.cases).toEqual({ total: 3, imported: 0, unchanged: 2, refused: 1 });
    expect(json.refused).toEqual([
      {
        caseId: 'two-sa',
        line: 2,
        event: { key: 'e4', type: 'FormalNoticeIssued', on: '2023-06-01' },
        rule: expect.stringMatching(/^[A-Za-z]/),
        state: expect.any(String),
        message: expect.stringMatching(/less than 10 day/),
      },
    ]);
    expect(json.refused[0].rule).not.toBe('TransitionNotAllowed');
  });

  it('writes nothing when the file is invalid, and names the line and the field (exit 2)', async () => {
    const store = freshStore();
    const badDate = complied('b-sa');
    (badDate.events[4]?.data as Record<string, unknown>).deadline = '2023-02-30';
    const file = write('invalid.jsonl', toJsonLines([complied('a-sa'), opened('c-sa'), badDate]));

    const result = await cli(store, 'import', file);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/line 3, events\[4\]\.data\.deadline: .+ \(event e4, FormalNoticeIssued\)/);
    expect(result.stderr).toContain('nothing imported');
    expect(existsSync(store)).toBe(false); // not even created
  });
});
