/**
 * The diagrams committed with the documentation, generated from the machine definition:
 * docs/procedure-overview.svg (the stages, English) and docs/procedure-overview.fr.svg (French),
 * docs/procedure-<stage>.svg (each stage in detail), docs/procedure.svg (the whole statechart,
 * Graphviz, offline), docs/procedure.mmd (Mermaid) and docs/procedure.scxml,
 * and the Mermaid block of docs/procedure.md between `<!-- generated:mermaid -->` markers.
 * `npm run diagrams` rewrites them; a test fails when they are out of date.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { STAGES } from '../../machines/procedure.ts';
import { procedureGraph } from './diagram.ts';
import { renderOverviewSvg } from './overview.ts';
import { renderStageSvg } from './stage-detail.ts';
import { renderMermaid } from './mermaid.ts';
import { renderScxml } from './scxml.ts';
import { renderSvg } from './svg.ts';

export const DOCS_DIR = new URL('../../docs/', import.meta.url);
/** The page that shows the statechart in Mermaid (GitHub renders the block). */
export const PROCEDURE_PAGE = new URL('../../docs/procedure.md', import.meta.url);

/** The documentation diagrams, by file name under docs/. */
export const docDiagrams = async (): Promise<Record<string, string>> => {
  const graph = procedureGraph();
  const stages: Record<string, string> = {};
  for (const stage of STAGES.filter((s) => s !== 'closed'))
    stages[`procedure-${stage}.svg`] = await renderStageSvg(stage);
  return {
    'procedure-overview.svg': renderOverviewSvg(graph, { lang: 'en' }),
    'procedure-overview.fr.svg': renderOverviewSvg(graph, { lang: 'fr' }),
    ...stages,
    'procedure.svg': await renderSvg(graph),
    'procedure.mmd': renderMermaid(graph),
    'procedure.scxml': renderScxml(graph),
  };
};

/** A page with its Mermaid block replaced by the current rendering. */
export const updateMermaidBlock = (page: string): string =>
  page.replace(
    /(<!-- generated:mermaid -->)[\s\S]*?(<!-- \/generated:mermaid -->)/,
    (_m, open: string, close: string) =>
      `${open}\n\`\`\`mermaid\n${renderMermaid(procedureGraph())}\`\`\`\n${close}`,
  );

if (process.argv[1]?.endsWith('src/visual/generate-docs.ts')) {
  await mkdir(DOCS_DIR, { recursive: true });
  for (const [name, content] of Object.entries(await docDiagrams())) {
    const url = new URL(name, DOCS_DIR);
    const before = await readFile(url, 'utf8').catch(() => null);
    await writeFile(url, content);
    process.stdout.write(`docs/${name} ${before === content ? 'is up to date' : 'written'}\n`);
  }
  const page = await readFile(PROCEDURE_PAGE, 'utf8');
  const updated = updateMermaidBlock(page);
  await writeFile(PROCEDURE_PAGE, updated);
  process.stdout.write(`docs/procedure.md mermaid block ${page === updated ? 'is up to date' : 'updated'}\n`);
}
