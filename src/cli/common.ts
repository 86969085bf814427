/**
 * What every command shares: exit codes, input errors, today's date, the store from `--store`,
 * and printing text or `--json`. Commands live in `commands/`, one file each, registered in main.ts.
 */
import type { Command } from 'commander';
import { type IsoDate, isIsoDate } from '../../machines/dates.ts';
import { CaseId } from '../../machines/events.ts';
import { type CaseService, createCaseService, type RecordOutcome } from '../cases/service.ts';
import type { ProtectedEventStore } from '../privacy/protected-store.ts';
import { DEFAULT_STORE, openEventStore } from '../store/open.ts';
import { InvalidInputError, RefusedError } from './errors.ts';

export { EXIT, InvalidInputError, RefusedError } from './errors.ts';

/** Today in France (legal dates are French), or CNIL_TODAY for reproducible runs. */
export const today = (): IsoDate => {
  const fixed = process.env.CNIL_TODAY;
  if (fixed !== undefined) {
    if (!isIsoDate(fixed))
      throw new InvalidInputError([{ field: 'CNIL_TODAY', message: 'must be a date YYYY-MM-DD' }]);
    return fixed as IsoDate;
  }
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date()) as IsoDate;
};

export const parseAsOf = (value: string | undefined): IsoDate => {
  if (value === undefined) return today();
  if (!isIsoDate(value))
    throw new InvalidInputError([{ field: '--as-of', message: `${value} is not a date YYYY-MM-DD` }]);
  return value as IsoDate;
};

export const parseJson = (field: string, text: string | undefined): unknown => {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidInputError([{ field, message: `is not valid JSON (${(error as Error).message})` }]);
  }
};

/** The range and wording of a whole number read by {@link parseWholeNumber}. */
export interface WholeNumberRule {
  readonly min: number;
  /** Default: no bound but the safe integers. */
  readonly max?: number;
  /** What the number counts, in the error ('milliseconds'). */
  readonly unit?: string;
  /** A word also accepted, in the error ('auto'): the caller reads it before. */
  readonly or?: string;
}

/**
 * A whole number written in digits (an optional minus sign, no spaces, exponents or hex), within
 * the rule's range; else an {@link InvalidInputError} naming `field`: `--runs: 1e3 is not a whole
 * number from 1 to 100000000`.
 */
export const parseWholeNumber = (
  field: string,
  text: string,
  { min, max, unit, or }: WholeNumberRule,
): number => {
  const n = Number(text);
  if (/^-?\d+$/.test(text) && Number.isSafeInteger(n) && n >= min && (max === undefined || n <= max))
    return n;
  const range = max === undefined ? `≥ ${min}` : `from ${min} to ${max}`;
  const what = `a whole number${unit === undefined ? '' : ` of ${unit}`} ${range}`;
  throw new InvalidInputError([
    { field, message: `${text} is not ${or === undefined ? '' : `${or} or `}${what}` },
  ]);
};

/** Short names of the cases of the sourced datasets: `clearview` is `clearview-ai`. */
export const CASE_ALIASES: Readonly<Record<string, string>> = { clearview: 'clearview-ai' };

/** The input error of a case id that names no case of the store (`store`: as shown to the user). */
export const noSuchCase = (field: string, caseId: string, store?: string): InvalidInputError =>
  new InvalidInputError([
    { field, message: `no case ${caseId} in this store${store === undefined ? '' : ` (${store})`}` },
  ]);

export const parseCaseId = (caseId: string): string => {
  const parsed = CaseId.safeParse(CASE_ALIASES[caseId] ?? caseId);
  if (!parsed.success)
    throw new InvalidInputError([{ field: 'caseId', message: parsed.error.issues[0]?.message ?? 'invalid' }]);
  return parsed.data;
};

export interface GlobalOptions {
  readonly store?: string;
  readonly keys?: string;
  readonly json?: boolean;
  readonly debug?: boolean;
}

export const print = (json: boolean | undefined, value: unknown, text: string) => {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${text}\n`);
};

/**
 * The text of an option that takes JSON: the value itself, `@path` for a file's content, or `-` for
 * standard input.
 */
export const readInput = async (field: string, value: string): Promise<string> => {
  if (value === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
  if (!value.startsWith('@')) return value;
  const { readFile } = await import('node:fs/promises');
  try {
    return await readFile(value.slice(1), 'utf8');
  } catch (error) {
    throw new InvalidInputError([
      {
        field,
        message: `cannot read ${value.slice(1)} (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      },
    ]);
  }
};

/**
 * The store of `--store`, its personal data under the keys of `--keys` (or CNIL_KEYS). A command
 * that only reads opens it with `mode: 'read'`, which creates no file.
 */
export const openStore = async (
  options: GlobalOptions,
  mode: 'read' | 'write' = 'write',
): Promise<ProtectedEventStore> => {
  const keys = options.keys ?? process.env.CNIL_KEYS;
  try {
    return await openEventStore(storeConnection(options), { mode, ...(keys === undefined ? {} : { keys }) });
  } catch (error) {
    if (error instanceof Error && error.name === 'KeysInEventStoreError')
      throw new InvalidInputError([{ field: '--keys', message: error.message }]);
    throw error;
  }
};

export const withService = async <T>(
  options: GlobalOptions,
  run: (service: CaseService, store: ProtectedEventStore) => Promise<T>,
  mode: 'read' | 'write' = 'write',
) => {
  const store = await openStore(options, mode);
  try {
    return await run(createCaseService({ store, today }), store);
  } finally {
    await store.close();
  }
};

/** Turns a refused or invalid outcome into the matching error. */
export const check = (outcome: RecordOutcome): Extract<RecordOutcome, { status: 'recorded' }> => {
  if (outcome.status === 'invalid') throw new InvalidInputError(outcome.issues);
  if (outcome.status === 'refused') {
    const r = outcome.refusal;
    throw new RefusedError(
      r.message,
      r.kind === 'RuleViolated'
        ? { rule: r.rule, basis: r.basis, state: r.state, stage: r.stage }
        : { state: r.state, stage: r.stage, accepts: r.accepts },
    );
  }
  return outcome;
};

/** The store named by `--store`, `CNIL_STORE` or the default. */
export const storeConnection = (options: GlobalOptions): string =>
  options.store ?? process.env.CNIL_STORE ?? DEFAULT_STORE;

/** The global options (`--store`, `--keys`, `--json`) as seen from a subcommand. */
export const globals = (cmd: Command): GlobalOptions => cmd.optsWithGlobals<GlobalOptions>();

/** `--format text|csv` (csv and --json exclude each other). */
export const parseOutputFormat = (format: string | undefined, json: boolean | undefined): 'text' | 'csv' => {
  if (format === undefined || format === 'text') return 'text';
  if (format !== 'csv')
    throw new InvalidInputError([{ field: '--format', message: `${format} is not a format: text or csv` }]);
  if (json)
    throw new InvalidInputError([{ field: '--format', message: 'csv and --json exclude each other' }]);
  return 'csv';
};
