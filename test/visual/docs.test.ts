/**
 * The committed diagrams are the machine's (run `npm run diagrams` after changing it).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DOCS_DIR, docDiagrams, PROCEDURE_PAGE, updateMermaidBlock } from '../../src/visual/generate-docs.ts';

describe('the documentation diagrams', () => {
  it('docs/procedure.{svg,mmd,scxml} are up to date with the statechart', async () => {
    for (const [name, content] of Object.entries(await docDiagrams()))
      expect(readFileSync(new URL(name, DOCS_DIR), 'utf8'), `docs/${name}`).toBe(content);
  });

  it("docs/procedure.md's Mermaid block is up to date, and the page shows the SVG", () => {
    const page = readFileSync(PROCEDURE_PAGE, 'utf8');
    expect(page).toContain('```mermaid\nstateDiagram-v2\n');
    expect(updateMermaidBlock(page)).toBe(page);
    expect(page).toContain('![The CNIL procedure](procedure.svg)');
  });
});
