/**
 * Strictness: every method of every service the client package ships is registered. What the test
 * server does not implement answers UNIMPLEMENTED *and* is recorded, so a test run fails on it
 * (test/support/esdb/launch.ts collects the records) instead of passing by accident.
 */
import * as grpc from '@grpc/grpc-js';
import { clientServices } from './generated.ts';

/** The implementation of one service: method name (as in the definition) → handler. */
export type Handlers = Record<string, grpc.UntypedHandleCall>;

/** Records a call the server does not implement and returns the status to fail it with. */
export type Unimplemented = (path: string, detail?: string) => Partial<grpc.StatusObject>;

/** The line the server prints for each unimplemented call (the launcher parses it). */
export const UNIMPLEMENTED_MARK = 'esdb-test-server UNIMPLEMENTED';

export const recordUnimplemented =
  (print: (line: string) => void): Unimplemented =>
  (path, detail) => {
    const what = detail === undefined ? path : `${path} (${detail})`;
    print(`${UNIMPLEMENTED_MARK} ${what}`);
    return { code: grpc.status.UNIMPLEMENTED, details: `the test server does not implement ${what}` };
  };

const refusing = (definition: grpc.MethodDefinition<unknown, unknown>, unimplemented: Unimplemented) => {
  if (!definition.responseStream) {
    return (_call: unknown, callback: grpc.sendUnaryData<unknown>) =>
      callback(unimplemented(definition.path));
  }
  return (call: NodeJS.EventEmitter) => call.emit('error', unimplemented(definition.path));
};

/**
 * Adds every service of the client package to `server`: the methods in `implemented` (keyed by
 * service path, e.g. `event_store.client.streams.Streams`) as given, every other one refusing.
 * @returns the paths of the methods a client can call (what ServerFeatures advertises).
 */
export const addServices = (
  server: grpc.Server,
  implemented: Readonly<Record<string, Handlers>>,
  unimplemented: Unimplemented,
): string[] => {
  const paths: string[] = [];
  for (const module of clientServices()) {
    for (const [name, value] of Object.entries(module)) {
      if (!name.endsWith('Service')) continue;
      const service = value as grpc.ServiceDefinition;
      const handlers: Handlers = {};
      for (const [method, definition] of Object.entries(service)) {
        const servicePath = definition.path.split('/')[1] ?? '';
        handlers[method] =
          implemented[servicePath]?.[method] ??
          (refusing(definition, unimplemented) as grpc.UntypedHandleCall);
        paths.push(definition.path);
      }
      server.addService(service, handlers);
    }
  }
  return paths;
};
