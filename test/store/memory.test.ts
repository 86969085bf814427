import { createInMemoryEventStore } from '../../src/store/memory.ts';
import { eventStoreContract } from './contract.ts';
import { snapshotStoreContract } from './snapshot-contract.ts';

eventStoreContract('in-memory', async () => ({ store: createInMemoryEventStore() }));
snapshotStoreContract('in-memory', async () => ({ store: createInMemoryEventStore() }));
