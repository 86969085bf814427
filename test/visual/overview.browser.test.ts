/**
 * The overview of the stages measured in a real headless Chromium: every label's box (getBBox)
 * inside the drawing, in English and in French, at 1 000 px. Screenshots go to .test-output/.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { procedureGraph } from '../../src/visual/diagram.ts';
import { LANGS } from '../../src/visual/labels.ts';
import { renderOverviewSvg } from '../../src/visual/overview.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUT = resolve('.test-output');
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--no-first-run',
];

let browser: Browser;
beforeAll(async () => {
  mkdirSync(OUT, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

describe('the overview in Chromium', () => {
  for (const lang of LANGS)
    it(`keeps every label inside the 1 000 px drawing, text 11 px or more (${lang})`, async () => {
      const file = join(OUT, `overview-${lang}.html`);
      writeFileSync(
        file,
        `<!DOCTYPE html><html><body style="margin:0">${renderOverviewSvg(procedureGraph(), { lang })}</body></html>`,
      );
      const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
      await page.goto(pathToFileURL(file).href);
      const result = (await page.evaluate(`(() => {
        const svg = document.querySelector('svg');
        const vb = svg.viewBox.baseVal;
        const texts = [...svg.querySelectorAll('text')];
        return {
          width: svg.getBoundingClientRect().width,
          smallest: Math.min(...texts.map((t) => parseFloat(getComputedStyle(t).fontSize))),
          outside: texts.filter((t) => {
            const b = t.getBBox();
            return b.x < vb.x || b.y < vb.y || b.x + b.width > vb.x + vb.width || b.y + b.height > vb.y + vb.height;
          }).map((t) => t.textContent),
        };
      })()`)) as { width: number; smallest: number; outside: string[] };
      await page.screenshot({ path: join(OUT, `overview-${lang}.png`), fullPage: true });
      await page.close();
      expect(result.width).toBeLessThanOrEqual(1000);
      expect(result.smallest).toBeGreaterThanOrEqual(11);
      expect(result.outside).toEqual([]);
    });
});
