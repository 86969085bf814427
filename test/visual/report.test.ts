/**
 * The case report: what a lawyer reads in it comes from the projections and the sources.
 */
import { describe, expect, it } from 'vitest';
import type { IsoDate } from '../../machines/dates.ts';
import { datasetCase } from '../../src/visual/case-data.ts';
import { buildReport, penaltySeries, renderReportHtml } from '../../src/visual/report.ts';
import { elements, parseXml } from './xml.ts';

const clearview = await datasetCase('clearview');
const asOf = '2023-04-13' as IsoDate;
const model = await buildReport(clearview, asOf);
const html = renderReportHtml(model);

describe('the Clearview report as of 13 April 2023', () => {
  it('charts the penalty: 100 000 €/day from 19 Dec 2022, 5.2 M€ liquidated on 13 Apr 2023', () => {
    const series = penaltySeries(clearview, asOf);
    const on = (d: string) => series.find((p) => p.on === d);
    expect(series[0]).toEqual({ on: '2022-10-17', accrued: 0, liquidated: 0 }); // the sanction
    expect(on('2022-12-19')).toEqual({ on: '2022-12-19', accrued: 0, liquidated: 0 }); // first day of delay
    expect(on('2023-02-09')?.accrued).toBe(52 * 100_000);
    expect(on('2023-04-13')).toEqual({ on: '2023-04-13', accrued: 115 * 100_000, liquidated: 5_200_000 });
    expect(series.at(-1)?.on).toBe(asOf);
  });

  it('has one timeline row per act up to that date, each linked to its source', () => {
    const rows = html.match(/<tr class="timeline-row[^"]*"/g) ?? [];
    const facts = clearview.facts.filter((f) => f.event.data.on <= asOf);
    expect(rows).toHaveLength(facts.length);
    for (const f of facts) expect(html).toContain(`href="${f.metadata.source?.url.replace(/&/g, '&amp;')}"`);
    expect(html).toContain('>SAN-2023-005</a>');
    expect(html).toContain('Liquidation de l’astreinte');
  });

  it('lists the open deadlines: the appeal against the liquidation and the anonymisations of the formal notice and of MEDP-2021-002', () => {
    const rows = [
      ...html.matchAll(
        /<tr class="deadline-row" data-kind="(\w+)"><td>[^]*?(?:<span class="ref">([^<]+)<\/span>)?<\/td><td class="date">([\d-]+)</g,
      ),
    ].map((m) => [m[1], m[3], m[2] ?? null]);
    expect(rows).toEqual(model.view.deadlines.map((d) => [d.kind, d.due, d.reference]));
    expect(rows.map(([k, , reference]) => `${k} ${reference}`)).toEqual([
      'appeal SAN-2023-005',
      'anonymisation MED-2021-134',
      'anonymisation MEDP-2021-002',
    ]);
  });

  it('embeds the diagram with the current state marked, and the chart, as SVG', () => {
    const at = html.indexOf('<svg', html.indexOf('data-testid="diagram"'));
    const diagram = html.slice(at, html.indexOf('</svg>', at) + 6);
    const nodes = elements(parseXml(diagram)).map(({ element }) => element);
    expect(
      nodes.find((e) => e.attributes.id === 'state:penaltyLiquidation.accruing')?.attributes.class,
    ).toContain('current-leaf');
    const chartStart = html.indexOf('<svg', at + diagram.length);
    const chart = parseXml(html.slice(chartStart, html.indexOf('</svg>', chartStart) + 6));
    expect(chart.attributes['data-testid']).toBe('penalty-chart');
    expect(
      elements(chart).some(({ element }) => element.attributes['data-testid'] === 'liquidation-mark'),
    ).toBe(true);
  });

  it('works offline: no external stylesheet, script, image or font', () => {
    expect(html).not.toMatch(/<link\b|<script\s+src|<img\b|@import|url\(/);
    expect(html).not.toMatch(/src="https?:/);
  });
});

describe('a report before any penalty', () => {
  it('says no penalty payment was ordered instead of drawing an empty chart', async () => {
    const early = renderReportHtml(await buildReport(clearview, '2021-12-31' as IsoDate));
    expect(early).toContain('data-testid="penalty-chart-empty"');
    expect(early).not.toContain('data-testid="penalty-chart"');
    expect(early).toContain('formalNoticeCompliance');
  });
});
