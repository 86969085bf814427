import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_STORE,
  openEventStore,
  parseStoreConnection,
  UnsupportedStoreError,
} from '../../src/store/open.ts';

describe('openEventStore', () => {
  it('defaults to a SQLite file under ./data', () => {
    expect(parseStoreConnection(DEFAULT_STORE)).toEqual({ kind: 'sqlite', path: './data/cnil.db' });
  });

  it('reads sqlite:<path>, a bare .db path and memory:', () => {
    expect(parseStoreConnection('sqlite:/var/lib/cnil/events.sqlite')).toEqual({
      kind: 'sqlite',
      path: '/var/lib/cnil/events.sqlite',
    });
    expect(parseStoreConnection('data/cnil.db')).toEqual({ kind: 'sqlite', path: 'data/cnil.db' });
    expect(parseStoreConnection('memory:')).toEqual({ kind: 'memory' });
  });

  it.each([
    'esdb://localhost:2113?tls=false',
    'esdb://host/events.db',
    'sqlite:',
    'memory',
    'postgres://x',
    '',
  ])('refuses %j with UnsupportedStoreError naming the accepted forms', (connection) => {
    const attempt = () => openEventStore(connection);

    expect(attempt).toThrow(UnsupportedStoreError);
    expect(attempt).toThrow(`unsupported event store "${connection}"`);
    expect(attempt).toThrow('expected sqlite:<path>, a path ending in .db, or memory:');
  });

  it('opens a working in-memory store', async () => {
    const store = openEventStore('memory:');
    await store.appendToStream('case-1', [{ id: 'e-1', type: 'Happened', data: {}, metadata: {} }], {
      expectedRevision: 'no-stream',
    });

    expect(await store.readStream('case-1')).toHaveLength(1);
    await store.close();
  });

  it('opens a working SQLite store at the given path', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'cnil-open-'));
    try {
      const store = openEventStore(`sqlite:${join(directory, 'events.db')}`);
      await store.appendToStream('case-1', [{ id: 'e-1', type: 'Happened', data: {}, metadata: {} }], {
        expectedRevision: 'no-stream',
      });
      await store.close();

      const reopened = openEventStore(join(directory, 'events.db'));
      expect(await reopened.readStream('case-1')).toHaveLength(1);
      await reopened.close();
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
