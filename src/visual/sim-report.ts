/**
 * The simulation report: one self-contained HTML page (inline CSS and SVG, no script, nothing from
 * the network) with the outcome shares, the distribution of fines (log scale), the time to the
 * restricted committee's decision and to closure (ECDFs), the days of delay under an injunction and
 * the penalties liquidated, the time per stage, and the parameters, what-ifs and seed used. With two
 * scenarios (`simulate --compare`), every chart shows both side by side.
 *
 * Pure: from the simulation documents and their aggregates to HTML (charts from charts.ts).
 */
import { STAGES } from '../../machines/procedure.ts';
import type { Aggregate } from '../simulation/aggregate.ts';
import type { SimulationDocument } from '../simulation/document.ts';
import type { SimulationParams } from '../simulation/params.ts';
import { OUTCOMES, type Outcome } from '../simulation/run.ts';
import { entriesOf, isExact, RELATIVE_ACCURACY, type Tally, EXACT_LIMIT } from '../simulation/tally.ts';
import { barChart, eurosShort, histogram, linearTicks, percent, stepChart, type Tick } from './charts.ts';
import { escapeHtml as esc, eur, STAGE_LABELS } from './report.ts';

export interface Scenario {
  /** Short name shown in legends ('A — as assumed', 'B — no what-if'). */
  readonly name: string;
  readonly doc: SimulationDocument;
  readonly aggregate: Aggregate;
}

export interface SimReportModel {
  readonly scenarios: readonly Scenario[];
  /** The parameter file of the first scenario (the table of parameters shows it). */
  readonly params: SimulationParams;
}

export const OUTCOME_LABELS: Readonly<Record<Outcome, { en: string; fr: string }>> = {
  closedAtComplaint: { en: 'closed at the complaint stage', fr: 'clôture au stade de la plainte' },
  closedAfterInspection: { en: 'closed after inspection', fr: 'clôture après contrôle' },
  reminder: { en: 'reminder of legal obligations', fr: 'rappel aux obligations légales' },
  warning: { en: 'warning', fr: 'avertissement' },
  formalNoticeComplied: { en: 'formal notice closed (compliance)', fr: 'clôture de la mise en demeure' },
  closedAfterFormalNotice: { en: 'closed after the formal notice', fr: 'clôture après mise en demeure' },
  closedByRapporteur: { en: 'closed by the rapporteur', fr: 'clôture par le rapporteur' },
  dismissed: { en: 'proceedings dismissed', fr: 'non-lieu' },
  sanctioned: { en: 'sanctioned', fr: 'sanction' },
  sanctionAnnulled: { en: 'sanction annulled on appeal', fr: 'sanction annulée en appel' },
  open: { en: 'still open at the horizon', fr: 'encore ouvert à l’horizon' },
};

const count = (n: number): string => n.toLocaleString('en-US').replace(/,/g, ' ');
const bi = (en: string, fr: string) => `${esc(en)} <span class="fr" lang="fr">· ${esc(fr)}</span>`;

/** What a scenario starts from, in words. */
export const startOf = (doc: SimulationDocument): string => {
  const s = doc.simulation.start;
  return s.kind === 'fresh'
    ? `a fresh complaint on ${s.date}`
    : `${s.caseId} as of ${s.asOf} (${s.state}; ${s.facts} recorded facts, ${s.source})`;
};

export const assumptionsOf = (doc: SimulationDocument): string =>
  doc.simulation.assumptions.length === 0
    ? 'no what-if'
    : doc.simulation.assumptions.map((a) => `${a.event} on ${a.on}`).join(', ');

// ── series from the aggregates ───────────────────────────────────────────────────────────────────

/** Cumulative share of all runs with a value ≤ x, at each distinct value: an ECDF over every run (runs without a value never count). */
export const ecdfPoints = (t: Tally, runs: number): [number, number][] => {
  let seen = 0;
  return entriesOf(t).map(([v, k]) => {
    seen += k;
    return [v, runs === 0 ? 0 : seen / runs];
  });
};

