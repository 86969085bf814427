/**
 * Where simulations start: a fresh complaint, or a fork of a real case as it stood on a date —
 * from a sourced dataset (`--from clearview`) or from the event store (`--case <caseId>`) — with
 * optional what-ifs (`--assume 'FormalNoticeClosed@+30'`).
 */
import { addDays, type IsoDate, isIsoDate } from '../../machines/dates.ts';
import { fold, initialState, type ProcedureState } from '../../machines/decider.ts';
import { isEventType, type ProcedureEvent } from '../../machines/events.ts';
import type { RecordedFact } from '../../projections/fact.ts';
import { datasetProcedureEvents, type DatasetName, loadDataset } from '../history/dataset.ts';
import { ASSUMABLE, isAssumable } from './policy.ts';
import type { Assumption, StartSpec } from './run.ts';

/** A malformed `--assume`: `field` is the option, `message` says what is expected. */
export class AssumptionError extends Error {
  override readonly name = 'AssumptionError';
  constructor(
    readonly value: string,
    readonly reason: string,
  ) {
    super(`--assume ${JSON.stringify(value)}: ${reason}`);
  }
}

/**
 * Parses `<EventType>@+<days>` (days after the reference date: the --as-of date of a fork, the
 * start date of a fresh case) or `<EventType>@<YYYY-MM-DD>`.
 */
export const parseAssumption = (text: string, reference: IsoDate): Assumption => {
  const match = /^([A-Za-z]+)@(?:\+(\d{1,5})|(\d{4}-\d{2}-\d{2}))$/.exec(text.trim());
  if (!match)
    throw new AssumptionError(
      text,
      "expected '<EventType>@+<days>' or '<EventType>@<YYYY-MM-DD>', e.g. FormalNoticeClosed@+30",
    );
  const [, type = '', offset, date] = match;
  if (!isEventType(type)) throw new AssumptionError(text, `${type} is not an event of the catalogue`);
  if (!isAssumable(type))
    throw new AssumptionError(text, `${type} cannot be assumed; one of: ${ASSUMABLE.join(', ')}`);
  if (date !== undefined && !isIsoDate(date))
    throw new AssumptionError(text, `${date} is not a calendar date`);
  if (offset !== undefined && Number(offset) < 1)
    throw new AssumptionError(text, 'the offset must be at least +1 day');
  const on = date !== undefined ? (date as IsoDate) : addDays(reference, Number(offset));
  if (on <= reference) throw new AssumptionError(text, `${on} is not after the reference date ${reference}`);
  return { type, on };
};

/** A fresh complaint on `date`. */
export const freshStart = (date: IsoDate, assumptions: readonly Assumption[] = []): StartSpec => {
  const s = initialState();
  return { value: s.value, context: s.context, base: date, fresh: true, assumptions };
};

/** A fork of a state reached by real facts, simulated from the day after `asOf`. */
export const forkStart = (
  state: ProcedureState,
  asOf: IsoDate,
  assumptions: readonly Assumption[] = [],
): StartSpec => ({
  value: state.value,
  context: state.context,
  base: addDays(asOf, 1),
  fresh: false,
  assumptions,
});

/** The facts of a dataset as procedure events (validated). */
export const datasetEvents = async (
  name: DatasetName,
): Promise<{ caseId: string; events: ProcedureEvent[] }> => {
  const dataset = await loadDataset(name);
  return {
    caseId: dataset.caseId,
    events: datasetProcedureEvents(dataset),
  };
};

/** The state of a dataset's case on `asOf`, folded through the statechart. */
export const datasetStateAsOf = async (name: DatasetName, asOf: IsoDate) => {
  const { caseId, events } = await datasetEvents(name);
  const history = events.filter((e) => e.data.on <= asOf);
  return { caseId, history, state: fold(history) };
};

/** The state of a stored case on `asOf`, folded through the statechart. */
export const storedStateAsOf = (facts: readonly RecordedFact[], asOf: IsoDate) => {
  const history = facts.filter((f) => f.event.data.on <= asOf).map((f) => f.event);
  return { history, state: fold(history) };
};
