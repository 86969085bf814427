/**
 * The inspector is fed the recorded facts in order by a live actor of the procedure machine; the
 * recording (`--record`) keeps what the hosted inspector would receive, for offline use.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ProcedureViolationError } from '../../machines/decider.ts';
import type { RecordedFact } from '../../projections/fact.ts';
import { datasetCase } from '../../src/visual/case-data.ts';
import { HOSTED_INSPECTOR_URL, inspectFacts, PortUnavailableError } from '../../src/visual/inspect.ts';
import { caseOpened, hearingHeld } from '../support/builders.ts';

const dir = mkdtempSync(join(tmpdir(), 'cnil-inspect-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const clearview = await datasetCase('clearview');

interface Line {
  type: string;
  name?: string;
  definition?: string;
  event?: { type: string; data?: unknown };
  snapshot?: { value?: unknown };
}
const readLines = (file: string): Line[] =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Line);

const fact = (event: RecordedFact['event'], revision: number): RecordedFact => ({
  event,
  metadata: {
    actor: 'president',
    recordedAt: '2024-01-01T00:00:00.000Z',
    correlationId: 'test',
    schemaVersion: 1,
  },
  eventId: `e${revision}`,
  revision,
  position: revision + 1,
});

describe('inspect --record', () => {
  it('records the actor with the machine definition, then one event per fact, in order', async () => {
    const file = join(dir, 'clearview.jsonl');
    const result = await inspectFacts(clearview.caseId, clearview.facts, { speedMs: 0, record: file });
    const lines = readLines(file);
    expect(result.events).toBe(lines.length);

    const [registration] = lines;
    expect(registration?.type).toBe('@xstate.actor');
    expect(registration?.name).toBe('clearview-ai');
    const definition = JSON.parse(registration?.definition ?? '{}') as { id?: string; states?: object };
    expect(definition.id).toBe('cnil');
    expect(Object.keys(definition.states ?? {})).toContain('penaltyLiquidation');

    const events = lines.filter((l) => l.type === '@xstate.event' && l.event?.type !== 'xstate.init');
    expect(events.map((l) => l.event)).toEqual(clearview.facts.map((f) => f.event));
    const snapshots = lines.filter((l) => l.type === '@xstate.snapshot' && l.event?.type !== 'xstate.init');
    expect(snapshots.at(-2)?.snapshot?.value).toEqual({ penaltyLiquidation: 'accruing' });
  });

  it('refuses to stream a history the law refuses, before anything is recorded', async () => {
    const file = join(dir, 'refused.jsonl');
    await expect(
      inspectFacts('acme-sas', [fact(caseOpened(), 0), fact(hearingHeld(), 1)], { speedMs: 0, record: file }),
    ).rejects.toBeInstanceOf(ProcedureViolationError);
    expect(() => readFileSync(file)).toThrow();
  });
});

describe('inspect with the bridge page', () => {
  const freePort = async () => {
    const s = createServer().listen(0);
    await new Promise((r) => s.once('listening', r));
    const { port } = s.address() as { port: number };
    await new Promise((r) => s.close(r));
    return port;
  };

  it('serves a local page embedding the hosted inspector, and stops', async () => {
    const port = await freePort();
    let told = '';
    const inspection = await inspectFacts(clearview.caseId, clearview.facts.slice(0, 3), {
      speedMs: 0,
      port,
      onListening: (url) => (told = url),
    });
    try {
      expect(told).toBe(`http://localhost:${port}`);
      const page = await (await fetch(told)).text();
      expect(page).toContain(`<iframe id="inspector" src="${HOSTED_INSPECTOR_URL}">`);
      expect(page).toContain(`new WebSocket('ws://localhost:${port}')`);
    } finally {
      await inspection.stop();
    }
  });

  it('says which port is taken', async () => {
    const busy = createServer().listen(0);
    await new Promise((r) => busy.once('listening', r));
    const { port } = busy.address() as { port: number };
    try {
      await expect(inspectFacts(clearview.caseId, [], { speedMs: 0, port })).rejects.toBeInstanceOf(
        PortUnavailableError,
      );
    } finally {
      busy.close();
    }
  });
});
