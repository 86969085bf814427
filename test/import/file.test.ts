/**
 * The bulk-import file: its layouts, and problems reported with their line and field before
 * anything is written.
 */
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Dataset, loadDataset } from '../../src/history/dataset.ts';
import {
  type FileIssue,
  ImportFileError,
  type ImportEntry,
  isCheckedEntry,
  openImportFile,
  parseImportFile,
} from '../../src/import/file.ts';
import { generateDatasets, toJsonLines } from '../../src/import/generate.ts';
import { lineOfEachElement, lineOfPath } from '../../src/import/json-location.ts';
import { loadParams } from '../../src/simulation/params.ts';

const TODAY = '2026-11-23';

const issuesOf = (file: string, text: string): FileIssue[] => {
  try {
    parseImportFile(file, text, { today: TODAY });
  } catch (error) {
    if (error instanceof ImportFileError) return [...error.issues];
    throw error;
  }
  return expect.fail('the file was accepted');
};

const opened = (caseId: string) => ({
  dataset: 'file-test',
  version: 1,
  caseId,
  title: caseId,
  notes: [],
  events: [
    {
      key: 'opened',
      type: 'CaseOpened',
      data: {
        on: '2024-01-10',
        caseId,
        controller: { name: `${caseId} SAS`, country: 'FR', euEstablishment: true },
        origin: 'own-initiative',
      },
      source: { title: 'Register', url: 'https://example.org/register', date: 'stated' },
    },
  ],
});

describe('given an import file', () => {
  it('reads one dataset, an array of datasets, or JSON Lines, and says where each case starts', async () => {
    const clearview = await loadDataset('clearview');
    expect(parseImportFile('clearview.json', JSON.stringify(clearview), { today: TODAY })).toEqual([
      { dataset: clearview, line: 1 },
    ]);
    const array = JSON.stringify([opened('a-sa'), opened('b-sa')], null, 2);
    const fromArray = parseImportFile('cases.json', array, { today: TODAY });
    expect(fromArray.map((e) => [e.dataset.caseId, e.line])).toEqual([
      ['a-sa', 2],
      ['b-sa', array.split('\n').lastIndexOf('  {') + 1],
    ]);
    const lines = `${JSON.stringify(opened('a-sa'))}\n\n${JSON.stringify(opened('b-sa'))}\r\n`;
    const fromLines = parseImportFile('cases.jsonl', lines, { today: TODAY });
    expect(fromLines.map((e) => [e.dataset.caseId, e.line])).toEqual([
      ['a-sa', 1],
      ['b-sa', 3],
    ]);
    expect(parseImportFile('cases.txt', lines, { today: TODAY, format: 'jsonl' })).toHaveLength(2);
  });

  it('names the line and field of an event whose data breaks its schema, with the event key', () => {
    const bad = opened('c-sa');
    (bad.events[0]?.data as Record<string, unknown>).on = '2024-02-30';
    const text = JSON.stringify([opened('a-sa'), bad], null, 2);
    const [issue, ...others] = issuesOf('cases.json', text);
    expect(others).toEqual([]);
    expect(issue).toMatchObject({
      field: '[1].events[0].data.on',
      message: expect.stringContaining('(event opened, CaseOpened)'),
    });
    expect(text.split('\n')[(issue?.line ?? 0) - 1]).toContain('"on": "2024-02-30"');
  });

  it('refuses acts dated after today, and a CaseOpened naming another case', () => {
    const future = opened('d-sa');
    (future.events[0]?.data as Record<string, unknown>).on = '2027-01-01';
    const other = opened('e-sa');
    (other.events[0]?.data as Record<string, unknown>).caseId = 'someone-else';
    const issues = issuesOf('cases.jsonl', toJsonLines([future, other] as Dataset[]));
    expect(issues).toEqual([
      { line: 1, field: 'events[0].data.on', message: expect.stringContaining('in the future') },
      {
        line: 2,
        field: 'events[0].data.caseId',
        message: expect.stringContaining('not the case being opened'),
      },
    ]);
  });

  it('names the line of a JSON syntax error', () => {
    expect(issuesOf('broken.json', '[\n  {\n    "dataset": "x",\n  }\n]\n')).toEqual([
      { line: 4, field: '(file)', message: expect.stringContaining('is not valid JSON') },
    ]);
  });

  it('names a missing field by the line of the object that lacks it', () => {
    const { title: _title, ...untitled } = opened('f-sa');
    const text = JSON.stringify(untitled, null, 2);
    expect(issuesOf('case.json', text)).toEqual([{ line: 1, field: 'title', message: expect.any(String) }]);
  });

  it('refuses a case given twice, a line that is not JSON, and JSON Lines in a .json file (with a hint)', () => {
    expect(
      issuesOf('cases.jsonl', toJsonLines([opened('g-sa'), opened('h-sa'), opened('g-sa')] as Dataset[])),
    ).toEqual([
      {
        line: 3,
        field: 'caseId',
        message: 'case g-sa already has a history at line 1; give each case one dataset',
      },
    ]);
    expect(issuesOf('cases.jsonl', `${JSON.stringify(opened('g-sa'))}\n{"dataset": \n`)).toEqual([
      { line: 2, field: '(line)', message: expect.stringContaining('is not one JSON value') },
    ]);
    const [hint] = issuesOf('cases.json', toJsonLines([opened('g-sa'), opened('h-sa')] as Dataset[]));
    expect(hint).toMatchObject({
      line: 2,
      field: '(file)',
      message: expect.stringContaining('--format jsonl'),
    });
    expect(issuesOf('empty.jsonl', '\n\n')).toEqual([
      { line: undefined, field: '(file)', message: 'holds no case history' },
    ]);
  });

  it('reports every problem of the file at once, without stopping at the first', () => {
    const broken = [1, 2, 3].map((i) => ({ ...opened(`k${i}-sa`), version: 0 }));
    const issues = issuesOf('cases.jsonl', toJsonLines(broken as unknown as Dataset[]));
    expect(issues.map((i) => [i.line, i.field])).toEqual([
      [1, 'version'],
      [2, 'version'],
      [3, 'version'],
    ]);
  });
});

