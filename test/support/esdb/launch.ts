/**
 * Starts the EventStoreDB test server (./server.ts) as a separate process, as a test would start a
 * real node: `tsx test/support/esdb/server.ts --port 0`, then waits for the port it prints.
 *
 * @example
 * const server = await startEsdbTestServer();
 * const store = createEventStoreDbEventStore(server.connectionString);
 * // … afterAll: expect(server.unimplemented).toEqual([]); await server.stop();
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { COUNTS_MARK, type ServedCounts } from './counts.ts';

const SERVER = fileURLToPath(new URL('./server.ts', import.meta.url));
const LISTENING = /esdb-test-server listening on ([^\s:]+):(\d+)/;
const UNIMPLEMENTED = /esdb-test-server UNIMPLEMENTED (.+)$/;

export interface EsdbTestServer {
  readonly port: number;
  /** `esdb://127.0.0.1:<port>?tls=false` */
  readonly connectionString: string;
  /**
   * Every call the server refused because it does not implement it (a test run asserts none). The
   * server prints each one before answering, but its output may arrive after the answer: read this
   * after `stop()`, or wait for it.
   */
  readonly unimplemented: readonly string[];
  /** Everything the server wrote to stderr (for failure messages). */
  readonly stderr: () => string;
  /**
   * What the server has served since it started (reads, subscriptions, appends): every request
   * answered before this call is counted.
   */
  counts(): Promise<ServedCounts>;
  stop(): Promise<void>;
}

export interface EsdbTestServerOptions {
  /** Do not advertise BatchAppend: the client then appends with the Append call. */
  readonly batchAppend?: boolean;
  /** Byte offset of the first event (default 4096). */
  readonly firstPosition?: bigint;
  /** Check event ids on append as a real node does (./log.ts); default: only the expected revision. */
  readonly idempotentAppends?: boolean;
  /** How long to wait for the server to listen (default 20 s: tsx compiles on the first start). */
  readonly timeoutMs?: number;
}

/** Stops the server and waits until its output has been read to the end (`close`, not `exit`). */
const stopped = (child: ChildProcess, closed: Promise<void>): Promise<void> => {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  return closed;
};

export const startEsdbTestServer = async ({
  batchAppend = true,
  firstPosition,
  idempotentAppends = false,
  timeoutMs = 20_000,
}: EsdbTestServerOptions = {}): Promise<EsdbTestServer> => {
  const args = ['--import', 'tsx', SERVER, '--port', '0', '--exit-with-stdin'];
  if (!batchAppend) args.push('--no-batch-append');
  if (firstPosition !== undefined) args.push('--first-position', firstPosition.toString());
  if (idempotentAppends) args.push('--idempotent-appends');
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const unimplemented: string[] = [];
  const waitingForCounts: ((counts: ServedCounts) => void)[] = [];
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });

  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`the EventStoreDB test server did not listen within ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the EventStoreDB test server exited (${code}) before listening: ${stderr}`));
    });
    if (child.stdout === null) throw new Error('the test server has no stdout');
    createInterface({ input: child.stdout }).on('line', (line) => {
      const listening = LISTENING.exec(line);
      if (listening) {
        clearTimeout(timer);
        resolve(Number(listening[2]));
      }
      const refused = UNIMPLEMENTED.exec(line);
      if (refused?.[1] !== undefined) unimplemented.push(refused[1]);
      if (line.startsWith(`${COUNTS_MARK} `))
        waitingForCounts.shift()?.(JSON.parse(line.slice(COUNTS_MARK.length + 1)) as ServedCounts);
    });
  });

  return {
    port,
    connectionString: `esdb://127.0.0.1:${port}?tls=false`,
    unimplemented,
    stderr: () => stderr,
    counts: () =>
      new Promise<ServedCounts>((resolve, reject) => {
        if (child.stdin === null || child.exitCode !== null) {
          reject(new Error('the EventStoreDB test server is not running'));
          return;
        }
        waitingForCounts.push(resolve);
        child.stdin.write('counts\n');
      }),
    stop: () => stopped(child, closed),
  };
};
