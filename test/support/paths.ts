/**
 * Every simple path through the procedure statechart, generated with @xstate/graph, with lawful
 * data for every fact (machines/rules.ts holds on each step), and the catalogue of those paths.
 *
 * ## The graph
 *
 * A vertex is an *abstract* state of a case: the statechart's state value plus the few facts of
 * the context that change which transitions may follow (see {@link stateLabel}). Everything else
 * in the context (dates, amounts, references, complaints, publications) is left out: it changes
 * the data of the next facts, not which facts are possible, and keeping it would make the graph
 * infinite (every date is a new state). The facts kept, and why:
 *
 * - `extended` in `formalNotice.compliance.running`: the deadline may be extended once
 *   (D art. 38), so before and after the extension the state accepts different facts.
 * - `complied` in `penaltyLiquidation.liquidationNotified`: compliance recorded while a liquidation
 *   is notified decides where the liquidation leads (back to `accruing`, or to `complied`).
 * - `days to liquidate` in `penaltyLiquidation.complied` (and in `liquidationNotified` after
 *   compliance): days of delay before compliance that no liquidation covers yet are what makes a
 *   further `PenaltyLiquidationNotified` possible after compliance.
 * - `appeal pending` / `appeal decided` on the sanction, from the sanction on: a pending appeal
 *   is what allows the Conseil d'État's annulment to close the case; once decided, the sanction
 *   cannot be appealed again (CJA R421-1, one appeal).
 *
 * Whether the formal notice or a sanction was published, or a person's data erased, is left out:
 * those facts only enable root-level facts without a target (publication, anonymisation,
 * erasure), which never change the procedural state. The `closed` stage is one vertex: a path
 * ends when the case closes (publication and appeals after closure do not reopen it).
 *
 * Every path starts where a case starts: opened (`CaseOpened`) on a complaint
 * (`ComplaintReceived`), in the `complaint` stage. A test checks that no two vertices of one
 * statechart state behave alike (each fact kept changes what may follow).
 *
 * With these facts the graph has 43 vertices and 236 edges, and 43 914 simple paths lead from the
 * opened case to its closure — too many to review, so the catalogue lists them cut by stage
 * ({@link generateCatalogue}): 325 lines. Without the appeal facts there would be 1 686 paths
 * (27 vertices), but the Conseil d'État's annulment (`(root): AppealDecided → closed`) on none.
 *
 * ## The events
 *
 * In each vertex, {@link lawfulEvents} offers, for every event type the statechart accepts
 * there (read from the machine, `acceptedEventTypes`), one fact per *variant* that can lead to a
 * different vertex (a referral to the ordinary or the simplified procedure, a sanction with or
 * without an injunction, an appeal annulled or rejected…), with data built by the test builders
 * and dated after the previous act so that every legal rule holds. A fact the statechart would
 * refuse is not offered. An event type added later gets its builder's defaults, dated after the
 * last act, and is offered when the machine accepts that.
 *
 * ## Replaying a path
 *
 * @xstate/graph keeps, for each vertex, the first concrete state it reached; the facts on a path
 * are drawn from those representatives, so their dates need not be in order along the path.
 * {@link concretise} therefore rebuilds each path's facts from the path's own history (same
 * variants, data from the actual context) and checks that each lands in the vertex the path
 * names: the abstraction is checked, path by path, against the real statechart
 * ({@link walkFullPaths} does it for every full path, sharing prefixes).
 */
import { type AdjacencyMap, getAdjacencyMap, getSimplePaths } from '@xstate/graph';
import { type StateValue, transition } from 'xstate';
import type { ProcedureContext } from '../../machines/context.ts';
import { dayAfterTimeLimit } from '../../machines/calendar.ts';
import { addDays, addMonths, daysBetween, type IsoDate, maxDate, minDate } from '../../machines/dates.ts';
import { acceptedEventTypes, fold, type ProcedureState, stageOf } from '../../machines/decider.ts';
import type { EventType, ProcedureEvent } from '../../machines/events.ts';
import { procedureMachine, type Stage } from '../../machines/procedure.ts';
import { firstDayAfterResponsePeriod, firstDayToLiquidate } from '../../machines/rules.ts';
import { ACME, BUILDERS, caseOpened, complaintReceived } from './builders.ts';
import { transitionsTaken } from './given.ts';
import { closureOutcomeOf } from '../../src/simulation/policy.ts';

