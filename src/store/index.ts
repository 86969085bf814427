/**
 * The event-store port and the way the CLI opens a store from a connection string, with personal
 * data encrypted under a key store kept apart (src/privacy/). Adapters have entry points of their
 * own: `cnil-enforcement/store/sqlite`, `…/store/memory`, `…/store/eventstoredb` (the EventStoreDB
 * client is loaded only by the last one, or by `openEventStore` for an `esdb://` connection).
 *
 * @example
 * import { openEventStore } from 'cnil-enforcement/store';
 *
 * const store = await openEventStore('sqlite:./data/cnil.db');
 * for (const event of await store.readStream('case-clearview-ai')) console.log(event.type);
 * await store.close();
 */
export * from './port.ts';
export { displayStore, environmentFailure } from './failures.ts';
export {
  DEFAULT_STORE,
  defaultKeysFor,
  defaultReadModelsFor,
  openEventStore,
  type OpenEventStoreOptions,
  parseStoreConnection,
  type StoreLocation,
  UnsupportedStoreError,
} from './open.ts';
export type { ProtectedEventStore } from '../privacy/protected-store.ts';
