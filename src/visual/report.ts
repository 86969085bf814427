/**
 * The case report: one self-contained HTML page (inline CSS and SVG, one small inline script, no network) with
 * the statechart and the case's path through it, the timeline with a link to each act's source,
 * the open deadlines, and a chart of the penalty payment accrued against what was liquidated.
 * Labels in English and French. Every figure comes from the projections; nothing is recomputed.
 */
import type { IsoDate } from '../../machines/dates.ts';
import { describeState } from '../../machines/decider.ts';
import { type CaseView, caseViewAsOf, foldCase } from '../../projections/case-state.ts';
import type { DeadlineKind } from '../../projections/deadlines.ts';
import { factsAsOf } from '../../projections/fact.ts';
import { NOT_OWED_CAVEAT, penaltyAsOf } from '../../projections/penalty.ts';
import { buildTimeline, type TimelineRow } from '../../projections/timeline.ts';
import type { CaseFacts } from './case-data.ts';
import { casePath, type CasePath, procedureGraph } from './diagram.ts';
import { STAGE_LABELS } from './labels.ts';
import { renderOverviewSvg } from './overview.ts';
import { inlineSvg, renderSvg } from './svg.ts';

export { STAGE_LABELS } from './labels.ts';

export const DEADLINE_LABELS: Readonly<Record<DeadlineKind, { en: string; fr: string }>> = {
  complaintImplicitRejection: { en: 'Complaint: implicit rejection', fr: 'Rejet implicite de la plainte' },
  formalNoticeCompliance: { en: 'Comply with the formal notice', fr: 'Mise en conformité (mise en demeure)' },
  reportObservations: { en: 'Observations on the report', fr: 'Observations sur le rapport' },
  injunctionCompliance: { en: 'Comply with the injunction', fr: 'Exécution de l’injonction' },
  liquidationObservations: { en: 'Observations on the liquidation', fr: 'Observations sur la liquidation' },
  appeal: { en: 'Appeal to the Conseil d’État', fr: 'Recours devant le Conseil d’État' },
  anonymisation: { en: 'Anonymise the publication', fr: 'Anonymisation de la publication' },
};

/** One point of the penalty chart. */
export interface PenaltyPoint {
  readonly on: IsoDate;
  readonly accrued: number;
  readonly liquidated: number;
}

export interface ReportModel {
  readonly caseId: string;
  readonly title: string;
  readonly origin: string;
  readonly asOf: IsoDate;
  readonly view: CaseView;
  readonly rows: readonly TimelineRow[];
  readonly path: CasePath;
  /** Empty when no penalty payment was ordered by `asOf`. */
  readonly penalty: readonly PenaltyPoint[];
  readonly liquidations: readonly {
    readonly on: IsoDate;
    readonly amount: number;
    readonly deliberation: string;
    readonly periodFrom: IsoDate;
    readonly periodTo: IsoDate;
  }[];
  /** First day of delay of the injunction, if its deadline has elapsed. */
  readonly delayFrom: IsoDate | null;
  readonly diagramSvg: string;
  /** The overview of the stages, the case's path highlighted (overview.ts). */
  readonly overviewSvg: string;
}

/**
 * The penalty accrued and liquidated on each date the curve bends (each act from the sanction
 * on, and `asOf`): both are piecewise linear between acts, so these points draw them exactly.
 */
export const penaltySeries = (c: CaseFacts, asOf: IsoDate): PenaltyPoint[] => {
  const facts = factsAsOf(c.facts, asOf);
  const context = foldCase(facts).procedure.context;
  const start = context.sanction?.on;
  if (!context.injunction || start === undefined) return [];
  const dates = [
    ...new Set([start, ...facts.map((f) => f.event.data.on).filter((d) => d > start), asOf]),
  ].sort();
  return dates.map((on) => {
    const p = penaltyAsOf(foldCase(factsAsOf(facts, on)).procedure.context, on);
    return { on, accrued: p.accrued, liquidated: p.liquidated };
  });
};

