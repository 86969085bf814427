/**
 * The diagrams are drawn from the machine itself: every state and every transition of the
 * statechart appears in every format, and a case's path is the one its facts took.
 */
import type { AnyStateNode } from 'xstate';
import { describe, expect, it } from 'vitest';
import { procedureMachine } from '../../machines/procedure.ts';
import { factsAsOf } from '../../projections/fact.ts';
import { datasetCase } from '../../src/visual/case-data.ts';
import { casePath, edgeLabel, procedureGraph, safeId } from '../../src/visual/diagram.ts';
import { renderDot } from '../../src/visual/dot.ts';
import { drawnEdges, renderMermaid } from '../../src/visual/mermaid.ts';
import { renderScxml, SCXML_NS } from '../../src/visual/scxml.ts';
import { renderSvg } from '../../src/visual/svg.ts';
import {
  caseOpened,
  complaintReceived,
  referredToOrdinaryProcedure,
  referredToRestrictedCommittee,
  sanctionReportNotified,
} from '../support/builders.ts';
import { elements, parseXml } from './xml.ts';

const graph = procedureGraph();

/** The machine's states and transitions, read independently of the graph model. */
const machineStates = (): { path: string; type: string }[] => {
  const out: { path: string; type: string }[] = [];
  const walk = (n: AnyStateNode) => {
    out.push({ path: n.path.join('.'), type: n.type });
    for (const c of Object.values(n.states) as AnyStateNode[]) walk(c);
  };
  walk(procedureMachine.root);
  return out;
};
const machineTransitions = (): { source: string; event: string; target: string | null }[] => {
  const out: { source: string; event: string; target: string | null }[] = [];
  const walk = (n: AnyStateNode) => {
    for (const [event, defs] of n.transitions)
      for (const d of defs)
        out.push({ source: n.path.join('.'), event, target: d.target?.[0]?.path.join('.') ?? null });
    for (const d of n.always ?? [])
      out.push({ source: n.path.join('.'), event: '', target: d.target?.[0]?.path.join('.') ?? null });
    for (const c of Object.values(n.states) as AnyStateNode[]) walk(c);
  };
  walk(procedureMachine.root);
  return out;
};

const clearview = await datasetCase('clearview');
const clearviewPath = (asOf: string) => casePath(factsAsOf(clearview.facts, asOf).map((f) => f.event));

describe('the graph model of the statechart', () => {
  it('has every state of the machine, with its kind and legal basis', () => {
    const states = machineStates();
    expect(graph.nodes.map((n) => ({ path: n.id, type: n.kind }))).toEqual(states);
    for (const n of graph.nodes.filter((x) => x.id !== '' && x.id !== 'unopened'))
      expect(n.basis, `basis of ${n.id}`).toMatch(/art\.|décret/);
    expect(graph.node('formalNotice').kind).toBe('parallel');
    expect(graph.node('formalNotice').children).toEqual([
      'formalNotice.compliance',
      'formalNotice.publicity',
    ]);
  });

  it('has every transition of the machine, eventless ones included, with its legal basis', () => {
    expect(graph.edges.map((e) => ({ source: e.source, event: e.event ?? '', target: e.target }))).toEqual(
      machineTransitions(),
    );
    for (const e of graph.edges.filter((x) => x.event !== null)) expect(e.basis, e.id).not.toBe('');
    expect(graph.edges.filter((e) => e.route !== null).map(edgeLabel)).toContain(
      'ReferredToRestrictedCommittee [simplifiedReferral]',
    );
  });
});

