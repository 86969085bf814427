/**
 * Properties of the command line's input path, run in-process through the real `main()` of
 * src/cli/main.ts (commander, `--data` JSON parsing, the case service, the SQLite store with its
 * key store) without spawning a process per case: malformed `--data` exits 2 naming the field
 * and leaves the files byte-identical; any text as `--data` gets an exit code, never a crash;
 * and a lawful walk recorded with `case open` / `case record` shows, in `case show --json`, the
 * state of the live statechart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { IsoDate } from '../../machines/dates.ts';
import { stageOf } from '../../machines/decider.ts';
import { EVENT_TYPES } from '../../machines/events.ts';
import type { CaseView } from '../../projections/case-state.ts';
import { createCaseService } from '../../src/cases/service.ts';
import { main } from '../../src/cli/main.ts';
import { openEventStore } from '../../src/store/open.ts';
import {
  anyString,
  lawfulPrefixAndTarget,
  lawfulWalk,
  mutation,
  schemaData,
  TODAY,
} from '../support/arbitraries.ts';
import { check, counted, fileDigest, liveStatechart, runs } from './harness.ts';

const CASE = 'fuzz-case';
let dir: string;
let n = 0;
const previousToday = process.env.CNIL_TODAY;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cnil-properties-cli-'));
  process.env.CNIL_TODAY = TODAY;
});

afterAll(() => {
  if (previousToday === undefined) delete process.env.CNIL_TODAY;
  else process.env.CNIL_TODAY = previousToday;
  rmSync(dir, { recursive: true, force: true });
  console.log(`cli properties: ${[...counted].map(([k, v]) => `${k}: ${v} runs`).join('; ')}`);
});

/** Runs the CLI in this process: exit code and both streams (nothing reaches the terminal). */
const cli = async (args: readonly string[]) => {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout.push(String(chunk));
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr.push(String(chunk));
    return true;
  });
  try {
    const code = await main(args);
    return { code, stdout: stdout.join(''), stderr: stderr.join('') };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
};

