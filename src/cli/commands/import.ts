/**
 * `import <file> [--format json|jsonl]`: records many case histories at once (src/import/). The
 * file is checked whole before the store is even opened (exit 2 naming line and field, nothing
 * written); then each case is recorded in one atomic append. Importing again appends nothing;
 * after a crash it completes what is missing. Refused cases are listed (exit 1); the others stay.
 */
import { type Command, Option } from 'commander';
import {
  formatIssue,
  IMPORT_FORMATS,
  type ImportFormat,
  ImportFileError,
  MAX_REPORTED_ISSUES,
  openImportFile,
} from '../../import/file.ts';
import { type CaseRefusal, importCases, type ImportReport } from '../../import/import.ts';
import {
  globals,
  InvalidInputError,
  parseWholeNumber,
  print,
  RefusedError,
  today,
  withService,
} from '../common.ts';

const refusalLine = (r: CaseRefusal): string =>
  `  line ${r.line}, case ${r.caseId}: ${r.event ? `${r.event.type} of ${r.event.on} (key ${r.event.key}), ` : ''}${r.rule} — ${r.message}`;

const summary = (file: string, report: ImportReport, ms: number): string => {
  const { cases, events } = report;
  const lines = [
    `Imported ${file}: ${cases.total} case(s) — ${cases.imported} imported, ${cases.unchanged} unchanged, ${cases.refused} refused.`,
    `${events.appended} event(s) appended, ${events.alreadyStored} already stored (${ms} ms).`,
  ];
  if (report.refused.length > 0)
    lines.push('Refused (nothing of these cases was written):', ...report.refused.map(refusalLine));
  return lines.join('\n');
};

/** `CNIL_IMPORT_GROUP_EVENTS`: events per store transaction (default DEFAULT_GROUP_EVENTS). */
const groupEvents = (): { groupEvents?: number } => {
  const value = process.env.CNIL_IMPORT_GROUP_EVENTS;
  if (value === undefined) return {};
  return { groupEvents: parseWholeNumber('CNIL_IMPORT_GROUP_EVENTS', value, { min: 1 }) };
};

export function registerImport(program: Command): void {
  program
    .command('import')
    .description(
      'record many case histories from a file (datasets as in replay: one, an array, or JSON Lines); idempotent',
    )
    .argument(
      '<file>',
      'a .json file (one dataset or an array of datasets) or a .jsonl file (one dataset per line)',
    )
    .addOption(
      new Option('--format <format>', 'the file layout (default: .jsonl/.ndjson → jsonl, else json)').choices(
        IMPORT_FORMATS,
      ),
    )
    .option('--progress', 'report every 100 cases on stderr')
    .action(async (file: string, opts: { format?: ImportFormat; progress?: boolean }, cmd: Command) => {
      const global = globals(cmd);
      const started = Date.now();
      let source;
      try {
        source = await openImportFile(file, {
          ...(opts.format ? { format: opts.format } : {}),
          today: today(),
        });
      } catch (error) {
        if (!(error instanceof ImportFileError)) throw error;
        const shown = error.issues
          .slice(0, MAX_REPORTED_ISSUES)
          .map((i) => ({ field: file, message: formatIssue(i) }));
        const more = error.issues.length - shown.length;
        throw new InvalidInputError([
          ...shown,
          { field: file, message: `${more > 0 ? `… and ${more} more problem(s); ` : ''}nothing imported` },
        ]);
      }
      const report = await withService(global, (service) =>
        importCases(service, source.entries(), {
          ...groupEvents(),
          onCase: (result, done) => {
            if (opts.progress && done % 100 === 0)
              process.stderr.write(
                `${done}/${source.cases} case(s), last ${result.caseId}: ${result.status}\n`,
              );
          },
        }),
      );
      const ms = Date.now() - started;
      print(global.json, { file, ...report, ms }, summary(file, report, ms));
      if (report.refused.length > 0)
        throw new RefusedError(
          `${report.refused.length} case(s) refused by the procedure or the law (listed above); the ${report.cases.imported + report.cases.unchanged} other case(s) are recorded`,
          {},
          true,
        );
    });
}