/** Quarter-decade edges covering the positive values of the tallies (log-scale histograms). */
export const logEdges = (tallies: readonly Tally[]): number[] => {
  const positive = tallies.flatMap((t) => entriesOf(t).filter(([v]) => v > 0));
  if (positive.length === 0) return [1, 10];
  const lo = Math.floor(Math.log10(Math.min(...positive.map(([v]) => v))) * 4);
  const hi = Math.max(lo + 1, Math.floor(Math.log10(Math.max(...positive.map(([v]) => v))) * 4) + 1);
  return Array.from({ length: hi - lo + 1 }, (_, i) => 10 ** ((lo + i) / 4));
};

/** Linear edges from 0 covering the values (about 24 bins of a round width). */
export const linearEdges = (tallies: readonly Tally[]): number[] => {
  const max = Math.max(1, ...tallies.flatMap((t) => entriesOf(t).map(([v]) => v)));
  const ticks = linearTicks(0, max + 1, 24);
  const step = (ticks[1] ?? 1) - (ticks[0] ?? 0);
  const edges = ticks.filter((v) => v <= max);
  edges.push((edges.at(-1) ?? 0) + step);
  return edges;
};

/** The share of the tally's values (or of `of` values) in each bin [edges[i], edges[i+1]). */
export const binShares = (t: Tally, edges: readonly number[], of = t.count): number[] => {
  const shares = new Array<number>(Math.max(0, edges.length - 1)).fill(0);
  for (const [v, k] of entriesOf(t)) {
    let i = 0;
    while (i < shares.length - 1 && v >= (edges[i + 1] as number) * (1 - 1e-12)) i++;
    if (v >= (edges[0] as number) * (1 - 1e-12)) shares[i] = (shares[i] ?? 0) + k;
  }
  return shares.map((k) => (of === 0 ? 0 : k / of));
};

const zerosOf = (t: Tally): number =>
  entriesOf(t)
    .filter(([v]) => v <= 0)
    .reduce((s, [, k]) => s + k, 0);

const yearTicks = (horizon: number): Tick[] | undefined =>
  horizon < 730
    ? undefined
    : Array.from({ length: Math.floor(horizon / 365) + 1 }, (_, i) => ({
        value: i * 365,
        label: i === 0 ? '0' : `${i} yr`,
      }));

// ── the page ─────────────────────────────────────────────────────────────────────────────────────

const STYLE = `
:root { --ink:#0f172a; --muted:#475569; --line:#cbd5e1; --bg:#f8fafc; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: var(--ink); background: #fff; }
header { padding: 20px 32px 12px; border-bottom: 1px solid var(--line); background: var(--bg); }
header h1 { margin: 0 0 4px; font-size: 22px; }
header p { margin: 2px 0; color: var(--muted); }
main { max-width: 1000px; margin: 0 auto; padding: 8px 32px 40px; }
section { margin-top: 28px; }
h2 { font-size: 18px; margin: 0 0 10px; border-bottom: 2px solid var(--ink); padding-bottom: 4px; }
.fr { color: var(--muted); font-weight: normal; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr)); gap: 12px; margin-top: 12px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; background: #fff; }
.card .k { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
.card .v { font-size: 19px; font-weight: 600; }
.card .s { font-size: 13px; color: var(--muted); }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; vertical-align: -1px; margin-right: 6px; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--bg); }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.chart { display: block; width: 100%; max-width: 900px; height: auto; margin: 8px 0 4px; }
.chart .tick, .chart .value, .chart .category, .chart .legend-label { fill: #334155; }
.chart .axis-label, .chart .note { fill: #475569; }
.summary, .caption { color: var(--muted); font-size: 13px; }
code { font-size: 13px; }
footer { color: var(--muted); font-size: 12px; margin-top: 36px; }
`;

