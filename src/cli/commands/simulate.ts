/**
 * `simulate`: Monte Carlo runs of the procedure through THE statechart, from a fresh complaint or
 * forked from a real case on a date, with what-ifs. `--json` prints one document; the text output
 * is a table, with a progress bar on stderr for long runs when stderr is a terminal.
 */
import { type Command, Option } from 'commander';
import { type IsoDate, isIsoDate } from '../../../machines/dates.ts';
import { describeState, stageOf } from '../../../machines/decider.ts';
import { STAGES } from '../../../machines/procedure.ts';
import { DATASETS, type DatasetName } from '../../history/dataset.ts';
import { type SimulationParams, loadParams, ParamsError } from '../../simulation/params.ts';
import { runSimulation, workerCount } from '../../simulation/runner.ts';
import { summarise } from '../../simulation/stats.ts';
import { type Assumption, OUTCOMES, type StartSpec } from '../../simulation/run.ts';
import {
  AssumptionError,
  datasetStateAsOf,
  forkStart,
  freshStart,
  parseAssumption,
  storedStateAsOf,
} from '../../simulation/start.ts';
import type { SimulationDocument } from '../../simulation/document.ts';
import {
  type GlobalOptions,
  globals,
  InvalidInputError,
  noSuchCase,
  parseAsOf,
  parseCaseId,
  parseWholeNumber,
  withService,
} from '../common.ts';
import { euros, table } from '../format.ts';

interface SimulateOptions {
  runs: string;
  seed: string;
  params?: string;
  start?: string;
  from?: string;
  case?: string;
  asOf?: string;
  assume: string[];
  workers: string;
  engine: 'fast' | 'xstate';
  report?: string;
  compare?: string;
}

/** The document printed by `simulate --json`. */
export type { SimulationDocument } from '../../simulation/document.ts';

const percent = (share: number): string => `${(share * 100).toFixed(1)} %`;
const count = (n: number): string => n.toLocaleString('en-US').replace(/,/g, ' ');

/** Tables of figures: a label, then figures aligned right. */
const figures = (header: readonly string[], rows: readonly (readonly string[])[]): string =>
  table(header, rows, ['left', ...header.slice(1).map(() => 'right' as const)]);

const OUTCOME_LABELS: Record<(typeof OUTCOMES)[number], string> = {
  closedAtComplaint: 'closed at the complaint stage',
  closedAfterInspection: 'closed after inspection',
  reminder: 'reminder of legal obligations',
  warning: 'warning',
  formalNoticeComplied: 'formal notice closed (compliance)',
  closedAfterFormalNotice: 'closed after the formal notice',
  closedByRapporteur: 'closed by the rapporteur',
  dismissed: 'proceedings dismissed',
  sanctioned: 'sanctioned',
  sanctionAnnulled: 'sanction annulled on appeal',
  open: 'still open at the horizon',
};

export const formatSimulation = (doc: SimulationDocument): string => {
  const s = doc.simulation;
  const from =
    s.start.kind === 'fresh'
      ? `a fresh complaint on ${s.start.date}`
      : `${s.start.caseId} as of ${s.start.asOf} (${s.start.state})`;
  const what = s.assumptions.map((a) => `${a.event} on ${a.on}`).join(', ');
  const money = (label: string, d: { mean: number; median: number; p90: number }) => [
    label,
    euros(d.mean),
    euros(d.median),
    euros(d.p90),
  ];
  return [
    `Simulated ${count(s.runs)} procedures from ${from}${what ? `, assuming ${what}` : ''}`,
    `(seed ${s.seed}, parameters v${s.params.version} ${s.params.file}, horizon ${s.horizonDays} days)`,
    '',
    figures(
      ['Outcome', 'Runs', 'Share'],
      OUTCOMES.filter((o) => doc.outcomes[o].runs > 0).map((o) => [
        OUTCOME_LABELS[o],
        count(doc.outcomes[o].runs),
        percent(doc.outcomes[o].share),
      ]),
    ),
    '',
    `Sanctioned: ${percent(doc.sanctioned.share)}   Penalty liquidated: ${percent(doc.liquidated.share)}`,
    '',
    figures(
      ['Money at stake', 'Mean', 'Median', 'p90'],
      [
        money('fine, all runs', doc.fines),
        money('fine, when sanctioned', doc.fines.whenSanctioned),
        money('liquidated penalty, all runs', doc.liquidatedPenalties),
        money('liquidated penalty, when liquidated', doc.liquidatedPenalties.whenLiquidated),
      ],
    ),
    '',
    `Duration to closure: median ${doc.durationToClosure.medianDays} days, p90 ${doc.durationToClosure.p90Days} days ` +
      `(${percent(doc.durationToClosure.closedShare)} of runs closed within the horizon)`,
    '',
    figures(
      ['Time per stage', 'Runs there', 'Mean days', 'Median days'],
      STAGES.filter((st) => st !== 'closed').map((st) => {
        const x = doc.stages[st as Exclude<typeof st, 'closed'>];
        return [st, percent(x.share), x.meanDays.toFixed(1), String(x.medianDays)];
      }),
    ),
    ...doc.assumptions.map(
      (a) =>
        `\nAssumed ${a.event} on ${a.on}: applied in ${count(a.applied)} runs, moot in ${count(a.notApplicable)} ` +
        `(the case no longer accepted it), refused by a rule in ${count(a.refused)}, not reached in ${count(a.notReached)}.`,
    ),
  ].join('\n');
};

