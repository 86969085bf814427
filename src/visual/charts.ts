/**
 * Small SVG charts for self-contained HTML pages: grouped horizontal bars, histograms on a linear or
 * logarithmic axis, and step curves (ECDFs). Pure functions from data to an `<svg>` string: no
 * DOM, no fonts or scripts to load, nothing from the network. Every label is placed inside the
 * drawing: margins are sized from the longest label, with text widths estimated generously
 * (`textWidth`); test/visual/sim-report.browser.test.ts measures them in Chromium.
 *
 * @example
 * barChart({ id: 'outcomes', title: 'Outcomes', categories: ['warning', 'sanctioned'],
 *   series: [{ name: 'all runs', values: [0.2, 0.8] }], format: percent });
 */

export interface Tick {
  readonly value: number;
  readonly label: string;
}

export interface Series<T> {
  readonly name: string;
  readonly values: T;
}

/** Colours of the series (colour-blind-safe blue, orange, green, purple). */
export const PALETTE = ['#1d4ed8', '#d97706', '#059669', '#7c3aed'] as const;
const colour = (i: number): string => PALETTE[i % PALETTE.length] as string;

export const FONT_SIZE = 12;
const f1 = (n: number): string => (Math.round(n * 10) / 10).toString();

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** An upper bound of a label's width in pixels at `size` px (system sans-serif fonts: ≤ 0.62 em per character). */
export const textWidth = (text: string, size = FONT_SIZE): number => text.length * size * 0.62;

/**
 * A share as a percentage: 0.1234 → '12.3 %'. On an axis whose ticks are `step` apart, with as many
 * decimals as the step needs (0.0005 apart: '0.05 %', '0.10 %').
 */
export const percent = (share: number, step?: number): string => {
  const decimals =
    step !== undefined && step > 0
      ? Math.min(4, Math.max(1, Math.ceil(-Math.log10(step * 100) - 1e-9)))
      : share > 0 && share < 0.001
        ? 2
        : 1;
  return `${(share * 100).toFixed(decimals)} %`;
};

/** Whole euros, short: 1 500 → '1.5 k€', 20 000 000 → '20 M€'. */
export const eurosShort = (n: number): string => {
  const short = (v: number, unit: string) => `${Number(v.toPrecision(3)).toString()} ${unit}`;
  if (n >= 1e9) return short(n / 1e9, 'Md€');
  if (n >= 1e6) return short(n / 1e6, 'M€');
  if (n >= 1e3) return short(n / 1e3, 'k€');
  return `${Math.round(n)} €`;
};

/** 'nice' ticks from 0 (or min) to at least max: steps of 1, 2, 2.5 or 5 × 10ᵏ. */
export const linearTicks = (min: number, max: number, count = 5): number[] => {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw - 1e-12) ?? 10 * magnitude;
  const first = Math.floor(min / step) * step;
  const ticks: number[] = [];
  for (let v = first; v < max + step - 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
};

/** Powers of ten covering [min, max] (min > 0): the decades of a log axis. */
export const logTicks = (min: number, max: number): number[] => {
  const lo = Math.floor(Math.log10(min));
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(max)));
  return Array.from({ length: hi - lo + 1 }, (_, i) => 10 ** (lo + i));
};

