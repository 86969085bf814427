/** `deadlines [--as-of D]`: every open deadline of every case, due or overdue, from the read models. */
import type { Command } from 'commander';
import { deadlinesAsOf } from '../../projector/queries.ts';
import { formatDeadlines, registerAsOfQuery } from '../read-models.ts';

export function registerDeadlines(program: Command): void {
  registerAsOfQuery(
    program,
    'deadlines',
    'open deadlines of every case as of a date: due, or overdue (read models, caught up first)',
    deadlinesAsOf,
    formatDeadlines,
  );
}
