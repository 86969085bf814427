/**
 * The overview of the stages a lawyer reads: drawn from the statechart, 1 000 px wide with text of
 * 11 px or more, every label inside the drawing, closures grouped into one arrow per stage.
 * (overview.browser.test.ts measures the same labels in Chromium.)
 */
import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../machines/catalogue.ts';
import { STAGES } from '../../machines/procedure.ts';
import { procedureGraph } from '../../src/visual/diagram.ts';
import { LANGS } from '../../src/visual/labels.ts';
import {
  OVERVIEW_MIN_FONT,
  OVERVIEW_WIDTH,
  renderOverviewSvg,
  stageEdges,
} from '../../src/visual/overview.ts';

/** Each text of an SVG string: position, anchor, size and content. */
const texts = (svg: string) =>
  [...svg.matchAll(/<text x="([-\d.]+)" y="([-\d.]+)"([^>]*)>([^<]*)<\/text>/g)].map((m) => {
    const attrs = m[3] ?? '';
    return {
      x: Number(m[1]),
      y: Number(m[2]),
      anchor: /text-anchor="(\w+)"/.exec(attrs)?.[1] ?? 'start',
      size: Number(/font-size="([\d.]+)"/.exec(attrs)?.[1] ?? 'NaN'),
      text: (m[4] ?? '')
        .replace(/&amp;/g, '&')
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&quot;/g, '"'),
    };
  });

describe('the overview of the stages', () => {
  for (const lang of LANGS)
    it(`fits 1 000 px wide with text of 11 px or more, every label inside the drawing (${lang})`, () => {
      const svg = renderOverviewSvg(procedureGraph(), { lang });
      const [, w, h] = /viewBox="0 0 ([\d.]+) ([\d.]+)"/.exec(svg) ?? [];
      expect(Number(w)).toBeLessThanOrEqual(OVERVIEW_WIDTH);
      expect(svg).toContain(`width="${w}"`);
      const all = texts(svg);
      expect(all.length).toBeGreaterThan(30);
      for (const t of all) {
        expect(t.size, t.text).toBeGreaterThanOrEqual(OVERVIEW_MIN_FONT);
        // An upper bound of the width in common sans-serif fonts (DejaVu Sans is the widest: ~0.62 em).
        const width = t.text.length * t.size * 0.64;
        const left = t.anchor === 'end' ? t.x - width : t.anchor === 'middle' ? t.x - width / 2 : t.x;
        expect(left, t.text).toBeGreaterThanOrEqual(0);
        expect(left + width, t.text).toBeLessThanOrEqual(Number(w));
        expect(t.y - t.size, t.text).toBeGreaterThanOrEqual(0);
        expect(t.y + 4, t.text).toBeLessThanOrEqual(Number(h));
      }
    });

  it('names every stage and every act that changes the stage, in French from the event catalogue', () => {
    const svg = renderOverviewSvg(procedureGraph(), { lang: 'fr' });
    const shown = texts(svg).map((t) => t.text);
    for (const label of ['Plainte', 'Contrôle', 'Mise en demeure', 'Formation restreinte', 'Clôture'])
      expect(shown).toContain(label);
    for (const e of stageEdges())
      for (const ev of e.events) {
        const fr = CATALOGUE[ev as keyof typeof CATALOGUE].labelFr;
        expect(shown.join(' '), `${ev} from ${e.from ?? 'any stage'}`).toContain(fr.split(' ')[0] as string);
      }
  });

  it('groups the ways into `closed`: one arrow from each stage, listing its acts', () => {
    const closing = stageEdges().filter((e) => e.to === 'closed' && e.from !== null);
    expect(closing.map((e) => e.from)).toEqual(STAGES.filter((s) => s !== 'closed'));
    const complaint = closing.find((e) => e.from === 'complaint');
    expect(complaint?.events).toEqual(
      expect.arrayContaining(['WarningIssued', 'LegalObligationsReminderIssued', 'CaseClosed']),
    );
    const svg = renderOverviewSvg();
    expect(svg.match(/data-to="closed"/g)).toHaveLength(closing.length + 1); // + the annulment at any stage
  });
});
