/**
 * A case's fold as the read models keep it: its facts folded through the statechart, with the
 * deadline and context periods it keeps open. Pure: the rows a fact adds (its timeline row, the
 * periods it closes) go to the {@link FoldRows} given, in their tables' column order.
 */
import type { StateValue } from 'xstate';
import type { ProcedureContext } from '../../machines/context.ts';
import type { IsoDate } from '../../machines/dates.ts';
import {
  describeState,
  explainRefusal,
  initialState,
  ProcedureViolationError,
  stageOf,
} from '../../machines/decider.ts';
import type { EventType } from '../../machines/events.ts';
import { procedureMachine, type Stage } from '../../machines/procedure.ts';
import { type DeadlineKind, deadlineCandidates } from '../../projections/deadlines.ts';
import type { RecordedFact } from '../../projections/fact.ts';
import type { LedgerContext } from '../../projections/ledger.ts';
import type { RegisterContext } from '../../projections/register.ts';
import { timelineRowOf } from '../../projections/timeline.ts';
import type { Engine, EngineState } from '../simulation/engine.ts';

/** Where an open period ends: it holds until an act changes it. */
export const OPEN_END = '9999-12-31';

/** The columns of a timeline row, in the order {@link FoldRows.timeline} receives them. */
export const TIMELINE_COLUMNS = [
  'case_id',
  'revision',
  'event_id',
  'on_date',
  'type',
  'act',
  'reference',
  'summary',
  'stage',
  'state',
  'source',
] as const;
/** The columns of a deadline period, in the order {@link FoldRows.deadlinePeriods} receives them. */
export const DEADLINE_PERIOD_COLUMNS = [
  'case_id',
  'kind',
  'due',
  'reference',
  'stage',
  'time_limit',
  'n',
  'valid_from',
  'valid_to',
] as const;
/** The columns of a context period, in the order {@link FoldRows.contextPeriods} receives them. */
export const CONTEXT_PERIOD_COLUMNS = [
  'case_id',
  'valid_from',
  'valid_to',
  'sanctioned',
  'published',
  'context',
] as const;

/**
 * The decision a deadline concerns as its tables store it: the column is part of their key, which
 * SQLite holds NOT NULL, so a deadline of no decision is stored as ''.
 */
export const referenceColumn = (reference: string | null): string => reference ?? '';
/** The decision a deadline concerns, read back from its column ({@link referenceColumn}). */
export const referenceOf = (column: string): string | null => (column === '' ? null : column);

/** Where the rows of a fold go, each row given as its values in its table's column order. */
export interface FoldRows {
  readonly timeline: RowSink;
  readonly deadlinePeriods: RowSink;
  readonly contextPeriods: RowSink;
}
export interface RowSink {
  push(...row: unknown[]): void;
}

/** What of a case's context the as-of ledger and register read (stored in `context_periods`). */
export type PeriodContext = LedgerContext & RegisterContext;

const periodContextOf = (c: ProcedureContext): PeriodContext => ({
  controller: c.controller,
  sanction: c.sanction,
  injunction: c.injunction,
  liquidations: c.liquidations,
  courtReductions: c.courtReductions,
  decisions: c.decisions,
});

/** A deadline period still open: the deadline held `n` times by the case's state since `from`. */
export interface OpenDeadline {
  readonly kind: DeadlineKind;
  readonly due: IsoDate;
  readonly reference: string | null;
  readonly stage: Stage | null;
  readonly timeLimit: boolean;
  readonly n: number;
  readonly from: IsoDate;
}

/** The context period still open: the ledger/register part of the context, as JSON, since `from`. */
export interface OpenContext {
  readonly from: IsoDate;
  readonly json: string;
  readonly sanctioned: boolean;
  readonly published: boolean;
}

/**
 * A case's facts folded through the statechart (the fast path of src/simulation/engine.ts, or plain
 * `transition()`: both reach the same states, test/projector/equivalence.test.ts), as of `revision`,
 * with the periods it keeps open. Snapshotted in `folds` after each batch, so that a fact is folded
 * once, whichever process projects the next one.
 */