/**
 * The stage from which the appeal against the sanction is a fact of the vertices. The catalogue
 * is cut there: paths up to it, then paths from it (see {@link generateCatalogue}).
 */
export const APPEAL_STAGE = 'sanction' satisfies Stage;

// ── Vertices ─────────────────────────────────────────────────────────────────────────────────

/**
 * A state value as one short label: `inspection.findings`, and `formalNotice(running, notPublic)`
 * for the parallel regions (each region's active state, in the machine's order).
 */
export const valueLabel = (value: StateValue): string => {
  if (typeof value === 'string') return value;
  const entries = Object.entries(value).filter(([, child]) => child !== undefined) as [string, StateValue][];
  if (entries.length === 1) {
    const [key, child] = entries[0] as [string, StateValue];
    const inner = valueLabel(child);
    return inner.startsWith('(') ? `${key}${inner}` : `${key}.${inner}`;
  }
  return `(${entries.map(([, child]) => valueLabel(child)).join(', ')})`;
};

/** Days of delay before compliance that are neither liquidated nor in the notified liquidation. */
const daysLeftAfterCompliance = (c: ProcedureContext): boolean => {
  const inj = c.injunction;
  if (!inj?.delayFrom || !inj.compliedOn) return false;
  const covered = c.liquidationNotice?.periodTo ?? c.liquidations.at(-1)?.periodTo ?? inj.delayFrom;
  return covered < inj.compliedOn;
};

/** The facts of the context that change which transitions may follow (see the module comment). */
const factsOf = (state: ProcedureState): string[] => {
  const c = state.context;
  const facts: string[] = [];
  if (state.matches({ formalNotice: { compliance: 'running' } }) && c.formalNotice?.extended)
    facts.push('extended');
  if (state.matches({ penaltyLiquidation: 'liquidationNotified' }) && c.injunction?.compliedOn != null)
    facts.push('complied');
  if (
    (state.matches({ penaltyLiquidation: 'liquidationNotified' }) ||
      state.matches({ penaltyLiquidation: 'complied' })) &&
    daysLeftAfterCompliance(c)
  )
    facts.push('days to liquidate');
  if (state.matches(APPEAL_STAGE) || state.matches('penaltyLiquidation')) {
    const appeal = c.appeals.find((a) => a.decision === c.sanction?.deliberation);
    if (appeal) facts.push(appeal.decidedOn === null ? 'appeal pending' : 'appeal decided');
  }
  return facts;
};

/**
 * The vertex of a state: its value and the facts that matter, e.g.
 * `penaltyLiquidation.complied {days to liquidate, appeal pending}`; `closed` whatever the facts.
 */
export const stateLabel = (state: ProcedureState): string => {
  if (stageOf(state) === 'closed') return 'closed';
  const facts = factsOf(state);
  return `${valueLabel(state.value)}${facts.length > 0 ? ` {${facts.join(', ')}}` : ''}`;
};

// ── Lawful facts ─────────────────────────────────────────────────────────────────────────────

/** A fact offered in a state, with the label of its variant (`ReferredToRestrictedCommittee: simplified`). */
export interface LabelledEvent {
  readonly label: string;
  readonly event: ProcedureEvent;
}

/** `on`, or the first day after the time to answer the report when it is later (D art. 40). */
const afterResponse = (c: ProcedureContext, on: IsoDate): IsoDate =>
  c.report ? maxDate(on, firstDayAfterResponsePeriod(c.report)) : on;

/** The days of delay not yet liquidated, before `on` and before compliance. */
const periodToLiquidate = (c: ProcedureContext, on: IsoDate): { from: IsoDate; to: IsoDate } | null => {
  const inj = c.injunction;
  if (!inj?.delayFrom) return null;
  const from = c.liquidations.at(-1)?.periodTo ?? inj.delayFrom;
  const to = inj.compliedOn === null ? on : minDate(inj.compliedOn, on);
  return from < to ? { from, to } : null;
};

const KIND_LABEL = {
  formalNotice: 'formal notice',
  formalNoticeClosure: 'closure of the formal notice',
  sanction: 'sanction',
  liquidation: 'liquidation',
  publicationDeliberation: 'publication deliberation',
} as const;

type Overrides = Record<string, unknown>;
type Variant = readonly [variant: string | null, overrides: Overrides];

