/**
 * The documentation a newcomer reads stays true: the README is a short front door whose Clearview
 * output is what the command prints today; the generated pages (docs/events.md, the tables of
 * docs/procedure.md) match the code; every relative link resolves inside the repository; and no
 * link leaves it except for public legal sources.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  CLEARVIEW_TODAY,
  EVENTS_PAGE,
  PROCEDURE_PAGE,
  renderClearviewOutput,
  renderEventsPage,
  updateGeneratedSections,
  updateReadme,
} from '../src/docs/generate.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/** The pages a reader can reach: the README, CONTRIBUTING and everything under docs/. */
const PAGES = [
  'README.md',
  'CONTRIBUTING.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** Hosts of public sources a page may link to (the law, the CNIL, case law). */
const PUBLIC_SOURCES = [
  'www.legifrance.gouv.fr',
  'eur-lex.europa.eu',
  'www.cnil.fr',
  'cnil.fr',
  'gdprhub.eu',
  'www.conseil-etat.fr',
  'www.conseil-constitutionnel.fr',
  // The standards the exports follow, at their publishers.
  'www.ocel-standard.org',
  'www.xes-standard.org',
  'www.rfc-editor.org',
  'owasp.org',
  'docs.celonis.com',
];

/** Markdown links `[text](target)` outside code blocks and code spans. */
const linksOf = (markdown: string): string[] =>
  [
    ...markdown
      .replace(/```[\s\S]*?```/g, '')
      .replace(/`[^`\n]*`/g, '')
      .matchAll(/\]\(([^)\s]+)\)/g),
  ].map((m) => m[1] as string);

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as dashes. */
const anchorOf = (heading: string): string =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');

const anchorsOf = (markdown: string): Set<string> =>
  new Set(
    [...markdown.replace(/```[\s\S]*?```/g, '').matchAll(/^#{1,6} (.+)$/gm)].map((m) =>
      anchorOf(m[1] as string),
    ),
  );

describe('the README', () => {
  const readme = read('README.md');

  it('is a front door of at most 300 lines', () => {
    expect(readme.split('\n').length).toBeLessThanOrEqual(300);
  });

  it('starts with the two set-up commands, then the tests', () => {
    expect(readme.indexOf('npm ci')).toBeGreaterThan(0);
    expect(readme.indexOf('npm ci')).toBeLessThan(readme.indexOf('npm start'));
    expect(readme.indexOf('npm start')).toBeLessThan(readme.indexOf('## Command line'));
    expect(readme).toContain('npm test');
  });

  it('shows the Clearview output the replay prints (run `npm run docs` when it changes)', () => {
    const output = renderClearviewOutput();
    expect(output).toContain('Case clearview-ai — as of ' + CLEARVIEW_TODAY);
    expect(readme).toContain('<!-- generated:clearview -->');
    expect(updateReadme(readme, () => output)).toBe(readme);
  });
});

/**
 * The README's library examples, run against the sources: each package entry point they import is
 * resolved through the `exports` map of package.json (`./dist/src/x.js` → `src/x.ts`), so an import
 * the package does not export fails here; the store path goes to a temporary directory.
 */
const EXPORTS = (
  JSON.parse(read('package.json')) as { exports: Record<string, string | { default: string }> }
).exports;

const sourceOf = (specifier: string): string => {
  const target = EXPORTS[`.${specifier.slice('cnil-enforcement'.length)}`];
  if (target === undefined)
    throw new Error(`the README imports ${specifier}, which package.json does not export`);
  const file = typeof target === 'string' ? target : target.default;
  return join(ROOT, file.replace(/^\.\/dist\//, '').replace(/\.js$/, '.ts'));
};

const runExample = (code: string, dir: string, index: number) => {
  const source = code
    .replace(
      /from '(cnil-enforcement[^']*)'/g,
      (_m, specifier: string) => `from ${JSON.stringify(sourceOf(specifier))}`,
    )
    .replace(/'sqlite:\.\/data\/cnil\.db'/g, JSON.stringify(`sqlite:${join(dir, 'cnil.db')}`))
    .replace(/'\.\/data\/cnil\.read-models\.db'/g, JSON.stringify(join(dir, 'cnil.read-models.db')));
  const file = join(dir, `example-${index}.mts`);
  writeFileSync(file, `${source}\nexport {};\n`);
  return spawnSync(process.execPath, ['--import', 'tsx', file], { cwd: ROOT, encoding: 'utf8' });
};

describe("the README's library examples", () => {
  const examples = [...read('README.md').matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] as string);

  it('fold the Clearview events through the decider, record a fact in a SQLite file, and ask the ledger', () => {
    expect(examples).toHaveLength(3);
    const dir = mkdtempSync(join(tmpdir(), 'cnil-readme-'));
    try {
      const [fold, record, ledger] = examples.map((code, index) => runExample(code, dir, index));
      expect(fold?.stderr).toBe('');
      expect(fold?.stdout).toContain('HearingHeld is not allowed in state penaltyLiquidation.accruing');
      expect(record?.stderr).toBe('');
      expect(record?.stdout.trim()).toBe('complaint 1');
      // The case opened above is not sanctioned: nothing in the ledger, and the read models are kept.
      expect(ledger?.stderr).toBe('');
      expect(ledger?.stdout).toMatch(/finesImposed: 0,/);
      expect(existsSync(join(dir, 'cnil.read-models.db'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the generated documentation', () => {
  it('docs/events.md is the current event catalogue (run `npm run docs` after changing the events)', () => {
    expect(readFileSync(EVENTS_PAGE, 'utf8')).toBe(renderEventsPage());
  });

  it("docs/procedure.md's stages and legal rules are current (run `npm run docs`)", () => {
    const page = readFileSync(PROCEDURE_PAGE, 'utf8');
    expect(page).toContain('<!-- generated:rules -->');
    expect(page).toContain('<!-- generated:stages -->');
    expect(updateGeneratedSections(page)).toBe(page);
  });
});

describe('the links of the documentation', () => {
  it.each(PAGES)('%s: every relative link resolves inside the repository', (page) => {
    const broken = linksOf(read(page))
      .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith('#'))
      .map((target) => resolve(ROOT, dirname(page), decodeURIComponent(target.split('#')[0] as string)))
      .filter((path) => {
        const inRepo = relative(ROOT, path);
        return inRepo.startsWith('..') || !existsSync(path);
      })
      .map((path) => relative(ROOT, path));
    expect(broken).toEqual([]);
  });

  it.each(PAGES)('%s: every link to a heading of a page finds the heading', (page) => {
    const missing = linksOf(read(page))
      .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target) && target.includes('#'))
      .map((target) => {
        const [file, anchor] = target.split('#') as [string, string];
        const path = file === '' ? join(ROOT, page) : resolve(ROOT, dirname(page), file);
        return { target, path, anchor };
      })
      .filter(({ path }) => path.endsWith('.md') && existsSync(path))
      .filter(({ path, anchor }) => !anchorsOf(readFileSync(path, 'utf8')).has(anchor))
      .map(({ target }) => target);
    expect(missing).toEqual([]);
  });

  it.each(PAGES)('%s: links outside the repository go to public legal sources and standards only', (page) => {
    const text = read(page);
    expect(text).not.toMatch(/\.\.\/shared|\/work\//);
    const outside = linksOf(text)
      .filter((target) => /^https?:/i.test(target))
      .filter((target) => !PUBLIC_SOURCES.includes(new URL(target).hostname));
    expect(outside).toEqual([]);
  });
});
