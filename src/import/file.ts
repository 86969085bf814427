/**
 * The bulk-import file: case histories in the dataset format of src/history/ (the format of
 * clearview.json, schema `Dataset`), one case per dataset. Two layouts:
 *
 * - JSON (`.json`, the default): one dataset object, or an array of dataset objects;
 * - JSON Lines (`.jsonl` or `.ndjson`, or `--format jsonl`): one dataset object per line; blank
 *   lines are ignored.
 *
 * The whole file is checked before anything is written — the dataset schema, every event's data
 * against its event schema (src/cases/service.ts `validateFact`: types, dates not in the future,
 * CaseOpened naming its case), one dataset per case — and every problem is reported with its line
 * and field. Whether the procedure and the law accept the facts is decided when each case is
 * recorded (src/import/import.ts).
 */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { extname } from 'node:path';
import type { z } from 'zod';
import { validateEnvelope, validateFact } from '../cases/service.ts';
import { Dataset } from '../history/dataset.ts';
import { lineOfEachElement, lineOfPath, lineOfSyntaxError } from './json-location.ts';
import { createSpool } from './spool.ts';

export const IMPORT_FORMATS = ['json', 'jsonl'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/** One case history of the file, and where it starts. */
export interface ImportEntry {
  readonly dataset: Dataset;
  /** 1-based line of the dataset's first character. */
  readonly line: number;
}

/**
 * The entries this module checked: their events' data are what `validateFact` returned, and the
 * case service does not check them again (`CaseFacts.checked`). Kept here, where no caller can
 * add an entry it did not check.
 */
const CHECKED = new WeakSet<ImportEntry>();

/** Whether the entry was checked by this module (parseImportFile, openImportFile), and how. */
export const isCheckedEntry = (entry: ImportEntry): boolean => CHECKED.has(entry);

/** The entry, marked checked (its events' data being validateFact's output). */
const checkedEntry = (entry: ImportEntry): ImportEntry => {
  CHECKED.add(entry);
  return entry;
};

/** One problem of the file: its line (when known), the field, and what is wrong. */
export interface FileIssue {
  readonly line: number | undefined;
  readonly field: string;
  readonly message: string;
}

/** At most this many issues are reported (the count of the others is given). */
export const MAX_REPORTED_ISSUES = 20;

/** The import file cannot be used; nothing was written. */
export class ImportFileError extends Error {
  override readonly name = 'ImportFileError';
  constructor(
    readonly file: string,
    readonly issues: readonly FileIssue[],
    options?: ErrorOptions,
  ) {
    const shown = issues.slice(0, MAX_REPORTED_ISSUES).map(formatIssue);
    if (issues.length > MAX_REPORTED_ISSUES)
      shown.push(`… and ${issues.length - MAX_REPORTED_ISSUES} more problem(s)`);
    super(`${file}: ${issues.length} problem(s), nothing imported\n${shown.join('\n')}`, options);
  }
}

export const formatIssue = (issue: FileIssue): string =>
  `${issue.line === undefined ? '' : `line ${issue.line}, `}${issue.field}: ${issue.message}`;

/** The layout named by `--format`, else by the file's extension. */
export const formatOf = (file: string, format?: ImportFormat): ImportFormat =>
  format ?? (['.jsonl', '.ndjson'].includes(extname(file).toLowerCase()) ? 'jsonl' : 'json');

/** A field path as users write it: `events[2].data.on`. */
export const fieldName = (path: readonly (string | number)[]): string =>
  path
    .map((p, i) => (typeof p === 'number' || /^\d+$/.test(p) ? `[${p}]` : i === 0 ? p : `.${p}`))
    .join('') || '(dataset)';

interface Candidate {
  readonly value: unknown;
  readonly line: number;
  /** The text the value was parsed from, and the value's path in it (for the lines of its fields). */
  readonly text: string;
  readonly prefix: readonly (string | number)[];
}

const candidates = (file: string, text: string, format: ImportFormat): Candidate[] => {
  if (format === 'jsonl') {
    const found: Candidate[] = [];
    const issues: FileIssue[] = [];
    text.split('\n').forEach((raw, index) => {
      const line = raw.replace(/\r$/, '');
      if (line.trim() === '') return;
      try {
        found.push({ value: JSON.parse(line), line: index + 1, text: line, prefix: [] });
      } catch (error) {
        issues.push({
          line: index + 1,
          field: '(line)',
          message: `is not one JSON value (${(error as Error).message})`,
        });
      }
    });
    if (issues.length > 0) throw new ImportFileError(file, issues);
    return found;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const jsonLines = /non-whitespace character after JSON/.test((error as Error).message)
      ? '; for JSON Lines (one dataset per line) name the file .jsonl or pass --format jsonl'
      : '';
    throw new ImportFileError(
      file,
      [
        {
          line: lineOfSyntaxError(text, error as Error),
          field: '(file)',
          message: `is not valid JSON (${(error as Error).message})${jsonLines}`,
        },
      ],
      { cause: error },
    );
  }
  if (Array.isArray(value)) {
    const lines = lineOfEachElement(text);
    return value.map((v: unknown, i) => ({ value: v, line: lines[i] ?? 1, text, prefix: [i] }));
  }
  return [{ value, line: lineOfPath(text, []), text, prefix: [] }];
};

/**
 * Parses and checks an import file's text (`today` bounds the dates of the acts).
 * @throws ImportFileError naming every problem with its line and field.
 */
export const parseImportFile = (
  file: string,
  text: string,
  { format, today }: { readonly format?: ImportFormat; readonly today: string },
): ImportEntry[] => {
  const layout = formatOf(file, format);
  const found = candidates(file, text, layout);
  const issues: FileIssue[] = [];
  // Finding a field's line reads the text again: only for the problems that are reported.
  const lineOf = (c: Candidate, path: readonly (string | number)[]) =>
    layout === 'jsonl'
      ? c.line
      : issues.length < MAX_REPORTED_ISSUES
        ? lineOfPath(c.text, [...c.prefix, ...path])
        : undefined;
  const field = (c: Candidate, path: readonly (string | number)[]) => fieldName([...c.prefix, ...path]);
  if (found.length === 0) issues.push({ line: undefined, field: '(file)', message: 'holds no case history' });
  const entries: ImportEntry[] = [];
  const firstLineOfCase = new Map<string, number>();
  for (const c of found) {
    const parsed = Dataset.safeParse(c.value);
    if (!parsed.success) {
      for (const issue of (parsed.error as z.ZodError).issues)
        issues.push({
          line: lineOf(c, issue.path as (string | number)[]),
          field: field(c, issue.path as (string | number)[]),
          message: issue.message,
        });
      continue;
    }
    const dataset = parsed.data;
    const earlier = firstLineOfCase.get(dataset.caseId);
    if (earlier !== undefined)
      issues.push({
        line: c.line,
        field: field(c, ['caseId']),
        message: `case ${dataset.caseId} already has a history at line ${earlier}; give each case one dataset`,
      });
    else firstLineOfCase.set(dataset.caseId, c.line);
    // The correlation id the case service gives the dataset's facts (see datasetFacts).
    for (const issue of validateEnvelope({
      type: 'CaseOpened',
      data: {},
      correlationId: `dataset:${dataset.dataset}@${dataset.version}`,
    }))
      issues.push({
        line: lineOf(c, ['dataset']),
        field: field(c, ['dataset']),
        message: `makes the facts' correlation id dataset:<dataset>@<version> invalid: ${issue.message}`,
      });
    let valid = true;
    const events = dataset.events.map((event, index) => {
      const checked = validateFact(dataset.caseId, event, today);
      if (checked.ok) return { ...event, data: checked.event.data as Record<string, unknown> };
      valid = false;
      for (const issue of checked.issues) {
        const path = ['events', index, ...issue.field.split('.')];
        issues.push({
          line: lineOf(c, path),
          field: field(c, path),
          message: `${issue.message} (event ${event.key}, ${event.type})`,
        });
      }
      return event;
    });
    entries.push(
      valid ? checkedEntry({ dataset: { ...dataset, events }, line: c.line }) : { dataset, line: c.line },
    );
  }
  if (issues.length > 0) throw new ImportFileError(file, issues);
  return entries;
};

const unreadable = (file: string, error: unknown): ImportFileError =>
  new ImportFileError(
    file,
    [{ line: undefined, field: 'file', message: `cannot be read (${(error as Error).message})` }],
    { cause: error },
  );

/**
 * The largest `.json` file read (it is parsed whole, as one string); JSON Lines files have no limit:
 * they are streamed.
 */
export const MAX_JSON_FILE_BYTES = 256 * 1024 * 1024;

/** Reads and checks a `.json` import file (read whole). @throws ImportFileError (also when it cannot be read). */
export const readImportFile = async (
  file: string,
  options: { readonly format?: ImportFormat; readonly today: string },
): Promise<ImportEntry[]> => {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw unreadable(file, error);
  }
  return parseImportFile(file, text.replace(/^\uFEFF/, ''), options);
};

