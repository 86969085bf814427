/**
 * `export --format ocel-json|ocel-sqlite|ocel-xml|xes|csv [--case ID…] [--as-of D]
 * [--include-personal-data] --out FILE`: the cases of the store for process-mining tools.
 *
 * Only reads: a SQLite store that does not exist is refused (exit 3) rather than created, and a
 * missing key store is not created either (personal fields then read as erased, and are left out).
 */
import { type Command, Option } from 'commander';
import { globals, InvalidInputError, openStore, parseAsOf, parseCaseId, print } from '../common.ts';

const FORMATS = ['ocel-json', 'ocel-sqlite', 'ocel-xml', 'xes', 'csv'] as const;

interface ExportOptions {
  readonly format: (typeof FORMATS)[number];
  readonly case?: readonly string[];
  readonly asOf?: string;
  readonly includePersonalData?: boolean;
  readonly out: string;
}

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
      // Read-only: a missing SQLite store is exit 3 and nothing is created; without a key store,
      // personal fields read as erased and are not exported.
      const store = await openStore(global, 'read');
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
