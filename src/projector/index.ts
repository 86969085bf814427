/**
 * The projection runner and its read models, for a program: open a read-model file that follows
 * a store, catch it up (or follow the store live, or rebuild it from zero), and ask what
 * `deadlines`, `ledger`, `register` and `case list` answer — on any date. What the runner promises:
 * docs/read-models.md.
 *
 * @example
 * import { isoDate } from 'cnil-enforcement';
 * import { openEventStore } from 'cnil-enforcement/store';
 * import { catchUp, ledgerAsOf, openReadModels, storeIdentity } from 'cnil-enforcement/projector';
 *
 * const connection = 'sqlite:./data/cnil.db';
 * const store = await openEventStore(connection, { mode: 'read' });
 * const readModels = openReadModels('./data/cnil.read-models.db', { store: storeIdentity(connection) });
 * store.keys.registerReadModels(readModels.path); // so that `forget` reaches the file
 * await catchUp(store.raw, readModels); // the store as written: the read models withhold personal data
 * console.log(ledgerAsOf(readModels, isoDate('2023-04-13')).totals);
 * readModels.close();
 * await store.close();
 */
export * from './runner.ts';
export {
  type ApplyResult,
  CASE_STREAM_PREFIX,
  type DeadlineAt,
  dumpReadModels,
  inspectReadModels,
  MissingFoldsError,
  NotReadModelsError,
  openReadModels,
  READ_MODELS,
  type ReadModelDefinition,
  ReadModelDivergenceError,
  type ReadModels,
  type ReadModelsDump,
  type ReadModelsFileState,
  type ReadModelsOptions,
  ReadModelStoreMismatchError,
  UnsupportedReadModelSchemaError,
} from './read-models.ts';
export { PARALLEL_REBUILD_THRESHOLD, rebuildReadModels, type RebuildOptions } from './parallel.ts';
export { storeIdentity } from './identity.ts';
export {
  deadlinesAsOf,
  type DeadlinesReport,
  ledgerAsOf,
  registerAsOf,
  type RegisterReport,
} from './queries.ts';
export {
  type CaseIndex,
  type CaseIndexRow,
  type CasePage,
  type CaseSummary,
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  openCaseIndex,
  type PageQuery,
} from './case-index.ts';
