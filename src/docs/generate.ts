/**
 * Documentation generated from the code, so it cannot drift from the statechart:
 * - docs/events.md, the whole page: the event catalogue and every event's fields, read from the
 *   zod schemas (machines/events.ts), the catalogue (machines/catalogue.ts), the schema versions
 *   (machines/versions.ts), the personal-data map (machines/personal-data.ts) and the examples
 *   (machines/examples.ts);
 * - the sections of docs/procedure.md between `<!-- generated:NAME -->` markers: the stages and
 *   the legal rules;
 * - the README's Clearview output: what `cnil replay clearview` prints on a new store, "today"
 *   fixed to {@link CLEARVIEW_TODAY} (run as a real process, so it is the command's own output).
 *
 * `npm run docs` rewrites them; test/docs.test.ts fails when they are out of date.
 * @example npx tsx src/docs/generate.ts   // prints which files changed
 */
import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { CATALOGUE } from '../../machines/catalogue.ts';
import { IsoDate } from '../../machines/dates.ts';
import { EVENT_EXAMPLES } from '../../machines/examples.ts';
import {
  CaseId,
  EVENT_TYPES,
  Euros,
  type EventType,
  GdprArticle,
  PersonId,
  Reference,
  schemaOf,
  Text,
} from '../../machines/events.ts';
import { personalFieldsOf } from '../../machines/personal-data.ts';
import { procedureMachine, STAGES } from '../../machines/procedure.ts';
import { RULES } from '../../machines/rules.ts';
import { CURRENT_VERSION, UPCASTERS } from '../../machines/versions.ts';

const escapeCell = (c: string) => c.replace(/\|/g, '\\|');
const row = (cells: readonly string[]) => `| ${cells.map(escapeCell).join(' | ')} |`;
const table = (head: readonly string[], rows: readonly (readonly string[])[]): string =>
  [row(head), row(head.map(() => '---')), ...rows.map(row)].join('\n');

// ── Field types, read from the zod schemas ────────────────────────────────────────────────────

/** The building blocks of the catalogue, by name, so a field reads `IsoDate` rather than `string`. */
const NAMED: readonly (readonly [z.ZodType, string])[] = [
  [IsoDate, 'date `YYYY-MM-DD`'],
  [Reference, 'reference (text, ≤ 80 characters)'],
  [Text, 'text (1–500 characters)'],
  [GdprArticle, "GDPR article (`'6'`, `'5(1)(a)'`)"],
  [Euros, 'whole euros'],
  [CaseId, 'case id'],
  [PersonId, 'person id (a pseudonym)'],
];

interface Def {
  readonly type: string;
  readonly innerType?: z.ZodType;
  readonly element?: z.ZodType;
  readonly entries?: Record<string, string>;
  readonly values?: readonly unknown[];
  readonly shape?: Record<string, z.ZodType>;
  readonly in?: z.ZodType;
}
const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** Unwraps `optional`/`nullable`/`default`, saying whether the field may be left out. */
const unwrap = (schema: z.ZodType): { schema: z.ZodType; optional: boolean } => {
  let current = schema;
  let optional = false;
  for (;;) {
    const def = defOf(current);
    if ((def.type === 'optional' || def.type === 'default') && def.innerType) {
      optional = true;
      current = def.innerType;
    } else if (def.type === 'nullable' && def.innerType) current = def.innerType;
    else return { schema: current, optional };
  }
};

/** A short human description of a field's type. */
const typeOf = (schema: z.ZodType): string => {
  const named = NAMED.find(([s]) => s === schema);
  if (named) return named[1];
  const def = defOf(schema);
  switch (def.type) {
    case 'string':
      return 'text';
    case 'number':
      return 'number';
    case 'boolean':
      return '`true` or `false`';
    case 'enum':
      return `one of ${Object.values(def.entries ?? {})
        .map((v) => `\`${v}\``)
        .join(', ')}`;
    case 'literal':
      return (def.values ?? []).map((v) => `\`${JSON.stringify(v)}\``).join(' or ');
    case 'array':
      return def.element ? `list, each ${typeOf(unwrap(def.element).schema)}` : 'list';
    case 'object':
      return 'object';
    case 'pipe':
      return def.in ? typeOf(def.in) : 'value';
    default:
      return def.type;
  }
};

