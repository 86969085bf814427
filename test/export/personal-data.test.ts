/**
 * The personal data rule of the exports, on a real SQLite store with its real key store: a
 * complainant's name and contact (and the pseudonym keying them) leave the machine only when asked
 * for, and never once `forget` has erased them — every file of every format is searched byte by byte.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IsoDate } from '../../machines/dates.ts';
import { createCaseService } from '../../src/cases/service.ts';
import { EXPORT_FORMATS, writeExport } from '../../src/export/export.ts';
import { forgetPerson } from '../../src/privacy/forget.ts';
import type { ProtectedEventStore } from '../../src/privacy/protected-store.ts';
import { openEventStore } from '../../src/store/open.ts';
import { caseOpened, complaintReceived } from '../support/builders.ts';

const NAME = 'Hortensia Pimblethwaite';
const CONTACT = '7 impasse des Glycines, 35000 Rennes';
const PERSON = 'person-5c1e'; // ids are opaque and generated (person-<hex>)
const TODAY = '2026-11-23' as IsoDate;

let dir: string;
let store: ProtectedEventStore;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cnil-export-personal-'));
  store = await openEventStore(`sqlite:${join(dir, 'cnil.db')}`);
  const service = createCaseService({ store, today: () => TODAY });
  const complaint = complaintReceived({ complainant: { name: NAME, contact: CONTACT, personId: PERSON } });
  const outcome = await service.recordAll('acme-sas', [
    { type: 'CaseOpened', data: caseOpened().data },
    { type: complaint.type, data: complaint.data },
  ]);
  expect(outcome.status).toBe('recorded');
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Every format exported to `label.*`; returns each file's bytes. */
const exportAll = async (label: string, includePersonalData: boolean) => {
  const files: Record<string, Buffer> = {};
  for (const format of EXPORT_FORMATS) {
    const out = join(dir, `${label}.${format}`);
    await writeExport(store, { format, out, includePersonalData });
    expect(existsSync(out)).toBe(true);
    files[format] = readFileSync(out);
  }
  return files;
};

const holding = (files: Record<string, Buffer>, text: string) =>
  Object.entries(files)
    .filter(([, bytes]) => bytes.includes(Buffer.from(text, 'utf8')))
    .map(([format]) => format);

describe('personal data in the exports', () => {
  it('are withheld by default, from every format', async () => {
    const files = await exportAll('default', false);
    for (const text of [NAME, CONTACT, PERSON]) expect(holding(files, text), text).toEqual([]);
  });

  it('are exported with --include-personal-data, in the formats that carry event data', async () => {
    const files = await exportAll('included', true);
    for (const text of [NAME, CONTACT, PERSON])
      expect(holding(files, text), text).toEqual(['ocel-json', 'ocel-sqlite', 'ocel-xml', 'xes']);
  });

  it('are never exported once forgotten, even when asked for, and the erasure shows', async () => {
    const service = createCaseService({ store, today: () => TODAY });
    const forgotten = await forgetPerson(store, service, {
      personId: PERSON,
      on: '2026-11-20' as IsoDate,
      ground: 'data-subject-request',
    });
    expect(forgotten.status).toBe('erased');
    const withheld = await exportAll('forgotten-default', false);
    for (const text of [NAME, CONTACT, PERSON]) expect(holding(withheld, text), text).toEqual([]);
    const files = await exportAll('forgotten', true);
    for (const text of [NAME, CONTACT, '[personal data erased]'])
      expect(holding(files, text), text).toEqual([]);
    const log = JSON.parse(files['ocel-json']?.toString('utf8') ?? '{}') as {
      objects: { type: string; attributes: { name: string; value: string; time: string }[] }[];
    };
    const complaint = log.objects.find((o) => o.type === 'complaint');
    expect(complaint?.attributes).toContainEqual({
      name: 'personalDataErased',
      value: 'true',
      time: '2026-11-20T00:00:00Z',
    });
  });
});
