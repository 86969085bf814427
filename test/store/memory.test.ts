import { createInMemoryEventStore } from '../../src/store/memory.ts';
import { eventStoreContract } from './contract.ts';

eventStoreContract('in-memory', async () => ({ store: createInMemoryEventStore() }));