/** A progress bar on stderr, redrawn at most every 100 ms. */
const progressBar = () => {
  let last = 0;
  return (done: number, total: number) => {
    const now = Date.now();
    if (now - last < 100 && done < total) return;
    last = now;
    const width = 30;
    const filled = Math.round((done / total) * width);
    process.stderr.write(
      `\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${Math.round((done / total) * 100)}% ${count(done)}/${count(total)}`,
    );
    if (done >= total) process.stderr.write('\n');
  };
};

/** The parameter file of `--params` (default: the calibrated one), its errors naming `--params`. */
const readParams = async (file: string | undefined): Promise<SimulationParams> => {
  try {
    return await loadParams(file);
  } catch (error) {
    if (error instanceof ParamsError)
      throw new InvalidInputError(
        error.issues.map((i) => ({ field: `--params ${i.field}`, message: i.message })),
      );
    throw error;
  }
};

/** The what-ifs given to `field` (`--assume`, `--compare`), dated from `reference`. */
const whatIfs = (field: string, texts: readonly string[], reference: IsoDate): Assumption[] =>
  texts.map((text) => {
    try {
      return parseAssumption(text, reference);
    } catch (error) {
      if (error instanceof AssumptionError) throw new InvalidInputError([{ field, message: error.message }]);
      throw error;
    }
  });

/** Where the runs start, the date what-ifs count from, and the start as the document describes it. */
interface Start {
  readonly start: StartSpec;
  readonly reference: IsoDate;
  readonly described: SimulationDocument['simulation']['start'];
}

