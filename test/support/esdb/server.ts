/**
 * A protocol-level EventStoreDB/KurrentDB test server: the real `@eventstore/db-client` talks to it
 * over gRPC (insecure HTTP/2), as to a single node started with `--insecure`. One in-memory log, lost
 * when the process ends. For tests and local experiments, never for data.
 *
 *   tsx test/support/esdb/server.ts --port 2113            # npm run esdb:test-server
 *   → esdb-test-server listening on 127.0.0.1:2113 (esdb://127.0.0.1:2113?tls=false)
 *
 * Options: `--port` (0 picks a free port), `--host` (default 127.0.0.1), `--no-batch-append` (do not
 * advertise BatchAppend: the client then uses Append), `--first-position <n>` (byte offset of the first
 * event, to test positions near 2^53), `--idempotent-appends` (check event ids as a real node does,
 * see ./log.ts; by default only the expected revision is checked), `--exit-with-stdin` (exit when stdin closes: the launcher's
 * guard against orphans). Each call it does not implement is refused with UNIMPLEMENTED and printed
 * as `esdb-test-server UNIMPLEMENTED <path> (<detail>)`. A line `counts` on its stdin prints what it
 * has served so far, `esdb-test-server counts {"streamReads":…,"appends":…}` (./counts.ts).
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { COUNTS_MARK, createCounter } from './counts.ts';
import { gossipService } from './gossip.ts';
import { createLog } from './log.ts';
import { serverFeaturesService } from './server-features.ts';
import { addServices, recordUnimplemented } from './strict.ts';
import { streamsService } from './streams.ts';

export const LISTENING_MARK = 'esdb-test-server listening on';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '2113' },
    host: { type: 'string', default: '127.0.0.1' },
    'no-batch-append': { type: 'boolean', default: false },
    'first-position': { type: 'string', default: '4096' },
    'exit-with-stdin': { type: 'boolean', default: false },
    'idempotent-appends': { type: 'boolean', default: false },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`--port: expected a TCP port (0 for any free port), got ${JSON.stringify(values.port)}`);
  process.exit(2);
}
if (!/^\d+$/.test(values['first-position'])) {
  console.error(`--first-position: expected a byte offset (an integer ≥ 0), got ${values['first-position']}`);
  process.exit(2);
}

const print = (line: string): void => void process.stdout.write(`${line}\n`);
const unimplemented = recordUnimplemented(print);
const log = createLog({
  firstPosition: BigInt(values['first-position']),
  idempotent: values['idempotent-appends'],
});
const counter = createCounter();
const server = new grpc.Server();
let bound = { host: values.host, port };

const advertised: string[] = [];
const paths = addServices(
  server,
  {
    'event_store.client.streams.Streams': streamsService(log, unimplemented, counter),
    'event_store.client.server_features.ServerFeatures': serverFeaturesService(advertised),
    'event_store.client.gossip.Gossip': gossipService(() => bound),
  },
  unimplemented,
);
advertised.push(
  ...paths.filter((path) => !(values['no-batch-append'] && path.endsWith('/Streams/BatchAppend'))),
);

server.bindAsync(`${values.host}:${port}`, grpc.ServerCredentials.createInsecure(), (error, actual) => {
  if (error) {
    console.error(`esdb-test-server: cannot listen on ${values.host}:${port}: ${error.message}`);
    process.exit(1);
  }
  bound = { host: values.host, port: actual };
  print(`${LISTENING_MARK} ${values.host}:${actual} (esdb://${values.host}:${actual}?tls=false)`);
});

const stop = (): void => {
  server.forceShutdown();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() === 'counts') print(`${COUNTS_MARK} ${JSON.stringify(counter)}`);
});
if (values['exit-with-stdin']) {
  process.stdin.on('end', stop);
  process.stdin.on('close', stop);
}