/** A fresh SQLite file; its key store lies beside it. */
const freshFile = () => join(dir, `cli-${n++}.db`);
const digest = (file: string) => `${fileDigest(file)} ${fileDigest(file.replace(/\.db$/, '.keys.db'))}`;
const remove = (file: string) => {
  for (const f of [file, file.replace(/\.db$/, '.keys.db')])
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${f}${suffix}`, { force: true });
};

/** Records steps the way the CLI's store is opened (with its key store), before the CLI runs. */
const recordPrefix = async (file: string, steps: readonly { type: string; data: unknown }[]) => {
  const store = await openEventStore(`sqlite:${file}`);
  try {
    const outcome = await createCaseService({ store, today: () => TODAY }).recordAll(CASE, steps);
    expect(outcome.status).toBe('recorded');
  } finally {
    await store.close();
  }
};

/** `--data` as a user would type it: JSON text (undefined cannot be written, so it is not JSON). */
const asJson = (data: unknown): string => JSON.stringify(data) ?? 'undefined';

/** JSON.stringify recurses: nesting deeper than its stack is typed by hand (see the example below). */
const typeable = (data: unknown): boolean => {
  try {
    asJson(data);
    return true;
  } catch {
    return false;
  }
};

describe('the command line, in-process', () => {
  it('given a lawful case, when `case record` gets malformed --data, then it exits 2 naming the field and the store and key files are byte-identical', async () => {
    await check(
      'cli malformed record',
      fc.asyncProperty(
        lawfulPrefixAndTarget(CASE, 6).chain(({ steps, type, data }) =>
          mutation(type, data)
            // JSON cannot carry these; the text form is covered by the next property.
            .filter((m) => m.data !== undefined && m.kind !== 'oversizedArray' && typeable(m.data))
            .map((m) => ({ steps, type, m })),
        ),
        async ({ steps, type, m }) => {
          const file = freshFile();
          try {
            await recordPrefix(file, steps);
            const before = digest(file);
            const result = await cli([
              '--store',
              `sqlite:${file}`,
              'case',
              'record',
              CASE,
              type,
              '--data',
              asJson(m.data),
            ]);
            expect(result.code, result.stderr).toBe(2);
            expect(result.stderr).toContain(m.field);
            expect(digest(file)).toBe(before);
          } finally {
            remove(file);
          }
        },
      ),
      runs(15, 1_000),
    );
  });

  it('given no case, when `case open` gets malformed --data, then it exits 2 naming the field and writes nothing', async () => {
    await check(
      'cli malformed open',
      fc.asyncProperty(
        schemaData('CaseOpened', CASE, '2024-01-02' as IsoDate).chain((opened) =>
          // `case open` takes the case id from its argument: its data may omit data.caseId.
          mutation('CaseOpened', opened).filter(
            (m) =>
              m.data !== undefined &&
              m.data !== null &&
              m.field !== 'data.caseId' &&
              m.kind !== 'oversizedArray' &&
              typeable(m.data),
          ),
        ),
        async (m) => {
          const file = freshFile();
          try {
            const result = await cli([
              '--store',
              `sqlite:${file}`,
              'case',
              'open',
              CASE,
              '--data',
              asJson(m.data),
            ]);
            expect(result.code, result.stderr).toBe(2);
            expect(result.stderr).toContain(m.field);
            const store = await openEventStore(`sqlite:${file}`);
            try {
              expect(await store.readStream(`case-${CASE}`)).toEqual([]);
            } finally {
              await store.close();
            }
          } finally {
            remove(file);
          }
        },
      ),
      runs(15, 1_000),
    );
  });

  it('given a lawful case, when `case record` gets any text as --data and any event type, then it exits 0, 1 or 2 (never crashes) and writes only when it exits 0', async () => {
    const file = freshFile();
    await recordPrefix(file, [
      {
        type: 'CaseOpened',
        data: {
          on: '2024-01-02',
          caseId: CASE,
          controller: { name: 'Acme', country: 'FR', euEstablishment: true },
          origin: 'press',
        },
      },
    ]);
    try {
      await check(
        'cli any text',
        fc.asyncProperty(
          fc.oneof(fc.constantFrom(...EVENT_TYPES), fc.string({ maxLength: 30 })),
          fc.oneof(
            anyString(200),
            fc.json({ maxDepth: 3 }),
            fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v).slice(0, -1)),
            fc.constantFrom(
              '{"__proto__":{"polluted":true}}',
              '{"constructor":{"prototype":{"x":1}}}',
              '',
              '-1',
              '--json',
              '[]',
            ),
          ),
          async (type, text) => {
            const before = digest(file);
            const result = await cli([
              '--store',
              `sqlite:${file}`,
              'case',
              'record',
              CASE,
              type,
              '--data',
              text,
            ]);
            expect([0, 1, 2]).toContain(result.code);
            expect(({} as Record<string, unknown>).polluted).toBeUndefined();
            if (result.code !== 0) {
              expect(digest(file)).toBe(before);
              // Text on stderr, or (when the text itself reads as `--json`) one JSON error on stdout.
              expect(result.stderr + result.stdout).toMatch(
                result.code === 2
                  ? /--data|data|type|error:|"code": "invalid"/
                  : /refused: .*(rule|state)|"code": "refused"/,
              );
            }
          },
        ),
        runs(30, 2_000),
      );
    } finally {
      remove(file);
    }
  });

  it('given data nested 100 000 levels deep, when `case open` gets it, then it exits 2 naming the field', async () => {
    const file = freshFile();
    try {
      const depth = 100_000;
      const deep = `${'['.repeat(depth)}"x"${']'.repeat(depth)}`;
      const text = `{"on":"2024-01-02","controller":{"name":${deep},"country":"FR","euEstablishment":true},"origin":"press"}`;
      const result = await cli(['--store', `sqlite:${file}`, 'case', 'open', CASE, '--data', text]);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain('data.controller.name');
    } finally {
      remove(file);
    }
  });

  it('given a lawful walk, when each step is recorded with `case open` and `case record`, then `case show --json` shows the state of the live statechart', async () => {
    await check(
      'cli walk',
      fc.asyncProperty(lawfulWalk(CASE, 10), async (steps) => {
        const file = freshFile();
        const live = liveStatechart();
        const store = ['--store', `sqlite:${file}`];
        try {
          for (const step of steps) {
            const args =
              step.type === 'CaseOpened' ? ['case', 'open', CASE] : ['case', 'record', CASE, step.type];
            const result = await cli([...store, ...args, '--data', JSON.stringify(step.data), '--json']);
            expect([0, 1]).toContain(result.code);
            if (result.code === 0) {
              const view = JSON.parse(result.stdout) as CaseView;
              const event = view.lastEvent && { type: view.lastEvent.type };
              expect(event?.type).toBe(step.type);
            }
            // Whatever the CLI recorded is now in the store: feed the live statechart the same.
            if (result.code === 0) {
              const opened = await openEventStore(`sqlite:${file}`);
              try {
                const all = await opened.readStream(`case-${CASE}`);
                const last = all.at(-1);
                expect(last && live.offer({ type: last.type, data: last.data } as never)).toBe(true);
              } finally {
                await opened.close();
              }
            }
          }
          const shown = await cli([...store, 'case', 'show', CASE, '--json']);
          if (shown.code !== 0) return; // the case was never opened
          const view = JSON.parse(shown.stdout) as CaseView;
          const actual = live.snapshot();
          expect(view.state).toEqual(actual.value);
          expect(view.stage).toBe(stageOf(actual));
          expect(view.fines.imposed).toBe(actual.context.sanction?.fine ?? 0);
        } finally {
          live.stop();
          remove(file);
        }
      }),
      runs(4, 200),
    );
  });
});
