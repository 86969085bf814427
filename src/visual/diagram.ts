/**
 * The statechart as a neutral graph, read from the machine definition itself
 * (`procedureMachine.root`): every state node with its kind and legal basis, every transition with
 * its event, target, route and legal basis. The renderers (mermaid.ts, dot.ts, scxml.ts, svg.ts)
 * draw this graph; nothing here is drawn by hand, so a diagram cannot drift from the law.
 *
 * `casePath` folds a case's facts through the statechart (machines/decider.ts) and says which
 * states it visited, which transitions it took and where it stands.
 */
import type { AnyStateNode, AnyTransitionDefinition, StateValue } from 'xstate';
import { evolve, initialState, leafPaths, type ProcedureState } from '../../machines/decider.ts';
import type { ProcedureEvent } from '../../machines/events.ts';
import { type LawfulParams, type LegalMeta, procedureMachine } from '../../machines/procedure.ts';

export type NodeKind = 'atomic' | 'compound' | 'parallel' | 'final' | 'history';

/** A state of the procedure. `id` is its dotted path from the root ('' for the root). */
export interface DiagramNode {
  readonly id: string;
  /** Its own name ('running'); the machine id ('cnil') for the root. */
  readonly key: string;
  readonly parent: string | null;
  readonly kind: NodeKind;
  readonly children: readonly string[];
  /** The child entered by default (compound states). */
  readonly initial: string | null;
  readonly basis: string;
  readonly description: string;
  readonly depth: number;
  /** Position in document order (the root is 0). */
  readonly order: number;
}

/** A transition. `target` is null for a transition that records the fact and stays in the state. */
export interface DiagramEdge {
  readonly id: string;
  readonly source: string;
  readonly target: string | null;
  /** The event type; null for an eventless (`always`) transition. */
  readonly event: string | null;
  /** The condition choosing between targets (e.g. 'ordinaryReferral'), if any. */
  readonly route: string | null;
  readonly rules: readonly string[];
  readonly basis: string;
}

export interface DiagramGraph {
  readonly machineId: string;
  readonly root: DiagramNode;
  /** Every node, parents before children, in document order. */
  readonly nodes: readonly DiagramNode[];
  readonly edges: readonly DiagramEdge[];
  readonly node: (id: string) => DiagramNode;
}

const pathOf = (node: AnyStateNode): string => node.path.join('.');

const metaOf = (node: AnyStateNode): LegalMeta | undefined => node.meta as LegalMeta | undefined;

const routeOf = (t: AnyTransitionDefinition): string | null => {
  const guard = t.guard as { type?: unknown; params?: unknown } | undefined;
  if (guard === undefined || typeof guard !== 'object') return null;
  const params = guard.params as Partial<LawfulParams> | undefined;
  return typeof params?.route === 'string' ? params.route : null;
};

/** Which model edge each transition definition of the machine became (for path highlighting). */
const edgeOfTransition = new WeakMap<AnyTransitionDefinition, string>();

const build = (): DiagramGraph => {
  const nodes: DiagramNode[] = [];
  const edges: DiagramEdge[] = [];
  const walk = (sn: AnyStateNode, depth: number) => {
    const id = pathOf(sn);
    const meta = metaOf(sn);
    const children = Object.values(sn.states) as AnyStateNode[];
    const initialTarget = sn.type === 'compound' ? sn.initial.target[0] : undefined;
    nodes.push({
      id,
      key: depth === 0 ? sn.id : sn.key,
      parent: sn.parent ? pathOf(sn.parent) : null,
      kind: sn.type,
      children: children.map(pathOf),
      initial: initialTarget ? pathOf(initialTarget) : null,
      basis: meta?.basis ?? '',
      description: meta?.description ?? '',
      depth,
      order: nodes.length,
    });
    const transitions: [string | null, AnyTransitionDefinition][] = [
      ...[...sn.transitions.entries()].flatMap(([event, defs]) =>
        defs.map((d): [string, AnyTransitionDefinition] => [event, d]),
      ),
      ...(sn.always ?? []).map((d): [null, AnyTransitionDefinition] => [null, d]),
    ];
    transitions.forEach(([event, t], index) => {
      const tmeta = t.meta as LegalMeta | undefined;
      const target = t.target?.[0];
      const edgeId = `${id || sn.id}:${event ?? 'always'}:${index}`;
      edgeOfTransition.set(t, edgeId);
      edges.push({
        id: edgeId,
        source: id,
        target: target ? pathOf(target) : null,
        event,
        route: routeOf(t),
        rules: tmeta?.rules ?? [],
        basis: tmeta?.basis ?? '',
      });
    });
    for (const child of children) walk(child, depth + 1);
  };
  walk(procedureMachine.root, 0);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const root = nodes[0];
  if (!root) throw new Error('the procedure machine has no root state node');
  return {
    machineId: procedureMachine.id,
    root,
    nodes,
    edges,
    node: (id) => {
      const found = byId.get(id);
      if (!found) throw new RangeError(`no state ${JSON.stringify(id)} in the procedure machine`);
      return found;
    },
  };
};

