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
import type { CaseRecordOutcome, CaseService } from '../cases/service.ts';
import { type ImportEntry, isCheckedEntry } from './file.ts';

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

/** What became of one case, from what the case service did with it. */
const caseImportOf = ({ dataset, line }: ImportEntry, outcome: CaseRecordOutcome): CaseImport => {
  const { caseId } = dataset;
  const refused = (refusal: CaseRefusal): CaseImport => ({
    caseId,
    line,
    status: 'refused',
    appended: 0,
    alreadyStored: 0,
    refusal,
  });
  switch (outcome.status) {
    case 'recorded':
      return {
        caseId,
        line,
        status: outcome.appended > 0 ? 'imported' : 'unchanged',
        appended: outcome.appended,
        alreadyStored: outcome.unchanged,
      };
    case 'diverged':
      return refused({ caseId, line, rule: 'HistoryDivergence', message: outcome.error.message });
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

/** Records one case's history: appends what is missing, atomically, or reports why it cannot. */
export const importCase = async (service: CaseService, entry: ImportEntry): Promise<CaseImport> => {
  const [outcome] = await service.recordCases([
    { caseId: entry.dataset.caseId, inputs: datasetFacts(entry.dataset) },
  ]);
  if (!outcome) throw new TypeError(`case ${entry.dataset.caseId}: no outcome`);
  return caseImportOf(entry, outcome);
};

/**
 * Events per store transaction: the cases of a file are recorded group by group, each group in
 * ONE transaction of the store (one commit, one sync), each case of it still all-or-nothing.
 */
export const DEFAULT_GROUP_EVENTS = 10_000;

export interface ImportOptions {
  /** Told of each case as it is done. */
  readonly onCase?: (result: CaseImport, done: number) => void;
  /** Events per store transaction (a group ends after the case that reaches it). */
  readonly groupEvents?: number;
}

/**
 * Imports every case of the file in order, group by group (see {@link DEFAULT_GROUP_EVENTS}); a
 * kill leaves every case absent or whole, and running the import again completes it. `entries`
 * may be a stream: only one group is held in memory.
 */
export const importCases = async (
  service: CaseService,
  entries: Iterable<ImportEntry> | AsyncIterable<ImportEntry>,
  { onCase, groupEvents = DEFAULT_GROUP_EVENTS }: ImportOptions = {},
): Promise<ImportReport> => {
  const counts = { imported: 0, unchanged: 0, refused: 0 };
  const events = { appended: 0, alreadyStored: 0 };
  const refused: CaseRefusal[] = [];
  let total = 0;
  let group: ImportEntry[] = [];
  let groupSize = 0;
  const flush = async (): Promise<void> => {
    const outcomes = await service.recordCases(
      group.map((entry) => ({
        caseId: entry.dataset.caseId,
        inputs: datasetFacts(entry.dataset),
        // Checked by the file reader (every fact validated once): the service does not check again.
        checked: isCheckedEntry(entry),
      })),
    );
    group.forEach((entry, i) => {
      const result = caseImportOf(entry, outcomes[i] as CaseRecordOutcome);
      counts[result.status]++;
      events.appended += result.appended;
      events.alreadyStored += result.alreadyStored;
      if (result.refusal) refused.push(result.refusal);
      onCase?.(result, total - group.length + i + 1);
    });
    group = [];
    groupSize = 0;
  };
  for await (const entry of entries) {
    total++;
    group.push(entry);
    groupSize += entry.dataset.events.length;
    if (groupSize >= groupEvents) await flush();
  }
  if (group.length > 0) await flush();
  return { cases: { total, ...counts }, events, refused };
};
