/**
 * `diagram [--format mermaid|dot|scxml|svg] [--case <caseId|clearview> --as-of D] [--out file]` —
 * the statechart drawn from the machine definition; with `--case`, the case's path highlighted.
 */
import { writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
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

/** The format each file extension of `--out` means. */
export const FORMAT_OF_EXTENSION: Readonly<Record<string, DiagramFormat>> = {
  '.mmd': 'mermaid',
  '.mermaid': 'mermaid',
  '.dot': 'dot',
  '.gv': 'dot',
  '.scxml': 'scxml',
  '.svg': 'svg',
};

/**
 * The format asked for: `--format`, or the one the extension of `--out` names, or Mermaid. A
 * `--format` that contradicts the extension is invalid input (an SVG file holding Mermaid text).
 */
export const diagramFormat = (format: DiagramFormat | undefined, out: string | undefined): DiagramFormat => {
  const extension = out === undefined ? '' : extname(out).toLowerCase();
  const implied = FORMAT_OF_EXTENSION[extension];
  if (format !== undefined && implied !== undefined && format !== implied)
    throw new InvalidInputError([
      { field: '--format', message: `${format} contradicts the extension of --out ${out} (${implied})` },
    ]);
  return format ?? implied ?? 'mermaid';
};

export const registerDiagram = (program: Command): void => {
  program
    .command('diagram')

    .description('draw the procedure statechart (offline); with --case, the path of a case through it')
    .addOption(
      new Option(
        '--format <format>',
        'output format (default: from the --out extension, else mermaid)',
      ).choices(DIAGRAM_FORMATS),
    )
    .option('--case <case>', `highlight a case: ${TARGET_HELP}`)
    .option('--as-of <date>', 'with --case: the case as it stood on this date (default: today)')
    .option('--out <file>', 'write to this file instead of standard output')
    .action(
      async (opts: { format?: DiagramFormat; case?: string; asOf?: string; out?: string }, cmd: Command) => {
        const format = diagramFormat(opts.format, opts.out);
        if (opts.asOf !== undefined && opts.case === undefined)
          throw new InvalidInputError([{ field: '--as-of', message: 'needs --case <caseId|clearview>' }]);
        let highlight = noHighlight;
        if (opts.case !== undefined) {
          const asOf = parseAsOf(opts.asOf);
          const c = await loadCase(opts.case, globals(cmd), '--case');
          highlight = casePath(factsAsOf(c.facts, asOf).map((f) => f.event));
        }
        const text = await renderDiagram(format, highlight);
        if (opts.out === undefined) process.stdout.write(text);
        else {
          await writeFile(opts.out, text);
          process.stderr.write(`Wrote ${opts.out} (${format}, ${Buffer.byteLength(text)} bytes).\n`);
        }
      },
    );
};
