/**
 * Browsing cases locally: the index lists the datasets and the store's cases, a page at a time from
 * the read models (caught up before each answer); each report is served.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IsoDate } from '../../machines/dates.ts';
import { createCaseService } from '../../src/cases/service.ts';
import { openReadModels } from '../../src/projector/read-models.ts';
import { createInMemoryEventStore } from '../../src/store/memory.ts';
import type { EventStore } from '../../src/store/port.ts';
import { createCaseServer } from '../../src/visual/serve.ts';
import { caseOpened, complaintReceived } from '../support/builders.ts';

const store = createInMemoryEventStore();
const dir = mkdtempSync(join(tmpdir(), 'cnil-serve-'));
const readModels = openReadModels(join(dir, 'read-models.db'), { store: 'memory:serve-test' });
// A connection string with credentials: they must appear on no page.
const server = createCaseServer({
  store,
  readModels,
  origin: 'esdb://admin:changeit@localhost:2113?tls=false',
  today: () => '2024-06-01' as IsoDate,
});
const service = createCaseService({ store, today: () => '2024-06-01' });
let base: string;

/** Opens case `caseId` with a complaint (stage `complaint`). */
const openCase = (caseId: string) => ({
  caseId,
  inputs: [
    { type: 'CaseOpened', data: caseOpened({ caseId }).data },
    { type: 'ComplaintReceived', data: complaintReceived().data },
  ],
});
/** 120 more cases: two pages of the index. */
const MORE = Array.from({ length: 120 }, (_, i) => `case-${String(i).padStart(3, '0')}`);