/**
 * Builds a fact of `type` with the builder's defaults and `overrides`. The builder validates it
 * with the event's schema and throws if the data are invalid: a bug of this generator, reported,
 * never a variant silently left out.
 */
const build = (type: EventType, overrides: Overrides): ProcedureEvent =>
  (BUILDERS[type] as (o: Overrides) => ProcedureEvent)(overrides);

/** The variants of each event type, with their data as of `on` (the date of the fact). */
const variantsOf = (type: EventType, c: ProcedureContext, on: IsoDate): readonly Variant[] => {
  const next = `${c.decisions.length + 1}`.padStart(3, '0');
  const simplified = c.referral?.procedure === 'simplified';
  switch (type) {
    case 'FormalNoticeIssued':
      return [[null, { on, reference: `MED-PATH-${next}`, deadline: addDays(on, 30) }]];
    case 'FormalNoticeDeadlineExtended': {
      const notice = c.formalNotice;
      return notice ? [[null, { on, newDeadline: addDays(notice.deadline, 30) }]] : [];
    }
    case 'FormalNoticeDeadlineElapsed': {
      const deadline = c.formalNotice?.deadline;
      return deadline ? [[null, { on: maxDate(on, dayAfterTimeLimit(deadline)) }]] : [];
    }
    case 'HearingHeld':
      return [[null, { on: afterResponse(c, on) }]];
    case 'FormalNoticeClosed':
      return [[null, { on, reference: `${c.formalNotice?.reference ?? 'MED-PATH'}-CLOTURE` }]];
    case 'ReferredToRestrictedCommittee':
      return [
        ['ordinary', { on, procedure: 'ordinary' }],
        ['simplified', { on, procedure: 'simplified' }],
      ];
    case 'SanctionReportNotified':
      return [[null, { on, responseDeadline: addMonths(on, 1) }]];
    case 'SanctionImposed': {
      const base = {
        on: afterResponse(c, on),
        deliberation: `SAN-PATH-${next}`,
        fine: simplified ? 15_000 : 150_000,
        measures: ['fine', 'injunction'],
        public: !simplified,
      };
      const injunction = { deadline: addDays(base.on, 10), penaltyPerDay: simplified ? 100 : 500 };
      return [
        ['injunction', { ...base, injunction }],
        ['no injunction', { ...base, measures: ['fine'], injunction: undefined }],
      ];
    }
    case 'ProceedingsDismissed':
      return [[null, { on: afterResponse(c, on), deliberation: `SAN-PATH-${next}` }]];
    case 'InjunctionDeadlineElapsed': {
      const deadline = c.injunction?.deadline;
      return deadline ? [[null, { on: maxDate(on, addDays(deadline, 1)) }]] : [];
    }
    case 'PenaltyLiquidationNotified': {
      const period = periodToLiquidate(c, on);
      if (!period || !c.injunction) return [];
      const proposedAmount = c.injunction.penaltyPerDay * daysBetween(period.from, period.to);
      return [[null, { on, proposedAmount, periodFrom: period.from, periodTo: period.to }]];
    }
    case 'PenaltyLiquidated': {
      const n = c.liquidationNotice;
      if (!n) return [];
      return [
        [
          null,
          {
            on: maxDate(on, firstDayToLiquidate(n)),
            deliberation: `SAN-PATH-${next}`,
            amount: n.proposedAmount,
            periodFrom: n.periodFrom,
            periodTo: n.periodTo,
            public: !simplified,
          },
        ],
      ];
    }
    case 'DecisionPublished':
      return c.decisions
        .filter((d) => d.publishable && d.publishedOn === null)
        .map((d) => [
          KIND_LABEL[d.kind],
          { on: maxDate(on, d.on), reference: d.reference, anonymiseAfter: addMonths(maxDate(on, d.on), 24) },
        ]);
    case 'PublicationAnonymised':
      return c.decisions
        .filter((d) => d.publishedOn !== null && d.anonymisedOn === null)
        .map((d) => [
          KIND_LABEL[d.kind],
          { on: maxDate(on, d.anonymiseAfter ?? on), reference: d.reference },
        ]);
    case 'DecisionNotified':
      return c.decisions
        .filter((d) => d.notifiedOn === undefined)
        .map((d) => [KIND_LABEL[d.kind], { on: maxDate(on, d.on), reference: d.reference }]);
    case 'AppealLodged':
      return c.decisions
        .filter((d) => !c.appeals.some((a) => a.decision === d.reference))
        .map((d) => [KIND_LABEL[d.kind], { on, decision: d.reference }]);
    case 'AppealDecided':
      return c.appeals
        .filter((a) => a.decidedOn === null)
        .flatMap((a): Variant[] => {
          const kind = c.decisions.find((d) => d.reference === a.decision)?.kind;
          const of = kind ? ` (${KIND_LABEL[kind]})` : '';
          return [
            [`annulled${of}`, { on, decision: a.decision, outcome: 'annulled', fine: undefined }],
            [`rejected${of}`, { on, decision: a.decision, outcome: 'rejected', fine: undefined }],
          ];
        });
    case 'CaseClosed':
      return [[null, { on, outcome: closureOutcomeOf(c) }]];
    default:
      // Every other fact: the builder's data, dated after the last act. An event type added
      // later lands here and is offered whenever the statechart accepts those defaults.
      return [[null, { on }]];
  }
};

