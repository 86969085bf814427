/** `register [--as-of D] [--format csv]`: the published decisions, names hidden once anonymisation is due. */
import type { Command } from 'commander';
import { registerCsv } from '../../export/csv.ts';
import { registerAsOf } from '../../projector/queries.ts';
import { formatRegister, registerAsOfQuery } from '../read-models.ts';

export function registerRegister(program: Command): void {
  registerAsOfQuery(
    program,
    'register',
    'the public register as of a date: published decisions, anonymised when due (read models, caught up first)',
    registerAsOf,
    formatRegister,
    registerCsv,
  );
}
