/**
 * `advance --to D`: the deadline scheduler. Records, on every case, the `…DeadlineElapsed` facts
 * due by D, through the case service (actor `scheduler`, a source saying they were computed);
 * idempotent. D may not be after today.
 */
import type { Command } from 'commander';
import { isIsoDate, type IsoDate } from '../../../machines/dates.ts';
import { type AdvanceReport, advance } from '../../scheduler/advance.ts';
import { globals, InvalidInputError, print, today, withService } from '../common.ts';

const formatReport = (report: AdvanceReport): string =>
  [
    `Advanced to ${report.to}: ${report.appended.length} fact(s) appended on ${report.cases} case(s).`,
    ...report.appended.map(
      (f) => `  ${f.on}  ${f.caseId}  ${f.type} (deadline ${f.deadline} of ${f.reference})`,
    ),
    ...report.skipped.map((f) => `  not recorded: ${f.caseId} ${f.type} on ${f.on}: ${f.reason}`),
  ].join('\n');

export function registerAdvance(program: Command): void {
  program
    .command('advance')
    .description(
      'deadline scheduler: record the …DeadlineElapsed facts due by a date on every case (idempotent)',
    )
    .requiredOption('--to <date>', 'record the deadlines elapsed on or before this date (not after today)')
    .action(async (opts: { to: string }, cmd: Command) => {
      const global = globals(cmd);
      if (!isIsoDate(opts.to))
        throw new InvalidInputError([{ field: '--to', message: `${opts.to} is not a date YYYY-MM-DD` }]);
      const to = opts.to as IsoDate;
      const day = today();
      if (to > day)
        throw new InvalidInputError([
          {
            field: '--to',
            message: `${to} is after today (${day}): a deadline is recorded once it has passed`,
          },
        ]);
      const report = await withService(global, (service, store) =>
        advance({ store, service, to, today: day }),
      );
      print(global.json, report, formatReport(report));
    });
}
