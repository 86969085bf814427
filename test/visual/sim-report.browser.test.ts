/**
 * The simulation report as a person sees it, in a real headless Chromium (Debian's `chromium`,
 * driven by playwright-core): written by the CLI (`simulate --report`, a real process), every chart
 * drawn, every label inside its drawing (measured with getBBox), nothing loaded from the network.
 * Screenshots go to .test-output/ (git-ignored).
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';

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
const CHARTS = [
  'outcomes-chart',
  'fines-chart',
  'decision-chart',
  'closure-chart',
  'penalty-days-chart',
  'liquidated-chart',
];

let browser: Browser;
beforeAll(async () => {
  mkdirSync(OUT, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

/** Opens a page, recording requests that leave the machine and console errors. */
const open = async (file: string) => {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  const external: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => {
    if (!/^(file|data|about):/.test(r.url())) external.push(r.url());
  });
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(pathToFileURL(file).href);
  return { page, external, errors };
};

/**
 * Labels of a chart whose box leaves the chart's viewBox, measured by the browser (getBBox, mapped
 * into the svg's user space: the y-axis title is rotated).
 */
const labelsOutside = (page: Page, id: string): Promise<string[]> =>
  page.evaluate(`(() => {
    const svg = document.querySelector('[data-testid="${id}"]');
    const vb = svg.viewBox.baseVal;
    const toSvg = svg.getScreenCTM().inverse();
    return [...svg.querySelectorAll('text')]
      .filter((t) => {
        const b = t.getBBox();
        const m = toSvg.multiply(t.getScreenCTM());
        return [[b.x, b.y], [b.x + b.width, b.y], [b.x, b.y + b.height], [b.x + b.width, b.y + b.height]]
          .map(([x, y]) => new DOMPoint(x, y).matrixTransform(m))
          .some((p) => p.x < vb.x - 0.5 || p.y < vb.y - 0.5 || p.x > vb.x + vb.width + 0.5 || p.y > vb.y + vb.height + 0.5);
      })
      .map((t) => t.textContent);
  })()`) as Promise<string[]>;

describe('simulate --runs 20000 --seed 1 --report, in Chromium', () => {
  let page: Page;
  let external: string[];
  let errors: string[];
  beforeAll(async () => {
    const file = join(OUT, 'sim.html');
    const r = await runCli(['simulate', '--runs', '20000', '--seed', '1', '--report', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`Wrote ${file}`);
    ({ page, external, errors } = await open(file));
  }, 120_000);

  it('draws every chart, with its marks, and every label inside its drawing', async () => {
    for (const id of CHARTS) {
      const chart = page.getByTestId(id);
      expect(await chart.isVisible(), id).toBe(true);
      expect(await chart.locator('rect.bar, path.histogram, path.curve').count(), id).toBeGreaterThan(0);
      expect(await labelsOutside(page, id), id).toEqual([]);
    }
    // The measurement sees a label pushed out of its drawing.
    await page.evaluate(
      `document.querySelector('[data-testid="fines-chart"] .tick').setAttribute('x', '-40')`,
    );
    expect((await labelsOutside(page, 'fines-chart')).length).toBe(1);
    await page.reload();
    const fine = await page.getByTestId('fines-chart').textContent();
    expect(fine).toContain('log scale');
    expect(fine).toMatch(/k€/);
  });

  it('shows the seed, the start and the parameters used', async () => {
    expect(await page.getByTestId('seed').textContent()).toBe('1');
    expect(await page.getByTestId('run-seed').textContent()).toBe('1');
    expect(await page.getByTestId('run-table').textContent()).toContain('a fresh complaint on 2025-01-06');
    expect(await page.getByTestId('params-table').locator('tbody tr').count()).toBeGreaterThan(40);
  });

  it('loads nothing from the network and logs no error; screenshots saved', async () => {
    await page.screenshot({ path: join(OUT, 'sim.png'), fullPage: true });
    expect(external).toEqual([]);
    expect(errors).toEqual([]);
  });
});

describe('Clearview forked with and without compliance (--compare), in Chromium', () => {
  let page: Page;
  let external: string[];
  beforeAll(async () => {
    const file = join(OUT, 'sim-compare.html');
    const r = await runCli([
      'simulate',
      '--from',
      'clearview',
      '--as-of',
      '2022-11-01',
      '--runs',
      '4000',
      '--seed',
      '1',
      '--assume',
      'InjunctionComplied@+30',
      '--compare',
      'none',
      '--report',
      file,
    ]);
    expect(r.code, r.stderr).toBe(0);
    ({ page, external } = await open(file));
  }, 120_000);

  it('puts both scenarios in every chart', async () => {
    for (const id of CHARTS) {
      const marks = page.getByTestId(id).locator('[data-series]');
      const series = new Set(await marks.evaluateAll((els) => els.map((e) => e.getAttribute('data-series'))));
      expect([...series].sort(), id).toEqual(['A — InjunctionComplied on 2022-12-01', 'B — no what-if']);
      expect(await labelsOutside(page, id), id).toEqual([]);
    }
  });

  it('shows that compliance stops the penalty: fewer liquidations under A than under B', async () => {
    const text = await page.getByTestId('liquidated-chart').textContent();
    const runsWith = [...(text ?? '').matchAll(/([\d ]+) runs with a liquidation/g)].map((m) =>
      Number((m[1] ?? '').replace(/ /g, '')),
    );
    expect(runsWith).toHaveLength(2);
    expect(runsWith[0]).toBeLessThan(runsWith[1] as number);
  });

  it('loads nothing from the network; screenshot saved', async () => {
    await page.screenshot({ path: join(OUT, 'sim-compare.png'), fullPage: true });
    expect(external).toEqual([]);
  });
});
