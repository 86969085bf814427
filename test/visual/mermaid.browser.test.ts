/**
 * The Mermaid text renders in Mermaid itself: the committed docs/procedure.mmd (the README's block)
 * and a case's highlighted path are drawn by Mermaid 11 (the major version GitHub renders with) in
 * headless Chromium, offline, with no parse error; every state's label reaches the picture.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { factsAsOf } from '../../projections/fact.ts';
import { datasetCase } from '../../src/visual/case-data.ts';
import { casePath, procedureGraph } from '../../src/visual/diagram.ts';
import { renderMermaid } from '../../src/visual/mermaid.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];
const MERMAID = createRequire(import.meta.url).resolve('mermaid/dist/mermaid.min.js');

let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  page = await browser.newPage();
  await page.setContent('<!doctype html><html><body></body></html>');
  await page.addScriptTag({ path: MERMAID });
  await page.evaluate(() => {
    (globalThis as unknown as { mermaid: { initialize(o: object): void } }).mermaid.initialize({
      startOnLoad: false,
      securityLevel: 'strict',
    });
  });
});
afterAll(async () => {
  await browser?.close();
});

/** Mermaid's own render: the SVG's text and classes, or the error Mermaid raised. */
const render = async (text: string): Promise<{ svgText: string; classes: string[] } | { error: string }> =>
  // A string, so this (DOM-less) project's types stay out of the page's code.
  (await page.evaluate(`(async (source) => {
    try {
      const { svg } = await mermaid.render('d' + Math.random().toString(36).slice(2), source);
      const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
      const classes = [...doc.querySelectorAll('[class]')].flatMap((e) => e.getAttribute('class').split(/\\s+/));
      return { svgText: doc.documentElement.textContent ?? '', classes };
    } catch (error) {
      return { error: String(error) };
    }
  })(${JSON.stringify(text)})`)) as { svgText: string; classes: string[] } | { error: string };

describe('the procedure in Mermaid 11', () => {
  it('renders the committed diagram (the one the README shows) without a parse error', async () => {
    const result = await render(readFileSync('docs/procedure.mmd', 'utf8'));
    if ('error' in result) expect.fail(result.error);
    for (const node of procedureGraph().nodes.filter((n) => n.id !== '' && n.kind !== 'history'))
      expect(result.svgText, node.id).toContain(node.id.split('.').at(-1));
  });

  it("renders Clearview's path with the current state styled as current", async () => {
    const clearview = await datasetCase('clearview');
    const path = casePath(factsAsOf(clearview.facts, '2023-04-13').map((f) => f.event));
    const result = await render(renderMermaid(procedureGraph(), path));
    if ('error' in result) expect.fail(result.error);
    expect(result.svgText).toContain('accruing');
    expect(result.classes).toContain('current');
  });

  it('is the real parser: a broken diagram is refused', async () => {
    const result = await render('stateDiagram-v2\n  state "x" as a {\n');
    expect(result).toHaveProperty('error');
  });
});
