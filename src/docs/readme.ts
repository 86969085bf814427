/**
 * README sections generated from the code (event catalogue, legal rules, stages), so the
 * documentation cannot drift from the statechart. `npm run docs` rewrites them in place; a test
 * fails when the README is out of date.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { CATALOGUE } from '../../machines/catalogue.ts';
import { EVENT_TYPES, schemaOf } from '../../machines/events.ts';
import { procedureMachine, STAGES } from '../../machines/procedure.ts';
import { RULES } from '../../machines/rules.ts';

const row = (cells: readonly string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;

const fieldsOf = (type: (typeof EVENT_TYPES)[number]): string =>
  Object.keys(schemaOf(type).shape.data.shape)
    .filter((k) => k !== 'on')
    .join(', ') || '—';

export const renderCatalogue = (): string =>
  [
    row(['Event', 'Meaning', 'Data (besides `on`)', 'Actor', 'Legal basis']),
    row(['---', '---', '---', '---', '---']),
    ...EVENT_TYPES.map((t) => {
      const d = CATALOGUE[t];
      return row([`\`${t}\``, `${d.label} — *${d.labelFr}*`, fieldsOf(t), d.actor, d.basis]);
    }),
  ].join('\n');

export const renderRules = (): string =>
  [
    row(['Rule', 'What it requires', 'Legal basis']),
    row(['---', '---', '---']),
    ...Object.values(RULES).map((r) => row([`\`${r.id}\``, r.description, r.basis])),
  ].join('\n');

export const renderStages = (): string =>
  [
    row(['Stage', 'What it is', 'Legal basis']),
    row(['---', '---', '---']),
    ...STAGES.map((s) => {
      const meta = procedureMachine.root.states[s]?.meta;
      return row([`\`${s}\``, meta?.description ?? '', meta?.basis ?? '']);
    }),
  ].join('\n');

const SECTIONS: Record<string, () => string> = {
  catalogue: renderCatalogue,
  rules: renderRules,
  stages: renderStages,
};

/** The README with its generated sections replaced by the current rendering. */
export const updateReadme = (readme: string): string =>
  Object.entries(SECTIONS).reduce(
    (text, [name, render]) =>
      text.replace(
        new RegExp(`(<!-- generated:${name} -->\\n)[\\s\\S]*?(\\n<!-- /generated:${name} -->)`),
        (_m, open: string, close: string) => `${open}${render()}${close}`,
      ),
    readme,
  );

if (process.argv[1]?.endsWith('src/docs/readme.ts')) {
  const url = new URL('../../README.md', import.meta.url);
  const before = await readFile(url, 'utf8');
  const after = updateReadme(before);
  await writeFile(url, after);
  process.stdout.write(before === after ? 'README.md is up to date\n' : 'README.md updated\n');
}
