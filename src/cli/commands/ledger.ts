/** `ledger [--as-of D]`: fines imposed and penalty payments accrued, liquidated and outstanding. */
import type { Command } from 'commander';
import { ledgerAsOf } from '../../projector/queries.ts';
import { globals, parseAsOf, print } from '../common.ts';
import {
  formatLedger,
  type ReadModelOptions,
  readModelsOption,
  withFreshReadModels,
} from '../read-models.ts';

export function registerLedger(program: Command): void {
  readModelsOption(program.command('ledger'))
    .description(
      'fines and penalty payments as of a date, per case, per year and in total (read models, caught up first)',
    )
    .option('--as-of <date>', 'the date (default: today)')
    .action(async (opts: ReadModelOptions & { asOf?: string }, cmd: Command) => {
      const global = globals(cmd);
      const asOf = parseAsOf(opts.asOf);
      const ledger = await withFreshReadModels(global, opts, (readModels) => ledgerAsOf(readModels, asOf));
      print(global.json, ledger, formatLedger(ledger));
    });
}
