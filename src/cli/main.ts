#!/usr/bin/env -S npx tsx
/**
 * The command line (DESIGN.md §7). Exit codes: 0 done, 1 refused by the procedure or the law,
 * 2 invalid input. `--json` prints one JSON document on stdout.
 */
import { Command, CommanderError, Option } from 'commander';
import { type IsoDate, isIsoDate } from '../../machines/dates.ts';
import { Actor, CaseId, Source } from '../../machines/events.ts';
import { caseViewAsOf } from '../../projections/case-state.ts';
import { buildTimeline } from '../../projections/timeline.ts';
import {
  type CaseService,
  createCaseService,
  type InputIssue,
  type RecordOutcome,
} from '../cases/service.ts';
import { DATASETS, type DatasetName, loadDataset, replayDataset } from '../history/dataset.ts';
import { DEFAULT_STORE, openEventStore } from '../store/open.ts';
import type { EventStore } from '../store/port.ts';
import { formatCaseView, formatHistory, formatTimeline } from './format.ts';

const EXIT = { done: 0, refused: 1, invalid: 2 } as const;

/** Bad input: exit 2 with the field named. */
class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError';
  constructor(readonly issues: readonly InputIssue[]) {
    super(issues.map((i) => `${i.field}: ${i.message}`).join('\n'));
  }
}

/** Refused by the procedure or the law: exit 1. */
class RefusedError extends Error {
  override readonly name = 'RefusedError';
}

/** Today in France (legal dates are French), or CNIL_TODAY for reproducible runs. */
const today = (): IsoDate => {
  const fixed = process.env.CNIL_TODAY;
  if (fixed !== undefined) {
    if (!isIsoDate(fixed))
      throw new InvalidInputError([{ field: 'CNIL_TODAY', message: 'must be a date YYYY-MM-DD' }]);
    return fixed as IsoDate;
  }
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date()) as IsoDate;
};

const parseAsOf = (value: string | undefined): IsoDate => {
  if (value === undefined) return today();
  if (!isIsoDate(value))
    throw new InvalidInputError([{ field: '--as-of', message: `${value} is not a date YYYY-MM-DD` }]);
  return value as IsoDate;
};

const parseJson = (field: string, text: string | undefined): unknown => {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidInputError([{ field, message: `is not valid JSON (${(error as Error).message})` }]);
  }
};

const parseCaseId = (caseId: string): string => {
  const parsed = CaseId.safeParse(caseId);
  if (!parsed.success)
    throw new InvalidInputError([{ field: 'caseId', message: parsed.error.issues[0]?.message ?? 'invalid' }]);
  return parsed.data;
};

interface GlobalOptions {
  readonly store?: string;
  readonly json?: boolean;
}

