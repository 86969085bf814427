/**
 * Read models as pure folds over a case's recorded facts: the case's state and its view on a date,
 * the timeline, open deadlines, the fines and penalty ledger, the public register.
 *
 * @example
 * import { caseViewAsOf } from 'cnil-enforcement/projections';
 * const view = caseViewAsOf('clearview-ai', facts, '2022-10-18'); // view.stage === 'sanction'
 */
export * from './case-state.ts';
export * from './deadline-report.ts';
export * from './deadlines.ts';
export * from './fact.ts';
export * from './ledger.ts';
export * from './penalty.ts';
export * from './register.ts';
export * from './timeline.ts';
