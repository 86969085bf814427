/**
 * The facts a picture is drawn from: the sourced Clearview history straight from its dataset
 * (recorded into an in-memory store through the case service, so it is validated exactly as a
 * replay would be), or a case of an event store.
 */
import type { IsoDate } from '../../machines/dates.ts';
import { factsAsOf, type RecordedFact } from '../../projections/fact.ts';
import { createCaseService } from '../cases/service.ts';
import { DATASETS, type DatasetName, loadDataset, replayDataset } from '../history/dataset.ts';
import { createInMemoryEventStore } from '../store/memory.ts';
import { displayStore } from '../store/failures.ts';
import type { EventStore } from '../store/port.ts';

export interface CaseFacts {
  readonly caseId: string;
  readonly title: string;
  /** Every fact of the case, in stream order. */
  readonly facts: readonly RecordedFact[];
  /** Where the facts come from: `dataset:clearview` or the store, as displayed (no credentials). */
  readonly origin: string;
}

/** The dataset could not be recorded: the dataset and the law disagree. */
export class DatasetReplayError extends Error {
  override readonly name = 'DatasetReplayError';
}

export const isDatasetName = (name: string): name is DatasetName =>
  (DATASETS as readonly string[]).includes(name);

/** A sourced history (e.g. `clearview`), without any store of the user's. */
export const datasetCase = async (name: DatasetName): Promise<CaseFacts> => {
  const dataset = await loadDataset(name);
  const store = createInMemoryEventStore();
  try {
    const service = createCaseService({ store, today: () => '9999-12-31' });
    const outcome = await replayDataset(service, dataset);
    if (outcome.status !== 'recorded')
      throw new DatasetReplayError(
        `dataset ${name} cannot be replayed: ${outcome.status === 'refused' ? outcome.refusal.message : outcome.issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`,
      );
    const history = await service.load(dataset.caseId);
    return { caseId: dataset.caseId, title: dataset.title, facts: history.facts, origin: `dataset:${name}` };
  } finally {
    await store.close();
  }
};

/** A case of an event store; null when the store holds no fact of it. */
export const storedCase = async (
  store: EventStore,
  caseId: string,
  origin: string,
): Promise<CaseFacts | null> => {
  const history = await createCaseService({ store, today: () => '9999-12-31' }).load(caseId);
  if (history.facts.length === 0) return null;
  const controller = history.state.context.controller?.name;
  return {
    caseId,
    title: controller ? `Case ${caseId} — ${controller}` : `Case ${caseId}`,
    facts: history.facts,
    origin: displayStore(origin),
  };
};

/** The facts that had taken effect on `asOf`. */
export const asOfFacts = (c: CaseFacts, asOf: IsoDate): readonly RecordedFact[] => factsAsOf(c.facts, asOf);
