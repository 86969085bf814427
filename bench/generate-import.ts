/**
 * Writes a big, realistic bulk-import file: simulated case histories (src/import/generate.ts) as
 * JSON Lines, one dataset per line, on stdout or into a file. Same arguments, same bytes.
 *
 *   npx tsx bench/generate-import.ts --cases 1000 --seed 7 --out data/cases.jsonl
 *   npm run cli -- import data/cases.jsonl
 *
 * Options: --cases N (default 300), --seed S (default 1), --until YYYY-MM-DD (default 2025-12-31),
 * --all-complaints (also the complaints closed at once), --params <file> (simulation parameters),
 * --out <file> (default stdout).
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type IsoDate, isIsoDate } from '../machines/dates.ts';
import { generateDatasets, toJsonLines } from '../src/import/generate.ts';
import { loadParams } from '../src/simulation/params.ts';

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '300' },
    seed: { type: 'string', default: '1' },
    until: { type: 'string', default: '2025-12-31' },
    'all-complaints': { type: 'boolean', default: false },
    params: { type: 'string' },
    out: { type: 'string' },
  },
});

const cases = Number(values.cases);
const seed = Number(values.seed);
if (!Number.isInteger(cases) || cases < 1)
  throw new RangeError(`--cases: ${values.cases} is not a positive integer`);
if (!Number.isInteger(seed)) throw new RangeError(`--seed: ${values.seed} is not an integer`);
if (!isIsoDate(values.until)) throw new RangeError(`--until: ${values.until} is not a date YYYY-MM-DD`);

const started = Date.now();
const datasets = generateDatasets({
  cases,
  seed,
  until: values.until as IsoDate,
  allComplaints: values['all-complaints'],
  params: await loadParams(values.params),
});
const text = toJsonLines(datasets);
if (values.out) writeFileSync(values.out, text);
else process.stdout.write(text);
const events = datasets.reduce((n, d) => n + d.events.length, 0);
process.stderr.write(
  `${cases} case(s), ${events} event(s), ${(text.length / 1e6).toFixed(1)} MB in ${Date.now() - started} ms\n`,
);