const lawfulEventsOf = (state: ProcedureState, type: EventType): LabelledEvent[] => {
  const c = state.context;
  const on = addDays(c.lastActOn ?? '2023-01-16', 1);
  return variantsOf(type, c, on).flatMap(([variant, overrides]) => {
    const event = build(type, overrides);
    if (!state.can(event)) return [];
    return [{ label: variant === null ? type : `${type}: ${variant}`, event }];
  });
};

/**
 * The lawful facts that may be recorded next in `state`, one per variant of every event type
 * the statechart accepts there; each is dated the day after the previous act, or later when a
 * rule requires it, and is accepted by the statechart (`can`).
 */
export const lawfulEvents = (state: ProcedureState): LabelledEvent[] =>
  acceptedEventTypes(state)
    .sort()
    .flatMap((type) => lawfulEventsOf(state, type));

/**
 * The fact of the variant `label` (`'SanctionImposed: injunction'`) as it would be built in
 * `state`, whether or not the statechart accepts it there (the caller folds it and finds out).
 */
export const eventOfVariant = (state: ProcedureState, label: string): ProcedureEvent | undefined => {
  const type = label.split(':')[0] as EventType;
  const on = addDays(state.context.lastActOn ?? '2023-01-16', 1);
  const found = variantsOf(type, state.context, on).find(
    ([variant]) => (variant === null ? type : `${type}: ${variant}`) === label,
  );
  return found ? build(type, found[1]) : undefined;
};

// ── Paths ────────────────────────────────────────────────────────────────────────────────────

/** Where every path starts: the case opened, its complaint received. */
export const opening = (caseId: string = ACME.caseId): ProcedureEvent[] => [
  caseOpened({ caseId }),
  complaintReceived(),
];

/** A step of a path: the fact's label and the vertex it leads to. */
export interface PathStep {
  readonly event: string;
  readonly state: string;
}

export interface ProcedurePath {
  /** The vertex the path starts from. */
  readonly start: string;
  readonly steps: readonly PathStep[];
  /** The vertex it ends in. */
  readonly end: string;
  /** `complaint → [InspectionOpened] inspection.inProgress → … → closed`. */
  readonly line: string;
}

const pathOf = (start: string, steps: readonly PathStep[]): ProcedurePath => ({
  start,
  steps,
  end: steps.at(-1)?.state ?? start,
  line: [start, ...steps.map((s) => `[${s.event}] ${s.state}`)].join(' → '),
});

/** `head` followed by `tail`, which starts where `head` ends. */
export const joinPaths = (head: ProcedurePath, tail: ProcedurePath): ProcedurePath => {
  if (head.end !== tail.start) throw new RangeError(`${tail.start} does not start where ${head.line} ends`);
  return pathOf(head.start, [...head.steps, ...tail.steps]);
};

const byLine = (a: ProcedurePath, b: ProcedurePath): number =>
  a.line < b.line ? -1 : a.line > b.line ? 1 : 0;

/**
 * A case opened on the CNIL's own initiative (LIL art. 19) starts in `inspection.opened`, not in
 * the complaint stage this catalogue starts from; its first facts are checked here: the opening
 * itself, then one lawful fact of each type from there.
 */