interface FieldRow {
  readonly path: string;
  readonly type: string;
  readonly required: boolean;
}

/** Every field of an object schema, nested objects (and lists of objects) flattened with dots. */
const fieldsOf = (shape: Record<string, z.ZodType>, prefix = ''): FieldRow[] =>
  Object.entries(shape).flatMap(([key, field]) => {
    const { schema, optional } = unwrap(field);
    const path = `${prefix}${key}`;
    const def = defOf(schema);
    const element = def.type === 'array' && def.element ? unwrap(def.element).schema : undefined;
    const nested = def.type === 'object' ? def.shape : element ? defOf(element).shape : undefined;
    const own: FieldRow = {
      path,
      type: nested ? (element ? 'list of objects' : 'object') : typeOf(schema),
      required: !optional,
    };
    return nested ? [own, ...fieldsOf(nested, element ? `${path}[].` : `${path}.`)] : [own];
  });

const personalPaths = (type: EventType): Set<string> =>
  new Set((personalFieldsOf(type)?.fields ?? []).map((p) => p.join('.')));

// ── Tables ────────────────────────────────────────────────────────────────────────────────────

const dataShape = (type: EventType) => schemaOf(type).shape.data.shape as Record<string, z.ZodType>;

/** One line per event: meaning (English and French), data fields, actor, legal basis. */
export const renderCatalogue = (): string =>
  table(
    ['Event', 'Meaning', 'Data (besides `on`)', 'Actor', 'Legal basis'],
    EVENT_TYPES.map((t) => {
      const d = CATALOGUE[t];
      const fields = Object.keys(dataShape(t)).filter((k) => k !== 'on');
      return [
        `[\`${t}\`](#${t.toLowerCase()})`,
        `${d.label} — *${d.labelFr}*`,
        fields.join(', ') || '—',
        d.actor,
        d.basis,
      ];
    }),
  );

