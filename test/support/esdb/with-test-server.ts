/**
 * The EventStoreDB test server for the enclosing `describe`: started before its tests, stopped
 * after them, and the suite fails if any call the server does not implement was made.
 *
 * @example
 * const server = withEsdbTestServer();
 * it('…', async () => { const store = createEventStoreDbEventStore(server().connectionString); });
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { type EsdbTestServer, startEsdbTestServer } from './launch.ts';

export const withEsdbTestServer = (
  options: Parameters<typeof startEsdbTestServer>[0] = {},
): (() => EsdbTestServer) => {
  let server: EsdbTestServer | undefined;
  beforeAll(async () => {
    server = await startEsdbTestServer(options);
  });
  afterAll(async () => {
    const unimplemented = server?.unimplemented ?? [];
    await server?.stop();
    expect(unimplemented, 'calls the EventStoreDB test server does not implement').toEqual([]);
  });
  return () => {
    if (server === undefined) throw new Error('the test server has not started');
    return server;
  };
};
