/**
 * cnil-enforcement — the CNIL enforcement procedure as an event-sourced XState statechart.
 *
 * This entry point is the pure core: the statechart (the law of the procedure), the events and
 * their schemas, the decider that folds facts through the statechart, the legal rules, the French
 * legal calendar, and the sourced datasets (Clearview AI). Stores, the case service, projections
 * and the simulation have entry points of their own (`cnil-enforcement/store/sqlite`, …).
 *
 * @example
 * import { datasetProcedureEvents, fold, loadDataset, stageOf } from 'cnil-enforcement';
 *
 * const clearview = await loadDataset('clearview');
 * const state = fold(datasetProcedureEvents(clearview));
 * stageOf(state); // 'penaltyLiquidation'
 */
export {
  procedureMachine,
  type ProcedureMachine,
  STAGES,
  type Stage,
  type LegalMeta,
} from '../machines/procedure.ts';
export * from '../machines/events.ts';
export { CATALOGUE, type EventDescription } from '../machines/catalogue.ts';
export { EVENT_EXAMPLES } from '../machines/examples.ts';
export { eventDataJsonSchema, eventFields, type EventField } from '../machines/json-schema.ts';
export {
  acceptedEventTypes,
  decide,
  describeState,
  evolve,
  explainRefusal,
  fold,
  initialState,
  ProcedureViolationError,
  stageOf,
  type Decision,
  type ProcedureState,
  type Refusal,
  type RuleViolated,
  type TransitionNotAllowed,
} from '../machines/decider.ts';
export { fineCap, LAW, RULES, violations, type Rule, type RuleId } from '../machines/rules.ts';
export {
  CURRENT_VERSION,
  upcast,
  UPCASTERS,
  UnknownSchemaVersionError,
  UpcastError,
} from '../machines/versions.ts';
export * from '../machines/dates.ts';
export * from '../machines/calendar.ts';
export { ERASED, PERSONAL_FIELDS, erasePersonalData, personalFieldsOf } from '../machines/personal-data.ts';
export {
  DATASETS,
  Dataset,
  type DatasetEvent,
  type DatasetName,
  DatasetError,
  datasetFacts,
  datasetProcedureEvents,
  loadDataset,
  replayDataset,
} from './history/dataset.ts';
