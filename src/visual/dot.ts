/**
 * The statechart in Graphviz DOT: compound states are clusters (with a dot for their initial
 * state), parallel regions are clusters side by side, every state shows its legal basis, every
 * transition its event (and route). Transitions between the same two states are merged into one
 * arrow with one line per event; a transition that records the fact and stays is a dashed loop.
 *
 * Highlighting (a case's path): visited states filled blue, the current states orange with a thick
 * border, taken transitions red. SVG `id`/`class` attributes (`state:<path>`, `current`, `taken`)
 * let a page or a test find them.
 */
import {
  type DiagramEdge,
  type DiagramGraph,
  type DiagramNode,
  edgeLabel,
  type Highlight,
  noHighlight,
  procedureGraph,
} from './diagram.ts';

/** A DOT double-quoted string. */
const q = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

/** Text inside a DOT HTML-like label. */
const html = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Breaks a legal basis into lines of about `width` characters, at '; ' or ', '. */
const wrap = (s: string, width = 34): string[] => {
  const parts = s.split(/(?<=;) /);
  const lines: string[] = [];
  for (const part of parts) {
    const last = lines.at(-1);
    if (last !== undefined && last.length + part.length + 1 <= width)
      lines[lines.length - 1] = `${last} ${part}`;
    else lines.push(part);
  }
  return lines;
};

const COLOURS = {
  visitedFill: '#dbeafe',
  visitedLine: '#1d4ed8',
  currentFill: '#f59e0b',
  currentLine: '#7c2d12',
  taken: '#dc2626',
  line: '#475569',
  cluster: '#94a3b8',
} as const;

const nodeName = (id: string) => (id === '' ? 'cnil' : id);
const initialName = (id: string) => `${id}·initial`;
const clusterName = (id: string) => `cluster_${id.replace(/\./g, '_')}`;

/** How states and transitions are named (default: the machine's names and event types). */
export interface DotLabels {
  readonly state?: (node: DiagramNode) => string;
  readonly edge?: (edge: DiagramEdge) => string;
}

