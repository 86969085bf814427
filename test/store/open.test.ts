import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_STORE,
  openEventStore,
  parseStoreConnection,
  UnsupportedStoreError,
} from '../../src/store/open.ts';
import { StoreUnavailableError } from '../../src/store/port.ts';
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

describe('a store that cannot be used is a StoreUnavailableError naming it, without credentials', () => {
  it('given no server on the port, opening an esdb:// store fails at once', async () => {
    const started = Date.now();
    const attempt = openEventStore('esdb://admin:s3cret@127.0.0.1:1?tls=false');
    await expect(attempt).rejects.toThrow(StoreUnavailableError);
    await expect(attempt).rejects.toThrow('esdb://127.0.0.1:1: the server cannot be reached');
    await expect(attempt).rejects.not.toThrow('s3cret');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('given a server that accepts the connection and never answers, opening fails after the timeout', async () => {
    const silent = createServer(() => undefined); // takes the TCP connection, says nothing
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const { port } = silent.address() as AddressInfo;
    try {
      const started = Date.now();
      const attempt = openEventStore(`esdb://127.0.0.1:${port}?tls=false`, { connectTimeoutMs: 1_500 });
      await expect(attempt).rejects.toThrow(
        `esdb://127.0.0.1:${port}: the server did not answer within 1.5 s`,
      );
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      silent.close();
    }
  });

  it('given a file that is not a database, opening fails naming the file', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'cnil-open-'));
    try {
      const path = join(directory, 'junk.db');
      await writeFile(path, 'junk '.repeat(1000));
      await expect(openEventStore(`sqlite:${path}`)).rejects.toThrow(
        new StoreUnavailableError(`sqlite:${path}`, 'the file is not a SQLite database'),
      );
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('given a missing file, opening to read creates nothing and says so', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'cnil-open-'));
    try {
      const path = join(directory, 'typo.db');
      await expect(openEventStore(`sqlite:${path}`, { mode: 'read' })).rejects.toThrow('no such store');
      expect(await readdir(directory)).toEqual([]);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
