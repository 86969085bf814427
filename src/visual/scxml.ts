/**
 * The statechart in SCXML (W3C State Chart XML, namespace http://www.w3.org/2005/07/scxml):
 * `<state>` for atomic and compound states (with `initial`), `<parallel>`, `<final>`, and one
 * `<transition event target>` per transition — `cond` names the route condition, a transition
 * without target records the fact and stays, an eventless one has no `event`. The legal basis goes
 * in a `<datamodel>`-free, namespaced annotation: `cnil:basis` attributes.
 */
import {
  type DiagramGraph,
  type DiagramNode,
  type Highlight,
  noHighlight,
  procedureGraph,
} from './diagram.ts';

export const SCXML_NS = 'http://www.w3.org/2005/07/scxml';
/** The namespace of this project's annotations (legal basis, rules, path of a case). */
export const CNIL_NS = 'urn:cnil-enforcement:statechart';

export const xmlEscape = (s: string): string =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');

/** SCXML ids are XML names: the dotted path is one ('formalNotice.compliance.running'). */
const scxmlId = (id: string) => id;

export const renderScxml = (graph: DiagramGraph = procedureGraph(), highlight: Highlight = noHighlight) => {
  const out: string[] = [];
  const attr = (name: string, value: string | null | undefined) =>
    value === null || value === undefined || value === '' ? '' : ` ${name}="${xmlEscape(value)}"`;
  const pathAttrs = (id: string) =>
    (highlight.visited.has(id) ? ' cnil:visited="true"' : '') +
    (highlight.current.has(id) ? ' cnil:current="true"' : '');

  const transitions = (source: string, depth: number) => {
    const pad = '  '.repeat(depth);
    for (const e of graph.edges.filter((x) => x.source === source))
      out.push(
        `${pad}<transition${attr('event', e.event)}${attr('cond', e.route)}${attr('target', e.target === null ? null : scxmlId(e.target))}` +
          `${e.target === null ? ' type="internal"' : ''}${attr('cnil:basis', e.basis)}${attr('cnil:rules', e.rules.join(' '))}` +
          `${highlight.taken.has(e.id) ? ' cnil:taken="true"' : ''}/>`,
      );
  };

  const emit = (n: DiagramNode, depth: number) => {
    const pad = '  '.repeat(depth);
    const tag = n.kind === 'parallel' ? 'parallel' : n.kind === 'final' ? 'final' : 'state';
    const open =
      `${pad}<${tag}${attr('id', scxmlId(n.id))}${tag === 'state' ? attr('initial', n.initial) : ''}` +
      `${attr('cnil:basis', n.basis)}${attr('cnil:description', n.description)}${pathAttrs(n.id)}`;
    const hasBody = n.children.length > 0 || graph.edges.some((e) => e.source === n.id);
    if (!hasBody) {
      out.push(`${open}/>`);
      return;
    }
    out.push(`${open}>`);
    transitions(n.id, depth + 1);
    for (const c of n.children) emit(graph.node(c), depth + 1);
    out.push(`${pad}</${tag}>`);
  };

  out.push('<?xml version="1.0" encoding="UTF-8"?>');
  out.push(
    `<scxml xmlns="${SCXML_NS}" xmlns:cnil="${CNIL_NS}" version="1.0" datamodel="null"` +
      `${attr('name', graph.machineId)}${attr('initial', graph.root.initial)}${attr('cnil:basis', graph.root.basis)}>`,
  );
  // Transitions of the root apply in every state: SCXML puts them on a state that wraps the rest.
  out.push(`  <state id="${xmlEscape(graph.machineId)}"${attr('initial', graph.root.initial)}>`);
  transitions('', 2);
  for (const c of graph.root.children) emit(graph.node(c), 2);
  out.push('  </state>');
  out.push('</scxml>');
  return `${out.join('\n')}\n`;
};