export const renderDot = (
  graph: DiagramGraph = procedureGraph(),
  highlight: Highlight = noHighlight,
  labels: DotLabels = {},
) => {
  const stateName = (n: DiagramNode) => labels.state?.(n) ?? n.key;
  const edgeName = (e: DiagramEdge) => labels.edge?.(e) ?? edgeLabel(e);
  const out: string[] = [];
  const isComposite = (id: string) => id !== '' && graph.node(id).children.length > 0;
  /** The node an arrow to or from a composite state is attached to. */
  const anchor = (id: string): string => {
    if (!isComposite(id)) return nodeName(id);
    const n = graph.node(id);
    return n.kind === 'parallel' ? anchor(n.children[0] ?? id) : initialName(id);
  };
  const inside = (id: string, container: string) => id === container || id.startsWith(`${container}.`);
  const classes = (id: string) =>
    [
      'state',
      highlight.visited.has(id) ? 'visited' : null,
      highlight.current.has(id) ? 'current' : null,
      highlight.currentLeaves.has(id) ? 'current-leaf' : null,
    ]
      .filter(Boolean)
      .join(' ');

  const label = (n: DiagramNode, heading: string) =>
    `<<b>${html(heading)}</b>${wrap(n.basis)
      .map((l) => `<br/><font point-size="8" color="#334155">${html(l)}</font>`)
      .join('')}>`;

  const emitState = (n: DiagramNode, depth: number) => {
    const pad = '  '.repeat(depth);
    const current = highlight.currentLeaves.has(n.id);
    const visited = highlight.visited.has(n.id);
    if (n.children.length === 0) {
      const attrs = [
        `id=${q(`state:${n.id}`)}`,
        `class=${q(classes(n.id))}`,
        `label=${label(n, stateName(n))}`,
        `tooltip=${q(n.description || n.key)}`,
        current
          ? `fillcolor="${COLOURS.currentFill}", color="${COLOURS.currentLine}", penwidth=3`
          : visited
            ? `fillcolor="${COLOURS.visitedFill}", color="${COLOURS.visitedLine}", penwidth=1.5`
            : null,
      ].filter(Boolean);
      out.push(`${pad}${q(n.id)} [${attrs.join(', ')}];`);
      return;
    }
    out.push(`${pad}subgraph ${q(clusterName(n.id))} {`);
    out.push(`${pad}  id=${q(`state:${n.id}`)}; class=${q(classes(n.id))};`);
    out.push(
      `${pad}  label=${label(n, n.kind === 'parallel' ? `${stateName(n)} (parallel)` : stateName(n))};`,
    );
    out.push(`${pad}  tooltip=${q(n.description || n.key)};`);
    out.push(
      `${pad}  style="rounded${n.kind === 'parallel' ? ',dashed' : ''}${visited ? ',filled' : ''}"; ` +
        `color="${highlight.current.has(n.id) ? COLOURS.currentLine : COLOURS.cluster}"; ` +
        `fillcolor="#f8fafc"; penwidth=${highlight.current.has(n.id) ? 2 : 1};`,
    );
    if (n.kind !== 'parallel' && n.initial) {
      out.push(`${pad}  ${q(initialName(n.id))} [shape=point, width=0.09, label=""];`);
      out.push(`${pad}  ${q(initialName(n.id))} -> ${q(anchor(n.initial))} [arrowsize=0.6];`);
    }
    for (const c of n.children) emitState(graph.node(c), depth + 1);
    if (n.kind === 'parallel')
      // Regions side by side.
      out.push(`${pad}  { rank=same; ${n.children.map((c) => q(anchor(c))).join('; ')}; }`);
    out.push(`${pad}}`);
  };
  /** A top-level state nothing leaves (`closed`): arrows into it do not decide the layout. */
  const sinks = new Set(
    graph.root.children.filter(
      (c) =>
        graph.node(c).children.length === 0 && !graph.edges.some((e) => e.source === c && e.target !== c),
    ),
  );

  out.push(`digraph ${q(graph.machineId)} {`);
  out.push(
    '  graph [compound=true, rankdir=TB, newrank=true, nodesep=0.25, ranksep=0.4, fontname="Helvetica", fontsize=11, labeljust=l, tooltip="CNIL enforcement procedure"];',
  );
  out.push(
    '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", color="#334155", fontname="Helvetica", fontsize=10, margin="0.08,0.04"];',
  );
  out.push(`  edge [fontname="Helvetica", fontsize=8, color="${COLOURS.line}", arrowsize=0.7];`);
  out.push(
    `  cnil [id="state:", class="state root", shape=note, style="filled,dashed", fillcolor="#f1f5f9", ` +
      `label=<<b>any stage</b><br/><font point-size="8">${html(graph.root.basis)}</font>>, tooltip=${q(graph.root.description)}];`,
  );
  out.push(`  ${q(initialName(''))} [shape=point, width=0.11, label=""];`);
  if (graph.root.initial) out.push(`  ${q(initialName(''))} -> ${q(anchor(graph.root.initial))};`);
  for (const c of graph.root.children) emitState(graph.node(c), 1);

  // One arrow per (tail, head): its lines are the events of the transitions it stands for.
  const arrows = new Map<string, { tail: string; head: string; attrs: string[]; edges: DiagramEdge[] }>();
  for (const e of graph.edges) {
    const sourceNode = e.source;
    const targetNode = e.target ?? e.source;
    const tail = anchor(sourceNode);
    const head = anchor(targetNode);
    const attrs: string[] = [];
    if (e.target === null) attrs.push('style=dashed');
    if (sourceNode === '' || sinks.has(targetNode)) attrs.push('constraint=false');
    if (isComposite(sourceNode) && !inside(targetNode, sourceNode))
      attrs.push(`ltail=${q(clusterName(sourceNode))}`);
    if (isComposite(targetNode) && !inside(sourceNode, targetNode))
      attrs.push(`lhead=${q(clusterName(targetNode))}`);
    const key = `${tail}|${head}|${attrs.join(',')}`;
    const arrow = arrows.get(key) ?? { tail, head, attrs, edges: [] };
    arrow.edges.push(e);
    arrows.set(key, arrow);
  }
  for (const a of arrows.values()) {
    const taken = a.edges.some((e) => highlight.taken.has(e.id));
    const lines = [...new Set(a.edges.map(edgeName))];
    const attrs = [
      `label=${q(lines.join('\n'))}`,
      `class=${q(`transition${taken ? ' taken' : ''}`)}`,
      `tooltip=${q(a.edges.map((e) => `${edgeName(e)} — ${e.basis}`).join('\n'))}`,
      ...a.attrs,
      ...(taken ? [`color="${COLOURS.taken}"`, `fontcolor="${COLOURS.taken}"`, 'penwidth=2.2'] : []),
    ];
    out.push(`  ${q(a.tail)} -> ${q(a.head)} [${attrs.join(', ')}];`);
  }
  // Sinks at the bottom: below the innermost state declared last before them.
  for (const sink of sinks) {
    const before = graph.nodes.filter(
      (n) => n.children.length === 0 && n.order < graph.node(sink).order && n.parent !== '',
    );
    const last = before.at(-1);
    if (last) out.push(`  ${q(last.id)} -> ${q(sink)} [style=invis];`);
  }
  out.push('}');
  return `${out.join('\n')}\n`;
};