const fromOwnInitiative = (transition: string): Edge | undefined => {
  const opening = caseOpened({ origin: 'own-initiative' });
  const initial = fold([]);
  if (transitionsTaken(initial, opening).includes(transition))
    return {
      from: 'unopened',
      event: 'CaseOpened: own-initiative',
      to: stateLabel(fold([opening])),
      transitions: [transition],
    };
  const opened = fold([opening]);
  for (const type of acceptedEventTypes(opened))
    for (const offered of lawfulEventsOf(opened, type))
      if (transitionsTaken(opened, offered.event).includes(transition))
        return {
          from: stateLabel(opened),
          event: offered.label,
          to: stateLabel(fold([offered.event], opened)),
          transitions: [transition],
        };
  return undefined;
};

/** An edge of the graph: a lawful fact from a reachable vertex. */
export interface Edge {
  readonly from: string;
  readonly event: string;
  readonly to: string;
  /** The statechart transitions the fact takes (see `transitionKey`), eventless ones included. */
  readonly transitions: readonly string[];
}

/** The paths through one stage from one vertex where the case enters it. */
export interface Section {
  readonly stage: Stage;
  /** The vertex where the case enters the stage. */
  readonly start: string;
  /** A path from the opened case to `start` (the first one found), whose facts give a concrete state there. */
  readonly via: ProcedurePath;
  /** Every simple path from `start` to the first vertex outside the stage (`closed` or the next stage), sorted. */
  readonly paths: readonly ProcedurePath[];
}

export interface Catalogue {
  /** Every vertex reachable from the opened case, closed included, sorted. */
  readonly vertices: readonly string[];
  /** Every lawful fact between them (the adjacency map of @xstate/graph), sorted. */
  readonly edges: readonly Edge[];
  /** The sections, in the order the stages follow one another, then by start. */
  readonly sections: readonly Section[];
  /** How many simple paths lead from the opened case to its closure (the sections composed). */
  readonly fullPaths: number;
}

/** The traversal options shared by every call to @xstate/graph. */
const traversal = (fromState: ProcedureState) => {
  const labels = new WeakMap<ProcedureEvent, string>();
  return {
    labels,
    options: {
      fromState,
      events: (state: ProcedureState): ProcedureEvent[] =>
        lawfulEvents(state).map(({ label, event }) => {
          labels.set(event, label);
          return event;
        }),
      serializeState: stateLabel,
      serializeEvent: (event: ProcedureEvent) => labels.get(event) ?? JSON.stringify(event),
      // A bound on the breadth-first exploration (the graph has a few hundred edges).
      limit: 100_000,
    },
  };
};

/** Every simple path from `from` to a state where `stop` holds (which the traversal does not leave). */
const simplePaths = (from: ProcedureState, stop: (s: ProcedureState) => boolean): ProcedurePath[] => {
  const { labels, options } = traversal(from);
  const start = stateLabel(from);
  return getSimplePaths(procedureMachine, { ...options, toState: stop })
    .map((path) =>
      // `steps[0]` is the start (event `xstate.init`); each later step holds a fact and the state it led to.
      pathOf(
        start,
        path.steps
          .slice(1)
          .map((s) => ({ event: labels.get(s.event) ?? s.event.type, state: stateLabel(s.state) })),
      ),
    )
    .sort(byLine);
};

/** The stages cannot be cut apart: the case can go back to a stage it left. */
export class StageCycleError extends Error {
  override readonly name = 'StageCycleError';
  constructor(readonly stages: readonly string[]) {
    super(
      `the case can return to a stage it left (${stages.join(' → ')}): the catalogue cannot be cut by stage`,
    );
  }
}

/**
 * The catalogue of every simple path from the opened case to its closure, cut where the case
 * enters a stage. The case never returns to a stage it left (checked: {@link StageCycleError}),
 * so the vertices of the stages are disjoint and a simple path from the opened case to its
 * closure is exactly one path of each stage it goes through, each starting where the previous
 * one ended. Listing the ~500 paths through the stages lists the ~40 000 full paths without
 * repeating each combination.
 */
