/**
 * Plausible case histories for bulk-import tests and demonstrations, made by the simulator
 * (src/simulation/): each case is a fresh complaint on a date drawn between `from` and `until`,
 * driven through THE statechart by the simulation policy with the calibrated parameters
 * (src/simulation/params/cnil-2024.json), and cut at `until` (a case may still be open). Every
 * history is therefore lawful, and the same (seed, count) always gives the same file: ids, dates,
 * names and amounts derive from the seed and the case's index alone.
 *
 * By default only cases that go beyond the complaint are kept (`escalated`): with the calibrated
 * figures 98 % of complaints close at once, with two facts; the escalated share is what a register
 * of enforcement cases holds. The parameters are then those of the CNIL conditioned on escalation.
 *
 * @example generateDatasets({ cases: 300, seed: 7, params: await loadParams() }) // 300 Dataset objects
 */
import { createHash } from 'node:crypto';
import type { IsoDate } from '../../machines/dates.ts';
import type { EventType, ProcedureEvent } from '../../machines/events.ts';
import type { Dataset } from '../history/dataset.ts';
import { startState } from '../simulation/batch.ts';
import { dayOf, dateOf } from '../simulation/days.ts';
import { fastEngine } from '../simulation/engine.ts';
import type { SimulationParams } from '../simulation/params.ts';
import { intBetween, runRng, runSeed } from '../simulation/random.ts';
import { simulateRun } from '../simulation/run.ts';
import { freshStart } from '../simulation/start.ts';

export interface GenerateOptions {
  /** How many case histories. */
  readonly cases: number;
  /** The seed: same seed, same histories. */
  readonly seed: number;
  readonly params: SimulationParams;
  /** Complaints arrive from this date (default 2019-01-01)… */
  readonly from?: IsoDate;
  /** …and the histories stop on this date (default 2025-12-31). */
  readonly until?: IsoDate;
  /** Keep the complaints closed at once too (default false: only escalated cases). */
  readonly allComplaints?: boolean;
}

export const GENERATED_SOURCE_URL = 'https://example.org/cnil-enforcement/simulated-case';

/** The parameters conditioned on the case going beyond the complaint stage. */
export const escalatedParams = (params: SimulationParams): SimulationParams => {
  const q = structuredClone(params);
  const outcome = q.parameters['complaint.outcome'];
  const kept = 1 - outcome.branches.closed;
  outcome.branches = {
    closed: 0,
    inspection: outcome.branches.inspection / kept,
    formalNotice: outcome.branches.formalNotice / kept,
    referral: 1 - (outcome.branches.inspection + outcome.branches.formalNotice) / kept,
  };
  return q;
};

const kebab = (type: EventType): string => type.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();

/** The case id of generated case `index`. */
export const generatedCaseId = (seed: number, index: number): string =>
  `sim-${seed}-${String(index).padStart(5, '0')}`;

/** Gives simulated case `index` its own ids and names (the simulator uses placeholders). */
const personalise = (event: ProcedureEvent, caseId: string, index: number): ProcedureEvent => {
  switch (event.type) {
    case 'CaseOpened':
      return {
        ...event,
        data: {
          ...event.data,
          caseId,
          controller: { ...event.data.controller, name: `Controller ${index} SAS` },
        },
      };
    case 'ComplaintReceived':
      return {
        ...event,
        data: {
          ...event.data,
          complaintId: `${caseId}-complaint`,
          complainant: {
            ...event.data.complainant,
            name: `Complainant ${index} (simulated)`,
            // An opaque id of the generated form (machines/personal-data.ts), derived from the case.
            personId: `person-${createHash('sha256').update(caseId, 'utf8').digest('hex').slice(0, 16)}`,
          },
        },
      };
    default:
      return event;
  }
};

/** `options.cases` simulated histories as datasets, ready for `import`. */
export const generateDatasets = ({
  cases,
  seed,
  params,
  from = '2019-01-01' as IsoDate,
  until = '2025-12-31' as IsoDate,
  allComplaints = false,
}: GenerateOptions): Dataset[] => {
  const p = allComplaints ? params : escalatedParams(params);
  const engine = fastEngine();
  const datasets: Dataset[] = [];
  const dates = runSeed(seed, -1);
  const [first, last] = [dayOf(from), dayOf(until)];
  for (let index = 0; index < cases; index++) {
    const caseId = generatedCaseId(seed, index);
    const start = freshStart(dateOf(intBetween(runRng(dates, index), first, last)));
    const run = simulateRun({
      engine,
      start,
      from: startState(engine, start.value, start.context),
      params: p,
      seed,
      index,
      record: true,
    });
    const cut = run.events.findIndex((e) => e.data.on > until);
    const events = (cut < 0 ? run.events : run.events.slice(0, cut)).map((e) =>
      personalise(e, caseId, index),
    );
    datasets.push({
      dataset: `simulated-${seed}`,
      version: 1,
      caseId,
      title: `Simulated case ${index} of seed ${seed} (not a real case)`,
      notes: [
        `Simulated by src/simulation with parameters version ${params.version}${allComplaints ? '' : ', conditioned on escalation beyond the complaint'}; histories stop on ${until}.`,
      ],
      events: events.map((event, i) => ({
        key: `${String(i).padStart(3, '0')}-${kebab(event.type)}`,
        type: event.type,
        data: event.data as Record<string, unknown>,
        source: {
          title: 'Simulated history (not a real case)',
          url: GENERATED_SOURCE_URL,
          date: 'inferred',
          note: `seed ${seed}, case ${index}`,
        },
      })),
    });
  }
  return datasets;
};

/** Datasets as JSON Lines, one per line. */
export const toJsonLines = (datasets: readonly Dataset[]): string =>
  datasets.map((d) => `${JSON.stringify(d)}\n`).join('');