/** The start the options ask for: a fork of a dataset or stored case as of a date, or a fresh complaint. */
const startOf = async (
  opts: SimulateOptions,
  params: SimulationParams,
  global: GlobalOptions,
): Promise<Start> => {
  if (opts.from === undefined && opts.case === undefined) {
    if (opts.asOf !== undefined)
      throw new InvalidInputError([
        { field: '--as-of', message: 'only with --from or --case (use --start for a fresh complaint)' },
      ]);
    if (opts.start !== undefined && !isIsoDate(opts.start))
      throw new InvalidInputError([{ field: '--start', message: `${opts.start} is not a date YYYY-MM-DD` }]);
    const date = opts.start === undefined ? params.run.startDate : (opts.start as IsoDate);
    return {
      start: freshStart(date, whatIfs('--assume', opts.assume, date)),
      reference: date,
      described: { kind: 'fresh', date },
    };
  }
  const asOf = parseAsOf(opts.asOf);
  const forked =
    opts.from !== undefined
      ? { source: `dataset:${opts.from}`, ...(await datasetStateAsOf(opts.from as DatasetName, asOf)) }
      : await withService(
          global,
          async (service) => {
            const caseId = parseCaseId(opts.case as string);
            const history = await service.load(caseId);
            if (history.facts.length === 0) throw noSuchCase('--case', caseId);
            return { source: 'store', caseId, ...storedStateAsOf(history.facts, asOf) };
          },
          'read',
        );
  if (forked.history.length === 0)
    throw new InvalidInputError([{ field: '--as-of', message: `the case had no fact on or before ${asOf}` }]);
  return {
    start: forkStart(forked.state, asOf, whatIfs('--assume', opts.assume, asOf)),
    reference: asOf,
    described: {
      kind: 'fork',
      source: forked.source,
      caseId: forked.caseId,
      asOf,
      stage: stageOf(forked.state),
      state: describeState(forked.state.value),
      facts: forked.history.length,
    },
  };
};

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description(
      'simulate procedure outcomes (Monte Carlo through the statechart), fresh or forked from a case',
    )
    .option('--runs <n>', 'number of simulated procedures', '10000')
    .option('--seed <s>', 'random seed (same seed → same result on any machine)', '1')
    .option('--params <file>', 'parameter file (default: src/simulation/params/cnil-2024.json)')
    .option('--start <date>', 'date of the fresh complaint (default: run.startDate of the parameter file)')
    .addOption(new Option('--from <dataset>', 'fork a sourced case history').choices(DATASETS))
    .option('--case <caseId>', 'fork a case of the event store (--store)')
    .option('--as-of <date>', 'fork the case as it stood on this date (default: today)')
    .option(
      '--assume <event@when>',
      "what-if, repeatable: '<EventType>@+<days after --as-of (or --start)>' or '<EventType>@<YYYY-MM-DD>'",
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option(
      '--workers <n>',
      "worker threads: a number, or 'auto' (2 from 300 000 runs on 2 cores or more)",
      'auto',
    )
    .addOption(
      new Option(
        '--engine <engine>',
        'fast: transition table derived from the machine; xstate: plain transition()',
      )
        .choices(['fast', 'xstate'])
        .default('fast'),
    )
    .option(
      '--report <file>',
      'also write a self-contained HTML page with charts (works offline), e.g. sim.html',
    )
    .option(
      '--compare <what-ifs>',
      "a second scenario side by side: the same start, seed and runs with these what-ifs instead of --assume's ('none', or <EventType>@<when>,…)",
    )
    .action(async (opts: SimulateOptions, cmd: Command) => {
      const global = globals(cmd);
      const runs = parseWholeNumber('--runs', opts.runs, { min: 1, max: 100_000_000 });
      const seed = parseWholeNumber('--seed', opts.seed, { min: -2_147_483_648, max: 2_147_483_647 });
      const workers =
        opts.workers === 'auto'
          ? 'auto'
          : parseWholeNumber('--workers', opts.workers, { min: 1, max: 64, or: 'auto' });
      if (opts.from !== undefined && opts.case !== undefined)
        throw new InvalidInputError([{ field: '--case', message: 'give either --from or --case, not both' }]);
      if (opts.start !== undefined && (opts.from !== undefined || opts.case !== undefined))
        throw new InvalidInputError([
          { field: '--start', message: 'only for a fresh complaint (not with --from or --case)' },
        ]);
      const params = await readParams(opts.params);
      const { start, reference, described } = await startOf(opts, params, global);
      // The second scenario (--compare): the same start with other what-ifs.
      const compared: StartSpec | null =
        opts.compare === undefined
          ? null
          : {
              ...start,
              assumptions:
                opts.compare.trim() === 'none'
                  ? []
                  : whatIfs(
                      '--compare',
                      opts.compare
                        .split(',')
                        .map((a) => a.trim())
                        .filter((a) => a !== ''),
                      reference,
                    ),
            };

      const n = workerCount(runs, workers);
      const showProgress = process.stderr.isTTY === true && runs >= 20_000;
      const run = async (from: StartSpec) => {
        const started = performance.now();
        const aggregate = await runSimulation({
          params,
          start: from,
          runs,
          seed,
          engine: opts.engine,
          workers: n,
          ...(showProgress ? { onProgress: progressBar() } : {}),
        });
        const seconds = (performance.now() - started) / 1000;
        process.stderr.write(
          `${count(runs)} runs in ${seconds.toFixed(2)} s (${count(Math.round(runs / seconds))}/s, ${opts.engine} engine, ${n} thread${n > 1 ? 's' : ''}).\n`,
        );
        const doc: SimulationDocument = {
          simulation: {
            runs,
            seed,
            engine: opts.engine,
            params: {
              version: params.version,
              calibratedFrom: params.calibratedFrom,
              file: opts.params ?? 'src/simulation/params/cnil-2024.json',
            },
            horizonDays: params.run.horizonDays,
            start: described,
            assumptions: from.assumptions.map((a) => ({ event: a.type, on: a.on })),
          },
          ...summarise(aggregate, from),
        };
        return { doc, aggregate };
      };
      const first = await run(start);
      const second = compared === null ? null : await run(compared);
      const doc = second === null ? first.doc : { ...first.doc, comparison: second.doc };

      if (opts.report !== undefined) {
        // Loaded on use: only --report draws charts.
        const { writeSimReport } = await import('../../visual/sim-report-file.ts');
        const bytes = await writeSimReport(opts.report, params, first, second);
        process.stderr.write(`Wrote ${opts.report} (${Math.round(bytes / 1024)} KB).\n`);
      }
      process.stdout.write(
        global.json
          ? `${JSON.stringify(doc, null, 2)}\n`
          : `${formatSimulation(first.doc)}\n${second === null ? '' : `\nCompared with the same runs under ${second.doc.simulation.assumptions.length === 0 ? 'no what-if' : 'other what-ifs'}:\n\n${formatSimulation(second.doc)}\n`}`,
      );
    });
}
