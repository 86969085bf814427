/**
 * Rebuilding case states from a real SQLite file through the fast path gives the states that
 * folding each case through XState gives; a stored fact the statechart refuses is an error.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { IsoDate } from '../../machines/dates.ts';
import { fold, initialState, ProcedureViolationError } from '../../machines/decider.ts';
import type { ProcedureEvent } from '../../machines/events.ts';
import { schemaVersionOf, toNewEvent } from '../../src/cases/codec.ts';
import { fastEngine } from '../../src/simulation/engine.ts';
import { rebuildCases } from '../../src/simulation/rebuild.ts';
import { simulateRun } from '../../src/simulation/simulate.ts';
import { datasetEvents, freshStart } from '../../src/simulation/start.ts';
import { createSqliteEventStore } from '../../src/store/sqlite.ts';
import { deepParams } from './support.ts';

const dir = mkdtempSync(join(tmpdir(), 'cnil-rebuild-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const metadata = {
  actor: 'scheduler',
  recordedAt: '2026-01-01T00:00:00.000Z',
  correlationId: 'test',
} as const;
const append = (
  store: ReturnType<typeof createSqliteEventStore>,
  stream: string,
  events: readonly ProcedureEvent[],
) =>
  store.appendToStream(
    stream,
    events.map((e) => toNewEvent(randomUUID(), e, { ...metadata, schemaVersion: schemaVersionOf(e.type) })),
    { expectedRevision: 'any' },
  );

describe('rebuilding case states through the fast path', () => {
  it('reaches, for every stored case, the state that folding it through XState reaches', async () => {
    const store = createSqliteEventStore(join(dir, 'cases.db'));
    const params = await deepParams();
    const engine = fastEngine();
    const from = engine.fromSnapshot(initialState());
    const histories = new Map<string, ProcedureEvent[]>();
    for (let i = 0; i < 150; i++) {
      const run = simulateRun(engine, from, freshStart('2024-02-01' as IsoDate), params, 9, i, {
        record: true,
      });
      histories.set(`case-sim-${i}`, [...run.events]);
    }
    histories.set('case-clearview-ai', (await datasetEvents('clearview')).events);
    // Interleave the streams: write each case in two halves.
    for (const half of [0, 1])
      for (const [stream, events] of histories) {
        const cut = Math.ceil(events.length / 2);
        const part = half === 0 ? events.slice(0, cut) : events.slice(cut);
        if (part.length > 0) await append(store, stream, part);
      }
    const rebuilt = await rebuildCases(store.readAll());
    await store.close();
    expect(rebuilt.size).toBe(histories.size);
    for (const [stream, events] of histories) {
      const expected = fold(events);
      const got = rebuilt.get(stream);
      expect(got?.state.key, stream).toBe(JSON.stringify(expected.value));
      expect(got?.state.context, stream).toEqual(expected.context);
      expect(got?.revision).toBe(events.length - 1);
    }
  }, 60_000);

  it('throws ProcedureViolationError on a stored fact the statechart refuses', async () => {
    const store = createSqliteEventStore(join(dir, 'bad.db'));
    const { events } = await datasetEvents('clearview');
    const [opened] = events;
    const sanction = events.find((e) => e.type === 'SanctionImposed');
    await append(store, 'case-bad', [opened as ProcedureEvent, sanction as ProcedureEvent]);
    const error = await rebuildCases(store.readAll()).catch((e: unknown) => e);
    await store.close();
    expect(error).toBeInstanceOf(ProcedureViolationError);
    expect((error as ProcedureViolationError).refusal.kind).toBe('TransitionNotAllowed');
  });
});
