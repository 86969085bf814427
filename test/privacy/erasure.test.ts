/**
 * The right to erasure by crypto-shredding (GDPR art. 17): a complainant's name and contact are
 * stored encrypted under a key of their own, kept outside the event log; `forget` records the
 * erasure and deletes the key. Real SQLite files are scanned byte by byte for the plaintext, and
 * the events EventStoreDB holds are read back with the plain client.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { EventStoreDBClient } from '@eventstore/db-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { IsoDate } from '../../machines/dates.ts';
import { ERASED } from '../../machines/personal-data.ts';
import { caseViewAsOf } from '../../projections/case-state.ts';
import { createCaseService, type FactInput } from '../../src/cases/service.ts';
import { forgetPerson } from '../../src/privacy/forget.ts';
import { createMemoryKeyStore } from '../../src/privacy/keys.ts';
import { PersonalDataError, protectPersonalData } from '../../src/privacy/protected-store.ts';
import { dumpReadModels, openReadModels } from '../../src/projector/read-models.ts';
import { catchUp } from '../../src/projector/runner.ts';
import { createInMemoryEventStore } from '../../src/store/memory.ts';
import { openEventStore } from '../../src/store/open.ts';
import { caseStreamId, EventDeserializationError, type JsonObject } from '../../src/store/port.ts';
import { caseOpened, complaintReceived, inspectionOpened, sanctionImposed } from '../support/builders.ts';
import { runCli } from '../support/cli.ts';
import { type EsdbTestServer, startEsdbTestServer } from '../support/esdb/launch.ts';

const NAME = 'Camille Martin';
const CONTACT = '12 rue des Lilas, 69003 Lyon';
const PERSON = 'person-7f3a';
const TODAY = '2026-11-23' as IsoDate;

const fact = (event: { type: string; data: unknown }): FactInput => ({ type: event.type, data: event.data });

/** Every byte of a SQLite database: the file and its write-ahead log. */
const bytesOf = (path: string): Buffer =>
  Buffer.concat([path, `${path}-wal`, `${path}-journal`].filter(existsSync).map((p) => readFileSync(p)));

const holds = (path: string, text: string | Buffer): boolean =>
  bytesOf(path).includes(typeof text === 'string' ? Buffer.from(text, 'utf8') : text);

let directory: string;
afterEach(() => {
  if (directory) rmSync(directory, { recursive: true, force: true });
});

const givenAComplaintOnSqlite = async () => {
  directory = mkdtempSync(join(tmpdir(), 'cnil-erasure-'));
  const path = join(directory, 'cnil.db');
  const store = await openEventStore(`sqlite:${path}`);
  const service = createCaseService({ store, today: () => TODAY });
  const outcome = await service.recordAll('acme-sas', [
    fact(caseOpened()),
    fact(complaintReceived()),
    fact(inspectionOpened()),
  ]);
  expect(outcome.status).toBe('recorded');
  return { path, keysPath: join(directory, 'cnil.keys.db'), store, service };
};