export const generateCatalogue = (): Catalogue => {
  const opened = fold(opening());
  const start = stateLabel(opened);
  const sections = new Map<string, Section>();
  const queue: { via: ProcedurePath; state: ProcedureState }[] = [{ via: pathOf(start, []), state: opened }];
  for (let entry = queue.shift(); entry; entry = queue.shift()) {
    const stage = stageOf(entry.state) as Stage;
    const paths = simplePaths(entry.state, (s) => stageOf(s) !== stage);
    sections.set(entry.via.end, { stage, start: entry.via.end, via: entry.via, paths });
    for (const path of paths) {
      if (path.end === 'closed' || sections.has(path.end) || queue.some((q) => q.via.end === path.end))
        continue;
      const via = joinPaths(entry.via, path);
      queue.push({ via, state: fold(concretise(via)) });
    }
  }
  const order = stageOrder([...sections.values()], (end) => sections.get(end)?.stage ?? 'closed');
  const ordered = [...sections.values()].sort(
    (a, b) => order.indexOf(a.stage) - order.indexOf(b.stage) || (a.start < b.start ? -1 : 1),
  );

  const counts = new Map<string, number>([['closed', 1]]);
  const count = (vertex: string): number => {
    let n = counts.get(vertex);
    if (n === undefined) {
      n = (sections.get(vertex) as Section).paths.reduce((sum, p) => sum + count(p.end), 0);
      counts.set(vertex, n);
    }
    return n;
  };

  // The whole reachable graph, the closed stage included (stopWhen off), for the coverage report.
  const { labels, options } = traversal(opened);
  const adjacency: AdjacencyMap<ProcedureState, ProcedureEvent> = getAdjacencyMap(procedureMachine, {
    ...options,
    stopWhen: undefined,
  });
  const edges: Edge[] = [];
  for (const [from, { state, transitions }] of Object.entries(adjacency))
    for (const { event, state: next } of Object.values(transitions) as AdjacencyStep[])
      edges.push({
        from,
        event: labels.get(event) ?? event.type,
        to: stateLabel(next),
        transitions: transitionsTaken(state, event),
      });
  edges.sort((a, b) => (`${a.from} [${a.event}]` < `${b.from} [${b.event}]` ? -1 : 1));
  return { vertices: Object.keys(adjacency).sort(), edges, sections: ordered, fullPaths: count(start) };
};

type AdjacencyStep = { readonly event: ProcedureEvent; readonly state: ProcedureState };

/** The stages in the order the case goes through them (a topological order); throws on a cycle. */
const stageOrder = (sections: readonly Section[], stageAt: (vertex: string) => string): string[] => {
  const next = new Map<string, Set<string>>();
  for (const s of sections)
    for (const p of s.paths) {
      const to = stageAt(p.end);
      if (to !== s.stage) next.set(s.stage, (next.get(s.stage) ?? new Set()).add(to));
    }
  const order: string[] = [];
  const visiting: string[] = [];
  const visit = (stage: string): void => {
    if (order.includes(stage)) return;
    if (visiting.includes(stage))
      throw new StageCycleError([...visiting.slice(visiting.indexOf(stage)), stage]);
    visiting.push(stage);
    for (const to of [...(next.get(stage) ?? [])].sort()) visit(to);
    visiting.pop();
    order.unshift(stage);
  };
  for (const stage of [...new Set(sections.map((s) => s.stage))].sort()) visit(stage);
  return order;
};

/** The simple paths from the opened case to its closure, counted by @xstate/graph on the uncut graph (slow: ~1 min). */
export const countUncutPaths = (): number => simplePaths(fold(opening()), isClosed).length;

const isClosed = (state: ProcedureState): boolean => stageOf(state) === 'closed';

/** Every full path from the opened case to its closure: the sections composed (a generator: there are many). */
export function* fullPaths(catalogue: Catalogue): Generator<ProcedurePath> {
  const byStart = new Map(catalogue.sections.map((s) => [s.start, s]));
  const first = catalogue.sections.find((s) => s.via.steps.length === 0);
  if (!first) return;
  function* from(head: ProcedurePath): Generator<ProcedurePath> {
    if (head.end === 'closed') {
      yield head;
      return;
    }
    for (const path of (byStart.get(head.end) as Section).paths) yield* from(joinPaths(head, path));
  }
  yield* from(first.via);
}

// ── Replay ───────────────────────────────────────────────────────────────────────────────────

/** A path whose facts do not lead where the path says: the abstraction of the graph is unsound. */
export class PathDivergenceError extends Error {
  override readonly name = 'PathDivergenceError';
  constructor(
    readonly path: string,
    readonly step: number,
    message: string,
  ) {
    super(`step ${step + 1} of ${path}: ${message}`);
  }
}

