/**
 * What the read-model commands share (`project …`, `deadlines`, `ledger`, `register`): the
 * read-model file from `--read-models`, `CNIL_READ_MODELS` or the default, opening it against the
 * store of `--store`, catching it up, and rendering the reports as text.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { IsoDate } from '../../machines/dates.ts';
import type { DeadlinesReport, RegisterReport } from '../projector/queries.ts';
import { type Ledger, NOT_OWED_CAVEAT } from '../../projections/ledger.ts';
import { existsSync } from 'node:fs';
import { storeIdentity } from '../projector/identity.ts';
import { defaultReadModelsFor, parseStoreConnection } from '../store/open.ts';
import {
  NotReadModelsError,
  openReadModels,
  ReadModelDivergenceError,
  type ReadModels,
  ReadModelStoreMismatchError,
} from '../projector/read-models.ts';
import { catchUp } from '../projector/runner.ts';
import type { ProtectedEventStore } from '../privacy/protected-store.ts';
import type { EventStore } from '../store/port.ts';
import {
  globals,
  type GlobalOptions,
  InvalidInputError,
  openStore,
  parseAsOf,
  parseOutputFormat,
  print,
  storeConnection,
} from './common.ts';
import { euros, table } from './format.ts';

/** Where the read models are when neither `--read-models` nor CNIL_READ_MODELS says. */
export const DEFAULT_READ_MODELS = 'beside the store: cnil.db → cnil.read-models.db';

export interface ReadModelOptions {
  readonly readModels?: string;
}

/** Adds `--read-models <path>` to a command. */
export const readModelsOption = (cmd: Command): Command =>
  cmd.option(
    '--read-models <path>',
    `read-model database, a SQLite file (default ${DEFAULT_READ_MODELS}; or CNIL_READ_MODELS)`,
  );

/** The read-model file of `--read-models`, CNIL_READ_MODELS, or the one beside the store. */
export const readModelsPath = (options: ReadModelOptions, connection: string): string =>
  options.readModels ??
  process.env.CNIL_READ_MODELS ??
  defaultReadModelsFor(parseStoreConnection(connection));

/**
 * Opens the store and the read models that follow it (from zero when `rebuild`), runs `fn`, closes
 * both. A read-model file that follows another store is invalid input (exit 2).
 */
export const withReadModels = async <T>(
  global: GlobalOptions,
  options: ReadModelOptions & { readonly rebuild?: boolean; readonly mode?: 'read' | 'write' },
  /** `store` as written (ciphertexts), the read models, and `store` with its keys. */
  fn: (store: EventStore, readModels: ReadModels, withKeys: ProtectedEventStore) => Promise<T>,
): Promise<T> => {
  const connection = storeConnection(global);
  const identity = storeIdentity(connection);
  // Read models are derived data: the store is only read. A query (`mode: 'read'`) creates no
  // read-model file: where none exists yet, the read models are built in memory for this answer.
  let path = readModelsPath(options, connection);
  if (options.mode === 'read' && path !== ':memory:' && !existsSync(path)) {
    process.stderr.write(`(no read models at ${path}: built in memory; \`cnil project run\` keeps them)\n`);
    path = ':memory:';
  }
  // A rebuild drops the read models: make sure the store opens first. Otherwise open the read
  // models first, so that a refused store is not even opened.
  const early = options.rebuild ? await openStore(global, 'read') : undefined;
  let readModels: ReadModels;
  try {
    readModels = openReadModels(path, {
      store: identity,
      rebuild: options.rebuild ?? false,
    });
  } catch (error) {
    await early?.close();
    if (error instanceof ReadModelStoreMismatchError || error instanceof NotReadModelsError)
      throw new InvalidInputError([{ field: '--read-models', message: error.message }]);
    throw error;
  }
  try {
    const store = early ?? (await openStore(global, 'read'));
    // So that `forget` reaches this file too, wherever it is.
    if (readModels.path !== ':memory:') store.keys.registerReadModels(resolve(readModels.path));
    try {
      // The store as written (ciphertexts): the read models withhold personal data, need no key.
      return await fn(store.raw, readModels, store);
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
  options: ReadModelOptions & { readonly mode?: 'read' | 'write' },
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
  csv?: (result: T) => string,
): void => {
  const command = readModelsOption(program.command(name))
    .description(description)
    .option('--as-of <date>', 'the date (default: today)');
  if (csv) command.option('--format <format>', 'text (default) or csv (RFC 4180, UTF-8, a header row)');
  command.action(async (opts: ReadModelOptions & { asOf?: string; format?: string }, cmd: Command) => {
    const global = globals(cmd);
    const asCsv = parseOutputFormat(opts.format, global.json) === 'csv';
    const asOf = parseAsOf(opts.asOf);
    const result = await withFreshReadModels(global, { ...opts, mode: 'read' }, (readModels) =>
      query(readModels, asOf),
    );
    if (asCsv && csv) process.stdout.write(csv(result));
    else print(global.json, result, format(result));
  });
};

// ── Text ─────────────────────────────────────────────────────────────────────────────────────

export const formatDeadlines = (report: DeadlinesReport): string =>
  report.deadlines.length === 0
    ? `No open deadline on ${report.asOf}.`
    : `Open deadlines as of ${report.asOf}\n\n` +
      table(
        ['Due', 'Status', 'Case', 'Stage', 'Deadline', 'Decision'],
        report.deadlines.map((d) => [d.due, d.status, d.caseId, d.stage ?? '', d.kind, d.reference ?? '']),
      );

export const formatLedger = (ledger: Ledger): string => {
  if (ledger.cases.length === 0) return `No sanction imposed by ${ledger.asOf}.`;
  const cases = table(
    ['Case', 'Sanction', 'Fine', 'Penalty/day', 'Days', 'Accrued', 'Not liquidated', 'Liquidated', 'Due'],
    ledger.cases.map((e) => [
      e.caseId,
      `${e.sanction.deliberation} (${e.sanction.on})`,
      euros(e.fines.imposed),
      euros(e.penalty.ratePerDay),
      String(e.penalty.daysOfDelay),
      euros(e.penalty.accrued),
      euros(e.penalty.accruedNotLiquidated),
      euros(e.penalty.liquidated),
      euros(e.due.total),
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
    `Due                                     ${euros(t.due)}`,
    `  fines imposed                         ${euros(t.finesImposed)}`,
    `  penalties liquidated                  ${euros(t.penaltiesLiquidated)}`,
    ...(t.reducedByCourt > 0 ? [`  reduced by the Conseil d'État        −${euros(t.reducedByCourt)}`] : []),
    `Penalty accrued, not liquidated (not owed) ${euros(t.penaltiesAccruedNotLiquidated)}`,
    '',
    NOT_OWED_CAVEAT,
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
          d.anonymisedOn ??
            (d.anonymiseAfter
              ? `${d.anonymiseAfter}${d.anonymised ? ' (in effect, not recorded)' : ''}`
              : d.periodNotStated === 'decision-silent'
                ? '(decision silent)'
                : d.periodNotStated === 'not-verified'
                  ? '(not verified)'
                  : '(not stated)'),
        ]),
      );
