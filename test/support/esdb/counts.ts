/**
 * What the test server has served, counted per request: a test asserts how many reads an append
 * costs (the launcher asks for these with `server.counts()`).
 */

export interface ServedCounts {
  /** `Streams/Read` requests of one stream (forwards or backwards), not subscriptions. */
  readonly streamReads: number;
  /** `Streams/Read` requests of `$all`, not subscriptions. */
  readonly allReads: number;
  /** Subscriptions started (to a stream or to `$all`). */
  readonly subscriptions: number;
  /** Append requests: one per `Streams/Append` call, one per batch of a `Streams/BatchAppend` call. */
  readonly appends: number;
  /** Append requests refused with WrongExpectedVersion. */
  readonly wrongExpectedVersions: number;
  /** Events written by the appends. */
  readonly appendedEvents: number;
}

export type Counter = { -readonly [K in keyof ServedCounts]: ServedCounts[K] };

export const createCounter = (): Counter => ({
  streamReads: 0,
  allReads: 0,
  subscriptions: 0,
  appends: 0,
  wrongExpectedVersions: 0,
  appendedEvents: 0,
});

/** The line the server prints when asked for its counts (`counts` on its stdin). */
export const COUNTS_MARK = 'esdb-test-server counts';

/** What was served between two snapshots of the counts. */
export const countsSince = (before: ServedCounts, after: ServedCounts): ServedCounts => ({
  streamReads: after.streamReads - before.streamReads,
  allReads: after.allReads - before.allReads,
  subscriptions: after.subscriptions - before.subscriptions,
  appends: after.appends - before.appends,
  wrongExpectedVersions: after.wrongExpectedVersions - before.wrongExpectedVersions,
  appendedEvents: after.appendedEvents - before.appendedEvents,
});
