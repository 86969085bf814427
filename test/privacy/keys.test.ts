/**
 * The keys of personal data are not the data: a lost key is an error, never an erasure; reading
 * never makes a key store; the key store is never the event store; the read models hold no
 * personal data and are readable by their owner only; person ids say nothing about the person.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { IsoDate } from '../../machines/dates.ts';
import { createCaseService, type FactInput } from '../../src/cases/service.ts';
import { forgetPerson } from '../../src/privacy/forget.ts';
import {
  createMemoryKeyStore,
  createSqliteKeyStore,
  KeysInEventStoreError,
  KeyStoreError,
} from '../../src/privacy/keys.ts';
import { MissingKeyError } from '../../src/privacy/protected-store.ts';
import { dumpReadModels, openReadModels } from '../../src/projector/read-models.ts';
import { catchUp } from '../../src/projector/runner.ts';
import { openEventStore } from '../../src/store/open.ts';
import { caseStreamId } from '../../src/store/port.ts';
import { caseOpened, complaintReceived, inspectionOpened } from '../support/builders.ts';
import { runCli } from '../support/cli.ts';

const NAME = 'Camille Martin';
const PERSON = 'person-7f3a';
const TODAY = '2026-11-23' as IsoDate;
const fact = (event: { type: string; data: unknown }): FactInput => ({ type: event.type, data: event.data });

let directory: string;
afterEach(() => {
  if (directory) rmSync(directory, { recursive: true, force: true });
});

const givenAComplaint = async () => {
  directory = mkdtempSync(join(tmpdir(), 'cnil-keys-'));
  const path = join(directory, 'cnil.db');
  const keysPath = join(directory, 'cnil.keys.db');
  const store = await openEventStore(`sqlite:${path}`);
  const service = createCaseService({ store, today: () => TODAY });
  const outcome = await service.recordAll('acme-sas', [
    fact(caseOpened()),
    fact(complaintReceived()),
    fact(inspectionOpened()),
  ]);
  expect(outcome.status).toBe('recorded');
  await store.close();
  return { path, keysPath };
};

describe('a lost key is not an erasure', () => {
  it('given a complaint, when the key store is deleted, then reading the case fails naming the case and the person, and creates no key store', async () => {
    const { path, keysPath } = await givenAComplaint();
    unlinkSync(keysPath);

    const store = await openEventStore(`sqlite:${path}`);
    const read = store.readStream(caseStreamId('acme-sas'));
    await expect(read).rejects.toBeInstanceOf(MissingKeyError);
    await expect(read).rejects.toThrow(/case acme-sas, revision 1: the key of person-7f3a is missing/);
    await store.close();
    expect(existsSync(keysPath)).toBe(false);
  });

  it('given one key row deleted from the key store, the case is an error too; after forget it reads as erased', async () => {
    const { path, keysPath } = await givenAComplaint();
    const keys = new Database(keysPath);
    keys.prepare('DELETE FROM person_keys WHERE person_id = ?').run(PERSON);
    keys.close();

    const store = await openEventStore(`sqlite:${path}`);
    const service = createCaseService({ store, today: () => TODAY });
    await expect(service.load('acme-sas')).rejects.toThrow(MissingKeyError);
    // The erasure recorded, the same missing key is what erasure means.
    const outcome = await forgetPerson(store, service, {
      personId: PERSON,
      on: TODAY,
      ground: 'data-subject-request',
    });
    expect(outcome.status).toBe('erased');
    expect((await service.load('acme-sas')).facts[1]?.event.data).toMatchObject({
      complainant: { name: '[personal data erased]' },
    });
    await store.close();
  });

  it('the command line exits 3 with one line naming the case and the person, and creates no key store', async () => {
    const { path, keysPath } = await givenAComplaint();
    unlinkSync(keysPath);
    const shown = await runCli(['case', 'show', 'acme-sas'], { CNIL_STORE: `sqlite:${path}` });
    expect(shown.code).toBe(3);
    expect(shown.stderr.trim().split('\n')).toHaveLength(1);
    expect(shown.stderr).toContain('case acme-sas');
    expect(shown.stderr).toContain(PERSON);
    expect(shown.stdout).not.toContain('[personal data erased]');
    expect(existsSync(keysPath)).toBe(false);

    const same = await runCli(['--keys', path, 'case', 'show', 'acme-sas'], { CNIL_STORE: `sqlite:${path}` });
    expect(same.code).toBe(2);
    expect(same.stderr).toContain('--keys');
  });
});

describe('the key store is a file of its own', () => {
  it('refuses --keys naming the event store, and leaves the event store as it was', async () => {
    const { path } = await givenAComplaint();
    const before = readFileSync(path);
    await expect(openEventStore(`sqlite:${path}`, { keys: path })).rejects.toBeInstanceOf(
      KeysInEventStoreError,
    );
    await expect(
      openEventStore(`sqlite:${path}`, {
        keys: `sqlite:${directory}/../${directory.split('/').pop()}/cnil.db`,
      }),
    ).rejects.toBeInstanceOf(KeysInEventStoreError);
    expect(readFileSync(path)).toEqual(before);
  });

  it('refuses as a key store any other SQLite file (a read-model file), on first use', async () => {
    const { path } = await givenAComplaint();
    const readModelsPath = join(directory, 'read-models.db');
    openReadModels(readModelsPath, { store: `sqlite:${path}` }).close();
    const store = await openEventStore(`sqlite:${path}`, { keys: readModelsPath });
    await expect(store.readStream(caseStreamId('acme-sas'))).rejects.toBeInstanceOf(KeyStoreError);
    await store.close();
    const tables = new Database(readModelsPath, { readonly: true })
      .prepare("SELECT name FROM sqlite_master WHERE name = 'person_keys'")
      .all();
    expect(tables).toEqual([]);
  });

  it('creates the key store readable by its owner only', async () => {
    const { keysPath } = await givenAComplaint();
    expect(statSync(keysPath).mode & 0o777).toBe(0o600);
  });
});

describe('read models', () => {
  it('hold no personal data, only the person id, in files readable by their owner only', async () => {
    const { path } = await givenAComplaint();
    const readModelsPath = join(directory, 'read-models.db');
    const store = await openEventStore(`sqlite:${path}`);
    const readModels = openReadModels(readModelsPath, { store: `sqlite:${path}` });
    await catchUp(store, readModels);
    expect(statSync(readModelsPath).mode & 0o777).toBe(0o600);
    expect(statSync(`${readModelsPath}-wal`).mode & 0o777).toBe(0o600);
    readModels.close();
    await store.close();
    const dump = JSON.stringify(dumpReadModels(readModelsPath));
    expect(dump).toContain(PERSON);
    expect(dump).not.toContain(NAME);
    expect(readFileSync(readModelsPath).includes(NAME)).toBe(false);
  });

  it('are built without any key: the store as written is enough', async () => {
    const { path, keysPath } = await givenAComplaint();
    unlinkSync(keysPath);
    const store = await openEventStore(`sqlite:${path}`);
    const readModels = openReadModels(join(directory, 'read-models.db'), { store: `sqlite:${path}` });
    expect((await catchUp(store.raw, readModels)).stored).toBe(3);
    readModels.close();
    await store.close();
    expect(existsSync(keysPath)).toBe(false);
  });
});

describe('person ids are opaque and generated', () => {
  it('refuses a person id made from a name, and records nothing', async () => {
    const { path } = await givenAComplaint();
    const store = await openEventStore(`sqlite:${path}`);
    const service = createCaseService({ store, today: () => TODAY });
    const outcome = await service.record(
      'acme-sas',
      fact(complaintReceived({ complaintId: 'PLT-2', complainant: { personId: 'Hortensia.Pimblethwaite' } })),
    );
    expect(outcome).toMatchObject({
      status: 'invalid',
      issues: [{ field: 'data.complainant.personId', message: expect.stringContaining('opaque') as string }],
    });
    expect((await service.load('acme-sas')).revision).toBe(2);
    expect(
      await forgetPerson(store, service, {
        personId: 'Hortensia.Pimblethwaite',
        on: TODAY,
        ground: 'data-subject-request',
      }),
    ).toMatchObject({
      status: 'invalid',
      issues: [{ field: 'personId', message: expect.stringContaining('never a name') as string }],
    });
    await store.close();
  });

  it('give many persons their keys in one call (a bulk import): the known ones as stored, the new ones made and kept', () => {
    directory = mkdtempSync(join(tmpdir(), 'cnil-keys-'));
    const path = join(directory, 'cnil.keys.db');
    for (const open of [() => createSqliteKeyStore(path), createMemoryKeyStore]) {
      const keys = open();
      const known = keys.keyFor('person-aa');
      const found = keys.keysFor?.(['person-aa', 'person-bb', 'person-bb']);
      expect([...(found?.keys() ?? [])]).toEqual(['person-aa', 'person-bb']);
      expect(found?.get('person-aa')).toEqual(known);
      expect(found?.get('person-bb')).toEqual(keys.keyFor('person-bb'));
      expect(found?.get('person-bb')?.key).not.toEqual(known.key);
      keys.close();
    }
    const reopened = createSqliteKeyStore(path);
    expect(reopened.has('person-bb')).toBe(true);
    reopened.close();
  });
});