const SWATCHES = ['#1d4ed8', '#d97706'];

const scenarioCards = (s: Scenario, i: number): string => {
  const d = s.doc;
  const card = (k: string, v: string, sub = '') =>
    `<div class="card"><div class="k">${k}</div><div class="v">${v}</div>${sub ? `<div class="s">${sub}</div>` : ''}</div>`;
  return `<h3><span class="swatch" style="background:${SWATCHES[i] ?? '#64748b'}"></span>${esc(s.name)}</h3>
<p class="summary">${esc(count(d.simulation.runs))} runs from ${esc(startOf(d))}; ${esc(assumptionsOf(d))}.</p>
<div class="cards" data-testid="cards-${i}">
${card(bi('Sanctioned', 'Sanctionnés'), percent(d.sanctioned.share), `${count(d.sanctioned.runs)} runs`)}
${card(bi('Fine when sanctioned', 'Amende si sanction'), esc(eur(d.fines.whenSanctioned.median)), `median; p90 ${esc(eur(d.fines.whenSanctioned.p90))}`)}
${card(bi('Penalty liquidated', 'Astreinte liquidée'), percent(d.liquidated.share), `median when liquidated ${esc(eur(d.liquidatedPenalties.whenLiquidated.median))}`)}
${card(bi('Closed within the horizon', 'Clôturés'), percent(d.durationToClosure.closedShare), `median ${d.durationToClosure.medianDays} days, p90 ${d.durationToClosure.p90Days}`)}
</div>`;
};

const parameterValue = (p: Record<string, unknown>): string => {
  if ('probability' in p) return percent(p.probability as number);
  if ('branches' in p)
    return Object.entries(p.branches as Record<string, number>)
      .map(([k, v]) => `${k} ${percent(v)}`)
      .join(', ');
  switch (p.distribution) {
    case 'lognormal':
      return `lognormal, median ${String(p.median)}, p90 ${String(p.p90)}${p.min !== undefined ? `, min ${String(p.min)}` : ''}${p.max !== undefined ? `, max ${String(p.max)}` : ''}`;
    case 'uniform':
      return `uniform ${String(p.min)}–${String(p.max)}`;
    case 'fixed':
      return `fixed ${String(p.value)}`;
    default:
      return JSON.stringify(p);
  }
};

const precisionNote = (scenarios: readonly Scenario[]): string => {
  const sketched = scenarios.some((s) =>
    [
      s.aggregate.sanctionedFines,
      s.aggregate.liquidatedAmounts,
      s.aggregate.daysToClosure,
      s.aggregate.daysToDecision,
      s.aggregate.penaltyDays,
      ...s.aggregate.stageDays,
    ].some((t) => !isExact(t)),
  );
  return sketched
    ? `Runs are aggregated as they finish. Some values had more than ${count(EXACT_LIMIT)} distinct amounts: their medians, p90s and histograms come from a logarithmic sketch within ${RELATIVE_ACCURACY * 100} % of the exact values; counts, shares and means are exact.`
    : 'Runs are aggregated as they finish; every count, share, mean, median and p90 here is exact.';
};