/**
 * The facts of a path that starts at the opened case: the opening of case `caseId`, then one
 * lawful fact of each step's variant built from the path's own history, each checked to lead to
 * the step's vertex.
 */
export function concretise(
  path: ProcedurePath,
  caseId: string = ACME.caseId,
  onStep?: (state: ProcedureState, event: ProcedureEvent) => void,
): ProcedureEvent[] {
  const facts = opening(caseId);
  let state = fold(facts);
  if (stateLabel(state) !== path.start)
    throw new PathDivergenceError(path.line, -1, `starts at ${path.start}, not at the opened case`);
  path.steps.forEach((step, i) => {
    const event = eventOfVariant(state, step.event);
    const next = event && transition(procedureMachine, state, event)[0];
    if (!event || !next || next === state)
      throw new PathDivergenceError(path.line, i, `no lawful ${step.event} in ${stateLabel(state)}`);
    onStep?.(state, event);
    state = next;
    if (stateLabel(state) !== step.state)
      throw new PathDivergenceError(
        path.line,
        i,
        `${step.event} led to ${stateLabel(state)}, not ${step.state}`,
      );
    facts.push(event);
  });
  return facts;
}

/**
 * Walks every full path (the sections composed) fact by fact, sharing the common prefixes, and
 * calls `onPath` with the facts of each path that reaches the closure. Throws
 * `PathDivergenceError` on the first fact the statechart refuses or that lands elsewhere than
 * the path says. Returns the number of full paths walked.
 */
export const walkFullPaths = (
  catalogue: Catalogue,
  onPath?: (facts: readonly ProcedureEvent[]) => void,
): number => {
  interface Trie {
    readonly children: Map<string, { readonly state: string; readonly next: Trie }>;
  }
  const trieOf = (paths: readonly ProcedurePath[]): Trie => {
    const root: Trie = { children: new Map() };
    for (const path of paths) {
      let node = root;
      for (const step of path.steps) {
        let child = node.children.get(step.event);
        if (!child)
          node.children.set(step.event, (child = { state: step.state, next: { children: new Map() } }));
        node = child.next;
      }
    }
    return root;
  };
  const tries = new Map(catalogue.sections.map((s) => [s.start, trieOf(s.paths)]));
  const facts = opening();
  let walked = 0;
  const walk = (node: Trie, state: ProcedureState, vertex: string, line: string): void => {
    for (const [label, { state: expected, next }] of node.children) {
      const event = eventOfVariant(state, label);
      const after = event && transition(procedureMachine, state, event)[0];
      const where = `${line} → [${label}]`;
      if (!event || !after || after === state)
        throw new PathDivergenceError(where, facts.length, `no lawful ${label} in ${vertex}`);
      const reached = stateLabel(after);
      if (reached !== expected)
        throw new PathDivergenceError(where, facts.length, `${label} led to ${reached}, not ${expected}`);
      facts.push(event);
      if (next.children.size > 0) walk(next, after, reached, `${where} ${reached}`);
      else if (reached === 'closed') {
        walked++;
        onPath?.(facts);
      } else walk(tries.get(reached) as Trie, after, reached, `${where} ${reached}`);
      facts.pop();
    }
  };
  const opened = fold(facts);
  walk(tries.get(stateLabel(opened)) as Trie, opened, stateLabel(opened), stateLabel(opened));
  return walked;
};

// ── Coverage and the catalogue text ──────────────────────────────────────────────────────────

/** A transition of the statechart that no simple path takes, and why. */
export interface Untaken {
  readonly transition: string;
  readonly reason: string;
}

/** The event type of a transition key (`'complaint: InspectionOpened → inspection'`), or null for `(always)`. */
const eventTypeOf = (transition: string): EventType | null => {
  const event = transition.split(': ')[1]?.split(' ')[0];
  return event === undefined || event === '(always)' ? null : (event as EventType);
};

/**
 * A lawful fact that takes `transition` from a concrete state on the catalogue's paths (each
 * section's paths after their `via`), when the vertices' representatives offered none: an
 * edge of the graph all the same.
 */
