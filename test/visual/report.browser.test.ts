/**
 * The pages as a person sees them, in a real headless Chromium (Debian's `chromium`, driven by
 * playwright-core): the Clearview report with its diagram, current state, timeline and chart; the
 * SCXML parsed by the browser's own XML parser; the inspector bridge receiving the stream.
 * Screenshots go to .test-output/ (git-ignored).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IsoDate } from '../../machines/dates.ts';
import { datasetCase } from '../../src/visual/case-data.ts';
import { procedureGraph } from '../../src/visual/diagram.ts';
import { inspectFacts } from '../../src/visual/inspect.ts';
import { reportHtml } from '../../src/visual/report.ts';
import { renderScxml } from '../../src/visual/scxml.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUT = resolve('.test-output');
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

let browser: Browser;
let page: Page;
const external: string[] = [];
const consoleErrors: string[] = [];

beforeAll(async () => {
  mkdirSync(OUT, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

describe('the Clearview report in Chromium, as of 1 June 2023', () => {
  beforeAll(async () => {
    const clearview = await datasetCase('clearview');
    const file = join(OUT, 'report.html');
    writeFileSync(file, await reportHtml(clearview, '2023-06-01' as IsoDate));
    page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    page.on('request', (r) => {
      if (!/^(file|data|about):/.test(r.url())) external.push(r.url());
    });
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    await page.goto(pathToFileURL(file).href);
  }, 60_000);

  it('shows the overview of the stages with the case’s path, every label inside the drawing', async () => {
    const overview = page.getByTestId('overview');
    expect(await overview.isVisible()).toBe(true);
    expect(await overview.locator('.stage.current').getAttribute('id')).toBe('stage:penaltyLiquidation');
    const taken = await overview
      .locator('.transition.taken')
      .evaluateAll((els) => els.map((e) => `${e.getAttribute('data-from')}>${e.getAttribute('data-to')}`));
    expect(taken).toEqual([
      'complaint>inspection',
      'inspection>formalNotice',
      'formalNotice>restrictedCommittee',
      'restrictedCommittee>sanction',
      'sanction>penaltyLiquidation',
    ]);
    const outside = (await page.evaluate(`(() => {
      const svg = document.querySelector('[data-testid=overview]');
      const vb = svg.viewBox.baseVal;
      return [...svg.querySelectorAll('text')].filter((t) => {
        const b = t.getBBox();
        return b.x < vb.x || b.y < vb.y || b.x + b.width > vb.x + vb.width || b.y + b.height > vb.y + vb.height;
      }).map((t) => t.textContent);
    })()`)) as string[];
    expect(outside).toEqual([]);
  });

  it('shows the detailed diagram on demand, the current state highlighted and scrolled into view', async () => {
    const diagram = page.locator('[data-testid=diagram]');
    expect(await diagram.isVisible()).toBe(false);
    await page.getByTestId('diagram-details').locator('summary').click();
    await expect.poll(() => diagram.locator('svg').isVisible()).toBe(true);
    const current = diagram.locator('.current-leaf');
    expect(await current.count()).toBe(1);
    expect(await current.getAttribute('id')).toBe('state:penaltyLiquidation.accruing');
    expect(await current.locator('path, polygon').first().getAttribute('fill')).toBe('#f59e0b');
    const box = await diagram.boundingBox();
    const node = await current.boundingBox();
    expect(box && node).toBeTruthy();
    if (box && node) {
      expect(node.x).toBeGreaterThanOrEqual(box.x);
      expect(node.x + node.width).toBeLessThanOrEqual(box.x + box.width);
      expect(node.y).toBeGreaterThanOrEqual(box.y);
      expect(node.y + node.height).toBeLessThanOrEqual(box.y + box.height);
    }
    expect(await page.getByTestId('current-state').textContent()).toBe('penaltyLiquidation.accruing');
  });

  it('shows a timeline row per act, with its source link', async () => {
    const rows = page.locator('tr.timeline-row');
    expect(await rows.count()).toBe(26);
    await expect.poll(() => rows.first().isVisible()).toBe(true);
    expect(await rows.nth(9).locator('a').getAttribute('href')).toMatch(/^https:\/\//);
    expect(await rows.nth(9).textContent()).toContain('MED-2021-134');
  });

  it('shows the penalty chart: accrued against liquidated', async () => {
    const chart = page.getByTestId('penalty-chart');
    await chart.scrollIntoViewIfNeeded();
    expect(await chart.isVisible()).toBe(true);
    const d = (await page.getByTestId('accrued-line').getAttribute('d')) ?? '';
    expect(d.split(/[ML]/).filter(Boolean).length).toBeGreaterThan(3);
    expect(await chart.textContent()).toContain('5 200 000 € liquidated on 2023-04-13');
    const size = await chart.boundingBox();
    expect(size?.width).toBeGreaterThan(600);
  });

  it('loads nothing from the network and logs no error; screenshots saved', async () => {
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: join(OUT, 'report-top.png') });
    await page.screenshot({ path: join(OUT, 'report.png'), fullPage: true });
    expect(external).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});

describe('the SCXML in the browser', () => {
  it("parses with Chromium's XML parser, states and transitions included", async () => {
    const scxml = renderScxml(procedureGraph());
    const p = await browser.newPage();
    const result = (await p.evaluate(`(() => {
      const doc = new DOMParser().parseFromString(${JSON.stringify(scxml)}, 'application/xml');
      const ns = 'http://www.w3.org/2005/07/scxml';
      return {
        errors: doc.getElementsByTagName('parsererror').length,
        root: doc.documentElement.namespaceURI,
        states: doc.getElementsByTagNameNS(ns, 'state').length + doc.getElementsByTagNameNS(ns, 'parallel').length,
        transitions: doc.getElementsByTagNameNS(ns, 'transition').length,
      };
    })()`)) as { errors: number; root: string; states: number; transitions: number };
    await p.close();
    const graph = procedureGraph();
    expect(result).toEqual({
      errors: 0,
      root: 'http://www.w3.org/2005/07/scxml',
      states: graph.nodes.length, // the root is the wrapping <state id="cnil">
      transitions: graph.edges.length,
    });
  });
});

describe('the inspector bridge page in the browser', () => {
  it('receives the actor with its definition, then the facts in order', async () => {
    const probe = createServer().listen(0);
    await new Promise((r) => probe.once('listening', r));
    const { port } = probe.address() as { port: number };
    await new Promise((r) => probe.close(r));

    const clearview = await datasetCase('clearview');
    const facts = clearview.facts.slice(0, 10);
    const inspection = await inspectFacts(clearview.caseId, facts, { speedMs: 0, port });
    const p = await browser.newPage();
    try {
      await p.goto(`http://localhost:${port}`);
      // Offline, the hosted inspector never answers, so the page keeps what it received in `buffer`.
      await expect
        .poll(() => p.evaluate('buffer.length') as Promise<number>, { timeout: 15_000 })
        .toBeGreaterThanOrEqual(1 + 2 * facts.length);
      const received = (await p.evaluate(
        'buffer.map((e) => ({ type: e.type, event: e.event && e.event.type, definition: typeof e.definition }))',
      )) as { type: string; event?: string; definition: string }[];
      expect(received[0]).toMatchObject({ type: '@xstate.actor', definition: 'string' });
      expect(
        received.filter((e) => e.type === '@xstate.event' && e.event !== 'xstate.init').map((e) => e.event),
      ).toEqual(facts.map((f) => f.event.type));
    } finally {
      await p.close();
      await inspection.stop();
    }
  }, 30_000);
});
