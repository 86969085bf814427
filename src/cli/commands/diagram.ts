/**
 * `diagram [--format mermaid|dot|scxml|svg] [--case <caseId|clearview> --as-of D] [--out file]` —
 * the statechart drawn from the machine definition; with `--case`, the case's path highlighted.
 */
import { writeFile } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import { factsAsOf } from '../../../projections/fact.ts';
import { casePath, type Highlight, noHighlight, procedureGraph } from '../../visual/diagram.ts';
import { renderDot } from '../../visual/dot.ts';
import { renderMermaid } from '../../visual/mermaid.ts';
import { renderScxml } from '../../visual/scxml.ts';
import { globals, InvalidInputError, parseAsOf } from '../common.ts';
import { loadCase, TARGET_HELP } from './case-target.ts';

export const DIAGRAM_FORMATS = ['mermaid', 'dot', 'scxml', 'svg'] as const;
export type DiagramFormat = (typeof DIAGRAM_FORMATS)[number];

export const renderDiagram = async (format: DiagramFormat, highlight: Highlight = noHighlight) => {
  const graph = procedureGraph();
  switch (format) {
    case 'mermaid':
      return renderMermaid(graph, highlight);
    case 'dot':
      return renderDot(graph, highlight);
    case 'scxml':
      return renderScxml(graph, highlight);
    case 'svg': {
      // Loaded on use: Graphviz (WebAssembly) is not needed by other formats or commands.
      const { renderSvg } = await import('../../visual/svg.ts');
      return renderSvg(graph, highlight);
    }
    default: {
      const unreachable: never = format;
      throw new InvalidInputError([{ field: '--format', message: `unknown format ${String(unreachable)}` }]);
    }
  }
};

export const registerDiagram = (program: Command): void => {
  program
    .command('diagram')

    .description('draw the procedure statechart (offline); with --case, the path of a case through it')
    .addOption(new Option('--format <format>', 'output format').choices(DIAGRAM_FORMATS).default('mermaid'))
    .option('--case <case>', `highlight a case: ${TARGET_HELP}`)
    .option('--as-of <date>', 'with --case: the case as it stood on this date (default: today)')
    .option('--out <file>', 'write to this file instead of standard output')
    .action(
      async (opts: { format: DiagramFormat; case?: string; asOf?: string; out?: string }, cmd: Command) => {
        if (opts.asOf !== undefined && opts.case === undefined)
          throw new InvalidInputError([{ field: '--as-of', message: 'needs --case <caseId|clearview>' }]);
        let highlight = noHighlight;
        if (opts.case !== undefined) {
          const asOf = parseAsOf(opts.asOf);
          const c = await loadCase(opts.case, globals(cmd), '--case');
          highlight = casePath(factsAsOf(c.facts, asOf).map((f) => f.event));
        }
        const text = await renderDiagram(opts.format, highlight);
        if (opts.out === undefined) process.stdout.write(text);
        else {
          await writeFile(opts.out, text);
          process.stderr.write(`Wrote ${opts.out} (${opts.format}, ${Buffer.byteLength(text)} bytes).\n`);
        }
      },
    );
};