const print = (json: boolean | undefined, value: unknown, text: string) => {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${text}\n`);
};

const withService = async <T>(
  options: GlobalOptions,
  run: (service: CaseService, store: EventStore) => Promise<T>,
) => {
  const store = openEventStore(options.store ?? process.env.CNIL_STORE ?? DEFAULT_STORE);
  try {
    return await run(createCaseService({ store, today }), store);
  } finally {
    await store.close();
  }
};

/** Turns a refused or invalid outcome into the matching error. */
const check = (outcome: RecordOutcome): Extract<RecordOutcome, { status: 'recorded' }> => {
  if (outcome.status === 'invalid') throw new InvalidInputError(outcome.issues);
  if (outcome.status === 'refused') throw new RefusedError(outcome.refusal.message);
  return outcome;
};

const factOptions = (cmd: Command) =>
  cmd
    .requiredOption('--data <json>', "the event's data, as JSON")
    .option('--source <json>', 'where the fact comes from: {"title","url","date":"stated"|"inferred",…}')
    .addOption(
      new Option('--actor <actor>', 'who acted (default: the usual actor of the event)').choices(
        Actor.options,
      ),
    );

const parseFactOptions = (opts: { data: string; source?: string; actor?: string }) => {
  const source = opts.source === undefined ? undefined : Source.safeParse(parseJson('--source', opts.source));
  if (source && !source.success)
    throw new InvalidInputError(
      source.error.issues.map((i) => ({
        field: ['--source', ...i.path.map(String)].join('.'),
        message: i.message,
      })),
    );
  return {
    data: parseJson('--data', opts.data),
    ...(source?.success ? { source: source.data } : {}),
    ...(opts.actor ? { actor: opts.actor as Actor } : {}),
  };
};

export const buildProgram = (): Command => {
  const program = new Command('cnil')
    .description('The CNIL enforcement procedure as an event-sourced statechart')
    .option(
      '--store <connection>',
      `event store: sqlite:<path> | memory: (default ${DEFAULT_STORE}, or CNIL_STORE)`,
    )
    .option('--json', 'print one JSON document on stdout')
    .showHelpAfterError();

  program
    .command('replay')
    .description('record a sourced case history (idempotent) and show it')
    .argument('<dataset>', `one of: ${DATASETS.join(', ')}`)
    .option('--as-of <date>', 'show the case as it stood on this date (default: today)')
    .action(async (name: string, opts: { asOf?: string }, cmd: Command) => {
      const global = cmd.optsWithGlobals<GlobalOptions>();
      if (!(DATASETS as readonly string[]).includes(name))
        throw new InvalidInputError([
          { field: 'dataset', message: `unknown dataset ${name}; known: ${DATASETS.join(', ')}` },
        ]);
      const asOf = parseAsOf(opts.asOf);
      const dataset = await loadDataset(name as DatasetName);
      await withService(global, async (service) => {
        const outcome = check(await replayDataset(service, dataset));
        const history = await service.load(dataset.caseId);
        const view = caseViewAsOf(dataset.caseId, history.facts, asOf);
        const rows = buildTimeline(history.facts.filter((f) => f.event.data.on <= asOf));
        process.stderr.write(
          `${dataset.title}\n${outcome.facts.length} fact(s) appended, ${outcome.unchanged} already stored.\n`,
        );
        print(global.json, view, `${formatTimeline(rows)}\n\n${formatCaseView(view)}`);
      });
    });

  const cases = program.command('case').description('record and inspect cases');

  factOptions(
    cases
      .command('open')
      .description('open a case (records CaseOpened; the caseId comes from the argument)')
      .argument('<caseId>'),
  ).action(async (caseId: string, opts: { data: string; source?: string; actor?: string }, cmd: Command) => {
    const global = cmd.optsWithGlobals<GlobalOptions>();
    const id = parseCaseId(caseId);
    const fact = parseFactOptions(opts);
    const data =
      typeof fact.data === 'object' && fact.data !== null ? { caseId: id, ...fact.data } : fact.data;
    await withService(global, async (service) => {
      const outcome = check(await service.record(id, { ...fact, type: 'CaseOpened', data }));
      const history = await service.load(id);
      const view = caseViewAsOf(id, history.facts, today());
      print(global.json, view, `Opened case ${id} (revision ${outcome.revision}).`);
    });
  });

  factOptions(
    cases
      .command('record')
      .description('record a fact on a case')
      .argument('<caseId>')
      .argument('<eventType>', 'an event of the catalogue, e.g. FormalNoticeIssued'),
  ).action(
    async (
      caseId: string,
      type: string,
      opts: { data: string; source?: string; actor?: string },
      cmd: Command,
    ) => {
      const global = cmd.optsWithGlobals<GlobalOptions>();
      const id = parseCaseId(caseId);
      const fact = parseFactOptions(opts);
      await withService(global, async (service) => {
        const outcome = check(await service.record(id, { ...fact, type }));
        const history = await service.load(id);
        const view = caseViewAsOf(id, history.facts, today());
        print(
          global.json,
          view,
          `Recorded ${type} on case ${id} (revision ${outcome.revision}).\n\n${formatCaseView(view)}`,
        );
      });
    },
  );

  cases
    .command('show')
    .description('the state of a case, today or on a date')
    .argument('<caseId>')
    .option('--as-of <date>', 'the date (default: today)')
    .action(async (caseId: string, opts: { asOf?: string }, cmd: Command) => {
      const global = cmd.optsWithGlobals<GlobalOptions>();
      const id = parseCaseId(caseId);
      const asOf = parseAsOf(opts.asOf);
      await withService(global, async (service) => {
        const history = await service.load(id);
        if (history.facts.length === 0)
          throw new InvalidInputError([{ field: 'caseId', message: `no case ${id} in this store` }]);
        const view = caseViewAsOf(id, history.facts, asOf);
        print(global.json, view, formatCaseView(view));
      });
    });

  cases
    .command('history')
    .description('every fact of a case, with its source')
    .argument('<caseId>')
    .action(async (caseId: string, _opts: unknown, cmd: Command) => {
      const global = cmd.optsWithGlobals<GlobalOptions>();
      const id = parseCaseId(caseId);
      await withService(global, async (service) => {
        const history = await service.load(id);
        if (history.facts.length === 0)
          throw new InvalidInputError([{ field: 'caseId', message: `no case ${id} in this store` }]);
        const rows = buildTimeline(history.facts);
        print(global.json, rows, formatHistory(rows));
      });
    });

  return program;
};

/** Runs the CLI and returns its exit code. */
export const main = async (argv: readonly string[]): Promise<number> => {
  const program = buildProgram().exitOverride();
  program.configureOutput({ writeErr: (s) => process.stderr.write(s) });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT.done;
  } catch (error) {
    if (error instanceof CommanderError)
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version'
        ? EXIT.done
        : EXIT.invalid;
    if (error instanceof InvalidInputError) {
      process.stderr.write(`invalid input:\n${error.message.replace(/^/gm, '  ')}\n`);
      return EXIT.invalid;
    }
    if (error instanceof RefusedError) {
      process.stderr.write(`refused: ${error.message}\n`);
      return EXIT.refused;
    }
    throw error;
  }
};

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('src/cli/main.ts')) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(
        `error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exitCode = 3;
    },
  );
}
