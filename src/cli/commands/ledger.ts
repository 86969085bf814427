/** `ledger [--as-of D]`: fines imposed and penalty payments accrued, liquidated and outstanding. */
import type { Command } from 'commander';
import { ledgerAsOf } from '../../projector/queries.ts';
import { formatLedger, registerAsOfQuery } from '../read-models.ts';

export function registerLedger(program: Command): void {
  registerAsOfQuery(
    program,
    'ledger',
    'fines and penalty payments as of a date, per case, per year and in total (read models, caught up first)',
    ledgerAsOf,
    formatLedger,
  );
}
