/**
 * Bulk import: records the case histories of an import file (src/import/file.ts), case after case,
 * each through the case service's `recordAll` — validated, decided by the statechart, and appended
 * to its stream in ONE atomic append, so a crash leaves every case either absent or whole. Event
 * ids derive from (dataset, case, key) as for `replay`, so importing again appends only what is
 * missing: after a crash, running the import again completes it.
 *
 * A case the procedure or the law refuses is reported (case, event, rule) and nothing of it is
 * written; the other cases are recorded all the same.
 */
import { datasetFacts } from '../history/dataset.ts';
import { type CaseService, HistoryDivergenceError } from '../cases/service.ts';
import type { ImportEntry } from './file.ts';

/** Why a case was not imported. */
export interface CaseRefusal {
  readonly caseId: string;
  /** Line of the case's dataset in the file. */
  readonly line: number;
  /** The refused act (absent when the stored history diverges from the file). */
  readonly event?: { readonly key: string; readonly type: string; readonly on: string };
  /** The legal rule broken, `TransitionNotAllowed`, or `HistoryDivergence`. */
  readonly rule: string;
  /** The state the case was in (absent for a divergence). */
  readonly state?: string;
  readonly message: string;
}

export type CaseImportStatus = 'imported' | 'unchanged' | 'refused';

export interface CaseImport {
  readonly caseId: string;
  readonly line: number;
  readonly status: CaseImportStatus;
  /** Events this run appended. */
  readonly appended: number;
  /** Events of the file already in the store (a previous import). */
  readonly alreadyStored: number;
  readonly refusal?: CaseRefusal;
}

export interface ImportReport {
  readonly cases: {
    readonly total: number;
    readonly imported: number;
    readonly unchanged: number;
    readonly refused: number;
  };
  readonly events: { readonly appended: number; readonly alreadyStored: number };
  readonly refused: readonly CaseRefusal[];
}

/** Records one case's history: appends what is missing, atomically, or reports why it cannot. */
export const importCase = async (
  service: CaseService,
  { dataset, line }: ImportEntry,
): Promise<CaseImport> => {
  const { caseId } = dataset;
  const refused = (refusal: CaseRefusal): CaseImport => ({
    caseId,
    line,
    status: 'refused',
    appended: 0,
    alreadyStored: 0,
    refusal,
  });
  let outcome;
  try {
    outcome = await service.recordAll(caseId, datasetFacts(dataset));
  } catch (error) {
    if (!(error instanceof HistoryDivergenceError)) throw error;
    return refused({ caseId, line, rule: 'HistoryDivergence', message: error.message });
  }
  switch (outcome.status) {
    case 'recorded':
      return {
        caseId,
        line,
        status: outcome.facts.length > 0 ? 'imported' : 'unchanged',
        appended: outcome.facts.length,
        alreadyStored: outcome.unchanged,
      };
    case 'refused': {
      const act = dataset.events[outcome.index];
      const { refusal } = outcome;
      return refused({
        caseId,
        line,
        event: {
          key: act?.key ?? String(outcome.index),
          type: outcome.event.type,
          on: outcome.event.data.on,
        },
        rule: refusal.kind === 'RuleViolated' ? refusal.rule : refusal.kind,
        state: refusal.state,
        message: refusal.message,
      });
    }
    case 'invalid':
      // parseImportFile validated every fact with the same function: reaching this is a bug.
      throw new TypeError(
        `case ${caseId} (line ${line}) passed the file check but not the service: ${JSON.stringify(outcome.issues)}`,
      );
    default: {
      const unreachable: never = outcome;
      throw new TypeError(`unexpected outcome ${JSON.stringify(unreachable)}`);
    }
  }
};

/** Imports every case of the file in order; `onCase` is told of each one as it is done. */
export const importCases = async (
  service: CaseService,
  entries: readonly ImportEntry[],
  onCase?: (result: CaseImport, done: number) => void,
): Promise<ImportReport> => {
  const counts = { imported: 0, unchanged: 0, refused: 0 };
  const events = { appended: 0, alreadyStored: 0 };
  const refused: CaseRefusal[] = [];
  for (const [index, entry] of entries.entries()) {
    const result = await importCase(service, entry);
    counts[result.status]++;
    events.appended += result.appended;
    events.alreadyStored += result.alreadyStored;
    if (result.refusal) refused.push(result.refusal);
    onCase?.(result, index + 1);
  }
  return { cases: { total: entries.length, ...counts }, events, refused };
};