export const findWitness = (catalogue: Catalogue, transition: string): Edge | undefined => {
  const type = eventTypeOf(transition);
  if (type === null) return undefined;
  const seen = new Set<string>();
  for (const section of catalogue.sections)
    for (const path of section.paths) {
      let state = fold(opening());
      for (const event of concretise(joinPaths(section.via, path)).slice(opening().length)) {
        const from = stateLabel(state);
        if (!seen.has(from)) {
          seen.add(from);
          for (const offered of lawfulEventsOf(state, type)) {
            const transitions = transitionsTaken(state, offered.event);
            if (transitions.includes(transition))
              return {
                from,
                event: offered.label,
                to: stateLabel(fold([offered.event], state)),
                transitions,
              };
          }
        }
        state = fold([event], state);
      }
    }
  return undefined;
};

/**
 * Sorts the transitions of the statechart (`all`) that the paths do not take (`taken` holds
 * those they do) by why: a lawful fact that leaves the vertex unchanged (a self-loop) or leads
 * back to a vertex already on the path (a cycle) can be on no simple path; a transition that no
 * edge of the graph takes, and no lawful fact along the paths either, is never lawful with the
 * generated data (`reachable: false`).
 */
export const untakenTransitions = (
  catalogue: Catalogue,
  all: readonly string[],
  taken: ReadonlySet<string>,
): (Untaken & { readonly reachable: boolean })[] =>
  [...new Set(all)]
    .filter((t) => !taken.has(t))
    .sort()
    .map((transition) => {
      const edges = catalogue.edges.filter((e) => e.transitions.includes(transition));
      const witness = edges.length === 0 ? findWitness(catalogue, transition) : undefined;
      if (witness) edges.push(witness);
      // The example shown: a self-loop before the closure if there is one.
      const loop =
        edges.find((e) => e.from === e.to && e.from !== 'closed') ?? edges.find((e) => e.from === e.to);
      const back = edges.find((e) => e.from !== e.to);
      if (edges.length === 0) {
        const other = fromOwnInitiative(transition);
        return other
          ? {
              transition,
              reachable: true,
              reason: `from a case opened on the CNIL’s own initiative (not a start of this catalogue): ${other.from} → [${other.event}] ${other.to}`,
            }
          : { transition, reachable: false, reason: 'never lawful from a reachable vertex' };
      }
      if (back)
        return {
          transition,
          reachable: true,
          reason: `cycle: ${back.from} → [${back.event}] ${back.to} goes back to a vertex the path has already visited`,
        };
      const l = loop as Edge;
      return {
        transition,
        reachable: true,
        reason: `self-loop: ${l.from} → [${l.event}] changes none of the facts a vertex keeps`,
      };
    });

const plural = (n: number, word: string): string =>
  `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;

/** The catalogue as the reviewed snapshot text: a header of counts, the paths by stage, the untaken transitions. */
export const catalogueText = (
  catalogue: Catalogue,
  transitions: { readonly all: number; readonly untaken: readonly Untaken[] },
): string => {
  const lines = catalogue.sections.reduce((n, s) => n + s.paths.length, 0);
  const out = [
    '# Every simple path through the CNIL procedure statechart (machines/procedure.ts), generated with',
    '# @xstate/graph by test/machines/paths.test.ts. Refresh: npx vitest run test/machines/paths.test.ts -u',
    '#',
    '# A vertex is a state of the statechart plus the facts that change what may follow: {extended},',
    '# {complied}, {days to liquidate}, {appeal pending|decided} (see test/support/paths.ts). Each fact',
    '# [Type: variant] is recorded with lawful data. The lines are cut where the case enters a stage: each',
    '# runs from that vertex to the first vertex of the next stage, or to `closed`; a full path from the',
    '# opened case to its closure is one line of each stage it goes through, each starting where the last ended.',
    '#',
    `# vertices: ${catalogue.vertices.length}; lawful facts between them (edges): ${catalogue.edges.length}`,
    `# lines: ${lines}, in ${plural(catalogue.sections.length, 'section')}`,
    `# simple paths from the opened case to its closure: ${catalogue.fullPaths.toLocaleString('en-US')}`,
    `# transitions of the statechart: ${transitions.all}; taken by a path: ${transitions.all - transitions.untaken.length}; by none (listed at the end): ${transitions.untaken.length}`,
  ];
  for (const section of catalogue.sections) {
    out.push('', `## ${section.stage}, entered at ${section.start}: ${plural(section.paths.length, 'path')}`);
    for (const path of section.paths) out.push(path.line);
  }
  out.push('', '## Transitions no simple path takes');
  for (const u of transitions.untaken) out.push(`${u.transition} — ${u.reason}`);
  return `${out.join('\n')}\n`;
};
