/**
 * What `record` returns: the facts it appended, as a read of the case's stream gives them back —
 * personal data opened, the chain's link in the metadata, the store's revision and position — on
 * every store. One fact is returned without reading the stream again; several are read back.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetFacts, loadDataset } from '../../src/history/dataset.ts';
import { createCaseService } from '../../src/cases/service.ts';
import { openEventStore } from '../../src/store/open.ts';
import { createMemoryKeyStore, type KeyStore, type PersonStream } from '../../src/privacy/keys.ts';
import { protectPersonalData } from '../../src/privacy/protected-store.ts';
import { createInMemoryEventStore } from '../../src/store/memory.ts';
import type { EventStore } from '../../src/store/port.ts';
import { aroundAppends } from '../support/append-hook.ts';
import { withEsdbTestServer } from '../support/esdb/with-test-server.ts';

const TODAY = '2026-11-23';
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cnil-recorded-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Counts the stream reads of a store, through it and through the store as written beneath it. */
const countingReads = (store: EventStore): { store: EventStore; reads: () => number } => {
  let reads = 0;
  const counting = <S extends object>(inner: S): S =>
    new Proxy(inner, {
      get: (target, name, receiver) => {
        const value: unknown = Reflect.get(target, name, receiver);
        if (name === 'raw' && typeof value === 'object' && value !== null) return counting(value);
        if (name === 'readStream' && typeof value === 'function')
          return (...args: unknown[]) => {
            reads++;
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  return { store: counting(store), reads: () => reads };
};

const server = withEsdbTestServer();
const stores: [string, () => string][] = [
  ['memory', () => 'memory:'],
  ['SQLite', () => `sqlite:${join(dir, 'cnil.db')}`],
  ['EventStoreDB (test server)', () => server().connectionString],
];

describe.each(stores)('given the Clearview facts recorded one by one on a %s store', (name, connection) => {
  it('each outcome holds its fact as the stream reads it back, read once: none after the append', async () => {
    const keys = name === 'memory' ? 'memory:' : join(dir, `keys-${name.replace(/\W/g, '')}.db`);
    const opened = await openEventStore(connection(), { keys });
    const { store, reads } = countingReads(opened);
    try {
      const service = createCaseService({ store, today: () => TODAY });
      const clearview = await loadDataset('clearview');
      const returned = [];
      const readsPerRecord: number[] = [];
      for (const fact of datasetFacts(clearview)) {
        const before = reads();
        const outcome = await service.record(clearview.caseId, fact);
        if (outcome.status !== 'recorded') throw new Error(JSON.stringify(outcome));
        readsPerRecord.push(reads() - before);
        returned.push(...outcome.facts);
      }
      const { facts } = await service.load(clearview.caseId);
      expect(returned).toHaveLength(clearview.events.length);
      expect(returned).toEqual(facts);
      // The complainants' names, opened.
      expect(JSON.stringify(returned)).toContain('Complainant of saisine 20008376');
      // Each record reads the case once (with its snapshot, where the store keeps them), and never
      // the fact it appended.
      expect(readsPerRecord).toEqual(returned.map(() => 1));
    } finally {
      await opened.close();
    }
  });
});

describe('given several facts recorded at once', () => {
  it('the outcome holds them as read back, each at its own position', async () => {
    const opened = await openEventStore(`sqlite:${join(dir, 'several.db')}`, {
      keys: join(dir, 'several-keys.db'),
    });
    try {
      const service = createCaseService({ store: opened, today: () => TODAY });
      const clearview = await loadDataset('clearview');
      const outcome = await service.recordAll(clearview.caseId, datasetFacts(clearview).slice(0, 5));
      if (outcome.status !== 'recorded') throw new Error(JSON.stringify(outcome));
      expect(outcome.facts).toEqual((await service.load(clearview.caseId)).facts);
      expect(new Set(outcome.facts.map((f) => f.position)).size).toBe(5);
    } finally {
      await opened.close();
    }
  });
});

describe('given a store that keeps no person index of its own (memory, as EventStoreDB), the key store keeping it', () => {
  it("when the Clearview facts are recorded one by one, then each append's persons are indexed once, before it is made", async () => {
    const keys = createMemoryKeyStore();
    const indexed: PersonStream[][] = [];
    const counted: KeyStore = {
      ...keys,
      indexStreams: (entries) => {
        if (entries.length > 0) indexed.push([...entries]);
        keys.indexStreams?.(entries);
      },
    };
    const clearview = await loadDataset('clearview');
    const streamId = `case-${clearview.caseId}`;
    const indexedForCase = () => indexed.flat().filter((e) => e.streamId === streamId).length;
    // The persons indexed for the case at each append, and once each record is done.
    const indexedAtAppend: number[] = [];
    const indexedAfterRecord: number[] = [];
    const store = aroundAppends(protectPersonalData(createInMemoryEventStore(), counted), (append) => {
      indexedAtAppend.push(indexedForCase());
      return append();
    });
    const service = createCaseService({ store, today: () => TODAY });
    const perRecord: number[] = [];
    for (const fact of datasetFacts(clearview)) {
      const before = indexed.length;
      const outcome = await service.record(clearview.caseId, fact);
      if (outcome.status !== 'recorded') throw new Error(JSON.stringify(outcome));
      perRecord.push(indexed.length - before);
      indexedAfterRecord.push(indexedForCase());
    }
    const persons = new Set(indexed.flat().map((e) => e.personId));
    // The complainants: each indexed by the record that named them, and by no other.
    expect(persons.size).toBeGreaterThan(0);
    expect(indexed.flat()).toHaveLength(persons.size);
    expect(perRecord.filter((n) => n === 1)).toHaveLength(persons.size);
    expect(perRecord.every((n) => n <= 1)).toBe(true);
    // Indexed before the append that wrote them: at each append, the record's persons are in.
    expect(indexedAtAppend).toEqual(indexedAfterRecord);
  });
});