describe('personal data in the event log', () => {
  it('given a complaint recorded on SQLite, the file holds neither the name nor the contact, and the store reads them back', async () => {
    const { path, keysPath, store, service } = await givenAComplaintOnSqlite();
    const history = await service.load('acme-sas');
    await store.close();

    expect(history.facts[1]?.event).toMatchObject({
      type: 'ComplaintReceived',
      data: { complainant: { name: NAME, contact: CONTACT, personId: PERSON } },
    });
    expect(holds(path, NAME)).toBe(false);
    expect(holds(path, CONTACT)).toBe(false);
    expect(holds(path, PERSON)).toBe(true); // the pseudonym stays readable
    expect(holds(path, 'PLT-23-004512')).toBe(true); // and so does the rest of the fact
    expect(existsSync(keysPath)).toBe(true);
  });

  it('given a complainant without a personId, the case service names one, and their data are still encrypted', async () => {
    const store = protectPersonalData(createInMemoryEventStore(), createMemoryKeyStore());
    const service = createCaseService({ store, today: () => TODAY });
    await service.recordAll('acme-sas', [
      fact(caseOpened()),
      fact(complaintReceived({ complainant: { personId: undefined } })),
    ]);
    const [, raw] = await store.raw.readStream(caseStreamId('acme-sas'));
    const personId = (raw?.data as { complainant: { personId: string } }).complainant.personId;
    expect(personId).toMatch(/^person-[0-9a-f]{16}$/);
    expect(JSON.stringify(raw?.data)).not.toContain(NAME);
  });

  it('refuses to store personal data that name no person, and writes nothing', async () => {
    const store = protectPersonalData(createInMemoryEventStore(), createMemoryKeyStore());
    const { data } = complaintReceived({ complainant: { personId: undefined } });
    await expect(
      store.appendToStream(
        caseStreamId('acme-sas'),
        [
          {
            id: 'c0ffee00-0000-4000-8000-000000000001',
            type: 'ComplaintReceived',
            data: JSON.parse(JSON.stringify(data)) as JsonObject,
            metadata: {},
          },
        ],
        { expectedRevision: 'any' },
      ),
    ).rejects.toThrow(PersonalDataError);
    expect(await store.raw.readStream(caseStreamId('acme-sas'))).toEqual([]);
  });

  it('a ciphertext altered in the file, or moved to another event, is refused on read, not shown', async () => {
    const { path, store } = await givenAComplaintOnSqlite();
    await store.close();
    const db = new Database(path);
    const row = db.prepare("SELECT event_id, data FROM events WHERE type = 'ComplaintReceived'").get() as {
      event_id: string;
      data: string;
    };
    const data = JSON.parse(row.data) as { complainant: { name: { $encrypted: { data: string } } } };
    const flipped = Buffer.from(data.complainant.name.$encrypted.data, 'base64');
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    data.complainant.name.$encrypted.data = flipped.toString('base64');
    db.prepare('UPDATE events SET data = ? WHERE event_id = ?').run(JSON.stringify(data), row.event_id);
    db.close();

    const reopened = await openEventStore(`sqlite:${path}`);
    await expect(reopened.readStream(caseStreamId('acme-sas'))).rejects.toThrow(EventDeserializationError);
    await reopened.close();
  });
});

