/**
 * The detailed statechart of one stage: its states and transitions as in the full diagram, the
 * other stages as single boxes, and every way out of the stage towards another stage (closure
 * included) grouped into one arrow per destination, listing the acts. Labels in English or French
 * (act names from the event catalogue; inner states in words), larger text than the full diagram.
 */
import { STAGES, type Stage } from '../../machines/procedure.ts';
import {
  type DiagramEdge,
  type DiagramGraph,
  type DiagramNode,
  type Highlight,
  noHighlight,
  procedureGraph,
} from './diagram.ts';
import { renderDot } from './dot.ts';
import { eventLabel, type Lang, STAGE_LABELS, words } from './labels.ts';

const topOf = (id: string): string => id.split('.')[0] ?? '';
const isStage = (id: string): id is Stage => (STAGES as readonly string[]).includes(id);

/** The graph of one stage: its subtree, the stages it leads to or comes from as boxes, and the edges between them. */
export const stageGraph = (graph: DiagramGraph, stage: Stage): DiagramGraph => {
  const inside = (id: string) => id === stage || id.startsWith(`${stage}.`);
  const edges: DiagramEdge[] = [];
  const others = new Set<string>();
  for (const e of graph.edges) {
    const target = e.target ?? e.source;
    if (inside(e.source) && inside(target)) edges.push(e);
    else if (inside(e.source) && isStage(topOf(target))) {
      // Leaving the stage: from the stage as a whole, so that all exits to one stage merge into one arrow.
      others.add(topOf(target));
      edges.push({ ...e, source: stage, target: topOf(target) });
    } else if (inside(target) && isStage(topOf(e.source))) {
      others.add(topOf(e.source));
      edges.push({ ...e, source: topOf(e.source) });
    }
  }
  const stub = (id: string, order: number): DiagramNode => ({
    ...graph.node(id),
    kind: 'final',
    children: [],
    initial: null,
    order,
  });
  const subtree = graph.nodes.filter((n) => inside(n.id));
  const boxes = STAGES.filter((s) => others.has(s)).map((s, i) => stub(s, graph.nodes.length + i));
  const nodes: DiagramNode[] = [
    { ...graph.root, children: [stage, ...boxes.map((b) => b.id)], initial: null },
    ...subtree,
    ...boxes,
  ];
  const byId = new Map(nodes.map((n) => [n.id, n]));
  return {
    machineId: graph.machineId,
    root: nodes[0] as DiagramNode,
    nodes,
    edges,
    node: (id) => {
      const found = byId.get(id);
      if (!found) throw new RangeError(`no state ${JSON.stringify(id)} in the ${stage} stage`);
      return found;
    },
  };
};

/** DOT of one stage's detailed statechart. */
export const renderStageDot = (
  stage: Stage,
  options: { readonly lang?: Lang; readonly highlight?: Highlight } = {},
  graph: DiagramGraph = procedureGraph(),
): string => {
  const lang = options.lang ?? 'en';
  const dot = renderDot(stageGraph(graph, stage), options.highlight ?? noHighlight, {
    state: (n) => (isStage(n.id) ? STAGE_LABELS[n.id][lang] : words(n.key)),
    edge: (e) =>
      `${e.event === null ? (lang === 'fr' ? 'automatique' : 'automatic') : eventLabel(e.event, lang)}${e.route ? ` [${words(e.route)}]` : ''}`,
  });
  // Readable at a page's width: larger text than the full statechart's; no 'any stage' note here.
  return dot
    .replace(/fontsize=11\b/g, 'fontsize=14')
    .replace(/fontsize=10\b/g, 'fontsize=15')
    .replace(/fontsize=8\b/g, 'fontsize=13')
    .replace(/point-size="8"/g, 'point-size="12.5"')
    .replace(/^ {2}cnil \[.*\];\n/m, '')
    .replace(/^ {2}"·initial" \[.*\];\n/m, '');
};

/** SVG of one stage's detailed statechart (Graphviz, offline). */
export const renderStageSvg = async (
  stage: Stage,
  options: { readonly lang?: Lang; readonly highlight?: Highlight } = {},
): Promise<string> => {
  const { dotToSvg } = await import('./svg.ts');
  // Graphviz sizes boxes with Helvetica's widths; browsers often draw a wider sans-serif (DejaVu
  // Sans is about 12 % wider): text drawn 12 % smaller stays inside its box whatever the font.
  return (await dotToSvg(renderStageDot(stage, options))).replace(
    /font-size="([\d.]+)"/g,
    (_m, size: string) => `font-size="${(Number(size) * 0.88).toFixed(2)}"`,
  );
};
