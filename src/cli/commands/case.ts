/**
 * `case open | record | show | history | list | next` — record the facts of a case and look at it:
 * its state on a date, its history with sources, the cases of the store, what it accepts next.
 */
import { type Command, Option } from 'commander';
import { acceptedEventTypes } from '../../../machines/decider.ts';
import { Actor, type EventType, Source } from '../../../machines/events.ts';
import { type Stage, STAGES } from '../../../machines/procedure.ts';
import type { IsoDate } from '../../../machines/dates.ts';
import type { CaseView } from '../../../projections/case-state.ts';
import { buildTimeline } from '../../../projections/timeline.ts';
import { nextEvents } from '../../cases/queries.ts';
import type { CaseService } from '../../cases/service.ts';
import {
  check,
  globals,
  InvalidInputError,
  noSuchCase,
  parseAsOf,
  parseCaseId,
  parseJson,
  parseOutputFormat,
  print,
  readInput,
  today,
  withService,
} from '../common.ts';
import { formatCaseView, formatHistory, formatNext, table } from '../format.ts';

interface FactOptions {
  readonly data: string;
  readonly source?: string;
  readonly actor?: string;
}

const factOptions = (cmd: Command) =>
  cmd
    .requiredOption(
      '--data <json>',
      "the event's data: JSON, @file.json to read a file, or - to read standard input",
    )
    .option('--source <json>', 'where the fact comes from: {"title","url","date":"stated"|"inferred",…}')
    .addOption(
      new Option('--actor <actor>', 'who acted (default: the usual actor of the event)').choices(
        Actor.options,
      ),
    );

const parseFactOptions = async (opts: FactOptions) => {
  const source = opts.source === undefined ? undefined : Source.safeParse(parseJson('--source', opts.source));
  if (source && !source.success)
    throw new InvalidInputError(
      source.error.issues.map((i) => ({
        field: ['--source', ...i.path.map(String)].join('.'),
        message: i.message,
      })),
    );
  return {
    data: parseJson('--data', await readInput('--data', opts.data)),
    ...(source?.success ? { source: source.data } : {}),
    ...(opts.actor ? { actor: opts.actor as Actor } : {}),
  };
};

/** The case as it stood on `asOf` (from its snapshot when it has one: src/cases/snapshot.ts). */
const shownCase = async (service: CaseService, id: string, asOf: IsoDate): Promise<CaseView> => {
  const view = await service.view(id, asOf);
  if (!view) throw noSuchCase('caseId', id);
  return view;
};

