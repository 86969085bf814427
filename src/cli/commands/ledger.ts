/** `ledger [--as-of D] [--format csv]`: fines imposed and penalty payments accrued, liquidated and outstanding. */
import type { Command } from 'commander';
import { ledgerCsv } from '../../export/csv.ts';
import { ledgerAsOf } from '../../projector/queries.ts';
import { formatLedger, registerAsOfQuery } from '../read-models.ts';

export function registerLedger(program: Command): void {
  registerAsOfQuery(
    program,
    'ledger',
    'fines and penalty payments as of a date, per case, per year and in total (read models, caught up first)',
    ledgerAsOf,
    formatLedger,
    ledgerCsv,
  );
}
