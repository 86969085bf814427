/**
 * Browsing cases locally: the index lists the datasets and the store's cases; each report is served.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IsoDate } from '../../machines/dates.ts';
import { createCaseService } from '../../src/cases/service.ts';
import { createInMemoryEventStore } from '../../src/store/memory.ts';
import { createCaseServer } from '../../src/visual/serve.ts';
import { caseOpened, complaintReceived } from '../support/builders.ts';

const store = createInMemoryEventStore();
const server = createCaseServer({ store, origin: 'memory:', today: () => '2024-06-01' as IsoDate });
let base: string;

beforeAll(async () => {
  const service = createCaseService({ store, today: () => '2024-06-01' });
  const outcome = await service.recordAll('acme-sas', [
    { type: 'CaseOpened', data: caseOpened().data },
    { type: 'ComplaintReceived', data: complaintReceived().data },
  ]);
  expect(outcome.status).toBe('recorded');
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.close();
  await store.close();
});

describe('serve', () => {
  it('lists the sourced datasets and the cases of the store', async () => {
    const index = await (await fetch(`${base}/`)).text();
    expect(index).toContain('href="/report/clearview"');
    expect(index).toContain('href="/report/acme-sas"');
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