describe('forgetting a person', () => {
  it('given a complainant on two cases, when forgotten, then both record PersonalDataErased, their data read as erased, and no trace of the name or key remains in any file', async () => {
    const { path, keysPath, store, service } = await givenAComplaintOnSqlite();
    await service.recordAll('beta-sarl', [
      fact(caseOpened({ caseId: 'beta-sarl', controller: { name: 'Beta SARL' } })),
      fact(complaintReceived({ complaintId: 'PLT-23-004999' })),
    ]);
    const key = Buffer.from(store.keys.keyFor(PERSON).key); // a copy: forget wipes the original
    const readModelsPath = join(directory, 'read-models.db');
    const readModels = openReadModels(readModelsPath, { store: `sqlite:${path}` });
    await catchUp(store, readModels);
    // The read models withhold personal data from the start: they hold the person id only.
    expect(holds(readModelsPath, NAME)).toBe(false);
    expect(JSON.stringify(dumpReadModels(readModelsPath))).toContain(PERSON);

    const outcome = await forgetPerson(store, service, {
      personId: PERSON,
      on: TODAY,
      ground: 'data-subject-request',
    });
    await catchUp(store, readModels);

    expect(outcome).toMatchObject({
      status: 'erased',
      cases: [
        { caseId: 'acme-sas', erasure: 'recorded' },
        { caseId: 'beta-sarl', erasure: 'recorded' },
      ],
      keysDeleted: 1,
    });
    const acme = await service.load('acme-sas');
    expect(acme.facts.at(-1)?.event).toEqual({
      type: 'PersonalDataErased',
      data: { on: TODAY, personId: PERSON, ground: 'data-subject-request' },
    });
    expect(acme.facts[1]?.event.data).toEqual({
      on: '2023-01-20',
      complaintId: 'PLT-23-004512',
      complainant: { kind: 'individual', name: ERASED, personId: PERSON, contact: ERASED },
      grounds: ['15', '17'],
      reference: '23004512',
    });
    expect(caseViewAsOf('acme-sas', acme.facts, TODAY)).toMatchObject({ stage: 'inspection' });
    // The read models held the person id only, withheld the rest, and record the erasure.
    const dump = dumpReadModels(readModelsPath);
    expect(dump.timeline).toContainEqual(expect.objectContaining({ type: 'PersonalDataErased' }));
    expect(JSON.stringify(dump)).not.toContain(NAME);
    readModels.close();
    await store.close();

    for (const file of [path, keysPath, readModelsPath]) {
      expect(holds(file, NAME), file).toBe(false);
      expect(holds(file, CONTACT), file).toBe(false);
    }
    expect(holds(keysPath, key)).toBe(false);
  });

  it('when forgotten twice, the second time changes nothing; an unknown person is invalid input', async () => {
    const { store, service } = await givenAComplaintOnSqlite();
    const request = { personId: PERSON, on: TODAY, ground: 'retention-period-expired' } as const;
    await forgetPerson(store, service, request);
    const before = await store.raw.readStream(caseStreamId('acme-sas'));

    expect(await forgetPerson(store, service, request)).toEqual({
      status: 'erased',
      personId: PERSON,
      cases: [{ caseId: 'acme-sas', erasure: 'already-recorded' }],
      keysDeleted: 0,
    });
    expect(await store.raw.readStream(caseStreamId('acme-sas'))).toEqual(before);
    expect(await forgetPerson(store, service, { ...request, personId: 'person-unknown' })).toMatchObject({
      status: 'invalid',
      issues: [{ field: 'personId' }],
    });
    await store.close();
  });

  it('a case refusing the erasure keeps every key: a date before the last act is refused by chronology', async () => {
    const { store, service } = await givenAComplaintOnSqlite();
    const outcome = await forgetPerson(store, service, {
      personId: PERSON,
      on: '2023-01-01' as IsoDate,
      ground: 'data-subject-request',
    });
    expect(outcome).toMatchObject({ status: 'refused', caseId: 'acme-sas', refusal: { rule: 'chronology' } });
    expect(store.keys.has(PERSON)).toBe(true);
    expect((await service.load('acme-sas')).facts[1]?.event.data).toMatchObject({
      complainant: { name: NAME },
    });
    await store.close();
  });

  it('dates, amounts and articles stay readable after the erasure', async () => {
    const { store, service } = await givenAComplaintOnSqlite();
    await forgetPerson(store, service, { personId: PERSON, on: TODAY, ground: 'data-subject-request' });
    const facts = (await service.load('acme-sas')).facts;
    expect(facts.map((f) => [f.event.type, f.event.data.on])).toEqual([
      ['CaseOpened', '2023-01-16'],
      ['ComplaintReceived', '2023-01-20'],
      ['InspectionOpened', '2023-03-01'],
      ['PersonalDataErased', TODAY],
    ]);
    expect(facts[1]?.event.data).toMatchObject({ grounds: ['15', '17'] });
    expect(sanctionImposed().data.fine).toBe(150_000); // amounts are never personal fields
    await store.close();
  });
});

