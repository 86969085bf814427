/**
 * Exports for analysts, from any event store: OCEL 2.0 (JSON, XML, SQLite), XES and a CSV event
 * log of the chosen cases as they stood on a date, under the personal data rule of facts.ts.
 *
 * @example
 * const summary = await writeExport(store, { format: 'ocel-json', out: 'cv.json' });
 * // { format: 'ocel-json', out: 'cv.json', cases: 1, events: 22, objects: 12, … }
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import type { IsoDate } from '../../machines/dates.ts';
import type { EventStore } from '../store/port.ts';
import { eventLogCsv } from './csv.ts';
import { type ExportSelection, type PersonalDataPolicy, readCases } from './facts.ts';
import { buildOcel } from './ocel.ts';
import { writeOcelSqlite } from './ocel-sqlite.ts';
import { ocelJson, ocelXml } from './ocel-write.ts';
import { xes } from './xes.ts';

export const EXPORT_FORMATS = ['ocel-json', 'ocel-sqlite', 'ocel-xml', 'xes', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportRequest extends ExportSelection, Partial<PersonalDataPolicy> {
  readonly format: ExportFormat;
  /** A file path, or `-` for standard output (not for `ocel-sqlite`). */
  readonly out: string;
}

export interface ExportSummary {
  readonly format: ExportFormat;
  readonly out: string;
  readonly caseIds: readonly string[];
  readonly events: number;
  /** OCEL formats only. */
  readonly objects: number | null;
  readonly asOf: IsoDate | null;
  readonly personalData: 'withheld' | 'included';
}

/** Writes `text` to `path` whole or not at all (a file beside it, then renamed). */
const writeAtomically = (path: string, text: string): void => {
  if (path === '-') {
    process.stdout.write(text);
    return;
  }
  const building = `${path}.${process.pid}.partial`;
  try {
    writeFileSync(building, text);
    renameSync(building, path);
  } catch (error) {
    rmSync(building, { force: true });
    throw error;
  }
};

/**
 * Reads the cases and writes the export.
 * @throws UnknownCaseError when a case asked for has no fact in the store.
 */
export const writeExport = async (store: EventStore, request: ExportRequest): Promise<ExportSummary> => {
  const policy = { includePersonalData: request.includePersonalData ?? false };
  const cases = await readCases(store, request);
  const events = cases.reduce((n, c) => n + c.facts.length, 0);
  let objects: number | null = null;
  switch (request.format) {
    case 'ocel-json':
    case 'ocel-xml':
    case 'ocel-sqlite': {
      const log = buildOcel(cases, policy);
      objects = log.objects.length;
      if (request.format === 'ocel-sqlite') writeOcelSqlite(log, request.out);
      else writeAtomically(request.out, request.format === 'ocel-json' ? ocelJson(log) : ocelXml(log));
      break;
    }
    case 'xes':
      writeAtomically(request.out, xes(cases, policy));
      break;
    case 'csv':
      writeAtomically(request.out, eventLogCsv(cases));
      break;
    default: {
      const unknown: never = request.format;
      throw new RangeError(`unknown export format ${String(unknown)}`);
    }
  }
  return {
    format: request.format,
    out: request.out,
    caseIds: cases.map((c) => c.caseId),
    events,
    objects,
    asOf: request.asOf ?? null,
    personalData: policy.includePersonalData ? 'included' : 'withheld',
  };
};