let cached: DiagramGraph | undefined;

/** The procedure statechart as a graph (built once from `procedureMachine`). */
export const procedureGraph = (): DiagramGraph => (cached ??= build());

/** `id` and its ancestors, root excluded: 'a.b.c' → ['a', 'a.b', 'a.b.c']. */
export const withAncestors = (id: string): string[] =>
  id === '' ? [] : id.split('.').map((_, i, parts) => parts.slice(0, i + 1).join('.'));

/** The active states of a state value, ancestors included (root excluded). */
export const activeStates = (value: StateValue): string[] => [
  ...new Set(leafPaths(value).flatMap(withAncestors)),
];

/** The states entered by default when `id` is entered: itself and its initial descendants. */
export const enteredStates = (graph: DiagramGraph, id: string): string[] => {
  const node = graph.node(id);
  const below =
    node.kind === 'parallel'
      ? node.children
      : node.kind === 'compound' && node.initial !== null
        ? [node.initial]
        : [];
  return [id, ...below.flatMap((c) => enteredStates(graph, c))];
};

/** The path of a case through the statechart. */
export interface CasePath {
  /** Every state the case has been in (ancestors included; the root excluded). */
  readonly visited: ReadonlySet<string>;
  /** The states it is in now (ancestors included); empty before the case is opened. */
  readonly current: ReadonlySet<string>;
  /** The innermost states it is in now. */
  readonly currentLeaves: ReadonlySet<string>;
  /** The transitions it took (edge ids), in the order first taken. */
  readonly taken: ReadonlySet<string>;
  readonly steps: readonly {
    readonly event: ProcedureEvent;
    readonly edges: readonly string[];
    readonly states: readonly string[];
  }[];
  readonly state: ProcedureState;
}

/**
 * Folds `events` (a case's facts up to some date, in order) through the statechart with the
 * decider's `evolve` — which throws on a fact the law refuses — and collects the path taken.
 */
export const casePath = (events: readonly ProcedureEvent[], graph = procedureGraph()): CasePath => {
  const visited = new Set<string>();
  const taken = new Set<string>();
  const steps: { event: ProcedureEvent; edges: string[]; states: string[] }[] = [];
  const eventless = graph.edges.filter((e) => e.event === null && e.target !== null);
  let state = initialState();
  for (const event of events) {
    const chosen = procedureMachine.getTransitionData(state, event);
    const next = evolve(state, event);
    const after = new Set(activeStates(next.value));
    const edges = chosen.flatMap((t) => {
      const id = edgeOfTransition.get(t);
      return id === undefined ? [] : [id];
    });
    // States entered by the transitions, before any eventless transition moved on from them.
    const entered = new Set(
      chosen.flatMap((t) => (t.target ?? []).flatMap((target) => enteredStates(graph, pathOf(target)))),
    );
    for (const e of eventless)
      if (entered.has(e.source) && e.target !== null && after.has(e.target)) {
        edges.push(e.id);
        withAncestors(e.source).forEach((s) => visited.add(s));
      }
    for (const s of after) visited.add(s);
    for (const e of edges) taken.add(e);
    steps.push({ event, edges, states: [...after] });
    state = next;
  }
  const current = new Set(events.length === 0 ? [] : activeStates(state.value));
  const currentLeaves = new Set(
    [...current].filter((s) => graph.node(s).children.every((c) => !current.has(c))),
  );
  return { visited, current, currentLeaves, taken, steps, state };
};

/** What a renderer needs to highlight: nothing for the bare procedure. */
export interface Highlight {
  readonly visited: ReadonlySet<string>;
  readonly current: ReadonlySet<string>;
  readonly currentLeaves: ReadonlySet<string>;
  readonly taken: ReadonlySet<string>;
}

export const noHighlight: Highlight = {
  visited: new Set(),
  current: new Set(),
  currentLeaves: new Set(),
  taken: new Set(),
};

/** A label for a transition: its event (or 'always'), and the route condition if any. */
export const edgeLabel = (edge: DiagramEdge): string =>
  `${edge.event ?? 'always'}${edge.route ? ` [${edge.route}]` : ''}`;

/** An identifier made of [A-Za-z0-9_] only, unique per state ('formalNotice_compliance_running'). */
export const safeId = (graph: DiagramGraph, id: string): string =>
  id === '' ? graph.machineId : id.replace(/\./g, '_');

/** The initial state of the machine (before any fact). */
export const initialStateId = (graph: DiagramGraph): string | null => graph.root.initial;