describe('the forget command', () => {
  it(
    'given the Clearview history, when a complainant is forgotten, then the case shows the placeholder and the rest of the record',
    { timeout: 240_000 },
    async () => {
      directory = mkdtempSync(join(tmpdir(), 'cnil-erasure-cli-'));
      const env = {
        CNIL_STORE: `sqlite:${join(directory, 'cnil.db')}`,
        CNIL_READ_MODELS: join(directory, 'read-models.db'),
      };
      expect((await runCli(['replay', 'clearview'], env)).code).toBe(0);
      expect((await runCli(['project', 'run'], env)).code).toBe(0); // builds the read models
      const history = JSON.parse(
        (await runCli(['--json', 'case', 'history', 'clearview-ai'], env)).stdout,
      ) as {
        data: { complainant?: { name: string; personId: string } };
      }[];
      const complainants = history.flatMap((f) => (f.data.complainant ? [f.data.complainant] : []));
      const first = complainants[0];
      expect(first?.name).toMatch(/Complainant of saisine/);

      const forgotten = await runCli(['--json', 'forget', String(first?.personId)], env);
      expect(forgotten.code, forgotten.stderr).toBe(0);
      expect(JSON.parse(forgotten.stdout)).toMatchObject({
        status: 'erased',
        cases: [{ caseId: 'clearview-ai', erasure: 'recorded' }],
        keysDeleted: 1,
        readModels: [env.CNIL_READ_MODELS],
      });
      const after = (await runCli(['--json', 'case', 'history', 'clearview-ai'], env)).stdout;
      expect(after).not.toContain(String(first?.name));
      expect(after).toContain(ERASED);
      expect(after).toContain('SAN-2022-019');
      expect(holds(join(directory, 'cnil.db'), String(first?.name))).toBe(false);
      expect(holds(env.CNIL_READ_MODELS, String(first?.name))).toBe(false);
      // The replay is still idempotent, and the erasure stands.
      expect((await runCli(['replay', 'clearview'], env)).code).toBe(0);
      expect((await runCli(['--json', 'case', 'history', 'clearview-ai'], env)).stdout).not.toContain(
        String(first?.name),
      );
    },
  );

  it('names the field of bad input and changes nothing', { timeout: 240_000 }, async () => {
    directory = mkdtempSync(join(tmpdir(), 'cnil-erasure-cli-'));
    const env = { CNIL_STORE: `sqlite:${join(directory, 'cnil.db')}` };
    expect((await runCli(['replay', 'clearview'], env)).code).toBe(0);
    copyFileSync(join(directory, 'cnil.db'), join(directory, 'before.db'));
    const unknown = await runCli(['forget', 'person-nobody'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('personId');
    const badName = await runCli(['forget', 'Jean Dupont'], env);
    expect(badName.code).toBe(2);
    expect(badName.stderr).toContain('personId');
    const badDate = await runCli(['forget', 'person-x', '--on', '2026-02-30'], env);
    expect(badDate.code).toBe(2);
    expect(badDate.stderr).toContain('--on');
    expect(readFileSync(join(directory, 'cnil.db'))).toEqual(readFileSync(join(directory, 'before.db')));
  });
});

describe('personal data sent to EventStoreDB (protocol-level test server)', () => {
  let server: EsdbTestServer;
  beforeAll(async () => {
    server = await startEsdbTestServer();
  });
  afterAll(async () => {
    await server.stop();
  });

  it('the server receives only ciphertexts, and after forget the store reads the placeholder', async () => {
    directory = mkdtempSync(join(tmpdir(), 'cnil-erasure-esdb-'));
    const store = await openEventStore(server.connectionString, { keys: join(directory, 'keys.db') });
    const service = createCaseService({ store, today: () => TODAY });
    expect(
      (await service.recordAll('acme-sas', [fact(caseOpened()), fact(complaintReceived())])).status,
    ).toBe('recorded');

    const client = EventStoreDBClient.connectionString(server.connectionString);
    const sent: string[] = [];
    for await (const resolved of client.readStream(caseStreamId('acme-sas')))
      if (resolved.event) sent.push(JSON.stringify(resolved.event.data));
    await client.dispose();
    expect(sent).toHaveLength(2);
    expect(sent.join('\n')).not.toContain(NAME);
    expect(sent.join('\n')).not.toContain(CONTACT);
    expect(sent[1]).toContain('$encrypted');

    await forgetPerson(store, service, { personId: PERSON, on: TODAY, ground: 'data-subject-request' });
    const facts = (await service.load('acme-sas')).facts;
    expect(facts[1]?.event.data).toMatchObject({ complainant: { name: ERASED, contact: ERASED } });
    expect(facts.at(-1)?.event.type).toBe('PersonalDataErased');
    await store.close();
  });
});