/** The non-blank lines of a file, streamed, with their 1-based numbers (BOM and `\r` removed). */
async function* linesOf(file: string): AsyncGenerator<{ text: string; line: number }> {
  const input = createReadStream(file, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  try {
    for await (const raw of lines) {
      line++;
      const text = line === 1 ? raw.replace(/^\uFEFF/, '') : raw;
      if (text.trim() !== '') yield { text, line };
    }
  } finally {
    lines.close();
    input.destroy();
  }
}

/** A checked import file whose cases are read again, one at a time, as they are imported. */
export interface ImportSource {
  /** How many case histories the file holds. */
  readonly cases: number;
  /** The case histories in file order (a JSON Lines file is streamed again: memory stays flat). */
  entries(): AsyncIterable<ImportEntry>;
}

/**
 * Checks an import file whole before anything is written, then gives its cases one at a time.
 * JSON Lines files are streamed twice (checked, then read as imported): memory does not grow with
 * the file, only with its number of cases (their ids, to refuse a case given twice). A `.json`
 * file is read whole, up to {@link MAX_JSON_FILE_BYTES}.
 * @throws ImportFileError naming every problem with its line and field.
 */
export const openImportFile = async (
  file: string,
  options: { readonly format?: ImportFormat; readonly today: string },
): Promise<ImportSource> => {
  const layout = formatOf(file, options.format);
  if (layout === 'json') {
    let size: number;
    try {
      size = (await stat(file)).size;
    } catch (error) {
      throw unreadable(file, error);
    }
    if (size > MAX_JSON_FILE_BYTES)
      throw new ImportFileError(file, [
        {
          line: undefined,
          field: 'file',
          message:
            `is ${Math.round(size / 1e6)} MB; a .json file is read whole, up to ${MAX_JSON_FILE_BYTES / 1024 / 1024} MiB: ` +
            'write one dataset per line (JSON Lines, .jsonl), which is streamed',
        },
      ]);
    const entries = await readImportFile(file, { ...options, format: 'json' });
    return {
      cases: entries.length,
      entries: async function* () {
        yield* entries;
      },
    };
  }
  const issues: FileIssue[] = [];
  const firstLineOfCase = new Map<string, number>();
  // The checked histories, kept for the import (given up at the first problem: nothing is imported).
  let spool = createSpool();
  try {
    for await (const { text, line } of linesOf(file)) {
      // One line, one dataset: the checks of parseImportFile, line by line.
      try {
        const [entry] = parseImportFile(file, text, { ...options, format: 'jsonl' }).map((e) => ({
          ...e,
          line,
        }));
        if (!entry) continue;
        if (issues.length === 0) spool?.write(`${line}\t${JSON.stringify(entry.dataset)}`);
        const earlier = firstLineOfCase.get(entry.dataset.caseId);
        if (earlier !== undefined)
          issues.push({
            line,
            field: 'caseId',
            message: `case ${entry.dataset.caseId} already has a history at line ${earlier}; give each case one dataset`,
          });
        else firstLineOfCase.set(entry.dataset.caseId, line);
      } catch (error) {
        if (!(error instanceof ImportFileError)) throw error;
        for (const issue of error.issues) issues.push({ ...issue, line });
      }
    }
  } catch (error) {
    spool?.close();
    if (error instanceof ImportFileError) throw error;
    throw unreadable(file, error);
  }
  if (firstLineOfCase.size === 0 && issues.length === 0)
    issues.push({ line: undefined, field: '(file)', message: 'holds no case history' });
  if (issues.length > 0) {
    spool?.close();
    throw new ImportFileError(file, issues);
  }
  return {
    cases: firstLineOfCase.size,
    entries: async function* () {
      const checked = spool;
      spool = undefined;
      if (checked) {
        // The histories as checked (zod's output, every fact validated once): read, not checked again.
        for await (const text of checked.lines()) {
          const tab = text.indexOf('\t');
          yield checkedEntry({
            line: Number(text.slice(0, tab)),
            dataset: JSON.parse(text.slice(tab + 1)) as Dataset,
          });
        }
        return;
      }
      // Without a spool (none could be made, or read already): each line read and checked again (the
      // file could have changed since), every fact validated here, and the service does not check again.
      for await (const { text, line } of linesOf(file)) {
        let entry: ImportEntry | undefined;
        try {
          [entry] = parseImportFile(file, text, { ...options, format: 'jsonl' });
        } catch (error) {
          if (!(error instanceof ImportFileError)) throw error;
          throw new ImportFileError(
            file,
            error.issues.map((issue) => ({ ...issue, line })),
            { cause: new Error('the file changed after it was checked') },
          );
        }
        if (entry) yield checkedEntry({ ...entry, line });
      }
    },
  };
};