const exampleOf = (type: EventType): string[] => {
  const example = EVENT_EXAMPLES[type] as Record<string, unknown> | undefined;
  if (example === undefined) return [];
  const json = JSON.stringify(example).replace(/'/g, "'\\''");
  return [
    '',
    'Example (a fictional case):',
    '',
    '```sh',
    `cnil case record acme-sas ${type} --data '${json}'`,
    '```',
  ];
};

/** One section per event: what it means, who records it, its basis and version, its fields. */
export const renderEventFields = (type: EventType): string => {
  const d = CATALOGUE[type];
  const personal = personalPaths(type);
  const upcasters = UPCASTERS[type] ?? [];
  return [
    `### ${type}`,
    '',
    `${d.label} — *${d.labelFr}*. Recorded by: ${d.actor}. Legal basis: ${d.basis}. ` +
      `Schema version ${CURRENT_VERSION[type]}.`,
    ...upcasters.map((u) => `Version ${u.from} → ${u.from + 1}: ${u.what}`),
    '',
    table(
      ['Field of `data`', 'Type', 'Required'],
      fieldsOf(dataShape(type)).map((f) => [
        `\`${f.path}\``,
        f.type + (personal.has(f.path) ? ' — personal data, stored encrypted' : ''),
        f.required ? 'yes' : 'no',
      ]),
    ),
    ...exampleOf(type),
  ].join('\n');
};

export const renderRules = (): string =>
  table(
    ['Rule', 'What it requires', 'Legal basis'],
    Object.values(RULES).map((r) => [`\`${r.id}\``, r.description, r.basis]),
  );

export const renderStages = (): string =>
  table(
    ['Stage', 'What it is', 'Legal basis'],
    STAGES.map((s) => {
      const meta = procedureMachine.root.states[s]?.meta as
        { description?: string; basis?: string } | undefined;
      return [`\`${s}\``, meta?.description ?? '', meta?.basis ?? ''];
    }),
  );

// ── Pages ─────────────────────────────────────────────────────────────────────────────────────

/** docs/events.md, whole. */
export const renderEventsPage = (): string =>
  [
    '<!-- Generated by `npm run docs` (src/docs/generate.ts) from machines/: do not edit by hand. -->',
    '',
    '# Events',
    '',
    'Every fact a case can hold, with the fields its `data` takes. Use this page to write the',
    '`--data` of `cnil case record <caseId> <Event>`, to read what a store holds, or to write a dataset',
    'for `cnil import`. `cnil events <Event> --json-schema` prints the same schema as JSON Schema.',
    '',
    'Every event has `data.on`, the date the act took legal effect (`YYYY-MM-DD`; the time of recording',
    'goes in the metadata). Fields not listed are refused; amounts are whole euros. A field marked',
    '*personal data* is encrypted under a key of its person before it reaches the store and can be',
    'erased (see [privacy.md](privacy.md)). Abbreviations of the legal bases: see',
    '[procedure.md](procedure.md#sources).',
    '',
    '## Catalogue',
    '',
    renderCatalogue(),
    '',
    '## Fields of each event',
    '',
    EVENT_TYPES.map(renderEventFields).join('\n\n'),
    '',
    '## Metadata',
    '',
    'Each stored event also carries metadata, set by the case service: `source` (title, reference,',
    'URL, whether the date is `stated` by the source or `inferred`, a note), `actor`, `recordedAt`,',
    '`correlationId`, `causationId` (the previous fact of the case) and `schemaVersion` (the version',
    'of its event type when it was written; older versions are upcast when read, see',
    '[architecture.md](architecture.md#event-versions)).',
    '',
  ].join('\n');

type Sections = Readonly<Record<string, () => string>>;

/** The generated sections of docs/procedure.md. */
const PROCEDURE_SECTIONS: Sections = {
  rules: renderRules,
  stages: renderStages,
};

/** The date the README's Clearview output is computed on (the penalty accrued depends on it). */
export const CLEARVIEW_TODAY = '2026-12-01';

/** What `cnil replay clearview` prints on a new store, as a text block: its stderr lines, then stdout. */
export const renderClearviewOutput = (): string => {
  const main = fileURLToPath(new URL('../cli/main.ts', import.meta.url));
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', main, '--store', 'memory:', 'replay', 'clearview'],
    {
      env: { ...process.env, CNIL_TODAY: CLEARVIEW_TODAY },
      encoding: 'utf8',
    },
  );
  if (run.status !== 0) throw new Error(`cnil replay clearview exited ${run.status}: ${run.stderr}`);
  return ['```text', `${run.stderr}${run.stdout}`.trimEnd(), '```'].join('\n');
};

/** A page with its generated sections (`<!-- generated:NAME -->` … `<!-- /generated:NAME -->`) re-rendered. */
export const updateSections = (page: string, sections: Sections): string =>
  Object.entries(sections).reduce(
    (text, [name, render]) =>
      text.replace(
        new RegExp(`(<!-- generated:${name} -->\\n)[\\s\\S]*?(\\n<!-- /generated:${name} -->)`),
        (_m, open: string, close: string) => `${open}${render()}${close}`,
      ),
    page,
  );

/** docs/procedure.md with its stages and rules re-rendered. */
export const updateGeneratedSections = (page: string): string => updateSections(page, PROCEDURE_SECTIONS);

/** The README with its Clearview output replaced by `output` (default: run the replay now). */
export const updateReadme = (readme: string, output: () => string = renderClearviewOutput): string =>
  updateSections(readme, { clearview: output });

export const EVENTS_PAGE = new URL('../../docs/events.md', import.meta.url);
export const PROCEDURE_PAGE = new URL('../../docs/procedure.md', import.meta.url);
export const README = new URL('../../README.md', import.meta.url);

if (process.argv[1]?.endsWith('src/docs/generate.ts')) {
  const write = async (url: URL, render: (before: string) => string, name: string) => {
    const before = await readFile(url, 'utf8').catch(() => '');
    const after = render(before);
    await writeFile(url, after);
    process.stdout.write(`${name} ${before === after ? 'is up to date' : 'updated'}\n`);
  };
  await write(EVENTS_PAGE, renderEventsPage, 'docs/events.md');
  await write(PROCEDURE_PAGE, updateGeneratedSections, 'docs/procedure.md');
  await write(README, (readme) => updateReadme(readme), 'README.md');
}