interface Frame {
  readonly width: number;
  readonly height: number;
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

const svgOpen = (id: string, title: string, frame: Frame): string =>
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${frame.width} ${frame.height}" width="${frame.width}" height="${frame.height}" role="img" class="chart" data-testid="${esc(id)}" aria-labelledby="${esc(id)}-title" font-family="system-ui, sans-serif" font-size="${FONT_SIZE}">` +
  `<title id="${esc(id)}-title">${esc(title)}</title>`;

/** The legend: one swatch and name per series, on one row under the title. */
const legend = (names: readonly string[], x: number, y: number, dashed = false): string => {
  let at = x;
  return names
    .map((name, i) => {
      const sw = dashed
        ? `<line x1="${f1(at)}" x2="${f1(at + 18)}" y1="${f1(y - 4)}" y2="${f1(y - 4)}" stroke="${colour(i)}" stroke-width="3"/>`
        : `<rect x="${f1(at)}" y="${f1(y - 10)}" width="12" height="12" fill="${colour(i)}" rx="2"/>`;
      const out = `${sw}<text x="${f1(at + 22)}" y="${f1(y)}" class="legend-label">${esc(name)}</text>`;
      at += 22 + textWidth(name) + 18;
      return out;
    })
    .join('');
};

const heading = (title: string, x: number): string =>
  `<text x="${x}" y="18" font-weight="600" font-size="${FONT_SIZE + 2}" class="chart-title">${esc(title)}</text>`;

// ── grouped horizontal bars ─────────────────────────────────────────────────────────────────────

export interface BarChartOptions {
  readonly id: string;
  readonly title: string;
  readonly categories: readonly string[];
  /** One value per category per series. */
  readonly series: readonly Series<readonly number[]>[];
  readonly format: (value: number) => string;
  readonly width?: number;
}

/** Horizontal bars, one group per category (one bar per series), each labelled with its value. */
export const barChart = (o: BarChartOptions): string => {
  const width = o.width ?? 900;
  const bar = 16;
  const groupGap = 10;
  const group = o.series.length * bar + groupGap;
  const labelW = Math.max(...o.categories.map((c) => textWidth(c)), 40);
  const valueW = Math.max(...o.series.flatMap((s) => s.values.map((v) => textWidth(o.format(v)))), 30);
  const legendRow = o.series.length > 1 ? 22 : 0;
  const frame: Frame = {
    width,
    height: 0,
    left: 10 + labelW + 10,
    right: valueW + 16,
    top: 30 + legendRow,
    bottom: 10,
  };
  const height = frame.top + o.categories.length * group + frame.bottom;
  const max = Math.max(...o.series.flatMap((s) => s.values), 1e-12);
  const plotW = width - frame.left - frame.right;
  const rows = o.categories
    .map((c, ci) => {
      const y0 = frame.top + ci * group;
      const bars = o.series
        .map((s, si) => {
          const v = s.values[ci] ?? 0;
          const w = (v / max) * plotW;
          const y = y0 + si * bar;
          return (
            `<rect x="${frame.left}" y="${f1(y)}" width="${f1(Math.max(w, v > 0 ? 1 : 0))}" height="${bar - 3}" fill="${colour(si)}" class="bar" data-series="${esc(s.name)}" data-value="${v}"/>` +
            `<text x="${f1(frame.left + w + 6)}" y="${f1(y + bar - 6)}" class="value">${esc(o.format(v))}</text>`
          );
        })
        .join('');
      const cy = y0 + (o.series.length * bar) / 2 + 1;
      return `<text x="${frame.left - 10}" y="${f1(cy + 3)}" text-anchor="end" class="category">${esc(c)}</text>${bars}`;
    })
    .join('\n');
  return `${svgOpen(o.id, o.title, { ...frame, height })}
${heading(o.title, 10)}
${
  o.series.length > 1
    ? legend(
        o.series.map((s) => s.name),
        10,
        30 + 12,
      )
    : ''
}
<line x1="${frame.left}" x2="${frame.left}" y1="${frame.top - 4}" y2="${height - frame.bottom}" class="axis" stroke="#334155"/>
${rows}
</svg>`;
};

// ── axes shared by histograms and curves ─────────────────────────────────────────────────────────

export interface AxisOptions {
  readonly label: string;
  /** 'log' needs positive values. */
  readonly scale?: 'linear' | 'log';
  /** A tick label; `step` is the distance between linear ticks. */
  readonly format: (value: number, step?: number) => string;
  readonly min?: number;
  readonly max?: number;
  /** Explicit ticks (otherwise linear or decade ticks). */
  readonly ticks?: readonly Tick[];
}

interface PlotArea {
  readonly frame: Frame;
  readonly x: (v: number) => number;
  readonly y: (v: number) => number;
  readonly axes: string;
}

const plotArea = (
  width: number,
  height: number,
  title: string,
  names: readonly string[],
  xAxis: AxisOptions & { readonly min: number; readonly max: number },
  yAxis: AxisOptions & { readonly min: number; readonly max: number },
  dashedLegend: boolean,
): PlotArea => {
  const xLog = xAxis.scale === 'log';
  const xTicks: Tick[] = [
    ...(xAxis.ticks ??
      (xLog ? logTicks(xAxis.min, xAxis.max) : linearTicks(xAxis.min, xAxis.max, 8)).map((v) => ({
        value: v,
        label: xAxis.format(v),
      }))),
  ];
  const yValues = linearTicks(yAxis.min, yAxis.max, 5);
  const yStep = (yValues[1] ?? 1) - (yValues[0] ?? 0);
  const yTicks = yValues.map((v) => ({ value: v, label: yAxis.format(v, yStep) }));
  const xMin = xLog ? Math.min(xAxis.min, xTicks[0]?.value ?? xAxis.min) : xAxis.min;
  const xMax = Math.max(xAxis.max, xTicks.at(-1)?.value ?? xAxis.max);
  const yMax = Math.max(yAxis.max, yTicks.at(-1)?.value ?? yAxis.max);
  const yLabelW = Math.max(...yTicks.map((t) => textWidth(t.label)));
  const legendRow = names.length > 1 ? 22 : 0;
  const lastX = xTicks.at(-1);
  const frame: Frame = {
    width,
    height,
    left: 30 + yLabelW + 8,
    right: Math.max(20, (lastX ? textWidth(lastX.label) : 0) / 2 + 8),
    top: 34 + legendRow,
    bottom: 52,
  };
  const plotW = width - frame.left - frame.right;
  const plotH = height - frame.top - frame.bottom;
  const x = xLog
    ? (v: number) =>
        frame.left + ((Math.log10(v) - Math.log10(xMin)) / (Math.log10(xMax) - Math.log10(xMin))) * plotW
    : (v: number) => frame.left + ((v - xMin) / (xMax - xMin || 1)) * plotW;
  const y = (v: number) => frame.top + plotH - ((v - yAxis.min) / (yMax - yAxis.min || 1)) * plotH;
  const base = frame.top + plotH;
  // Thin the x labels so that they do not overlap.
  const widest = Math.max(...xTicks.map((t) => textWidth(t.label)));
  const every = Math.max(1, Math.ceil((widest + 12) / (plotW / Math.max(1, xTicks.length - 1))));
  const axes = [
    heading(title, frame.left),
    names.length > 1 ? legend(names, frame.left, 34 + 12, dashedLegend) : '',
    ...yTicks.map(
      (t) =>
        `<line x1="${frame.left}" x2="${width - frame.right}" y1="${f1(y(t.value))}" y2="${f1(y(t.value))}" stroke="#e2e8f0" class="grid"/>` +
        `<text x="${frame.left - 8}" y="${f1(y(t.value) + 4)}" text-anchor="end" class="tick">${esc(t.label)}</text>`,
    ),
    ...xTicks.map(
      (t, i) =>
        `<line x1="${f1(x(t.value))}" x2="${f1(x(t.value))}" y1="${base}" y2="${base + 5}" stroke="#334155"/>` +
        (i % every === 0
          ? `<text x="${f1(x(t.value))}" y="${base + 18}" text-anchor="middle" class="tick">${esc(t.label)}</text>`
          : ''),
    ),
    `<line x1="${frame.left}" x2="${frame.left}" y1="${frame.top}" y2="${base}" stroke="#334155" class="axis"/>`,
    `<line x1="${frame.left}" x2="${width - frame.right}" y1="${base}" y2="${base}" stroke="#334155" class="axis"/>`,
    `<text x="${f1(frame.left + plotW / 2)}" y="${height - 10}" text-anchor="middle" class="axis-label">${esc(xAxis.label)}</text>`,
    `<text transform="translate(16 ${f1(frame.top + plotH / 2)}) rotate(-90)" text-anchor="middle" class="axis-label">${esc(yAxis.label)}</text>`,
  ].join('\n');
  return { frame, x, y, axes };
};

// ── histograms ───────────────────────────────────────────────────────────────────────────────────

export interface HistogramOptions {
  readonly id: string;
  readonly title: string;
  /** Bin edges, increasing: bin i is [edges[i], edges[i+1]). */
  readonly edges: readonly number[];
  /** Per series, the share (0–1) of its values in each bin. */
  readonly series: readonly Series<readonly number[]>[];
  readonly x: AxisOptions;
  readonly yLabel: string;
  /** Lines under the chart, inside the drawing (e.g. values left out of a log axis). */
  readonly notes?: readonly string[];
  readonly width?: number;
  readonly height?: number;
}

/** A histogram: one outlined step area, or with several series one bar per series side by side in each bin. */
export const histogram = (o: HistogramOptions): string => {
  const width = o.width ?? 900;
  const notes = o.notes ?? [];
  const height = (o.height ?? 320) + notes.length * 16;
  const first = o.edges[0] ?? 0;
  const last = o.edges.at(-1) ?? 1;
  const maxShare = Math.max(...o.series.flatMap((s) => s.values), 0.01);
  const area = plotArea(
    width,
    height - notes.length * 16,
    o.title,
    o.series.map((s) => s.name),
    { ...o.x, min: o.x.min ?? first, max: o.x.max ?? last },
    { label: o.yLabel, format: percent, min: 0, max: maxShare },
    false,
  );
  const { x, y } = area;
  const base = y(0);
  const n = o.series.length;
  const paths = o.series
    .map((s, si) => {
      let d = '';
      if (n === 1) {
        d = `M${f1(x(first))},${f1(base)}`;
        s.values.forEach((v, i) => {
          d += ` V${f1(y(v))} H${f1(x(o.edges[i + 1] ?? last))}`;
        });
        d += ` V${f1(base)} Z`;
      } else
        s.values.forEach((v, i) => {
          if (v <= 0) return;
          const x0 = x(o.edges[i] ?? first);
          const w = (x(o.edges[i + 1] ?? last) - x0 - 2) / n;
          const left = x0 + 1 + si * w;
          d += `M${f1(left)},${f1(base)} V${f1(y(v))} H${f1(left + w)} V${f1(base)} Z `;
        });
      return `<path d="${d.trim() || `M${f1(x(first))},${f1(base)}`}" fill="${colour(si)}" fill-opacity="${n > 1 ? 0.75 : 0.35}" stroke="${colour(si)}" stroke-width="${n > 1 ? 1 : 2}" class="histogram" data-series="${esc(s.name)}"/>`;
    })
    .join('\n');
  const lines = notes
    .map(
      (line, i) =>
        `<text x="${area.frame.left}" y="${height - 8 - (notes.length - 1 - i) * 16}" class="note">${esc(line)}</text>`,
    )
    .join('');
  return `${svgOpen(o.id, o.title, { ...area.frame, height })}\n${area.axes}\n${paths}\n${lines}\n</svg>`;
};

// ── step curves ──────────────────────────────────────────────────────────────────────────────────

export interface StepChartOptions {
  readonly id: string;
  readonly title: string;
  /** Per series, points (x, y) in increasing x; y holds from x to the next point. */
  readonly series: readonly Series<readonly (readonly [number, number])[]>[];
  readonly x: AxisOptions & { readonly min: number; readonly max: number };
  readonly y: AxisOptions & { readonly min: number; readonly max: number };
  /** Dash pattern per series (e.g. a second scenario dashed). */
  readonly dashes?: readonly (string | null)[];
  readonly width?: number;
  readonly height?: number;
}

/** Step curves from (x.min, first y) to x.max: ECDFs and survival curves. */
export const stepChart = (o: StepChartOptions): string => {
  const width = o.width ?? 900;
  const height = o.height ?? 340;
  const area = plotArea(
    width,
    height,
    o.title,
    o.series.map((s) => s.name),
    o.x,
    o.y,
    true,
  );
  const { x, y } = area;
  const paths = o.series
    .map((s, si) => {
      let d = `M${f1(x(o.x.min))},${f1(y(0))}`;
      for (const [px, py] of s.values) d += ` H${f1(x(Math.min(px, o.x.max)))} V${f1(y(py))}`;
      d += ` H${f1(x(o.x.max))}`;
      const dash = o.dashes?.[si];
      return `<path d="${d}" fill="none" stroke="${colour(si)}" stroke-width="2.5"${dash ? ` stroke-dasharray="${dash}"` : ''} class="curve" data-series="${esc(s.name)}"/>`;
    })
    .join('\n');
  return `${svgOpen(o.id, o.title, area.frame)}\n${area.axes}\n${paths}\n</svg>`;
};
