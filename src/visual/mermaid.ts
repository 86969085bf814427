/**
 * The statechart as a Mermaid `stateDiagram-v2` (renders on GitHub). Conservative syntax only:
 * - one identifier per state, made of [A-Za-z0-9_] (`restrictedCommittee_ordinary_instruction`),
 *   shown with its own name and legal basis (`state "instruction" as …` + a description line);
 * - compound states nest with `state X { … }`, parallel regions are separated by `--`;
 * - Mermaid cannot draw a transition between states of two different composite states, so a
 *   transition crossing a boundary is drawn between the outermost states that differ (e.g.
 *   `formalNotice --> restrictedCommittee`), labelled with its event and route;
 * - a transition that records the fact and stays is a self-loop; the transitions every state has
 *   (appeals, publication) hang on a box for the root, `cnil` ("any stage");
 * - labels never contain `:`, `;`, `#`, `{`, `}`, `<` or `>`;
 * - highlighting with `classDef` and `class` on simple states; taken transitions end with ✓.
 */
import {
  type DiagramEdge,
  type DiagramGraph,
  type DiagramNode,
  edgeLabel,
  type Highlight,
  noHighlight,
  procedureGraph,
  safeId,
} from './diagram.ts';

/** Text Mermaid accepts in a label or description. */
export const mermaidText = (s: string): string =>
  s
    .replace(/[:;]/g, ',')
    .replace(/[#{}<>"]/g, '')
    .replace(/\s+/g, ' ')
    .trim();

const isAncestorOrSelf = (a: string, b: string) => a === '' || a === b || b.startsWith(`${a}.`);

export interface DrawnEdge {
  readonly from: string;
  readonly to: string;
  /** The composite state whose block the line is written in ('' for the diagram itself). */
  readonly scope: string;
}

/** The states a transition is drawn between in Mermaid (one line, or one per child it can leave). */
export const drawnEdges = (graph: DiagramGraph, edge: DiagramEdge): DrawnEdge[] => {
  if (edge.target === null)
    return [{ from: edge.source, to: edge.source, scope: parentOf(graph, edge.source) }];
  const { source, target } = edge;
  if (source !== '' && isAncestorOrSelf(source, target)) {
    // A composite state's transition into one of its own states: drawn from each child it leaves.
    const to = `${source}.${target.slice(source.length + 1).split('.')[0] ?? ''}`;
    return graph.node(source).children.map((from) => ({ from, to, scope: source }));
  }
  if (source === '') return [{ from: '', to: topOf(target), scope: '' }];
  const s = source.split('.');
  const t = target.split('.');
  let common = 0;
  while (common < s.length - 1 && common < t.length - 1 && s[common] === t[common]) common++;
  return [
    {
      from: s.slice(0, common + 1).join('.'),
      to: t.slice(0, common + 1).join('.'),
      scope: s.slice(0, common).join('.'),
    },
  ];
};

const parentOf = (graph: DiagramGraph, id: string) => (id === '' ? '' : (graph.node(id).parent ?? ''));
const topOf = (id: string) => id.split('.')[0] ?? id;

export const renderMermaid = (graph: DiagramGraph = procedureGraph(), highlight: Highlight = noHighlight) => {
  const id = (s: string) => safeId(graph, s);
  // Group drawn edges by scope, merging those between the same two states.
  const drawn = new Map<string, Map<string, { from: string; to: string; labels: string[] }>>();
  for (const edge of graph.edges)
    for (const d of drawnEdges(graph, edge)) {
      const key = `${d.from}->${d.to}`;
      const scope = drawn.get(d.scope) ?? new Map<string, { from: string; to: string; labels: string[] }>();
      const entry = scope.get(key) ?? { from: d.from, to: d.to, labels: [] };
      const label = mermaidText(edgeLabel(edge)) + (highlight.taken.has(edge.id) ? ' ✓' : '');
      if (!entry.labels.includes(label)) entry.labels.push(label);
      scope.set(key, entry);
      drawn.set(d.scope, scope);
    }

  const lines: string[] = [];
  const indent = (depth: number) => '  '.repeat(depth);
  const relations = (scope: string, depth: number) => {
    for (const e of drawn.get(scope)?.values() ?? [])
      lines.push(`${indent(depth)}${id(e.from)} --> ${id(e.to)} : ${e.labels.join(' / ')}`);
  };
  const title = (n: DiagramNode) => mermaidText(n.basis ? `${n.key} (${n.basis})` : n.key);
  const emit = (n: DiagramNode, depth: number) => {
    const pad = indent(depth);
    if (n.children.length === 0) {
      lines.push(`${pad}state "${mermaidText(n.key)}" as ${id(n.id)}`);
      if (n.basis) lines.push(`${pad}${id(n.id)} : ${mermaidText(n.basis)}`);
      return;
    }
    lines.push(`${pad}state "${title(n)}" as ${id(n.id)} {`);
    if (n.kind === 'parallel') {
      n.children.forEach((c, i) => {
        if (i > 0) lines.push(`${pad}  --`);
        emit(graph.node(c), depth + 1);
      });
    } else {
      if (n.initial) lines.push(`${pad}  [*] --> ${id(n.initial)}`);
      for (const c of n.children) emit(graph.node(c), depth + 1);
    }
    relations(n.id, depth + 1);
    lines.push(`${pad}}`);
  };

  lines.push('stateDiagram-v2');
  lines.push(`  state "any stage (${mermaidText(graph.root.basis)})" as ${id('')}`);
  if (graph.root.initial) lines.push(`  [*] --> ${id(graph.root.initial)}`);
  for (const c of graph.root.children) emit(graph.node(c), 1);
  relations('', 1);

  const leaves = (set: ReadonlySet<string>) =>
    [...set].filter((s) => graph.node(s).children.length === 0).map(id);
  const current = leaves(highlight.currentLeaves);
  const visited = leaves(highlight.visited).filter((s) => !current.includes(s));
  if (visited.length + current.length > 0) {
    lines.push('  classDef visited fill:#dbeafe,stroke:#1d4ed8,color:#0b1f4d');
    lines.push('  classDef current fill:#f59e0b,stroke:#7c2d12,stroke-width:3px,color:#111111');
    if (visited.length > 0) lines.push(`  class ${visited.join(',')} visited`);
    if (current.length > 0) lines.push(`  class ${current.join(',')} current`);
  }
  return `${lines.join('\n')}\n`;
};
