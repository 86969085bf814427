/**
 * Properties of the case service over malformed input: whatever the input — a wrong type, a
 * missing field, an impossible date, a bad amount, bad text (lone surrogates, control
 * characters, oversized), an oversized array, deep nesting, an unknown or prototype-polluting
 * key, an unknown event type, a bad case id — the service returns a refusal naming the field,
 * never throws, and writes nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { CaseId, EVENT_TYPES, Source } from '../../machines/events.ts';
import { type CaseService, createCaseService, type RecordOutcome } from '../../src/cases/service.ts';
import { createInMemoryEventStore } from '../../src/store/memory.ts';
import type { EventStore } from '../../src/store/port.ts';
import { createSqliteEventStore } from '../../src/store/sqlite.ts';
import {
  anyString,
  badText,
  lawfulPrefixAndTarget,
  type Mutation,
  mutation,
  TODAY,
  text,
  unknownEventType,
} from '../support/arbitraries.ts';
import { check, contentsOf, counted, fileDigest, refusalProblem, runs, watched } from './harness.ts';

const CASE = 'fuzz-case';

const kinds = new Map<string, number>();
afterAll(() => {
  console.log(
    `malformed-input properties: ${[...counted].map(([k, v]) => `${k}: ${v} runs`).join('; ')}; mutations ` +
      JSON.stringify(Object.fromEntries([...kinds].sort((a, b) => b[1] - a[1]))),
  );
});

/** A malformed fact on a lawful case, with the field its refusal must name. */
const malformedFact = lawfulPrefixAndTarget(CASE, 8).chain(({ steps, type, data }) =>
  mutation(type, data).map((m) => ({ steps, type, mutation: m })),
);

const namesField = (outcome: RecordOutcome, field: string): boolean =>
  outcome.status === 'invalid' &&
  outcome.issues.some((i) => i.field === field || i.field.startsWith(`${field}.`));

const describeOutcome = (outcome: RecordOutcome): string =>
  outcome.status === 'invalid'
    ? `invalid: ${outcome.issues
        .map((i) => `${i.field}: ${i.message}`)
        .join('; ')
        .slice(0, 400)}`
    : outcome.status === 'refused'
      ? `refused: ${outcome.refusal.message}`
      : `recorded at revision ${outcome.revision}`;

/**
 * Records the lawful prefix, then the malformed fact; checks the refusal names the field and
 * that the store's contents (as `snapshot` reads them) did not change.
 */
const refusesMalformed = async (
  store: EventStore,
  snapshot: () => Promise<string>,
  steps: readonly { type: string; data: unknown }[],
  type: string,
  m: Mutation,
) => {
  kinds.set(m.kind.split(':')[0] as string, (kinds.get(m.kind.split(':')[0] as string) ?? 0) + 1);
  const w = watched(store);
  const service: CaseService = createCaseService({ store: w, today: () => TODAY });
  const prefix = await service.recordAll(CASE, steps);
  expect(prefix.status, `lawful prefix ${describeOutcome(prefix)}`).toBe('recorded');
  const before = await snapshot();
  const appends = w.appends();
  const outcome = await service.record(CASE, { type, data: m.data });
  expect(namesField(outcome, m.field), `${m.kind} at ${m.field}: ${describeOutcome(outcome)}`).toBe(true);
  expect(refusalProblem(outcome, '')).toBeNull();
  expect(w.appends()).toBe(appends);
  expect(await snapshot()).toBe(before);
};

