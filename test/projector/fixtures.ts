/**
 * Stores for the projector tests: the Clearview history (whole, or up to one of its acts), and
 * many synthetic cases recorded through the real case service, their facts interleaved in the log.
 */
import type { ProcedureEvent } from '../../machines/events.ts';
import type { CaseService } from '../../src/cases/service.ts';
import { type Dataset, datasetFacts, loadDataset } from '../../src/history/dataset.ts';
import { history } from '../support/builders.ts';

export const TODAY = '2026-11-23';

/** Records the Clearview history, up to and including the act with key `through` when given. */
export const recordClearview = async (service: CaseService, through?: string): Promise<Dataset> => {
  const dataset = await loadDataset('clearview');
  const end =
    through === undefined ? dataset.events.length : dataset.events.findIndex((e) => e.key === through) + 1;
  if (end === 0) throw new RangeError(`no act ${through} in the Clearview dataset`);
  const outcome = await service.recordAll(dataset.caseId, datasetFacts(dataset).slice(0, end));
  if (outcome.status !== 'recorded') throw new Error(`Clearview not recorded: ${JSON.stringify(outcome)}`);
  return dataset;
};

/** Lawful histories of various lengths, ending in various stages (test/support/builders.ts). */
const SHAPES = [
  history.upToPublicFormalNotice,
  history.upToOrdinaryDeliberation,
  history.upToInjunctionRunning,
  history.upToPenaltyLiquidated,
  history.closed,
  history.upToFormalNotice,
] as const;

export const syntheticCaseId = (i: number): string => `synthetic-${String(i).padStart(4, '0')}`;

/** The history of synthetic case `i`: a fine that differs per case, its own controller name. */
export const syntheticHistory = (i: number): ProcedureEvent[] =>
  (SHAPES[i % SHAPES.length] ?? history.opened)().map((event): ProcedureEvent => {
    if (event.type === 'CaseOpened')
      return {
        ...event,
        data: {
          ...event.data,
          caseId: syntheticCaseId(i),
          controller: { ...event.data.controller, name: `Controller ${i} SAS` },
        },
      };
    if (event.type === 'SanctionImposed')
      return { ...event, data: { ...event.data, fine: 10_000 * (i + 1) } };
    return event;
  });

/**
 * Records `count` synthetic cases, `chunk` facts of each case at a time, case after case, so that
 * the facts of different cases interleave in the global log. Returns the number of facts.
 */
export const recordSyntheticCases = async (
  service: CaseService,
  count: number,
  chunk = 4,
): Promise<number> => {
  const histories = Array.from({ length: count }, (_, i) => syntheticHistory(i));
  let recorded = 0;
  for (let from = 0; histories.some((h) => h.length > from); from += chunk) {
    for (const [i, events] of histories.entries()) {
      const slice = events.slice(from, from + chunk);
      if (slice.length === 0) continue;
      const outcome = await service.recordAll(
        syntheticCaseId(i),
        slice.map((e) => ({ type: e.type, data: e.data })),
      );
      if (outcome.status !== 'recorded')
        throw new Error(`case ${i} not recorded: ${JSON.stringify(outcome)}`);
      recorded += outcome.facts.length;
    }
  }
  return recorded;
};
