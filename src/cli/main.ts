#!/usr/bin/env -S npx tsx
/**
 * The command line (DESIGN.md §7). Exit codes: 0 done, 1 refused by the procedure or the law,
 * 2 invalid input. `--json` prints one JSON document on stdout.
 */
import { Command, CommanderError, Option } from 'commander';
import { Actor, Source } from '../../machines/events.ts';
import { caseViewAsOf } from '../../projections/case-state.ts';
import { buildTimeline } from '../../projections/timeline.ts';
import { DATASETS, type DatasetName, loadDataset, replayDataset } from '../history/dataset.ts';
import { DEFAULT_STORE } from '../store/open.ts';
import { ConcurrencyConflictError } from '../store/port.ts';
import {
  check,
  EXIT,
  type GlobalOptions,
  InvalidInputError,
  parseAsOf,
  parseCaseId,
  parseJson,
  print,
  RefusedError,
  today,
  withService,
} from './common.ts';
import { formatCaseView, formatHistory, formatTimeline } from './format.ts';
import { registerAdvance } from './commands/advance.ts';
import { registerDiagram } from './commands/diagram.ts';
import { registerInspect } from './commands/inspect.ts';
import { registerReport } from './commands/report.ts';
import { registerServe } from './commands/serve.ts';
import { registerSimulate } from './commands/simulate.ts';
import { registerDeadlines } from './commands/deadlines.ts';
import { registerLedger } from './commands/ledger.ts';
import { registerProject } from './commands/project.ts';
import { registerRegister } from './commands/register.ts';
import { registerImport } from './commands/import.ts';
import { registerForget } from './commands/forget.ts';

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
      `event store: sqlite:<path> | memory: | esdb://host:2113?tls=false (default ${DEFAULT_STORE}, or CNIL_STORE)`,
    )
    .option(
      '--keys <path>',
      'key store of personal data, a SQLite file kept apart from the events (default: beside a sqlite store, ./data/keys.db for esdb; or CNIL_KEYS)',
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
    .description('every fact of a case, with its source (--json: with its data)')
    .argument('<caseId>')
    .action(async (caseId: string, _opts: unknown, cmd: Command) => {
      const global = cmd.optsWithGlobals<GlobalOptions>();
      const id = parseCaseId(caseId);
      await withService(global, async (service) => {
        const history = await service.load(id);
        if (history.facts.length === 0)
          throw new InvalidInputError([{ field: 'caseId', message: `no case ${id} in this store` }]);
        const rows = buildTimeline(history.facts);
        // JSON: each row with the fact's id and data (personal fields decrypted, or erased).
        const facts = rows.map((row, i) => ({
          ...row,
          eventId: history.facts[i]?.eventId,
          data: history.facts[i]?.event.data,
        }));
        print(global.json, facts, formatHistory(rows));
      });
    });

  registerProject(program);
  registerDeadlines(program);
  registerLedger(program);
  registerRegister(program);
  registerAdvance(program);
  registerDiagram(program);
  registerInspect(program);
  registerReport(program);
  registerServe(program);
  registerSimulate(program);
  registerImport(program);
  registerForget(program);
  // Commands in ./commands/ register themselves here, one line each.

  return program;
};

/** Runs the CLI and returns its exit code. */
export const main = async (argv: readonly string[]): Promise<number> => {
  const program = buildProgram();
  // Every (sub)command throws on a usage error instead of exiting, so main() can exit 2 for it.
  const override = (cmd: Command): void => {
    cmd.exitOverride().configureOutput({ writeErr: (s) => process.stderr.write(s) });
    cmd.commands.forEach(override);
  };
  override(program);
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
    if (error instanceof ConcurrencyConflictError) {
      // The case service decided again after each concurrent write and still lost the race.
      process.stderr.write(
        `not recorded: other writers kept changing ${error.streamId} (${error.message}); nothing was written, run the command again\n`,
      );
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
