/**
 * `diagram [--format mermaid|dot|scxml|svg] [--view overview|full|<stage>] [--lang en|fr]
 * [--case <caseId|clearview> --as-of D] [--out file]` — the statechart drawn from the machine
 * definition; with `--case`, the case's path highlighted. As SVG the default view is the overview
 * of the stages (for people); `--view full` is the whole statechart, `--view <stage>` one stage.
 */
import { writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { type Command, Option } from 'commander';
import { factsAsOf } from '../../../projections/fact.ts';
import { casePath, type Highlight, noHighlight, procedureGraph } from '../../visual/diagram.ts';
import { renderDot } from '../../visual/dot.ts';
import { renderMermaid } from '../../visual/mermaid.ts';
import { renderScxml } from '../../visual/scxml.ts';
import { STAGES } from '../../../machines/procedure.ts';
import type { Lang } from '../../visual/labels.ts';
import { globals, InvalidInputError, parseAsOf } from '../common.ts';
import { loadCase, TARGET_HELP } from './case-target.ts';

export const DIAGRAM_FORMATS = ['mermaid', 'dot', 'scxml', 'svg'] as const;
export type DiagramFormat = (typeof DIAGRAM_FORMATS)[number];

export const DIAGRAM_VIEWS = ['overview', 'full', ...STAGES.filter((s) => s !== 'closed')] as const;
export type DiagramView = (typeof DIAGRAM_VIEWS)[number];

export const renderDiagram = async (
  format: DiagramFormat,
  highlight: Highlight = noHighlight,
  view: DiagramView = 'full',
  lang: Lang = 'en',
) => {
  if (view === 'overview') {
    if (format !== 'svg')
      throw new InvalidInputError([
        { field: '--view', message: 'the overview is drawn as --format svg only' },
      ]);
    const { renderOverviewSvg } = await import('../../visual/overview.ts');
    return renderOverviewSvg(procedureGraph(), { lang, highlight });
  }
  if (view !== 'full') {
    const { renderStageDot, renderStageSvg } = await import('../../visual/stage-detail.ts');
    if (format === 'dot') return renderStageDot(view, { lang, highlight });
    if (format === 'svg') return renderStageSvg(view, { lang, highlight });
    throw new InvalidInputError([
      { field: '--view', message: `the detail of a stage is drawn as --format dot or svg only` },
    ]);
  }
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
    .addOption(
      new Option(
        '--view <view>',
        'overview: the stages (svg; the default for svg); full: every state; or one stage in detail (dot, svg)',
      ).choices(DIAGRAM_VIEWS),
    )
    .addOption(
      new Option('--lang <lang>', 'labels of the overview and stage views')
        .choices(['en', 'fr'])
        .default('en'),
    )
    .option('--out <file>', 'write to this file instead of standard output')
    .action(
      async (
        opts: {
          format?: DiagramFormat;
          view?: DiagramView;
          lang: Lang;
          case?: string;
          asOf?: string;
          out?: string;
        },
        cmd: Command,
      ) => {
        const format = diagramFormat(opts.format, opts.out);
        if (opts.asOf !== undefined && opts.case === undefined)
          throw new InvalidInputError([{ field: '--as-of', message: 'needs --case <caseId|clearview>' }]);
        let highlight = noHighlight;
        if (opts.case !== undefined) {
          const asOf = parseAsOf(opts.asOf);
          const c = await loadCase(opts.case, globals(cmd), '--case');
          highlight = casePath(factsAsOf(c.facts, asOf).map((f) => f.event));
        }
        const view = opts.view ?? (format === 'svg' ? 'overview' : 'full');
        const text = await renderDiagram(format, highlight, view, opts.lang);
        if (opts.out === undefined) process.stdout.write(text);
        else {
          await writeFile(opts.out, text);
          process.stderr.write(`Wrote ${opts.out} (${format}, ${Buffer.byteLength(text)} bytes).\n`);
        }
      },
    );
};
