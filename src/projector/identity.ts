/**
 * The identity of an event store, as the read-model database records it: the connection string
 * without what does not change which store it is (credentials, connection options), with SQLite
 * paths made absolute so that `./data/cnil.db` and `data/cnil.db` are one store.
 */
import { resolve } from 'node:path';
import { parseStoreConnection } from '../store/open.ts';

/**
 * @example storeIdentity('sqlite:./data/cnil.db') // 'sqlite:/home/me/project/data/cnil.db'
 * @example storeIdentity('esdb://admin:changeit@localhost:2113?tls=false') // 'esdb://localhost:2113'
 */
export const storeIdentity = (connection: string): string => {
  const location = parseStoreConnection(connection);
  if (location.kind === 'sqlite') return `sqlite:${resolve(location.path)}`;
  if (location.kind === 'memory') return 'memory:';
  // A server (EventStoreDB): scheme, hosts and path; no credentials, no connection options.
  return connection
    .replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/?#]*@/i, '$1')
    .replace(/[?#].*$/, '')
    .replace(/\/+$/, '');
};