describe('Mermaid', () => {
  const text = renderMermaid(graph);
  const lines = text.split('\n');

  it('declares every state once, with an identifier Mermaid accepts', () => {
    expect(lines[0]).toBe('stateDiagram-v2');
    for (const n of graph.nodes.filter((x) => x.id !== '')) {
      const id = safeId(graph, n.id);
      expect(id).toMatch(/^[A-Za-z][A-Za-z0-9_]*$/);
      expect(
        lines.filter((l) => new RegExp(`^\\s*state "[^"]*" as ${id}( \\{)?$`).test(l)),
        n.id,
      ).toHaveLength(1);
    }
  });

  it('draws every transition with its event, nested blocks balanced and regions separated by --', () => {
    for (const e of graph.edges)
      for (const d of drawnEdges(graph, e)) {
        const line = lines.find((l) =>
          l.trim().startsWith(`${safeId(graph, d.from)} --> ${safeId(graph, d.to)} : `),
        );
        expect(line, `${e.id} drawn as ${d.from} --> ${d.to}`).toBeDefined();
        expect(line).toContain(edgeLabel(e));
      }
    expect(lines.filter((l) => l.trim().endsWith('{')).length).toBe(
      lines.filter((l) => l.trim() === '}').length,
    );
    const fn = lines.findIndex((l) => l.includes(' as formalNotice {'));
    const divider = lines.findIndex((l, i) => i > fn && l.trim() === '--');
    const publicity = lines.findIndex((l) => l.includes(' as formalNotice_publicity {'));
    expect(fn).toBeGreaterThan(0);
    expect(divider).toBeGreaterThan(fn);
    expect(divider).toBeLessThan(publicity);
  });

  it('never puts a character Mermaid reads as syntax in a label', () => {
    for (const l of lines.filter((x) => x.includes(' : '))) {
      const label = l.slice(l.indexOf(' : ') + 3);
      expect(label, l).not.toMatch(/[:;#{}<>]/);
    }
  });

  it('highlights the Clearview path: the current state and the states visited', () => {
    const highlighted = renderMermaid(graph, clearviewPath('2023-04-13'));
    expect(highlighted).toContain('class penaltyLiquidation_accruing current');
    const visited = highlighted
      .split('\n')
      .find((l) => l.trim().startsWith('class ') && l.endsWith(' visited'));
    expect(visited).toContain('formalNotice_compliance_deadlineElapsed');
    expect(visited).toContain('restrictedCommittee_ordinary_deliberation');
    expect(visited).not.toContain('restrictedCommittee_simplified');
    expect(highlighted).toContain('PenaltyLiquidated ✓');
  });
});

describe('SCXML', () => {
  const root = parseXml(renderScxml(graph));
  const all = elements(root);

  it('is well-formed XML in the SCXML namespace', () => {
    expect(root.name).toBe('scxml');
    expect(root.attributes.xmlns).toBe(SCXML_NS);
    expect(root.attributes.version).toBe('1.0');
  });

  it('has the states of the machine as <state>, <parallel> and initial attributes', () => {
    const states = all.filter(({ element }) => ['state', 'parallel', 'final'].includes(element.name));
    const ids = states.map(({ element }) => element.attributes.id);
    expect(ids).toEqual(['cnil', ...graph.nodes.filter((n) => n.id !== '').map((n) => n.id)]);
    const byId = new Map(states.map(({ element }) => [element.attributes.id, element]));
    expect(byId.get('formalNotice')?.name).toBe('parallel');
    expect(byId.get('restrictedCommittee')?.attributes.initial).toBe('restrictedCommittee.ordinary');
    expect(byId.get('formalNotice.compliance.running')?.attributes['cnil:basis']).toBe('D art. 38');
  });

  it('has one <transition> per transition of the machine, on its source state', () => {
    const transitions = all
      .filter(({ element }) => element.name === 'transition')
      .map(({ element, parent }) => ({
        source: parent?.attributes.id === 'cnil' ? '' : (parent?.attributes.id ?? '?'),
        event: element.attributes.event ?? '',
        target: element.attributes.target ?? null,
      }));
    expect(transitions).toEqual(machineTransitions());
  });
});

describe('DOT and SVG (Graphviz compiled to WebAssembly, offline)', () => {
  it('renders every state and every transition', async () => {
    const dot = renderDot(graph);
    const svg = await renderSvg(graph);
    const root = parseXml(svg);
    expect(root.name).toBe('svg');
    const ids = new Set(elements(root).map(({ element }) => element.attributes.id));
    for (const n of graph.nodes) expect(ids.has(`state:${n.id}`), n.id).toBe(true);
    const texts = svg.replace(/&#45;/g, '-');
    for (const e of graph.edges) {
      expect(dot).toContain(edgeLabel(e));
      expect(texts, e.id).toContain(`>${edgeLabel(e)}</text>`);
    }
  });

  it('marks the current state, the visited states and the taken transitions of a case', async () => {
    const svg = await renderSvg(graph, clearviewPath('2023-04-13'));
    const nodes = elements(parseXml(svg)).map(({ element }) => element);
    const classOf = (id: string) =>
      nodes.find((e) => e.attributes.id === `state:${id}`)?.attributes.class ?? '';
    expect(classOf('penaltyLiquidation.accruing')).toContain('current-leaf');
    expect(classOf('penaltyLiquidation')).toContain('current');
    expect(classOf('sanction.decided')).toContain('visited');
    expect(classOf('restrictedCommittee.simplified.instruction')).not.toContain('visited');
    expect(nodes.filter((e) => /\btaken\b/.test(e.attributes.class ?? '')).length).toBeGreaterThan(10);
  });
});

describe('the path of a case', () => {
  it('Clearview on 13 April 2023: from the formal notice to the penalty accruing again after liquidation', () => {
    const path = clearviewPath('2023-04-13');
    expect([...path.currentLeaves]).toEqual(['penaltyLiquidation.accruing']);
    for (const s of [
      'complaint',
      'inspection.inProgress',
      'inspection.findings',
      'formalNotice.compliance.running',
      'formalNotice.compliance.deadlineElapsed',
      'formalNotice.publicity.published',
      'restrictedCommittee.ordinary.deliberation',
      'sanction.decided', // passed through on the way to the injunction
      'sanction.injunctionRunning',
      'penaltyLiquidation.liquidationNotified',
    ])
      expect(path.visited.has(s), s).toBe(true);
    expect(path.visited.has('restrictedCommittee.simplified')).toBe(false);
    expect(path.visited.has('closed')).toBe(false);
    expect(path.taken.has('sanction.decided:always:1')).toBe(true);
    expect(path.taken.has('penaltyLiquidation.liquidationNotified:PenaltyLiquidated:1')).toBe(true);
  });

  it('Clearview on 1 January 2022: both regions of the formal notice are current', () => {
    expect([...clearviewPath('2022-01-01').currentLeaves].sort()).toEqual([
      'formalNotice.compliance.running',
      'formalNotice.publicity.published',
    ]);
  });

  it('a simplified referral switched back to the ordinary procedure', () => {
    const path = casePath([
      caseOpened(),
      complaintReceived(),
      referredToRestrictedCommittee({ on: '2023-09-04', procedure: 'simplified' }),
      referredToOrdinaryProcedure(),
      sanctionReportNotified(),
    ]);
    expect([...path.currentLeaves]).toEqual(['restrictedCommittee.ordinary.exchanges']);
    expect(path.visited.has('restrictedCommittee.simplified.instruction')).toBe(true);
    expect(path.taken.has('complaint:ReferredToRestrictedCommittee:5')).toBe(true);
    expect(path.taken.has('restrictedCommittee.simplified:ReferredToOrdinaryProcedure:0')).toBe(true);
    expect(path.visited.has('inspection')).toBe(false);
  });
});
