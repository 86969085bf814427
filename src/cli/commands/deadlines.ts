/** `deadlines [--as-of D]`: every open deadline of every case, due or overdue, from the read models. */
import type { Command } from 'commander';
import { deadlinesAsOf } from '../../projector/queries.ts';
import { globals, parseAsOf, print } from '../common.ts';
import {
  formatDeadlines,
  type ReadModelOptions,
  readModelsOption,
  withFreshReadModels,
} from '../read-models.ts';

export function registerDeadlines(program: Command): void {
  readModelsOption(program.command('deadlines'))
    .description('open deadlines of every case as of a date: due, or overdue (read models, caught up first)')
    .option('--as-of <date>', 'the date (default: today)')
    .action(async (opts: ReadModelOptions & { asOf?: string }, cmd: Command) => {
      const global = globals(cmd);
      const asOf = parseAsOf(opts.asOf);
      const report = await withFreshReadModels(global, opts, (readModels) => deadlinesAsOf(readModels, asOf));
      print(global.json, report, formatDeadlines(report));
    });
}
