/**
 * `export --format ocel-json|ocel-sqlite|ocel-xml|xes|csv [--case ID…] [--as-of D]
 * [--include-personal-data] --out FILE`: the cases of the store for process-mining tools.
 *
 * Only reads: it refuses a SQLite store that does not exist rather than create it, and reads
 * without a key store (personal fields then read as erased) rather than create one.
 */
import { existsSync } from 'node:fs';
import { type Command, Option } from 'commander';
import {
  globals,
  InvalidInputError,
  openStore,
  parseAsOf,
  parseCaseId,
  print,
  storeConnection,
} from '../common.ts';

const FORMATS = ['ocel-json', 'ocel-sqlite', 'ocel-xml', 'xes', 'csv'] as const;

interface ExportOptions {
  readonly format: (typeof FORMATS)[number];
  readonly case?: readonly string[];
  readonly asOf?: string;
  readonly includePersonalData?: boolean;
  readonly out: string;
}

/** A file path named by a store or key store connection, or null when it names no file. */
const fileOf = (connection: string): string | null => {
  if (connection === 'memory:' || /^esdb(\+discover)?:\/\//i.test(connection)) return null;
  const path = connection.startsWith('sqlite:') ? connection.slice('sqlite:'.length) : connection;
  return path === ':memory:' ? null : path;
};

export const registerExport = (program: Command): void => {
  program
    .command('export')
    .description('export cases for process mining: OCEL 2.0 (JSON, XML, SQLite), XES or a CSV event log')
    .addOption(
      new Option('--format <format>', 'ocel-json | ocel-sqlite | ocel-xml | xes | csv')
        .choices(FORMATS)
        .makeOptionMandatory(),
    )
    .option('--case <caseId...>', 'only these cases (default: every case of the store)')
    .option('--as-of <date>', 'only the facts that had taken effect on this date (default: every fact)')
    .option(
      '--include-personal-data',
      'also export the personal data still held (complainants’ names, contacts, person ids); erased data never is',
    )
    .requiredOption('--out <file>', 'the file to write (replaced if it exists); - for standard output')
    .action(async (opts: ExportOptions, cmd: Command) => {
      const global = globals(cmd);
      const caseIds = (opts.case ?? []).map(parseCaseId);
      const asOf = opts.asOf === undefined ? undefined : parseAsOf(opts.asOf);
      if (opts.out === '-' && opts.format === 'ocel-sqlite')
        throw new InvalidInputError([{ field: '--out', message: 'ocel-sqlite needs a file, not -' }]);
      const { defaultKeysFor, parseStoreConnection } = await import('../../store/open.ts');
      const connection = storeConnection(global);
      const storeFile = fileOf(connection);
      if (storeFile !== null && !existsSync(storeFile))
        throw new InvalidInputError([
          {
            field: '--store',
            message: `no event store at ${storeFile}: nothing to export (export never creates one)`,
          },
        ]);
      const keys = global.keys ?? process.env.CNIL_KEYS ?? defaultKeysFor(parseStoreConnection(connection));
      const keysFile = fileOf(keys);
      const keysMissing = keysFile !== null && !existsSync(keysFile);
      if (keysMissing && opts.includePersonalData)
        process.stderr.write(
          `no key store at ${keysFile}: personal data cannot be read and is not exported\n`,
        );
      const store = await openStore({ ...global, ...(keysMissing ? { keys: 'memory:' } : {}) });
      try {
        const { writeExport } = await import('../../export/export.ts');
        const { UnknownCaseError } = await import('../../export/facts.ts');
        const summary = await writeExport(store, {
          format: opts.format,
          out: opts.out,
          caseIds,
          ...(asOf === undefined ? {} : { asOf }),
          includePersonalData: opts.includePersonalData ?? false,
        }).catch((error: unknown) => {
          if (error instanceof UnknownCaseError)
            throw new InvalidInputError([{ field: '--case', message: error.message }]);
          throw error;
        });
        const text =
          `Wrote ${summary.out} (${summary.format}): ${summary.caseIds.length} case(s), ${summary.events} event(s)` +
          `${summary.objects === null ? '' : `, ${summary.objects} object(s)`}` +
          `${summary.asOf === null ? '' : `, as of ${summary.asOf}`}; personal data ${summary.personalData}.`;
        if (opts.out === '-') process.stderr.write(`${text}\n`);
        else print(global.json, summary, text);
      } finally {
        await store.close();
      }
    });
};
