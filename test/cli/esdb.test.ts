/**
 * The command line on EventStoreDB, as a user runs it: the CLI is a real process with
 * `--store esdb://127.0.0.1:<port>?tls=false`, the server the protocol-level test server (another
 * real process, test/support/esdb). The Clearview replay must give the same view as on SQLite, and a
 * second replay must append nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventStoreDbEventStore } from '../../src/store/eventstoredb.ts';
import type { RecordedEvent } from '../../src/store/port.ts';
import { countsSince } from '../support/esdb/counts.ts';
import { type EsdbTestServer, startEsdbTestServer } from '../support/esdb/launch.ts';
import { type CliResult, runCli } from '../support/cli.ts';

let server: EsdbTestServer;
let dir: string;

/** The CLI on `store`, its key store of personal data in the test's directory. */
const cli = (store: string, ...args: string[]): Promise<CliResult> =>
  runCli(['--store', store, '--keys', join(dir, 'keys.db'), ...args]);

beforeAll(async () => {
  server = await startEsdbTestServer();
  dir = mkdtempSync(join(tmpdir(), 'cnil-cli-esdb-'));
});
afterAll(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
  expect(server.unimplemented, 'calls the EventStoreDB test server does not implement').toEqual([]);
});

/** Every event the server holds, read through the adapter. */
const storedEvents = async (): Promise<RecordedEvent[]> => {
  const store = createEventStoreDbEventStore(server.connectionString);
  try {
    const events: RecordedEvent[] = [];
    for await (const event of store.readAll()) events.push(event);
    return events;
  } finally {
    await store.close();
  }
};

describe('replay clearview --store esdb://…', () => {
  it('shows the same view as on SQLite, and appends nothing the second time', async () => {
    const esdb = server.connectionString;

    const first = await cli(esdb, 'replay', 'clearview', '--json');
    expect(first.code, first.stderr).toBe(0);
    const appended = /(\d+) fact\(s\) appended, 0 already stored/.exec(first.stderr)?.[1];
    expect(appended, first.stderr).toBeDefined();
    const afterFirst = await storedEvents();
    expect(afterFirst).toHaveLength(Number(appended));
    expect(new Set(afterFirst.map((event) => event.streamId))).toEqual(new Set(['case-clearview-ai']));

    const onSqlite = await cli(`sqlite:${join(dir, 'cnil.db')}`, 'replay', 'clearview', '--json');
    expect(onSqlite.code, onSqlite.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual(JSON.parse(onSqlite.stdout));

    const second = await cli(esdb, 'replay', 'clearview', '--json');
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain(`0 fact(s) appended, ${appended} already stored`);
    expect(JSON.parse(second.stdout)).toEqual(JSON.parse(first.stdout));
    expect(await storedEvents()).toEqual(afterFirst);
  }, 60_000);
});

describe('forget <personId> --store esdb://…', () => {
  it('erases a Clearview complainant; the first forget reads the log once, the next reads only the person’s case (and the one event that checks the server is there)', async () => {
    const esdb = server.connectionString;
    expect((await cli(esdb, 'replay', 'clearview')).code).toBe(0);
    const persons = [
      ...new Set(
        (await storedEvents()).flatMap((event) => {
          const complainant = event.type === 'ComplaintReceived' ? event.data.complainant : undefined;
          return complainant && typeof complainant === 'object' && 'personId' in complainant
            ? [String(complainant.personId)]
            : [];
        }),
      ),
    ];
    expect(persons.length).toBeGreaterThanOrEqual(2);
    const [first, second] = persons;

    const before = await server.counts();
    const erased = await cli(esdb, 'forget', String(first), '--on', '2026-06-30', '--json');
    expect(erased.code, erased.stderr).toBe(0);
    expect(JSON.parse(erased.stdout)).toMatchObject({
      status: 'erased',
      cases: [{ caseId: 'clearview-ai', erasure: 'recorded' }],
    });
    const between = await server.counts();
    // Opening the store reads one event of $all (is the server there?); the first forget also
    // reads the whole log, which completes the key store's person index.
    expect(countsSince(before, between).allReads).toBe(2);

    const again = await cli(esdb, 'forget', String(second), '--on', '2026-06-30', '--json');
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ status: 'erased', cases: [{ caseId: 'clearview-ai' }] });
    expect(countsSince(between, await server.counts()).allReads).toBe(1);
  }, 60_000);
});
