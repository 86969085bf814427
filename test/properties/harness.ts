/**
 * What the property suites share: fast-check settings (run counts by mode, reproduction by seed),
 * the live statechart as the oracle, and byte-level snapshots of the stores.
 *
 * Reproducing a failure: fast-check prints `seed` and `path` with the counterexample; run
 * `FC_SEED=<seed> FC_PATH=<path> npx vitest run test/properties/<file>` to replay exactly that
 * case (FC_PATH is optional: with the seed alone the whole run is replayed).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { createActor } from 'xstate';
import { describeState } from '../../machines/decider.ts';
import type { ProcedureEvent } from '../../machines/events.ts';
import { procedureMachine } from '../../machines/procedure.ts';
import { RULES } from '../../machines/rules.ts';
import type { RecordOutcome } from '../../src/cases/service.ts';
import type { AppendOptions, EventStore, NewEvent } from '../../src/store/port.ts';
import { scale } from '../support/long.ts';

/** Runs of a property: `fast` in `npm test`, `long` in `npm run test:long`, or FC_RUNS. */
export const runs = (fast: number, long: number): number =>
  process.env.FC_RUNS ? Number(process.env.FC_RUNS) : scale(fast, long);

/** Cases checked so far, per property, printed at the end of each file (the README's figures). */
export const counted = new Map<string, number>();

/** fast-check parameters: the run count, and FC_SEED / FC_PATH to replay a reported failure. */
export const settings = (numRuns: number): fc.Parameters<unknown> => {
  const seed = process.env.FC_SEED;
  const path = process.env.FC_PATH;
  return {
    numRuns,
    ...(seed === undefined ? {} : { seed: Number(seed) }),
    ...(path === undefined ? {} : { path }),
  };
};

/** Asserts an async property and counts its cases. */
export const check = async <T>(name: string, property: fc.IAsyncProperty<T>, numRuns: number) => {
  const details = await fc.check(property, settings(numRuns));
  counted.set(name, (counted.get(name) ?? 0) + details.numRuns);
  if (details.failed) throw new Error(fc.defaultReportMessage(details) ?? 'property failed');
};

// ── The oracle: the statechart running as a live actor ──────────────────────────────────────

/** The statechart as an XState actor, fed the events one by one (a second path to the state). */
export const liveStatechart = () => {
  const actor = createActor(procedureMachine);
  actor.start();
  return {
    snapshot: () => actor.getSnapshot(),
    /** Sends the event if the actor accepts it; returns whether it did. */
    offer(event: ProcedureEvent): boolean {
      if (!actor.getSnapshot().can(event)) return false;
      actor.send(event);
      return true;
    },
    stop: () => actor.stop(),
  };
};

/** Why an outcome is not a well-formed refusal (names the field, or the rule, or the state and what it accepts). */
export const refusalProblem = (outcome: RecordOutcome, stateBefore: string): string | null => {
  if (outcome.status === 'recorded') return 'recorded';
  if (outcome.status === 'invalid') {
    if (outcome.issues.length === 0) return 'invalid without issues';
    const bad = outcome.issues.find((i) => i.field === '' || i.message === '');
    return bad ? `issue without field or message: ${JSON.stringify(bad)}` : null;
  }
  const r = outcome.refusal;
  if (r.kind === 'RuleViolated')
    return r.rule in RULES && r.message.includes(r.rule) && r.basis === RULES[r.rule].basis
      ? null
      : `refusal does not name its rule: ${r.message}`;
  if (r.state !== stateBefore) return `refusal names state ${r.state}, the case is in ${stateBefore}`;
  return r.message.includes(r.state) && r.accepts.every((t) => r.message.includes(t))
    ? null
    : `refusal does not name the state and accepted events: ${r.message}`;
};

export const stateName = (value: Parameters<typeof describeState>[0]): string => describeState(value);

// ── Stores: never writes ─────────────────────────────────────────────────────────────────────

/** A store that counts the appends it is asked to make (whether they succeed or not). */
export const watched = (store: EventStore): EventStore & { readonly appends: () => number } => {
  let appends = 0;
  return {
    appendToStream: (streamId: string, events: readonly NewEvent[], options: AppendOptions) => {
      appends++;
      return store.appendToStream(streamId, events, options);
    },
    readStream: (streamId, options) => store.readStream(streamId, options),
    readAll: (options) => store.readAll(options),
    subscribeToAll: (options) => store.subscribeToAll(options),
    close: () => store.close(),
    appends: () => appends,
  };
};

/** Everything a store holds, as one string (every field of every event, in global order). */
export const contentsOf = async (store: EventStore): Promise<string> => {
  const all = [];
  for await (const event of store.readAll()) all.push(event);
  return JSON.stringify(all);
};

/** A digest of the bytes of a SQLite store's files (database and write-ahead log). */
export const fileDigest = (path: string): string => {
  const hash = createHash('sha256');
  for (const file of [path, `${path}-wal`]) if (existsSync(file)) hash.update(readFileSync(file));
  return hash.digest('hex');
};
