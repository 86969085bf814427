/**
 * What every command shares: exit codes, input errors, today's date, the store from `--store`,
 * and printing text or `--json`. Commands live in `commands/`, one file each, registered in main.ts.
 */
import type { Command } from 'commander';
import { type IsoDate, isIsoDate } from '../../machines/dates.ts';
import { CaseId } from '../../machines/events.ts';
import {
  type CaseService,
  createCaseService,
  type InputIssue,
  type RecordOutcome,
} from '../cases/service.ts';
import type { ProtectedEventStore } from '../privacy/protected-store.ts';
import { DEFAULT_STORE, openEventStore } from '../store/open.ts';

export const EXIT = { done: 0, refused: 1, invalid: 2 } as const;

/** Bad input: exit 2 with the field named. */
export class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError';
  constructor(readonly issues: readonly InputIssue[]) {
    super(issues.map((i) => `${i.field}: ${i.message}`).join('\n'));
  }
}

/** Refused by the procedure or the law: exit 1. */
export class RefusedError extends Error {
  override readonly name = 'RefusedError';
}

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

export const parseCaseId = (caseId: string): string => {
  const parsed = CaseId.safeParse(caseId);
  if (!parsed.success)
    throw new InvalidInputError([{ field: 'caseId', message: parsed.error.issues[0]?.message ?? 'invalid' }]);
  return parsed.data;
};

export interface GlobalOptions {
  readonly store?: string;
  readonly keys?: string;
  readonly json?: boolean;
}

export const print = (json: boolean | undefined, value: unknown, text: string) => {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${text}\n`);
};

/** The store of `--store`, its personal data under the keys of `--keys` (or CNIL_KEYS). */
export const openStore = (options: GlobalOptions): Promise<ProtectedEventStore> => {
  const keys = options.keys ?? process.env.CNIL_KEYS;
  return openEventStore(storeConnection(options), keys === undefined ? {} : { keys });
};

export const withService = async <T>(
  options: GlobalOptions,
  run: (service: CaseService, store: ProtectedEventStore) => Promise<T>,
) => {
  const store = await openStore(options);
  try {
    return await run(createCaseService({ store, today }), store);
  } finally {
    await store.close();
  }
};

/** Turns a refused or invalid outcome into the matching error. */
export const check = (outcome: RecordOutcome): Extract<RecordOutcome, { status: 'recorded' }> => {
  if (outcome.status === 'invalid') throw new InvalidInputError(outcome.issues);
  if (outcome.status === 'refused') throw new RefusedError(outcome.refusal.message);
  return outcome;
};

/** The store named by `--store`, `CNIL_STORE` or the default. */
export const storeConnection = (options: GlobalOptions): string =>
  options.store ?? process.env.CNIL_STORE ?? DEFAULT_STORE;

/** The global options (`--store`, `--keys`, `--json`) as seen from a subcommand. */
export const globals = (cmd: Command): GlobalOptions => cmd.optsWithGlobals<GlobalOptions>();
