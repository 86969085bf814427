/** The chart module's arithmetic: ticks, log bins, ECDFs, labels that fit. */
import { describe, expect, it } from 'vitest';
import { addValue, createTally } from '../../src/simulation/tally.ts';
import {
  barChart,
  histogram,
  linearTicks,
  logTicks,
  percent,
  stepChart,
  textWidth,
} from '../../src/visual/charts.ts';
import { binShares, ecdfPoints, linearEdges, logEdges } from '../../src/visual/sim-report.ts';

const tally = (values: number[]) => {
  const t = createTally();
  for (const v of values) addValue(t, v);
  return t;
};

/** The viewBox width and every text's x of an SVG string. */
const geometry = (svg: string) => ({
  width: Number(/viewBox="0 0 ([\d.]+) /.exec(svg)?.[1]),
  texts: [...svg.matchAll(/<text x="([-\d.]+)"([^>]*)>([^<]*)</g)].map((m) => ({
    x: Number(m[1]),
    anchor: /text-anchor="(\w+)"/.exec(m[2] ?? '')?.[1] ?? 'start',
    text: m[3] ?? '',
  })),
});

describe('axes', () => {
  it('puts round linear ticks from 0 past the maximum', () => {
    expect(linearTicks(0, 3650, 8)).toEqual([0, 500, 1000, 1500, 2000, 2500, 3000, 3500, 4000]);
    expect(linearTicks(0, 0.0025, 5)).toEqual([0, 0.0005, 0.001, 0.0015, 0.002, 0.0025]);
  });

  it('puts a log axis on the decades around the values', () => {
    expect(logTicks(640, 2_300_000)).toEqual([100, 1000, 10_000, 100_000, 1_000_000, 10_000_000]);
  });

  it('labels percentages with as many decimals as the ticks need', () => {
    expect([0, 0.0005, 0.001].map((v) => percent(v, 0.0005))).toEqual(['0.00 %', '0.05 %', '0.10 %']);
    expect(percent(0.25, 0.05)).toBe('25.0 %');
    expect(percent(0.9832)).toBe('98.3 %');
  });
});

describe('series from the aggregated runs', () => {
  it('bins values into quarter decades and counts each in one bin', () => {
    const t = tally([0, 1000, 1500, 20_000_000, 20_000_000]);
    const edges = logEdges([t]);
    expect(edges[0]).toBe(1000);
    expect(edges.at(-1)).toBeGreaterThan(20_000_000);
    const shares = binShares(t, edges);
    expect(shares.reduce((s, x) => s + x, 0)).toBeCloseTo(4 / 5); // the zero is not on a log axis
    expect(shares[0]).toBeCloseTo(2 / 5); // 1000 and 1500 are in [1000, 1778)
  });

  it('covers linear values with round bins from 0', () => {
    const edges = linearEdges([tally([3, 250, 3651])]);
    expect(edges[0]).toBe(0);
    expect(edges.at(-1)).toBeGreaterThan(3651);
    expect(binShares(tally([3, 250, 3651]), edges).filter((s) => s > 0)).toHaveLength(3);
  });

  it('draws an ECDF over every run: runs that never get there keep it below 1', () => {
    expect(ecdfPoints(tally([10, 10, 30]), 4)).toEqual([
      [10, 0.5],
      [30, 0.75],
    ]);
  });
});

describe('labels inside the drawing (estimated widths; the browser test measures them)', () => {
  it('sizes the bar chart margin from the longest category', () => {
    const svg = barChart({
      id: 'b',
      title: 'Outcomes',
      categories: ['closed at the complaint stage', 'sanction annulled on appeal'],
      series: [{ name: 'A', values: [0.983, 0.002] }],
      format: (v) => percent(v),
    });
    const { width, texts } = geometry(svg);
    for (const t of texts) {
      const w = textWidth(t.text);
      const left = t.anchor === 'end' ? t.x - w : t.anchor === 'middle' ? t.x - w / 2 : t.x;
      expect(left, t.text).toBeGreaterThanOrEqual(0);
      expect(left + w, t.text).toBeLessThanOrEqual(width);
    }
  });

  it('keeps histogram and curve tick labels within the width', () => {
    const h = histogram({
      id: 'h',
      title: 'Fines',
      edges: [100, 1000, 10_000],
      series: [{ name: 'A', values: [0.5, 0.5] }],
      x: { label: 'EUR', scale: 'log', format: (v) => `${v} €` },
      yLabel: 'share',
      notes: ['a note'],
    });
    const c = stepChart({
      id: 'c',
      title: 'Closure',
      series: [{ name: 'A', values: [[10, 0.5]] }],
      x: { label: 'days', format: String, min: 0, max: 3650 },
      y: { label: 'share', format: percent, min: 0, max: 1 },
    });
    for (const svg of [h, c]) {
      const { width, texts } = geometry(svg);
      for (const t of texts) {
        const w = textWidth(t.text);
        const left = t.anchor === 'end' ? t.x - w : t.anchor === 'middle' ? t.x - w / 2 : t.x;
        expect(left, t.text).toBeGreaterThanOrEqual(0);
        expect(left + w, t.text).toBeLessThanOrEqual(width);
      }
    }
  });
});