beforeAll(async () => {
  const outcome = await service.recordAll('acme-sas', openCase('acme-sas').inputs);
  expect(outcome.status).toBe('recorded');
  const more = await service.recordCases(MORE.map(openCase));
  expect(more.every((o) => o.status === 'recorded')).toBe(true);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  readModels.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The case links of an index page. */
const caseLinks = (html: string): string[] =>
  [...html.matchAll(/<td><a href="\/report\/([^"]+)">/g)].map((m) => m[1] ?? '');

describe('serve', () => {
  it('lists the sourced datasets and the cases of the store', async () => {
    const index = await (await fetch(`${base}/`)).text();
    expect(index).toContain('href="/report/clearview"');
    expect(index).toContain('href="/report/acme-sas"');
  });

  it('lists the cases a page of 100 at a time, with the total and links to the next and previous pages', async () => {
    const first = await (await fetch(`${base}/`)).text();
    expect(first).toContain('Cases 1–100 of 121.');
    expect(caseLinks(first)).toEqual(['acme-sas', ...MORE.slice(0, 99)]);
    // Each row: the case, its controller, its stage and its last act with its date.
    expect(first).toContain(
      '<td><a href="/report/acme-sas">acme-sas</a></td><td>Acme SAS</td><td>complaint</td><td>ComplaintReceived</td><td>2023-01-20</td>',
    );
    const next = /<a href="([^"]+)">next ›<\/a>/.exec(first)?.[1] ?? '';
    expect(next).toBe('/?after=case-098');
    const second = await (await fetch(`${base}${next}`)).text();
    expect(second).toContain('Cases 101–121 of 121.');
    expect(caseLinks(second)).toEqual(MORE.slice(99));
    expect(second).not.toContain('next ›');
    const previous = /<a href="([^"]+)">‹ previous<\/a>/.exec(second)?.[1] ?? '';
    expect(previous).toBe('/?before=case-099');
    expect(caseLinks(await (await fetch(`${base}${previous}`)).text())).toEqual(caseLinks(first));
  });

  it('filters the index by stage, with links to every stage', async () => {
    const complaint = await (await fetch(`${base}/?stage=complaint`)).text();
    expect(complaint).toContain('Cases 1–100 of 121 in stage complaint.');
    expect(complaint).toContain('href="/?stage=sanction"');
    const sanction = await (await fetch(`${base}/?stage=sanction`)).text();
    expect(sanction).toContain('No case in stage sanction here (0 in all).');
    expect(caseLinks(sanction)).toEqual([]);
  });

  it('lists a case recorded while it runs: the read models catch up before each answer', async () => {
    expect(await (await fetch(`${base}/?after=case-119`)).text()).not.toContain('zeta-sa');
    const outcome = await service.recordAll('zeta-sa', openCase('zeta-sa').inputs);
    expect(outcome.status).toBe('recorded');
    const last = await (await fetch(`${base}/?after=case-119`)).text();
    expect(caseLinks(last)).toEqual(['zeta-sa']);
    expect(last).toContain('Cases 122–122 of 122.');
  });

  it('answers 400 to a query it does not understand, naming the parameter', async () => {
    for (const [query, message] of [
      ['?stage=limbo', 'stage: limbo is not one of'],
      ['?after=..%2Fetc', 'after: ../etc is not a case id'],
      ['?after=a-b&before=c-d', 'give one of them'],
      ['?page=2', 'unknown parameter page'],
    ] as const) {
      const res = await fetch(`${base}/${query}`);
      expect(res.status, query).toBe(400);
      expect(await res.text(), query).toContain(message);
    }
  });

  it("serves a stored case's report, today or as of a date", async () => {
    const res = await fetch(`${base}/report/acme-sas`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html.match(/<tr class="timeline-row/g)).toHaveLength(2);
    expect(html).toContain('data-testid="current-state">complaint<');
    const before = await (await fetch(`${base}/report/acme-sas?as-of=2023-01-18`)).text();
    expect(before.match(/<tr class="timeline-row/g)).toHaveLength(1);
  });

  it('answers 404 for an unknown case and 400 for a bad date', async () => {
    expect((await fetch(`${base}/report/nobody`)).status).toBe(404);
    const bad = await fetch(`${base}/report/acme-sas?as-of=yesterday`);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('as-of');
  });
});

/** A raw request, with the method, path and Host header given (fetch would normalise them). */
const raw = (
  method: string,
  path: string,
  host = new URL(base).host,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> =>
  new Promise((resolve, reject) => {
    const { port } = new URL(base);
    const req = request({ host: '127.0.0.1', port, method, path, headers: { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });

describe('serve, hardened', () => {
  it('shows the store without its credentials, on the index and in a 404', async () => {
    const index = await (await fetch(`${base}/`)).text();
    expect(index).toContain('esdb://localhost:2113');
    expect(index).not.toContain('changeit');
    const missing = await fetch(`${base}/report/nobody`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).not.toContain('changeit');
  });

  it('refuses a request naming another host (DNS rebinding), and serves its own names', async () => {
    expect((await raw('GET', '/', 'attacker.example:80')).status).toBe(403);
    expect((await raw('GET', '/', `attacker.example:${new URL(base).port}`)).status).toBe(403);
    expect((await raw('GET', '/', `localhost:${new URL(base).port}`)).status).toBe(200);
  });

  it('answers 405 to methods other than GET and HEAD', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS']) {
      const res = await raw(method, '/');
      expect(res.status, method).toBe(405);
      expect(res.headers.allow).toBe('GET, HEAD');
    }
    const head = await raw('HEAD', '/report/acme-sas');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it("forbids framing, sniffing, caching and any script but the report's own, by its hash", async () => {
    const res = await fetch(`${base}/report/acme-sas`);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain("'unsafe-inline' 'unsafe-eval'");
    const html = await res.text();
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1] ?? '');
    expect(scripts).toHaveLength(1);
    for (const script of scripts)
      expect(csp).toContain(`'sha256-${createHash('sha256').update(script, 'utf8').digest('base64')}'`);
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
  });

  it('answers 400, not 500, to a malformed percent-encoding', async () => {
    const res = await raw('GET', '/report/%');
    expect(res.status).toBe(400);
    expect((await raw('GET', '/report/%E0%A4%A')).status).toBe(400);
  });

  it('names no file in an error page', async () => {
    const failing: EventStore = {
      ...store,
      readStream: () => Promise.reject(new Error('/srv/secret/cnil.db: disk I/O error')),
    };
    const broken = createCaseServer({
      store: failing,
      readModels,
      origin: 'sqlite:/srv/secret/cnil.db',
      today: () => '2024-06-01' as IsoDate,
    });
    broken.listen(0, '127.0.0.1');
    await once(broken, 'listening');
    const errors: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => (
      errors.push(String(chunk)),
      true
    )) as typeof process.stderr.write;
    try {
      const res = await fetch(`http://127.0.0.1:${(broken.address() as AddressInfo).port}/report/acme-sas`);
      expect(res.status).toBe(500);
      expect(await res.text()).not.toContain('/srv/secret');
    } finally {
      process.stderr.write = write;
      broken.close();
    }
    expect(errors.join('')).toContain('disk I/O error'); // told to the operator instead
  });
});