export const registerCase = (program: Command): void => {
  const cases = program.command('case').description('record and inspect cases');

  factOptions(
    cases
      .command('open')
      .description('open a case (records CaseOpened; the caseId comes from the argument)')
      .argument('<caseId>'),
  ).action(async (caseId: string, opts: FactOptions, cmd: Command) => {
    const global = globals(cmd);
    const id = parseCaseId(caseId);
    const fact = await parseFactOptions(opts);
    const data =
      typeof fact.data === 'object' && fact.data !== null ? { caseId: id, ...fact.data } : fact.data;
    await withService(global, async (service) => {
      const outcome = check(await service.record(id, { ...fact, type: 'CaseOpened', data }));
      const view = await shownCase(service, id, today());
      print(global.json, view, `Opened case ${id} (revision ${outcome.revision}).`);
    });
  });

  factOptions(
    cases
      .command('record')
      .description('record a fact on a case')
      .argument('<caseId>')
      .argument('<eventType>', 'an event of the catalogue, e.g. FormalNoticeIssued (see `cnil events`)'),
  ).action(async (caseId: string, type: string, opts: FactOptions, cmd: Command) => {
    const global = globals(cmd);
    const id = parseCaseId(caseId);
    const fact = await parseFactOptions(opts);
    await withService(global, async (service) => {
      const outcome = check(await service.record(id, { ...fact, type }));
      const view = await shownCase(service, id, today());
      print(
        global.json,
        view,
        `Recorded ${type} on case ${id} (revision ${outcome.revision}).\n\n${formatCaseView(view)}`,
      );
    });
  });

  cases
    .command('show')
    .description('the state of a case, today or on a date')
    .argument('<caseId>')
    .option('--as-of <date>', 'the date (default: today)')
    .action(async (caseId: string, opts: { asOf?: string }, cmd: Command) => {
      const global = globals(cmd);
      const id = parseCaseId(caseId);
      const asOf = parseAsOf(opts.asOf);
      await withService(
        global,
        async (service) => {
          const view = await shownCase(service, id, asOf);
          print(global.json, view, formatCaseView(view));
        },
        'read',
      );
    });

  cases
    .command('history')
    .description('every fact of a case, with its source (--json: with its data)')
    .argument('<caseId>')
    .option('--as-of <date>', 'only the facts dated on or before this date (default: all)')
    .option('--format <format>', 'text (default) or csv (RFC 4180, UTF-8, a header row)')
    .action(async (caseId: string, opts: { asOf?: string; format?: string }, cmd: Command) => {
      const global = globals(cmd);
      const id = parseCaseId(caseId);
      const asCsv = parseOutputFormat(opts.format, global.json) === 'csv';
      const asOf = opts.asOf === undefined ? undefined : parseAsOf(opts.asOf);
      await withService(
        global,
        async (service) => {
          const history = await service.load(id);
          if (history.facts.length === 0) throw noSuchCase('caseId', id);
          const facts =
            asOf === undefined ? history.facts : history.facts.filter((f) => f.event.data.on <= asOf);
          const rows = buildTimeline(facts);
          // JSON: each row with the fact's id and data (personal fields decrypted, or erased).
          const json = rows.map((row, i) => ({
            ...row,
            eventId: facts[i]?.eventId,
            data: facts[i]?.event.data,
          }));
          if (asCsv) process.stdout.write((await import('../../export/csv.ts')).historyCsv(json));
          else print(global.json, json, formatHistory(rows));
        },
        'read',
      );
    });

  cases
    .command('list')
    .description('the cases of the store with their stage, today or on a date (from the read models)')
    .addOption(new Option('--stage <stage>', 'only the cases in this stage').choices(STAGES))
    .option('--as-of <date>', 'the date (default: today)')
    // As `readModelsOption` (../read-models.ts) words it; that module is loaded only when listing.
    .option(
      '--read-models <path>',
      'read-model database, a SQLite file (default beside the store: cnil.db → cnil.read-models.db; or CNIL_READ_MODELS)',
    )
    .action(async (opts: { readModels?: string; stage?: Stage; asOf?: string }, cmd: Command) => {
      const global = globals(cmd);
      const asOf = parseAsOf(opts.asOf);
      const [{ openCaseIndex }, { withFreshReadModels }] = await Promise.all([
        import('../../projector/case-index.ts'),
        import('../read-models.ts'),
      ]);
      const rows = await withFreshReadModels(global, { ...opts, mode: 'read' }, (readModels) => {
        const index = openCaseIndex(readModels);
        try {
          return index.listAsOf(asOf, opts.stage);
        } finally {
          index.close();
        }
      });
      print(
        global.json,
        { asOf, cases: rows },
        rows.length === 0
          ? `No case${opts.stage ? ` in stage ${opts.stage}` : ''} on ${asOf}.`
          : table(
              ['Case', 'Stage', 'Opened', 'Last act', 'On', 'Facts'],
              rows.map((r) => [
                r.caseId,
                r.stage ?? '',
                r.openedOn,
                r.lastEvent.type,
                r.lastEvent.on,
                String(r.facts),
              ]),
            ),
      );
    });

  cases
    .command('next')
    .description('the facts a case accepts now, with the fields each needs')
    .argument('<caseId>')
    .action(async (caseId: string, _opts: unknown, cmd: Command) => {
      const global = globals(cmd);
      const id = parseCaseId(caseId);
      await withService(
        global,
        async (service) => {
          const history = await service.load(id);
          if (history.facts.length === 0) throw noSuchCase('caseId', id);
          const next = nextEvents(id, history.state, acceptedEventTypes(history.state) as EventType[]);
          print(global.json, next, formatNext(next));
        },
        'read',
      );
    });
};
