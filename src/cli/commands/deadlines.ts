/** `deadlines [--as-of D] [--format csv]`: every open deadline of every case, due or overdue, from the read models. */
import type { Command } from 'commander';
import { deadlinesCsv } from '../../export/csv.ts';
import { deadlinesAsOf } from '../../projector/queries.ts';
import { formatDeadlines, registerAsOfQuery } from '../read-models.ts';

export function registerDeadlines(program: Command): void {
  registerAsOfQuery(
    program,
    'deadlines',
    'open deadlines of every case as of a date: due, or overdue (read models, caught up first)',
    deadlinesAsOf,
    formatDeadlines,
    deadlinesCsv,
  );
}
