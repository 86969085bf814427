/**
 * SVG rendered offline: Graphviz compiled to WebAssembly (@viz-js/viz, the wasm ships inside the
 * npm package), no network and no system Graphviz.
 */
import { instance, type Viz } from '@viz-js/viz';
import { type DiagramGraph, type Highlight, noHighlight, procedureGraph } from './diagram.ts';
import { renderDot } from './dot.ts';

let viz: Promise<Viz> | undefined;

/** Graphviz failed to lay out a graph (a bug in the DOT renderer). */
export class DiagramRenderError extends Error {
  override readonly name = 'DiagramRenderError';
}

/** Renders DOT source to a standalone SVG document. */
export const dotToSvg = async (dot: string): Promise<string> => {
  viz ??= instance();
  const result = (await viz).render(dot, { format: 'svg' });
  if (result.status !== 'success')
    throw new DiagramRenderError(
      `Graphviz could not render the diagram: ${result.errors.map((e) => e.message).join('; ')}`,
    );
  return result.output;
};

export const renderSvg = async (
  graph: DiagramGraph = procedureGraph(),
  highlight: Highlight = noHighlight,
): Promise<string> => dotToSvg(renderDot(graph, highlight));

/** The `<svg>` element alone (no XML declaration or doctype), to inline in an HTML page. */
export const inlineSvg = (svg: string): string => svg.slice(svg.indexOf('<svg'));
