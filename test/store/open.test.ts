import { randomUUID } from 'node:crypto';
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
import { startEsdbTestServer } from '../support/esdb/launch.ts';

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
    'esdb://127.0.0.1:2113',
    'esdb://admin:changeit@localhost:2113?tls=false',
    'esdb://localhost:2111,localhost:2112,localhost:2113?tls=false',
    'esdb+discover://cluster.example.org:2113?tls=true&nodePreference=leader',
    'ESDB://localhost:2113/?tls=false',
  ])('reads %j as an EventStoreDB connection string, passed on unchanged', (connection) => {
    expect(parseStoreConnection(connection)).toEqual({ kind: 'eventstoredb', connectionString: connection });
  });

  it.each([
    'esdb://host/events.db',
    'esdb://',
    'esdb://localhost:2113,?tls=false',
    'esdb://local host:2113',
    'sqlite:',
    'memory',
    'postgres://x',
    '',
  ])('refuses %j with UnsupportedStoreError naming the accepted forms', async (connection) => {
    const attempt = openEventStore(connection);

    await expect(attempt).rejects.toThrow(UnsupportedStoreError);
    await expect(attempt).rejects.toThrow(`unsupported event store "${connection}"`);
    await expect(attempt).rejects.toThrow(
      'expected sqlite:<path>, a path ending in .db, memory:, or esdb://host:2113?tls=false',
    );
  });

  it('opens a working in-memory store', async () => {
    const store = await openEventStore('memory:');
    await store.appendToStream('case-1', [{ id: 'e-1', type: 'Happened', data: {}, metadata: {} }], {
      expectedRevision: 'no-stream',
    });

    expect(await store.readStream('case-1')).toHaveLength(1);
    await store.close();
  });

  it('opens a working EventStoreDB store (the protocol-level test server, a separate process)', async () => {
    const server = await startEsdbTestServer();
    try {
      const store = await openEventStore(server.connectionString);
      await store.appendToStream('case-1', [{ id: randomUUID(), type: 'Happened', data: {}, metadata: {} }], {
        expectedRevision: 'no-stream',
      });

      expect(await store.readStream('case-1')).toHaveLength(1);
      await store.close();
    } finally {
      await server.stop();
    }
    expect(server.unimplemented).toEqual([]);
  });

  it('opens a working SQLite store at the given path', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'cnil-open-'));
    try {
      const store = await openEventStore(`sqlite:${join(directory, 'events.db')}`);
      await store.appendToStream('case-1', [{ id: 'e-1', type: 'Happened', data: {}, metadata: {} }], {
        expectedRevision: 'no-stream',
      });
      await store.close();

      const reopened = await openEventStore(join(directory, 'events.db'));
      expect(await reopened.readStream('case-1')).toHaveLength(1);
      await reopened.close();
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