describe('malformed facts', () => {
  it('given a lawful case on the in-memory store, when a malformed fact is recorded, then it is refused as invalid naming the field, and nothing is written', async () => {
    await check(
      'malformed (memory)',
      fc.asyncProperty(malformedFact, async ({ steps, type, mutation: m }) => {
        const store = createInMemoryEventStore();
        try {
          await refusesMalformed(store, () => contentsOf(store), steps, type, m);
        } finally {
          await store.close();
        }
      }),
      runs(250, 30_000),
    );
  });

  it('given a lawful case on a SQLite file, when a malformed fact is recorded, then it is refused naming the field and the file stays byte-identical', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cnil-properties-'));
    let n = 0;
    try {
      await check(
        'malformed (sqlite)',
        fc.asyncProperty(malformedFact, async ({ steps, type, mutation: m }) => {
          const file = join(dir, `malformed-${n++}.db`);
          const store = createSqliteEventStore(file);
          try {
            await refusesMalformed(
              store,
              async () => `${fileDigest(file)} ${await contentsOf(store)}`,
              steps,
              type,
              m,
            );
          } finally {
            await store.close();
            for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
          }
        }),
        runs(10, 1_000),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('given any event type outside the catalogue, when it is recorded, then it is refused naming the field type and listing the known types', async () => {
    await check(
      'unknown type',
      fc.asyncProperty(unknownEventType(), fc.jsonValue({ maxDepth: 2 }), async (type, data) => {
        const store = createInMemoryEventStore();
        const service = createCaseService({ store, today: () => TODAY });
        const outcome = await service.record(CASE, { type: type as string, data });
        expect(outcome.status).toBe('invalid');
        if (outcome.status !== 'invalid') return;
        expect(outcome.issues.map((i) => i.field)).toEqual(['type']);
        expect(EVENT_TYPES.every((t) => outcome.issues[0]?.message.includes(t))).toBe(true);
        expect(await contentsOf(store)).toBe('[]');
      }),
      runs(100, 15_000),
    );
  });

  it('given any JSON value as the data of any event type, when it is recorded on a new case, then the service answers with an outcome (never throws) and writes only what it recorded', async () => {
    await check(
      'any data',
      fc.asyncProperty(
        fc.constantFrom(...EVENT_TYPES),
        fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.anything({ maxDepth: 3, withNullPrototype: true })),
        async (type, data) => {
          const store = createInMemoryEventStore();
          const service = createCaseService({ store, today: () => TODAY });
          const outcome = await service.record(CASE, { type, data });
          const stored = JSON.parse(await contentsOf(store)) as unknown[];
          if (outcome.status === 'recorded') expect(stored).toHaveLength(outcome.facts.length);
          else {
            expect(refusalProblem(outcome, 'unopened')).toBeNull();
            expect(stored).toEqual([]);
          }
        },
      ),
      runs(200, 40_000),
    );
  });

  it('given a lawful fact with a malformed actor, source, correlation or causation id, when it is recorded, then it is refused naming the field and nothing is written', async () => {
    await check(
      'malformed envelope',
      fc.asyncProperty(
        lawfulPrefixAndTarget(CASE, 4),
        fc.oneof(
          fc
            .record({
              actor: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('King', '', '__proto__')),
            })
            .map((e) => ({ envelope: e, field: 'actor' })),
          fc
            .record({
              title: fc.oneof(text(), badText()),
              url: fc.oneof(
                fc.webUrl(),
                fc.constantFrom('javascript:alert(1)', 'ftp://x.org', 'not a url', ''),
              ),
              date: fc.oneof(fc.constantFrom('stated', 'inferred'), fc.string({ maxLength: 8 })),
            })
            .filter((src) => !Source.safeParse(src).success)
            .map((src) => ({ envelope: { source: src }, field: 'source' })),
          fc
            .constantFrom('', 'x'.repeat(101))
            .map((id) => ({ envelope: { correlationId: id }, field: 'correlationId' })),
          fc
            .constantFrom('', 'y'.repeat(101))
            .map((id) => ({ envelope: { causationId: id }, field: 'causationId' })),
        ),
        async ({ steps, type, data }, { envelope, field }) => {
          const store = createInMemoryEventStore();
          const service = createCaseService({ store, today: () => TODAY });
          const prefix = await service.recordAll(CASE, steps);
          expect(prefix.status).toBe('recorded');
          const before = await contentsOf(store);
          const outcome = await service.record(CASE, { type, data, ...(envelope as object) });
          if (outcome.status !== 'refused')
            expect(namesField(outcome, field), `${field}: ${describeOutcome(outcome)}`).toBe(true);
          expect(await contentsOf(store)).toBe(before);
        },
      ),
      runs(40, 2_000),
    );
  });

  it('given any case id that is not 2–64 lower-case letters, digits or dashes, when a fact is recorded on it, then it is refused naming the field caseId', async () => {
    await check(
      'bad case id',
      fc.asyncProperty(
        fc
          .oneof(
            fc.string({ maxLength: 80 }),
            anyString(70),
            fc.constantFrom('__proto__', 'a', '-ab', 'ab-', 'AB', 'a'.repeat(65)),
          )
          .filter((s) => !CaseId.safeParse(s).success),
        async (caseId) => {
          const store = createInMemoryEventStore();
          const service = createCaseService({ store, today: () => TODAY });
          const outcome = await service.record(caseId, { type: 'CaseOpened', data: {} });
          expect(outcome.status === 'invalid' && outcome.issues[0]?.field).toBe('caseId');
          expect(await contentsOf(store)).toBe('[]');
        },
      ),
      runs(100, 5_000),
    );
  });
});