describe('lineOfPath', () => {
  const text = '{\n  "a": [\n    1,\n    { "b": "x\\"]}" },\n    3\n  ],\n  "c": {}\n}';
  it('finds the line of a value through objects, arrays and strings holding brackets', () => {
    expect(lineOfPath(text, [])).toBe(1);
    expect(lineOfPath(text, ['a'])).toBe(2);
    expect(lineOfPath(text, ['a', 0])).toBe(3);
    expect(lineOfPath(text, ['a', 1, 'b'])).toBe(4);
    expect(lineOfPath(text, ['a', 2])).toBe(5);
    expect(lineOfPath(text, ['c'])).toBe(7);
    expect(lineOfPath(text, ['c', 'missing'])).toBe(7);
  });
  it('finds the line of every element of a top-level array in one pass', () => {
    expect(lineOfEachElement('[\n  {"a": "[,]"},\n  [1,\n 2], "x\\"",\n\n  3\n]')).toEqual([2, 3, 4, 6]);
    expect(lineOfEachElement('[ ]')).toEqual([]);
  });
});

describe('generated import files', () => {
  it('are the same for the same seed, differ for another, and pass the file check', async () => {
    const params = await loadParams();
    const one = toJsonLines(generateDatasets({ cases: 40, seed: 3, params }));
    expect(toJsonLines(generateDatasets({ cases: 40, seed: 3, params }))).toBe(one);
    expect(toJsonLines(generateDatasets({ cases: 40, seed: 4, params }))).not.toBe(one);
    const entries = parseImportFile('generated.jsonl', one, { today: TODAY });
    expect(entries).toHaveLength(40);
    // Escalated cases only: every one goes beyond the complaint.
    const closedAtOnce = (datasets: readonly Dataset[]) =>
      datasets.filter((d) => d.events[2]?.type === 'CaseClosed').length;
    expect(closedAtOnce(entries.map((e) => e.dataset))).toBe(0);
    expect(
      closedAtOnce(generateDatasets({ cases: 40, seed: 3, params, allComplaints: true })),
    ).toBeGreaterThan(30);
    expect(entries.every((e) => e.dataset.events.every((ev) => String(ev.data.on) <= '2025-12-31'))).toBe(
      true,
    );
  });
});

describe('given a JSON Lines file checked by openImportFile', () => {
  const collect = async (entries: AsyncIterable<ImportEntry>): Promise<ImportEntry[]> => {
    const found: ImportEntry[] = [];
    for await (const entry of entries) found.push(entry);
    return found;
  };

  it('gives the histories as checked (schemas applied), marked checked, the same when read again from the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cnil-file-'));
    try {
      const padded = opened('padded-sas');
      const event = padded.events[0] as (typeof padded.events)[number];
      event.data.controller.name = '  Padded SAS  ';
      const file = join(dir, 'cases.jsonl');
      writeFileSync(file, `${JSON.stringify(opened('acme-sas'))}\n\n${JSON.stringify(padded)}\n`);
      const source = await openImportFile(file, { today: TODAY });
      expect(source.cases).toBe(2);
      // First from the scratch file written while checking, then from the file, checked again.
      const reading = source.entries()[Symbol.asyncIterator]();
      const head = await reading.next();
      // While it is read: the scratch file has no name, and holds the histories encrypted (seen through /proc on Linux).
      if (process.platform === 'linux') {
        const scratch = readdirSync('/proc/self/fd').filter((fd) => {
          try {
            return /cnil-import-.*\(deleted\)$/.test(readlinkSync(`/proc/self/fd/${fd}`));
          } catch {
            return false;
          }
        });
        expect(scratch).toHaveLength(1);
        const bytes = readFileSync(`/proc/self/fd/${scratch[0]}`);
        expect(bytes.length).toBeGreaterThan(200);
        expect(bytes.toString('latin1')).not.toMatch(/acme-sas|Padded|CaseOpened/);
      }
      const first = [
        head.value as ImportEntry,
        ...(await collect({ [Symbol.asyncIterator]: () => reading })),
      ];
      const again = await collect(source.entries());
      for (const entries of [first, again]) {
        expect(entries.map((e) => [e.dataset.caseId, e.line])).toEqual([
          ['acme-sas', 1],
          ['padded-sas', 3],
        ]);
        expect(entries.every(isCheckedEntry)).toBe(true);
        const data = entries[1]?.dataset.events[0]?.data as { controller: { name: string; kind: string } };
        expect(data.controller).toMatchObject({ name: 'Padded SAS', kind: 'unspecified' });
      }
      expect(again.map((e) => e.dataset)).toEqual(first.map((e) => e.dataset));
      expect(isCheckedEntry({ dataset: first[0]?.dataset as Dataset, line: 1 })).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a dataset name too long for the correlation id of its facts, naming the field', () => {
    const long = { ...opened('acme-sas'), dataset: 'x'.repeat(120) };
    expect(issuesOf('long.jsonl', JSON.stringify(long))).toEqual([
      expect.objectContaining({ field: 'dataset', message: expect.stringContaining('correlation id') }),
    ]);
  });
});