export const renderSimReportHtml = (model: SimReportModel): string => {
  const { scenarios } = model;
  const first = scenarios[0];
  if (!first) throw new RangeError('a simulation report needs at least one scenario');
  const names = scenarios.map((s) => s.name);
  const horizon = Math.max(...scenarios.map((s) => s.doc.simulation.horizonDays));
  const fromWhat = first.doc.simulation.start.kind === 'fresh' ? 'the complaint' : 'the fork date';

  // Outcomes: every outcome reached by some scenario.
  const reached = OUTCOMES.filter((o) => scenarios.some((s) => s.doc.outcomes[o].runs > 0));
  const outcomes = barChart({
    id: 'outcomes-chart',
    title: 'Outcome of the simulated procedures (share of runs)',
    categories: reached.map((o) => OUTCOME_LABELS[o].en),
    series: scenarios.map((s) => ({ name: s.name, values: reached.map((o) => s.doc.outcomes[o].share) })),
    format: percent,
  });
  const outcomeTable = `<table data-testid="outcomes-table"><thead><tr><th>${bi('Outcome', 'Issue')}</th>${scenarios
    .map((s) => `<th class="n">${esc(s.name)}</th>`)
    .join('')}</tr></thead><tbody>${reached
    .map(
      (o) =>
        `<tr><td>${bi(OUTCOME_LABELS[o].en, OUTCOME_LABELS[o].fr)}</td>${scenarios
          .map(
            (s) =>
              `<td class="n">${count(s.doc.outcomes[o].runs)} (${percent(s.doc.outcomes[o].share)})</td>`,
          )
          .join('')}</tr>`,
    )
    .join('')}</tbody></table>`;

  // Fines, log scale.
  const fines = scenarios.map((s) => s.aggregate.sanctionedFines);
  const fineEdges = logEdges(fines);
  const finesChart = histogram({
    id: 'fines-chart',
    title: 'Fine finally owed, when sanctioned (log scale)',
    edges: fineEdges,
    series: scenarios.map((s, i) => ({
      name: s.name,
      values: binShares(fines[i] as Tally, fineEdges),
    })),
    x: { label: 'fine (EUR, log scale)', scale: 'log', format: eurosShort },
    yLabel: 'share of sanctioned runs',
    notes: scenarios.map(
      (s, i) =>
        `${s.name}: ${count(zerosOf(fines[i] as Tally))} of ${count(fines[i]?.count ?? 0)} sanctioned runs without a fine (0 € is not on a log axis)`,
    ),
  });

  // Time to decision and to closure.
  const xDays = { label: `days from ${fromWhat}`, format: (v: number) => String(v), min: 0, max: horizon };
  const ticks = yearTicks(horizon);
  const timeChart = (id: string, title: string, tally: (a: Aggregate) => Tally) => {
    const series = scenarios.map((s) => ({
      name: s.name,
      values: ecdfPoints(tally(s.aggregate), s.aggregate.runs),
    }));
    // The y axis stops at the highest share reached (rounded up), so that rare events stay visible.
    const reachedShare = Math.max(0.001, ...series.map((s) => s.values.at(-1)?.[1] ?? 0));
    return stepChart({
      id,
      title,
      series,
      dashes: scenarios.map((_, i) => (i === 0 ? null : '7 4')),
      x: { ...xDays, ...(ticks ? { ticks } : {}) },
      y: { label: 'share of all runs', format: percent, min: 0, max: Math.min(1, reachedShare) },
    });
  };
  const decisionChart = timeChart(
    'decision-chart',
    'Time to the restricted committee’s decision (sanction or dismissal): share of runs decided by day t',
    (a) => a.daysToDecision,
  );
  const closureChart = timeChart(
    'closure-chart',
    'Time to closure of the case: share of runs closed by day t',
    (a) => a.daysToClosure,
  );

  // Penalty days and liquidated amounts.
  const delays = scenarios.map((s) => s.aggregate.penaltyDays);
  const delayEdges = linearEdges(delays);
  const penaltyDaysChart = histogram({
    id: 'penalty-days-chart',
    title: 'Days of delay under an injunction (penalty payment accruing)',
    edges: delayEdges,
    series: scenarios.map((s, i) => ({ name: s.name, values: binShares(delays[i] as Tally, delayEdges) })),
    x: {
      label: 'days of delay (first day of delay to compliance, or to the horizon)',
      format: (v) => String(v),
    },
    yLabel: 'share of runs with a delay',
    notes: scenarios.map(
      (s, i) =>
        `${s.name}: ${count(delays[i]?.count ?? 0)} runs with a delay (${percent((delays[i]?.count ?? 0) / (s.aggregate.runs || 1))})`,
    ),
  });
  const liquidated = scenarios.map((s) => s.aggregate.liquidatedAmounts);
  const liqEdges = logEdges(liquidated);
  const liquidatedChart = histogram({
    id: 'liquidated-chart',
    title: 'Penalties liquidated, when liquidated (log scale)',
    edges: liqEdges,
    series: scenarios.map((s, i) => ({ name: s.name, values: binShares(liquidated[i] as Tally, liqEdges) })),
    x: { label: 'total liquidated per case (EUR, log scale)', scale: 'log', format: eurosShort },
    yLabel: 'share of runs with a liquidation',
    notes: scenarios.map(
      (s) =>
        `${s.name}: ${count(s.doc.liquidated.runs)} runs with a liquidation (${percent(s.doc.liquidated.share)})`,
    ),
  });

  const stageRows = STAGES.filter((st) => st !== 'closed')
    .map((st) => {
      const label = STAGE_LABELS[st];
      return `<tr><td>${bi(label.en, label.fr)}</td>${scenarios
        .map((s) => {
          const x = s.doc.stages[st as Exclude<typeof st, 'closed'>];
          return `<td class="n">${percent(x.share)}</td><td class="n">${x.meanDays.toFixed(1)}</td><td class="n">${x.medianDays}</td>`;
        })
        .join('')}</tr>`;
    })
    .join('');
  const stageHead = scenarios.map((s) => `<th class="n" colspan="3">${esc(s.name)}</th>`).join('');
  const stageSub = scenarios
    .map(() => '<th class="n">runs there</th><th class="n">mean days</th><th class="n">median days</th>')
    .join('');

  const runTable = `<table data-testid="run-table"><thead><tr><th></th>${scenarios.map((s) => `<th>${esc(s.name)}</th>`).join('')}</tr></thead><tbody>
${[
  ['Start', (s: Scenario) => startOf(s.doc)],
  ['What-ifs (--assume)', (s: Scenario) => assumptionsOf(s.doc)],
  ['Runs', (s: Scenario) => count(s.doc.simulation.runs)],
  ['Seed', (s: Scenario) => String(s.doc.simulation.seed)],
  [
    'Parameters',
    (s: Scenario) => `${s.doc.simulation.params.file} (version ${s.doc.simulation.params.version})`,
  ],
  ['Horizon', (s: Scenario) => `${s.doc.simulation.horizonDays} days`],
  ['Engine', (s: Scenario) => s.doc.simulation.engine],
]
  .map(
    ([k, f]) =>
      `<tr><th>${esc(k as string)}</th>${scenarios.map((s) => `<td data-testid="run-${esc((k as string).split(' ')[0]?.toLowerCase() ?? '')}">${esc((f as (s: Scenario) => string)(s))}</td>`).join('')}</tr>`,
  )
  .join('\n')}
</tbody></table>`;

  const whatIfs = scenarios.flatMap((s) =>
    s.doc.assumptions.map(
      (a) =>
        `<tr><td>${esc(s.name)}</td><td>${esc(a.event)} on ${esc(a.on)}</td><td class="n">${count(a.applied)}</td><td class="n">${count(a.notApplicable)}</td><td class="n">${count(a.refused)}</td><td class="n">${count(a.notReached)}</td></tr>`,
    ),
  );

  const paramRows = Object.entries(model.params.parameters)
    .map(([name, p]) => {
      const q = p as Record<string, unknown> & {
        source: { document: string; year: number; url?: string };
        assumption: boolean;
      };
      const source = q.source.url
        ? `<a href="${esc(q.source.url)}" rel="noreferrer">${esc(q.source.document)}</a>`
        : esc(q.source.document);
      return `<tr${q.assumption ? ' class="assumption"' : ''}><td><code>${esc(name)}</code></td><td>${esc(parameterValue(q))}</td><td>${q.assumption ? 'assumption' : 'published figure'}</td><td>${source} (${q.source.year})</td></tr>`;
    })
    .join('\n');

  const title =
    scenarios.length > 1 ? `Simulation: ${names.join(' vs ')}` : `Simulation of ${startOf(first.doc)}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1 data-testid="title">${bi('Simulated procedures', 'Procédures simulées')}</h1>
<p>Monte Carlo runs of the CNIL enforcement procedure through its statechart — seed <strong data-testid="seed">${first.doc.simulation.seed}</strong>, parameters <code>${esc(first.doc.simulation.params.file)}</code> (version ${first.doc.simulation.params.version}), horizon ${first.doc.simulation.horizonDays} days. Same seed, same page.</p>
${scenarios.map(scenarioCards).join('\n')}
</header>
<main>
<section id="outcomes">
<h2>${bi('Outcomes', 'Issues de la procédure')}</h2>
${outcomes}
${outcomeTable}
</section>
<section id="fines">
<h2>${bi('Fines', 'Amendes')}</h2>
${finesChart}
<p class="caption">Each bar covers a quarter of a decade (×1.78). Fines are capped by GDPR art. 83(5) (20 M€ or 4 % of worldwide annual turnover, whichever is higher) and, in the simplified procedure, at 20 000 € (loi n° 78-17 art. 22-1); the simulation draws within those caps.</p>
</section>
<section id="durations">
<h2>${bi('Time to decision and to closure', 'Délais de décision et de clôture')}</h2>
${decisionChart}
${closureChart}
<p class="caption">Empirical cumulative distributions over all runs: a curve that stays below 100 % shows the runs that never reach that point within the horizon (most complaints are closed without a decision of the restricted committee). For a fork, a case decided or closed before the fork counts at day 0.</p>
</section>
<section id="penalties">
<h2>${bi('Penalty payments', 'Astreintes')}</h2>
${penaltyDaysChart}
${liquidatedChart}
<p class="caption">The penalty accrues from the first day of delay at the daily rate of the injunction (loi n° 78-17 art. 20 III: at most 100 000 € a day, 100 € in the simplified procedure) until compliance; the restricted committee then liquidates it, up to rate × days of delay.</p>
</section>
<section id="stages">
<h2>${bi('Time per stage', 'Durée par étape')}</h2>
<table data-testid="stages-table"><thead><tr><th rowspan="2">${bi('Stage', 'Étape')}</th>${stageHead}</tr><tr>${stageSub}</tr></thead><tbody>${stageRows}</tbody></table>
</section>
<section id="parameters">
<h2>${bi('What was simulated: parameters, what-ifs and seed', 'Paramètres, hypothèses et graine')}</h2>
${runTable}
${whatIfs.length > 0 ? `<h3>What-ifs</h3><table data-testid="whatifs-table"><thead><tr><th>Scenario</th><th>Assumed act</th><th class="n">applied</th><th class="n">moot (no longer accepted)</th><th class="n">refused by a rule</th><th class="n">not reached</th></tr></thead><tbody>${whatIfs.join('')}</tbody></table>` : ''}
<p class="summary">${esc(model.params.description ?? '')} ${esc(model.params.calibratedFrom)}</p>
<details><summary>The ${Object.keys(model.params.parameters).length} parameters of ${esc(first.doc.simulation.params.file)}</summary>
<table data-testid="params-table"><thead><tr><th>Parameter</th><th>Value</th><th>Kind</th><th>Source</th></tr></thead><tbody>
${paramRows}
</tbody></table>
</details>
<p class="summary" data-testid="precision">${esc(precisionNote(scenarios))}</p>
</section>
<footer>Generated by <code>cnil simulate --report</code>. Every run goes through the procedure statechart: an act the law forbids is never simulated. Durations are in calendar days.</footer>
</main>
</body>
</html>
`;
};
