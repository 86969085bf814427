/**
 * After `forget`, no file the project wrote holds the person's name or contact: the event store and
 * its write-ahead log, the key store, every read-model file (the default one and another one), an
 * inspector recording made before the erasure, and the report and recording made after it. Every
 * file of the directory is read byte by byte, as the commands left it.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { caseOpened, complaintReceived } from '../support/builders.ts';
import { runCli } from '../support/cli.ts';

const NAME = 'Hortensia Pimblethwaite';
const CONTACT = 'hortensia@example.org';

const directory = mkdtempSync(join(tmpdir(), 'cnil-no-trace-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const filesUnder = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });

it(
  'after forget, no file written by the project holds the name or the contact',
  { timeout: 300_000 },
  async () => {
    const env = {
      CNIL_STORE: `sqlite:${join(directory, 'data', 'cnil.db')}`,
      CNIL_READ_MODELS: join(directory, 'data', 'read-models.db'),
    };
    const cli = async (...args: string[]) => {
      const result = await runCli(args, env);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
      return result;
    };
    const { caseId: _caseId, ...opened } = caseOpened().data;
    await cli('case', 'open', 'acme-sas', '--data', JSON.stringify(opened));
    const complaint = complaintReceived({
      complainant: { name: NAME, contact: CONTACT, personId: undefined },
    });
    await cli('case', 'record', 'acme-sas', 'ComplaintReceived', '--data', JSON.stringify(complaint.data));
    const history = JSON.parse((await cli('--json', 'case', 'history', 'acme-sas')).stdout) as {
      data: { complainant?: { name: string; personId: string } };
    }[];
    const person = history.find((f) => f.data.complainant)?.data.complainant;
    expect(person?.name).toBe(NAME); // readable before the erasure, for whoever holds the key
    await cli('project', 'run'); // the read models named by CNIL_READ_MODELS
    await cli('project', 'run', '--read-models', join(directory, 'elsewhere', 'read-models.db'));
    await cli('inspect', 'acme-sas', '--record', join(directory, 'before.jsonl'), '--no-serve');

    // Both read-model files follow the store: forget reaches each of them.
    const forgotten = JSON.parse((await cli('--json', 'forget', String(person?.personId))).stdout) as {
      readModels: string[];
    };
    expect(forgotten.readModels.sort()).toEqual([
      join(directory, 'data', 'read-models.db'),
      join(directory, 'elsewhere', 'read-models.db'),
    ]);
    await cli('report', 'acme-sas', '--out', join(directory, 'after.html'));
    await cli('inspect', 'acme-sas', '--record', join(directory, 'after.jsonl'), '--no-serve');
    await cli('ledger', '--read-models', join(directory, 'elsewhere', 'read-models.db'));

    const files = filesUnder(directory);
    expect(files.map((f) => f.slice(directory.length + 1)).sort()).toEqual(
      expect.arrayContaining([
        'after.html',
        'after.jsonl',
        'before.jsonl',
        'data/cnil.db',
        'data/cnil.keys.db',
        'data/read-models.db',
        'elsewhere/read-models.db',
      ]),
    );
    for (const file of files) {
      const bytes = readFileSync(file);
      for (const text of [NAME, CONTACT, 'Pimblethwaite']) {
        expect(bytes.includes(Buffer.from(text, 'utf8')), `${file} holds ${text}`).toBe(false);
        expect(bytes.includes(Buffer.from(text, 'utf16le')), `${file} holds ${text} (UTF-16)`).toBe(false);
      }
    }
  },
);