export const buildReport = async (c: CaseFacts, asOf: IsoDate): Promise<ReportModel> => {
  const facts = factsAsOf(c.facts, asOf);
  const path = casePath(facts.map((f) => f.event));
  const graph = procedureGraph();
  return {
    caseId: c.caseId,
    title: c.title,
    origin: c.origin,
    asOf,
    view: caseViewAsOf(c.caseId, c.facts, asOf),
    rows: buildTimeline(facts),
    path,
    penalty: penaltySeries(c, asOf),
    liquidations: path.state.context.liquidations,
    delayFrom: path.state.context.injunction?.delayFrom ?? null,
    diagramSvg: pointsToPixels(inlineSvg(await renderSvg(graph, path))),
    overviewSvg: renderOverviewSvg(graph, { highlight: path }),
  };
};

// ——— rendering ———

/** Graphviz sizes its SVG in points; one pixel per point keeps 10 pt labels readable on a laptop. */
const pointsToPixels = (svg: string): string =>
  svg.replace(/^<svg width="([\d.]+)pt" height="([\d.]+)pt"/, '<svg width="$1" height="$2"');

/**
 * The report's one script: scrolls the detailed diagram's box (not the page) to the current state when it is
 * opened. The page
 * works without it. `serve` allows it by its hash in the Content-Security-Policy.
 */
export const SCROLL_TO_CURRENT = `(() => {
  const box = document.querySelector('[data-testid=diagram]');
  const details = document.querySelector('[data-testid=diagram-details]');
  const scroll = () => {
    const node = box && box.querySelector('.current-leaf');
    if (!node || !details.open) return;
    const b = box.getBoundingClientRect(), r = node.getBoundingClientRect();
    box.scrollLeft += r.left - b.left - b.width / 2 + r.width / 2;
    box.scrollTop += r.top - b.top - b.height / 3 + r.height / 2;
  };
  if (details) details.addEventListener('toggle', scroll);
  scroll();
})();`;

export const escapeHtml = (s: string): string =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');

/** Whole euros, French style: '5 200 000 €'. */
export const eur = (n: number): string => `${n.toLocaleString('fr-FR').replace(/[\u202f\u00a0]/g, ' ')} €`;

/** Short amounts for chart axes: '150 M€', '2.5 M€', '500 k€'. */
const eurShort = (n: number): string =>
  n >= 1_000_000
    ? `${Number((n / 1_000_000).toFixed(1)).toString()} M€`
    : n >= 1000
      ? `${Number((n / 1000).toFixed(1)).toString()} k€`
      : `${n} €`;

const dayNumber = (d: IsoDate) => Date.parse(`${d}T00:00:00Z`) / 86_400_000;

const niceStep = (max: number, ticks: number): number => {
  const raw = max / ticks;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw);
  return step ?? 10 * magnitude;
};

