/**
 * The committed diagrams are the machine's (run `npm run diagrams` after changing it).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DOCS_DIR, docDiagrams, README, updateReadmeMermaid } from '../../src/visual/generate-docs.ts';

describe('the documentation diagrams', () => {
  it('docs/procedure.{svg,mmd,scxml} are up to date with the statechart', async () => {
    for (const [name, content] of Object.entries(await docDiagrams()))
      expect(readFileSync(new URL(name, DOCS_DIR), 'utf8'), `docs/${name}`).toBe(content);
  });

  it("the README's Mermaid block is up to date, and the README shows the SVG", () => {
    const readme = readFileSync(README, 'utf8');
    expect(readme).toContain('```mermaid\nstateDiagram-v2\n');
    expect(updateReadmeMermaid(readme)).toBe(readme);
    expect(readme).toContain('![The CNIL procedure](docs/procedure.svg)');
  });
});
