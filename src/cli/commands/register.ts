/** `register [--as-of D]`: the published decisions, names hidden once anonymisation is due. */
import type { Command } from 'commander';
import { registerAsOf } from '../../projector/queries.ts';
import { globals, parseAsOf, print } from '../common.ts';
import {
  formatRegister,
  type ReadModelOptions,
  readModelsOption,
  withFreshReadModels,
} from '../read-models.ts';

export function registerRegister(program: Command): void {
  readModelsOption(program.command('register'))
    .description(
      'the public register as of a date: published decisions, anonymised when due (read models, caught up first)',
    )
    .option('--as-of <date>', 'the date (default: today)')
    .action(async (opts: ReadModelOptions & { asOf?: string }, cmd: Command) => {
      const global = globals(cmd);
      const asOf = parseAsOf(opts.asOf);
      const report = await withFreshReadModels(global, opts, (readModels) => registerAsOf(readModels, asOf));
      print(global.json, report, formatRegister(report));
    });
}