/** The penalty chart as inline SVG: accrued (line) against liquidated (steps), with axes. */
export const renderPenaltyChart = (
  model: Pick<ReportModel, 'penalty' | 'liquidations' | 'view' | 'delayFrom'>,
): string => {
  const points = model.penalty;
  const first = points[0];
  const last = points.at(-1);
  if (!first || !last || first.on === last.on)
    return `<p class="empty" data-testid="penalty-chart-empty">No penalty payment ordered on this date. · <span lang="fr">Aucune astreinte prononcée à cette date.</span></p>`;
  const W = 900;
  const H = 340;
  const m = { left: 78, right: 24, top: 24, bottom: 48 };
  const x0 = dayNumber(first.on);
  const x1 = dayNumber(last.on);
  const maxY = Math.max(...points.map((p) => Math.max(p.accrued, p.liquidated)), 1);
  const step = niceStep(maxY, 5);
  const top = Math.ceil(maxY / step) * step;
  const x = (d: IsoDate) => m.left + ((dayNumber(d) - x0) / (x1 - x0)) * (W - m.left - m.right);
  const y = (v: number) => H - m.bottom - (v / top) * (H - m.top - m.bottom);
  const f = (n: number) => n.toFixed(1);

  const yTicks: string[] = [];
  for (let v = 0; v <= top + 1e-6; v += step)
    yTicks.push(
      `<line x1="${m.left}" x2="${W - m.right}" y1="${f(y(v))}" y2="${f(y(v))}" class="grid"/>` +
        `<text x="${m.left - 8}" y="${f(y(v) + 4)}" text-anchor="end">${escapeHtml(eurShort(v))}</text>`,
    );
  // Month ticks, thinned to at most ~10 labels.
  const months: IsoDate[] = [];
  const [fy, fm] = first.on.split('-').map(Number) as [number, number];
  for (let yy = fy, mm = fm + 1; ; mm++) {
    if (mm > 12) {
      yy++;
      mm = 1;
    }
    const d = `${yy}-${String(mm).padStart(2, '0')}-01` as IsoDate;
    if (d > last.on) break;
    months.push(d);
  }
  const every = Math.max(1, Math.ceil(months.length / 10));
  const xTicks = months
    .filter((_, i) => i % every === 0)
    .map(
      (d) =>
        `<line x1="${f(x(d))}" x2="${f(x(d))}" y1="${H - m.bottom}" y2="${H - m.bottom + 5}" class="axis"/>` +
        `<text x="${f(x(d))}" y="${H - m.bottom + 18}" text-anchor="middle">${d.slice(0, 7)}</text>`,
    );

  const accrued = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${f(x(p.on))},${f(y(p.accrued))}`).join(' ');
  const liquidated = points
    .map((p, i) => {
      const prev = points[i - 1];
      return i === 0
        ? `M${f(x(p.on))},${f(y(p.liquidated))}`
        : `L${f(x(p.on))},${f(y(prev?.liquidated ?? 0))} L${f(x(p.on))},${f(y(p.liquidated))}`;
    })
    .join(' ');
  const delayFrom = model.delayFrom;
  const marks = model.liquidations
    .filter((l) => l.on >= first.on && l.on <= last.on)
    .map((l) => {
      const total = points.find((p) => p.on === l.on)?.liquidated ?? l.amount;
      const cx = x(l.on);
      const anchor = cx > W * 0.7 ? 'end' : 'start';
      return (
        `<circle cx="${f(cx)}" cy="${f(y(total))}" r="5" class="liquidation" data-testid="liquidation-mark"/>` +
        `<text x="${f(cx + (anchor === 'end' ? -8 : 8))}" y="${f(y(total) + 20)}" text-anchor="${anchor}" class="note">` +
        `${escapeHtml(eur(l.amount))} liquidated on ${l.on} (${escapeHtml(l.deliberation)})</text>`
      );
    });
  const rate = model.view.penalty.ratePerDay;
  const startNote =
    delayFrom !== null && delayFrom >= first.on && delayFrom <= last.on
      ? `<line x1="${f(x(delayFrom))}" x2="${f(x(delayFrom))}" y1="${m.top}" y2="${H - m.bottom}" class="marker" data-testid="delay-start"/>` +
        `<text x="${f(x(delayFrom) + 6)}" y="${m.top + 12}" class="note">delay from ${delayFrom} · ${escapeHtml(eur(rate))}/day</text>`
      : '';
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" role="img" class="chart" data-testid="penalty-chart" aria-labelledby="chart-title">
<title id="chart-title">Penalty payment accrued and liquidated, ${escapeHtml(first.on)} to ${escapeHtml(last.on)}</title>
${yTicks.join('\n')}
${xTicks.join('\n')}
<line x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${H - m.bottom}" class="axis"/>
<line x1="${m.left}" x2="${W - m.right}" y1="${H - m.bottom}" y2="${H - m.bottom}" class="axis"/>
${startNote}
<path d="${accrued}" class="accrued" data-testid="accrued-line"/>
<path d="${liquidated}" class="liquidated" data-testid="liquidated-line"/>
${marks.join('\n')}
<text x="${m.left}" y="${H - 8}" class="legend"><tspan class="key-accrued">━ Accrued · astreinte courue</tspan><tspan dx="24" class="key-liquidated">━ Liquidated · astreinte liquidée</tspan></text>
<text x="${W - m.right}" y="${H - 8}" text-anchor="end" class="legend">EUR, as of ${escapeHtml(last.on)}</text>
</svg>`;
};

