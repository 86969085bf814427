/**
 * The overview of the procedure a lawyer reads first: one box per stage (with its legal basis), an
 * arrow per change of stage labelled with the acts that cause it (French or English names from the
 * event catalogue), and every way a case ends grouped into one `closed` box on the right. Drawn
 * from the statechart (diagram.ts), laid out here without Graphviz: 1 000 px wide, text 11 px or
 * more, every label inside the drawing (test/visual/overview.test.ts checks it).
 *
 * With a case's path (`casePath`), visited stages are blue, the current stage orange, and the
 * changes of stage the case went through red — the same colours as the detailed statechart.
 */
import { STAGES, type Stage } from '../../machines/procedure.ts';
import { type DiagramGraph, type Highlight, noHighlight, procedureGraph } from './diagram.ts';
import { eventLabel, type Lang, STAGE_LABELS } from './labels.ts';

export const OVERVIEW_WIDTH = 1000;
/** The smallest font size used, in px. */
export const OVERVIEW_MIN_FONT = 11;
/** Estimated width of a character at `size` px: generous for sans-serif fonts (checked in Chromium). */
const charWidth = (size: number) => size * 0.6;

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Words of `text` in lines no wider than `max` px at `size` px. */
export const wrapText = (text: string, max: number, size: number): string[] => {
  const perLine = Math.max(8, Math.floor(max / charWidth(size)));
  const lines: string[] = [];
  for (const word of text.split(/\s+/)) {
    const last = lines.at(-1);
    if (last !== undefined && last.length + 1 + word.length <= perLine)
      lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines;
};

/** A change of stage and the acts that cause it. `from` is null for the acts possible at any stage. */
export interface StageEdge {
  readonly from: Stage | null;
  readonly to: Stage;
  readonly events: readonly string[];
  /** The transitions (edge ids of the statechart) it stands for. */
  readonly edges: readonly string[];
}

const stageOf = (id: string): Stage | null => {
  const top = id.split('.')[0] ?? '';
  return (STAGES as readonly string[]).includes(top) ? (top as Stage) : null;
};

/** The changes of stage of the statechart, with their acts, in the machine's order. */
export const stageEdges = (graph: DiagramGraph = procedureGraph()): StageEdge[] => {
  const byKey = new Map<string, { from: Stage | null; to: Stage; events: string[]; edges: string[] }>();
  for (const e of graph.edges) {
    if (e.target === null || e.event === null) continue;
    const from = stageOf(e.source);
    const to = stageOf(e.target);
    if (to === null || from === to) continue;
    if (from === null && e.source !== '') continue; // opening the case: drawn as the start
    const key = `${from}>${to}`;
    const entry = byKey.get(key) ?? { from, to, events: [], edges: [] };
    if (!entry.events.includes(e.event)) entry.events.push(e.event);
    entry.edges.push(e.id);
    byKey.set(key, entry);
  }
  return [...byKey.values()];
};

const COLOURS = {
  box: '#ffffff',
  boxLine: '#334155',
  visitedFill: '#dbeafe',
  visitedLine: '#1d4ed8',
  currentFill: '#f59e0b',
  currentLine: '#7c2d12',
  taken: '#dc2626',
  line: '#475569',
  text: '#0f172a',
  muted: '#475569',
} as const;

export interface OverviewOptions {
  readonly lang?: Lang;
  readonly highlight?: Highlight;
}

/** The overview of the stages as a standalone SVG document (inline it in HTML as is). */
export const renderOverviewSvg = (
  graph: DiagramGraph = procedureGraph(),
  options: OverviewOptions = {},
): string => {
  const lang = options.lang ?? 'en';
  const hl = options.highlight ?? noHighlight;
  const stages: Stage[] = STAGES.filter((s) => s !== 'closed');
  const edges = stageEdges(graph);

  const W = OVERVIEW_WIDTH;
  const top = 86;
  const pitch = 104;
  const boxH = 62;
  const boxX = 350;
  const boxW = 250;
  const cx = boxX + boxW / 2;
  const closedX = 840;
  const closedW = W - 10 - closedX;
  const rowY = (s: Stage) => top + stages.indexOf(s) * pitch;
  const height = top + stages.length * pitch + 10;
  const out: string[] = [];
  const visited = (s: Stage) => hl.visited.has(s);
  const current = (s: Stage) => hl.current.has(s);
  const taken = (e: StageEdge) => e.edges.some((id) => hl.taken.has(id));
  const stroke = (e: StageEdge) =>
    taken(e) ? `stroke="${COLOURS.taken}" stroke-width="2.5"` : `stroke="${COLOURS.line}" stroke-width="1.5"`;
  /** An arrowhead ending at (x, y), pointing right or down. */
  const head = (x: number, y: number, dir: 'right' | 'down', colour: string) =>
    dir === 'right'
      ? `<path d="M${x},${y} L${x - 10},${y - 5} L${x - 10},${y + 5} Z" fill="${colour}" class="head"/>`
      : `<path d="M${x},${y} L${x - 5},${y - 10} L${x + 5},${y - 10} Z" fill="${colour}" class="head"/>`;
  const headColour = (e: StageEdge) => (taken(e) ? COLOURS.taken : COLOURS.line);
  const text = (x: number, y: number, s: string, attrs = '') =>
    `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}"${attrs ? ` ${attrs}` : ''}>${esc(s)}</text>`;
  const edgeAttrs = (e: StageEdge) =>
    `class="transition${taken(e) ? ' taken' : ''}" data-from="${e.from ?? 'any'}" data-to="${e.to}"`;
  const label = (e: StageEdge) => e.events.map((ev) => eventLabel(ev, lang));

  // Stage boxes.
  const stageBox = (s: Stage, x: number, y: number, w: number, h: number) => {
    const fill = current(s) ? COLOURS.currentFill : visited(s) ? COLOURS.visitedFill : COLOURS.box;
    const line = current(s) ? COLOURS.currentLine : visited(s) ? COLOURS.visitedLine : COLOURS.boxLine;
    const basis = wrapText(graph.node(s).basis, w - 16, 11);
    const cls = ['stage', visited(s) ? 'visited' : null, current(s) ? 'current' : null]
      .filter(Boolean)
      .join(' ');
    return (
      `<g id="stage:${s}" class="${cls}"><title>${esc(graph.node(s).description)}</title>` +
      `<rect x="${x}" y="${y}" width="${w}" height="${h}" rx="8" fill="${fill}" stroke="${line}" stroke-width="${current(s) ? 3 : 1.5}"/>` +
      text(
        x + w / 2,
        y + 22,
        STAGE_LABELS[s][lang],
        'text-anchor="middle" font-size="15" font-weight="600"',
      ) +
      basis
        .map((l, i) =>
          text(x + w / 2, y + 40 + i * 14, l, `text-anchor="middle" font-size="11" fill="${COLOURS.muted}"`),
        )
        .join('') +
      '</g>'
    );
  };
  for (const s of stages) out.push(stageBox(s, boxX, rowY(s), boxW, boxH));
  const closedTop = rowY(stages[0] as Stage);
  const closedBottom = rowY(stages.at(-1) as Stage) + boxH;
  out.push(stageBox('closed', closedX, closedTop, closedW, closedBottom - closedTop));

  // The start: the case is opened, then the complaint stage.
  out.push(
    `<circle cx="${cx}" cy="${top - 50}" r="7" fill="${COLOURS.text}"/>` +
      `<line x1="${cx}" y1="${top - 43}" x2="${cx}" y2="${top - 8}" stroke="${COLOURS.line}" stroke-width="1.5"/>` +
      head(cx, top, 'down', COLOURS.line) +
      text(cx + 12, top - 22, eventLabel('CaseOpened', lang), `font-size="12" fill="${COLOURS.text}"`),
  );

  // Consecutive stages: straight down, acts to the right of the arrow.
  const lanes: StageEdge[] = [];
  for (const e of edges) {
    if (e.from === null) continue;
    if (e.to === 'closed') {
      // Every way out of a stage into `closed`: one arrow, its acts listed above it.
      const y = rowY(e.from) + boxH / 2 + 8;
      const lines = label(e).flatMap((l) => wrapText(l, closedX - boxX - boxW - 24, 12));
      out.push(
        `<g ${edgeAttrs(e)}><line x1="${boxX + boxW}" y1="${y}" x2="${closedX - 8}" y2="${y}" ${stroke(e)}/>${head(closedX, y, 'right', headColour(e))}` +
          lines
            .map((l, i) =>
              text(
                boxX + boxW + 10,
                y - 6 - (lines.length - 1 - i) * 14,
                l,
                `font-size="12" fill="${taken(e) ? COLOURS.taken : COLOURS.text}"`,
              ),
            )
            .join('') +
          '</g>',
      );
      continue;
    }
    if (stages.indexOf(e.to) === stages.indexOf(e.from) + 1) {
      const y1 = rowY(e.from) + boxH;
      const y2 = rowY(e.to);
      const lines = label(e);
      out.push(
        `<g ${edgeAttrs(e)}><line x1="${cx}" y1="${y1}" x2="${cx}" y2="${y2 - 8}" ${stroke(e)}/>${head(cx, y2, 'down', headColour(e))}` +
          lines
            .map((l, i) =>
              text(
                cx + 10,
                (y1 + y2) / 2 + 4 - ((lines.length - 1) * 14) / 2 + i * 14,
                l,
                `font-size="12" fill="${taken(e) ? COLOURS.taken : COLOURS.text}"`,
              ),
            )
            .join('') +
          '</g>',
      );
      continue;
    }
    lanes.push(e);
  }

  // Other changes of stage: lanes on the left, from the source box's left side to the target's.
  const outOf = new Map<Stage, number>();
  const into = new Map<Stage, number>();
  const labelled = new Map<Stage, Set<string>>();
  lanes
    .sort(
      (a, b) =>
        Math.abs(stages.indexOf(a.to) - stages.indexOf(a.from as Stage)) -
        Math.abs(stages.indexOf(b.to) - stages.indexOf(b.from as Stage)),
    )
    .forEach((e, k) => {
      const from = e.from as Stage;
      const laneX = boxX - 26 - k * 22;
      const nOut = outOf.get(from) ?? 0;
      const nIn = into.get(e.to) ?? 0;
      outOf.set(from, nOut + 1);
      into.set(e.to, nIn + 1);
      const ys = rowY(from) + boxH - 12 - nOut * 12;
      const ye = rowY(e.to) + 14 + nIn * 12;
      // The acts, just above the arrow entering the target (once per target and wording).
      const said = labelled.get(e.to) ?? new Set<string>();
      const lines = label(e)
        .filter((l) => !said.has(l))
        .flatMap((l) => wrapText(l, boxX - 40, 12));
      label(e).forEach((l) => said.add(l));
      labelled.set(e.to, said);
      out.push(
        `<g ${edgeAttrs(e)}><path d="M${boxX},${ys} H${laneX} V${ye} H${boxX - 8}" fill="none" ${stroke(e)}/>${head(boxX, ye, 'right', headColour(e))}` +
          lines
            .map((l, i) =>
              text(
                boxX - 8,
                ye - 5 - (lines.length - 1 - i) * 14,
                l,
                `text-anchor="end" font-size="12" fill="${taken(e) ? COLOURS.taken : COLOURS.text}" class="halo"`,
              ),
            )
            .join('') +
          '</g>',
      );
    });

  // Acts possible at any stage (an annulment on appeal): an arrow into `closed` from above.
  for (const e of edges.filter((x) => x.from === null)) {
    const lines = [lang === 'fr' ? 'À toute étape :' : 'At any stage:', ...label(e)];
    out.push(
      `<g ${edgeAttrs(e)}><line x1="${closedX + closedW / 2}" y1="${top - 14}" x2="${closedX + closedW / 2}" y2="${closedTop - 8}" ${stroke(e)}/>${head(closedX + closedW / 2, closedTop, 'down', headColour(e))}` +
        lines
          .map((l, i) =>
            text(W - 10, top - 58 + i * 14, l, `text-anchor="end" font-size="12" fill="${COLOURS.text}"`),
          )
          .join('') +
        '</g>',
    );
  }

  const title =
    lang === 'fr'
      ? 'La procédure de la CNIL : vue d’ensemble des étapes'
      : 'The CNIL procedure: overview of the stages';
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${height}" width="${W}" height="${height}" role="img" class="overview" data-testid="overview" font-family="Helvetica, Arial, sans-serif" fill="${COLOURS.text}">
<title>${esc(title)}</title>
<defs>
<style>.halo { paint-order: stroke; stroke: #fff; stroke-width: 4px; stroke-linejoin: round; }</style>
</defs>
${out.join('\n')}
</svg>
`;
};