export interface CaseFold {
  readonly state: EngineState;
  readonly revision: number;
  readonly lastEventId: string;
  readonly openedOn: IsoDate | null;
  readonly lastEvent: { readonly type: EventType; readonly on: IsoDate } | null;
  /** The latest date of the case's facts: the date its current periods are valid from or after. */
  readonly periodOn: IsoDate | null;
  readonly deadlines: readonly OpenDeadline[];
  readonly context: OpenContext | null;
  /** Whether rows of this case may be in the file already (else they are inserted without a delete). */
  readonly stored: boolean;
}

/** A fold as stored in `folds.fold`. */
interface StoredFold {
  readonly key: string;
  readonly context: ProcedureContext;
  readonly openedOn: IsoDate | null;
  readonly lastEvent: CaseFold['lastEvent'];
  readonly periodOn: IsoDate | null;
  readonly deadlines: readonly OpenDeadline[];
  readonly openContext: OpenContext | null;
}

/** A fold as stored in `folds.fold` (read back by {@link CaseFolder.fromSnapshot}). */
export const toSnapshot = (fold: CaseFold): string => {
  const stored: StoredFold = {
    key: fold.state.key,
    context: fold.state.context,
    openedOn: fold.openedOn,
    lastEvent: fold.lastEvent,
    periodOn: fold.periodOn,
    deadlines: fold.deadlines,
    openContext: fold.context,
  };
  return JSON.stringify(stored);
};

/** JSON of sources, by object: decoded facts share the source objects of their store (src/cases/codec.ts). */
const sourceJson = new WeakMap<object, string>();
const stringifySource = (source: object | null): string | null => {
  if (source === null) return null;
  let json = sourceJson.get(source);
  if (json === undefined) {
    json = JSON.stringify(source);
    sourceJson.set(source, json);
  }
  return json;
};

/** A state's stage and description, as the read models write them. */
export interface DescribedState {
  readonly value: StateValue;
  readonly stage: Stage | null;
  readonly state: string;
}

/** How a file's read models fold facts: with one engine, its states described once each. */
export interface CaseFolder {
  /** The engine (made on first use). */
  readonly engine: () => Engine;
  /** The stage and description of a state, worked out once per state met. */
  describe(state: EngineState): DescribedState;
  /** The fold of a case with no fact: the statechart's initial state. */
  emptyFold(): CaseFold;
  /** The fold a row of `folds` holds (see {@link toSnapshot}). */
  fromSnapshot(row: { revision: number; event_id: string; fold: string }): CaseFold;
  /**
   * The fold with the periods of its latest date (`periodOn`) settled: those that stopped holding
   * then are closed (written to `rows`, if given) and those its state starts are opened. A fold
   * with no fact is returned as it is.
   */
  settle(caseId: string, fold: CaseFold, rows?: FoldRows): CaseFold;
  /**
   * The fold with one more fact; its timeline row, and the periods an earlier date closes, are
   * written to `rows`, if given.
   * @throws ProcedureViolationError when the statechart refuses the fact.
   */
  step(caseId: string, fold: CaseFold, fact: RecordedFact, rows?: FoldRows): CaseFold;
}