const STYLE = `
:root { --ink:#0f172a; --muted:#475569; --line:#cbd5e1; --accent:#1d4ed8; --warn:#b45309; --bg:#f8fafc; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: var(--ink); background: #fff; }
header { padding: 20px 32px 12px; border-bottom: 1px solid var(--line); background: var(--bg); }
header h1 { margin: 0 0 4px; font-size: 22px; }
header p { margin: 0; color: var(--muted); }
main { max-width: 1280px; margin: 0 auto; padding: 8px 32px 40px; }
section { margin-top: 28px; }
h2 { font-size: 18px; margin: 0 0 10px; border-bottom: 2px solid var(--ink); padding-bottom: 4px; }
h2 .fr, th .fr, .fr { color: var(--muted); font-weight: normal; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(180px, 1fr)); gap: 12px; margin-top: 16px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; background: #fff; }
.card .k { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
.card .v { font-size: 20px; font-weight: 600; }
.card.current-stage .v { color: var(--warn); }
.diagram { border: 1px solid var(--line); border-radius: 8px; overflow: auto; max-height: 82vh; background: #fff; }
.diagram { max-height: 78vh; }
.diagram svg { display: block; max-width: none; }
.overview-box { border: 1px solid var(--line); border-radius: 8px; background: #fff; padding: 8px; overflow-x: auto; }
.overview-box svg { display: block; width: 100%; max-width: 1000px; height: auto; margin: 0 auto; }
details.detail { margin-top: 12px; }
details.detail > summary { cursor: pointer; font-weight: 600; margin-bottom: 8px; }
.legend-row { display: flex; gap: 18px; flex-wrap: wrap; font-size: 13px; color: var(--muted); margin: 6px 0 8px; }
.swatch { display: inline-block; width: 14px; height: 14px; border-radius: 3px; vertical-align: -2px; margin-right: 4px; border: 1px solid #334155; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--bg); position: sticky; top: 0; }
td.date { white-space: nowrap; font-variant-numeric: tabular-nums; }
td.ref a { color: var(--accent); }
tr.inferred td.date::after { content: " ~"; color: var(--warn); }
.summary { color: var(--muted); font-size: 13px; }
.overdue { color: #b91c1c; font-weight: 600; }
.in-effect { color: #475569; font-style: italic; }
.caveat { margin: .25rem 0 1rem; color: #475569; font-size: .9rem; }
.chart { width: 100%; max-width: 900px; height: auto; font: 12px system-ui, sans-serif; }
.chart .grid { stroke: #e2e8f0; }
.chart .axis { stroke: #334155; }
.chart .marker { stroke: var(--warn); stroke-dasharray: 4 3; }
.chart .accrued { fill: none; stroke: #dc2626; stroke-width: 2.5; }
.chart .liquidated { fill: none; stroke: #1d4ed8; stroke-width: 2.5; }
.chart .liquidation { fill: #1d4ed8; }
.chart .note { fill: var(--ink); font-size: 12px; paint-order: stroke; stroke: #fff; stroke-width: 4px; stroke-linejoin: round; }
.chart .legend { fill: var(--muted); font-size: 12px; }
.chart .key-accrued { fill: #dc2626; }
.chart .key-liquidated { fill: #1d4ed8; }
footer { color: var(--muted); font-size: 12px; margin-top: 36px; }
@media print { .diagram { max-height: none; overflow: visible; } }
`;

