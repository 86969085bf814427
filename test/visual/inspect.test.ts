/**
 * The inspector is fed the recorded facts in order by a live actor of the procedure machine; the
 * recording (`--record`) keeps what the hosted inspector would receive, for offline use.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect, createServer } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ProcedureViolationError } from '../../machines/decider.ts';
import type { RecordedFact } from '../../projections/fact.ts';
import { datasetCase } from '../../src/visual/case-data.ts';
import { WITHHELD } from '../../machines/personal-data.ts';
import {
  HOSTED_INSPECTOR_URL,
  inspectFacts,
  PortUnavailableError,
  withheldFacts,
} from '../../src/visual/inspect.ts';
import { caseOpened, complaintReceived, hearingHeld } from '../support/builders.ts';

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
    expect(events.map((l) => l.event)).toEqual(withheldFacts(clearview.facts).map((f) => f.event));
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
      expect(page).toContain('<script src="/bridge.js">');
      expect(await (await fetch(`${told}/bridge.js`)).text()).toContain("new EventSource('/events')");
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

/** The first address of this host that is not loopback, if it has one. */
const otherAddress = (): string | undefined =>
  Object.values(networkInterfaces())
    .flat()
    .find((a) => a !== undefined && !a.internal && a.family === 'IPv4')?.address;

/** Opens a TCP connection to host:port: 'connected' or the error code. */
const tryConnect = (host: string, port: number): Promise<string> =>
  new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
  });

/** GET with the Host and Origin headers given; the status. */
const get = (port: number, path: string, headers: Record<string, string>): Promise<number> =>
  new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
      res.destroy();
    });
    req.on('error', reject);
    req.end();
  });

const anyFreePort = async () => {
  const s = createServer().listen(0);
  await new Promise((r) => s.once('listening', r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
};

describe('the bridge keeps personal data on this machine', () => {
  const complaint = fact(complaintReceived(), 1);
  const facts = [fact(caseOpened(), 0), complaint];

  it.skipIf(otherAddress() === undefined)(
    'listens on loopback only: a connection to another address of this host is refused',
    async () => {
      const port = await anyFreePort();
      const inspection = await inspectFacts('acme-sas', facts, { speedMs: 0, port });
      try {
        expect(await tryConnect('127.0.0.1', port)).toBe('connected');
        expect(await tryConnect(otherAddress() as string, port)).toBe('ECONNREFUSED');
      } finally {
        await inspection.stop();
      }
    },
  );

  it('answers only its own page: another Host or Origin is refused, as are other methods', async () => {
    const port = await anyFreePort();
    const inspection = await inspectFacts('acme-sas', facts, { speedMs: 0, port });
    try {
      const own = `localhost:${port}`;
      expect(await get(port, '/', { host: own })).toBe(200);
      expect(await get(port, '/events', { host: own, origin: `http://${own}` })).toBe(200);
      expect(await get(port, '/events', { host: own, origin: 'https://attacker.example' })).toBe(403);
      expect(await get(port, '/events', { host: `attacker.example:${port}` })).toBe(403);
      expect(await get(port, '/events', { host: own, 'sec-fetch-site': 'cross-site' })).toBe(403);
      const post = await fetch(`http://${own}/`, { method: 'POST' });
      expect(post.status).toBe(405);
    } finally {
      await inspection.stop();
    }
  });

  it('relays the events with personal data withheld', async () => {
    const port = await anyFreePort();
    const inspection = await inspectFacts('acme-sas', facts, { speedMs: 0, port });
    try {
      const controller = new AbortController();
      const res = await fetch(`http://localhost:${port}/events`, { signal: controller.signal });
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      let text = '';
      // Until the event carrying the complainant has fully arrived.
      while (!(text.includes('person-7f3a') && text.endsWith('\n\n'))) {
        const { value, done } = await reader.read();
        if (done) break;
        text += Buffer.from(value).toString('utf8');
      }
      controller.abort();
      expect(text).toContain(WITHHELD);
      expect(text).toContain('person-7f3a');
      expect(text).not.toContain('Camille Martin');
      expect(text).not.toContain('rue des Lilas');
    } finally {
      await inspection.stop();
    }
  });

  it('records no personal field, in a file readable by its owner only, unless asked to', async () => {
    const file = join(dir, 'withheld.jsonl');
    writeFileSync(file, '', { mode: 0o644 }); // an existing file is made private too
    await inspectFacts('acme-sas', facts, { speedMs: 0, record: file });
    const text = readFileSync(file, 'utf8');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(text).toContain(WITHHELD);
    expect(text).not.toContain('Camille Martin');
    expect(text).not.toContain('rue des Lilas');

    const included = join(dir, 'included.jsonl');
    await inspectFacts('acme-sas', facts, { speedMs: 0, record: included, includePersonalData: true });
    expect(readFileSync(included, 'utf8')).toContain('Camille Martin');
    expect(statSync(included).mode & 0o777).toBe(0o600);
  });
});
