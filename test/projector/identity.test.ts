/** The identity of a store, as a read-model file records it. */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { storeIdentity } from '../../src/projector/identity.ts';

describe('storeIdentity', () => {
  it('makes SQLite paths absolute, so two spellings of one file are one store', () => {
    expect(storeIdentity('sqlite:./data/cnil.db')).toBe(`sqlite:${resolve('data/cnil.db')}`);
    expect(storeIdentity('data/cnil.db')).toBe(storeIdentity('sqlite:./data/cnil.db'));
  });

  it('keeps an EventStoreDB server without its credentials and connection options', () => {
    expect(storeIdentity('esdb://admin:changeit@localhost:2113?tls=false')).toBe('esdb://localhost:2113');
    expect(storeIdentity('esdb://a:2113,b:2113,c:2113/?tls=false')).toBe('esdb://a:2113,b:2113,c:2113');
  });

  it('names the in-memory store', () => {
    expect(storeIdentity('memory:')).toBe('memory:');
  });
});