const bi = (en: string, fr: string) =>
  `${escapeHtml(en)} <span class="fr" lang="fr">· ${escapeHtml(fr)}</span>`;

export const renderReportHtml = (model: ReportModel): string => {
  const { view } = model;
  const stage = view.stage ? STAGE_LABELS[view.stage] : null;
  const p = view.penalty;
  const cards = [
    [
      bi('Stage', 'Étape'),
      stage
        ? `${escapeHtml(stage.en)} <span class="fr" lang="fr">· ${escapeHtml(stage.fr)}</span>`
        : 'not opened',
      'current-stage',
    ],
    [bi('Fine imposed', 'Amende'), escapeHtml(eur(view.fines.imposed)), ''],
    [
      bi('Due', 'Dû'),
      `${escapeHtml(eur(view.due.total))}<div class="summary">fines ${escapeHtml(eur(view.due.finesImposed))} + liquidated ${escapeHtml(eur(view.due.penaltiesLiquidated))}${view.due.reducedByCourt > 0 ? ` − reduced by the court ${escapeHtml(eur(view.due.reducedByCourt))}` : ''}</div>`,
      'due',
    ],
    [bi('Penalty liquidated', 'Astreinte liquidée'), escapeHtml(eur(p.liquidated)), ''],
    [
      bi('Penalty accrued, not liquidated (not owed)', 'Astreinte courue non liquidée (non due)'),
      p.ratePerDay === 0
        ? 'none'
        : `${escapeHtml(eur(p.accruedNotLiquidated))}<div class="summary">${escapeHtml(eur(p.ratePerDay))}/day × ${p.daysOfDelay} days = ${escapeHtml(eur(p.accrued))} accrued in all</div>`,
      'accrued',
    ],
  ]
    .map(
      ([k, v, cls]) =>
        `<div class="card ${cls}"><div class="k">${k ?? ''}</div><div class="v">${v ?? ''}</div></div>`,
    )
    .join('\n');

  const rows = model.rows
    .map((r) => {
      const ref = r.reference ?? (r.source ? 'source' : '');
      const link = r.source
        ? `<a href="${escapeHtml(r.source.url)}" title="${escapeHtml(r.source.title)}" rel="noreferrer">${escapeHtml(ref)}</a>`
        : escapeHtml(ref);
      const st = r.stage ? STAGE_LABELS[r.stage] : null;
      return `<tr class="timeline-row${r.source?.date === 'inferred' ? ' inferred' : ''}" data-type="${escapeHtml(r.type)}">
<td class="date">${escapeHtml(r.on)}</td>
<td>${escapeHtml(r.act)} <span class="fr" lang="fr">· ${escapeHtml(r.actFr)}</span>${r.summary ? `<div class="summary">${escapeHtml(r.summary)}</div>` : ''}</td>
<td class="ref">${link}</td>
<td>${st ? `${escapeHtml(st.en)} <span class="fr" lang="fr">· ${escapeHtml(st.fr)}</span>` : ''}<div class="summary">${escapeHtml(r.state)}</div></td>
</tr>`;
    })
    .join('\n');

  const deadlines =
    view.deadlines.length === 0
      ? `<p data-testid="no-deadlines">No open deadline. · <span lang="fr">Aucun délai en cours.</span></p>`
      : `<table data-testid="deadlines"><thead><tr><th>${bi('Deadline', 'Délai')}</th><th>${bi('Due', 'Échéance')}</th><th>${bi('Status', 'État')}</th></tr></thead><tbody>
${view.deadlines
  .map((d) => {
    const l = DEADLINE_LABELS[d.kind];
    const overdue = d.due < model.asOf;
    // An anonymisation takes effect on its date (the register no longer names the controller);
    // what is late is only the record of it.
    const status = !overdue
      ? bi('open', 'en cours')
      : d.kind === 'anonymisation'
        ? `<span class="in-effect">${bi('in effect, not recorded', 'effective, non enregistrée')}</span>`
        : `<span class="overdue">${bi('overdue', 'dépassé')}</span>`;
    const decision = d.reference === null ? '' : ` <span class="ref">${escapeHtml(d.reference)}</span>`;
    return `<tr class="deadline-row" data-kind="${d.kind}"><td>${bi(l.en, l.fr)}${decision}</td><td class="date">${d.due}</td><td>${status}</td></tr>`;
  })
  .join('\n')}
</tbody></table>`;

  const current = [...model.path.currentLeaves].join(' + ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(model.title)} — as of ${model.asOf}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1 data-testid="title">${escapeHtml(model.title)}</h1>
<p>Case <code>${escapeHtml(model.caseId)}</code> as of <strong data-testid="as-of">${model.asOf}</strong> · <span lang="fr">situation au ${model.asOf}</span> — ${view.revision + 1} recorded acts (${escapeHtml(model.origin)})</p>
<div class="cards">${cards}</div>
<p class="caveat" data-testid="not-owed-caveat">${escapeHtml(NOT_OWED_CAVEAT)}</p>
</header>
<main>
<section id="procedure">
<h2>${bi('The procedure and the path of this case', 'La procédure et le parcours du dossier')}</h2>
<p>Current state · <span lang="fr">état actuel</span>: <strong data-testid="current-state">${escapeHtml(current || 'not opened')}</strong>${view.state && describeState(view.state) !== current ? ` <span class="summary">(${escapeHtml(describeState(view.state))})</span>` : ''}</p>
<div class="legend-row"><span><span class="swatch" style="background:#f59e0b"></span>current · actuel</span><span><span class="swatch" style="background:#dbeafe"></span>visited · parcouru</span><span><span class="swatch" style="background:#dc2626"></span>transition taken · transition suivie</span><span>Each state shows its legal basis · chaque état indique sa base légale</span></div>
<div class="overview-box" data-testid="overview-box">${model.overviewSvg}</div>
<details class="detail" data-testid="diagram-details"><summary>${bi('The detailed statechart (every state and transition, with its legal basis)', 'Le diagramme détaillé (chaque état et transition, avec sa base légale)')}</summary>
<div class="diagram" data-testid="diagram">${model.diagramSvg}</div>
</details>
</section>
<section id="timeline">
<h2>${bi('Timeline', 'Chronologie')}</h2>
<table data-testid="timeline"><thead><tr><th>${bi('Date', 'Date')}</th><th>${bi('Act', 'Acte')}</th><th>${bi('Reference (source)', 'Référence (source)')}</th><th>${bi('Stage after', 'Étape')}</th></tr></thead>
<tbody>
${rows}
</tbody></table>
<p class="summary">~ date inferred, not stated by the source · <span lang="fr">date déduite, non indiquée par la source</span></p>
</section>
<section id="deadlines">
<h2>${bi('Open deadlines', 'Délais en cours')}</h2>
${deadlines}
</section>
<section id="penalty">
<h2>${bi('Penalty payment: accrued and liquidated', 'Astreinte : courue et liquidée')}</h2>
${renderPenaltyChart(model)}
</section>
<footer>Generated by <code>cnil report</code> from the procedure statechart and the recorded facts. Accrual counts the days in [first day of delay, date), times the daily rate (LIL art. 20 III; D art. 44); liquidations as decided by the restricted committee.</footer>
</main>
<script>${SCROLL_TO_CURRENT}</script>
</body>
</html>
`;
};

export const reportHtml = async (c: CaseFacts, asOf: IsoDate): Promise<string> =>
  renderReportHtml(await buildReport(c, asOf));
