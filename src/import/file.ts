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
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { z } from 'zod';
import { validateFact } from '../cases/service.ts';
import { Dataset } from '../history/dataset.ts';
import { lineOfEachElement, lineOfPath, lineOfSyntaxError } from './json-location.ts';

export const IMPORT_FORMATS = ['json', 'jsonl'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/** One case history of the file, and where it starts. */
export interface ImportEntry {
  readonly dataset: Dataset;
  /** 1-based line of the dataset's first character. */
  readonly line: number;
}

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
    dataset.events.forEach((event, index) => {
      const checked = validateFact(dataset.caseId, event, today);
      if (checked.ok) return;
      for (const issue of checked.issues) {
        const path = ['events', index, ...issue.field.split('.')];
        issues.push({
          line: lineOf(c, path),
          field: field(c, path),
          message: `${issue.message} (event ${event.key}, ${event.type})`,
        });
      }
    });
    entries.push({ dataset, line: c.line });
  }
  if (issues.length > 0) throw new ImportFileError(file, issues);
  return entries;
};

/** Reads and checks an import file. @throws ImportFileError (also when it cannot be read). */
export const readImportFile = async (
  file: string,
  options: { readonly format?: ImportFormat; readonly today: string },
): Promise<ImportEntry[]> => {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ImportFileError(
      file,
      [{ line: undefined, field: 'file', message: `cannot be read (${(error as Error).message})` }],
      { cause: error },
    );
  }
  return parseImportFile(file, text.replace(/^\uFEFF/, ''), options);
};