/** A folder of cases with the engine `makeEngine` makes (on first use). */
export const createCaseFolder = (makeEngine: () => Engine): CaseFolder => {
  /** The engine the facts are folded with; the fast path's table is derived on first use. */
  let engine: Engine | undefined;
  const engineOf = (): Engine => (engine ??= makeEngine());
  /** Stage and state description of each state value met (a few dozen). */
  const describedStates = new Map<string, DescribedState>();
  const describe = (state: EngineState): DescribedState => {
    let found = describedStates.get(state.key);
    if (!found) {
      const value = engineOf().valueOf(state);
      found = { value, stage: stageOf({ value }), state: describeState(value) };
      describedStates.set(state.key, found);
    }
    return found;
  };
  const emptyFold = (): CaseFold => ({
    state: engineOf().fromSnapshot(initialState()),
    revision: -1,
    lastEventId: '',
    openedOn: null,
    lastEvent: null,
    periodOn: null,
    deadlines: [],
    context: null,
    stored: false,
  });

  /** The fold a snapshot in `folds` holds (its state resolved again by the statechart). */
  const fromSnapshot = (row: { revision: number; event_id: string; fold: string }): CaseFold => {
    const stored = JSON.parse(row.fold) as StoredFold;
    const value = JSON.parse(stored.key) as StateValue;
    return {
      state: engineOf().fromSnapshot(procedureMachine.resolveState({ value, context: stored.context })),
      revision: row.revision,
      lastEventId: row.event_id,
      openedOn: stored.openedOn,
      lastEvent: stored.lastEvent,
      periodOn: stored.periodOn,
      deadlines: stored.deadlines,
      context: stored.openContext,
      stored: true,
    };
  };

  /**
   * The periods of a case once its facts dated up to `on`, its latest date, are folded into `fold`:
   * deadline and context periods that no longer hold are closed on `on` (written), those the state
   * starts are opened from `on`. A period opened on `on` and already replaced never held: it is
   * dropped. Without `rows`, the closed periods are not written (a fold restored from the store).
   */
  const settle = (caseId: string, fold: CaseFold, rows?: FoldRows): CaseFold => {
    const on = fold.periodOn;
    if (on === null) return fold;
    const described = describe(fold.state);
    const counts = new Map<
      string,
      { kind: DeadlineKind; due: IsoDate; reference: string | null; timeLimit: boolean; n: number }
    >();
    for (const d of deadlineCandidates({ value: described.value, context: fold.state.context })) {
      const key = `${d.kind} ${d.due} ${d.reference} ${d.timeLimit}`;
      const found = counts.get(key);
      if (found) found.n++;
      else
        counts.set(key, { kind: d.kind, due: d.due, reference: d.reference, timeLimit: d.timeLimit, n: 1 });
    }
    const deadlines: OpenDeadline[] = [];
    let changed = false;
    for (const open of fold.deadlines) {
      const key = `${open.kind} ${open.due} ${open.reference} ${open.timeLimit}`;
      const held = counts.get(key);
      if (held && held.n === open.n && open.stage === described.stage) {
        deadlines.push(open);
        counts.delete(key);
        continue;
      }
      changed = true;
      if (rows && open.from < on)
        rows.deadlinePeriods.push(
          caseId,
          open.kind,
          open.due,
          referenceColumn(open.reference),
          open.stage,
          open.timeLimit ? 1 : 0,
          open.n,
          open.from,
          on,
        );
    }
    for (const d of counts.values()) {
      changed = true;
      deadlines.push({ ...d, stage: described.stage, from: on });
    }
    const c = fold.state.context;
    const sanctioned = c.sanction !== null;
    const published = c.decisions.some((d) => d.publishedOn !== null);
    const json = sanctioned || published ? JSON.stringify(periodContextOf(c)) : null;
    let context = fold.context;
    if (context !== null && context.json !== json) {
      if (rows && context.from < on)
        rows.contextPeriods.push(
          caseId,
          context.from,
          on,
          context.sanctioned ? 1 : 0,
          context.published ? 1 : 0,
          context.json,
        );
      context = null;
    }
    if (json !== null && context === null) context = { from: on, json, sanctioned, published };
    if (!changed && context === fold.context) return { ...fold, periodOn: on };
    return { ...fold, deadlines, context, periodOn: on };
  };

  /**
   * Folds one fact; with `rows`, its timeline row and the periods it closes are written to them.
   * @throws ProcedureViolationError when refused.
   */
  const step = (caseId: string, fold: CaseFold, fact: RecordedFact, rows?: FoldRows): CaseFold => {
    const on = fact.event.data.on;
    // A later date: the periods of the facts up to the previous date are settled.
    const settled = fold.periodOn !== null && on > fold.periodOn ? settle(caseId, fold, rows) : fold;
    const next = engineOf().step(settled.state, fact.event);
    if (next === null) {
      const snapshot = procedureMachine.resolveState({
        value: engineOf().valueOf(settled.state),
        context: settled.state.context,
      });
      throw new ProcedureViolationError(explainRefusal(snapshot, fact.event), fact.event);
    }
    if (rows) {
      const row = timelineRowOf(fact, describe(next));
      rows.timeline.push(
        caseId,
        row.revision,
        fact.eventId,
        row.on,
        row.type,
        row.act,
        row.reference,
        row.summary,
        row.stage,
        row.state,
        stringifySource(row.source),
      );
    }
    return {
      ...settled,
      state: next,
      revision: fact.revision,
      lastEventId: fact.eventId,
      openedOn: settled.openedOn ?? on,
      lastEvent: { type: fact.event.type, on },
      periodOn: settled.periodOn === null || on > settled.periodOn ? on : settled.periodOn,
    };
  };

  return { engine: engineOf, describe, emptyFold, fromSnapshot, settle, step };
};
