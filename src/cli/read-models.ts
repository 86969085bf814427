/**
 * What the read-model commands share (`project …`, `deadlines`, `ledger`, `register`): the
 * read-model file from `--read-models`, `CNIL_READ_MODELS` or the default, opening it against the
 * store of `--store`, catching it up, and rendering the reports as text.
 */
import type { Command } from 'commander';
import type { IsoDate } from '../../machines/dates.ts';
import type { DeadlinesReport, RegisterReport } from '../projector/queries.ts';
import type { Ledger } from '../../projections/ledger.ts';
import { storeIdentity } from '../projector/identity.ts';
import {
  openReadModels,
  ReadModelDivergenceError,
  type ReadModels,
  ReadModelStoreMismatchError,
} from '../projector/read-models.ts';
import { catchUp } from '../projector/runner.ts';
import type { EventStore } from '../store/port.ts';
import {
  globals,
  type GlobalOptions,
  InvalidInputError,
  openStore,
  parseAsOf,
  print,
  storeConnection,
} from './common.ts';
import { euros, table } from './format.ts';

/** The embedded default, beside the default store. */
export const DEFAULT_READ_MODELS = './data/read-models.db';

export interface ReadModelOptions {
  readonly readModels?: string;
}

/** Adds `--read-models <path>` to a command. */
export const readModelsOption = (cmd: Command): Command =>
  cmd.option(
    '--read-models <path>',
    `read-model database, a SQLite file (default ${DEFAULT_READ_MODELS}, or CNIL_READ_MODELS)`,
  );

export const readModelsPath = (options: ReadModelOptions): string =>
  options.readModels ?? process.env.CNIL_READ_MODELS ?? DEFAULT_READ_MODELS;

/**
 * Opens the store and the read models that follow it (from zero when `rebuild`), runs `fn`, closes
 * both. A read-model file that follows another store is invalid input (exit 2).
 */
export const withReadModels = async <T>(
  global: GlobalOptions,
  options: ReadModelOptions & { readonly rebuild?: boolean },
  fn: (store: EventStore, readModels: ReadModels) => Promise<T>,
): Promise<T> => {
  const connection = storeConnection(global);
  const identity = storeIdentity(connection);
  // A rebuild drops the read models: make sure the store opens first. Otherwise open the read
  // models first, so that a refused store is not even opened (nor created).
  const early = options.rebuild ? await openStore(global) : undefined;
  let readModels: ReadModels;
  try {
    readModels = openReadModels(readModelsPath(options), {
      store: identity,
      rebuild: options.rebuild ?? false,
    });
  } catch (error) {
    await early?.close();
    if (error instanceof ReadModelStoreMismatchError)
      throw new InvalidInputError([{ field: '--read-models', message: error.message }]);
    throw error;
  }
  try {
    const store = early ?? (await openStore(global));
    try {
      return await fn(store, readModels);
    } finally {
      await store.close();
    }
  } catch (error) {
    if (error instanceof ReadModelDivergenceError)
      throw new InvalidInputError([{ field: '--read-models', message: error.message }]);
    throw error;
  } finally {
    readModels.close();
  }
};

/** Opens the read models, catches them up with the store, then answers with `fn`. */
export const withFreshReadModels = <T>(
  global: GlobalOptions,
  options: ReadModelOptions,
  fn: (readModels: ReadModels) => T,
): Promise<T> =>
  withReadModels(global, options, async (store, readModels) => {
    await catchUp(store, readModels);
    return fn(readModels);
  });

/**
 * Registers a read-model query `<name> [--as-of D]`: catch the read models up with the store, ask
 * `query` as of D (default today), print `format`'s text or `--json`.
 */
export const registerAsOfQuery = <T>(
  program: Command,
  name: string,
  description: string,
  query: (readModels: ReadModels, asOf: IsoDate) => T,
  format: (result: T) => string,
): void => {
  readModelsOption(program.command(name))
    .description(description)
    .option('--as-of <date>', 'the date (default: today)')
    .action(async (opts: ReadModelOptions & { asOf?: string }, cmd: Command) => {
      const global = globals(cmd);
      const asOf = parseAsOf(opts.asOf);
      const result = await withFreshReadModels(global, opts, (readModels) => query(readModels, asOf));
      print(global.json, result, format(result));
    });
};

// ── Text ─────────────────────────────────────────────────────────────────────────────────────

export const formatDeadlines = (report: DeadlinesReport): string =>
  report.deadlines.length === 0
    ? `No open deadline on ${report.asOf}.`
    : `Open deadlines as of ${report.asOf}\n\n` +
      table(
        ['Due', 'Status', 'Case', 'Stage', 'Deadline'],
        report.deadlines.map((d) => [d.due, d.status, d.caseId, d.stage ?? '', d.kind]),
      );

export const formatLedger = (ledger: Ledger): string => {
  if (ledger.cases.length === 0) return `No sanction imposed by ${ledger.asOf}.`;
  const cases = table(
    ['Case', 'Sanction', 'Fine', 'Penalty/day', 'Days', 'Accrued', 'Liquidated', 'Outstanding'],
    ledger.cases.map((e) => [
      e.caseId,
      `${e.sanction.deliberation} (${e.sanction.on})`,
      euros(e.fines.imposed),
      euros(e.penalty.ratePerDay),
      String(e.penalty.daysOfDelay),
      euros(e.penalty.accrued),
      euros(e.penalty.liquidated),
      euros(e.penalty.outstanding),
    ]),
  );
  const years = table(
    ['Year', 'Fines imposed', 'Penalties liquidated'],
    ledger.byYear.map((y) => [String(y.year), euros(y.finesImposed), euros(y.penaltiesLiquidated)]),
  );
  const t = ledger.totals;
  return [
    `Fines and penalty payments as of ${ledger.asOf}`,
    '',
    cases,
    '',
    years,
    '',
    `Total fines imposed      ${euros(t.finesImposed)}`,
    `Total penalties accrued  ${euros(t.penaltiesAccrued)}`,
    `  liquidated             ${euros(t.penaltiesLiquidated)}`,
    `  outstanding            ${euros(t.penaltiesOutstanding)}`,
  ].join('\n');
};

export const formatRegister = (report: RegisterReport): string =>
  report.decisions.length === 0
    ? `No decision published by ${report.asOf}.`
    : `Published decisions as of ${report.asOf}\n\n` +
      table(
        ['Published', 'Reference', 'Kind', 'Decided', 'Company', 'Anonymised from'],
        report.decisions.map((d) => [
          d.publishedOn,
          d.reference,
          d.kind,
          d.decidedOn,
          d.company,
          d.anonymisedOn ?? d.anonymiseAfter ?? '(not stated)',
        ]),
      );
