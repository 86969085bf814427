/**
 * Snapshots of a case's state, so that recording a fact on a long case, or showing it, reads and
 * folds only the events after the snapshot instead of its whole history.
 *
 * A snapshot is derived data (src/store/snapshots.ts), used only when all of these hold:
 * - its `version` is this code's {@link statechartFingerprint} — a hash of the statechart's
 *   definition, the initial context, the event schema versions and the source of machines/ — so a
 *   change of the law, of the fold or of an upcaster makes every snapshot stale;
 * - the stream's event at its `revision` is still the event it was taken after (`eventId`): a
 *   stream rewritten, truncated or restored from another copy makes it stale;
 * - its state parses back into a state of the statechart.
 * A stale snapshot is ignored; the case is folded from its events and a new snapshot written.
 *
 * Personal data: the state is folded from the events with their personal fields withheld
 * (machines/personal-data.ts), as the case service decides on them, and the context keeps person
 * ids, never names (test/cases/snapshots.test.ts checks it on every field the catalogue marks
 * personal). `forget` drops the snapshots of the cases it touches all the same.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as context from '../../machines/context.ts';
import type { ProcedureState } from '../../machines/decider.ts';
import type { ProcedureEvent } from '../../machines/events.ts';
import { withholdPersonalData } from '../../machines/personal-data.ts';
import { procedureMachine } from '../../machines/procedure.ts';
import * as rules from '../../machines/rules.ts';
import * as transient from '../../machines/transient.ts';
import * as versions from '../../machines/versions.ts';
import { linkOf } from '../integrity/chain.ts';
import type { JsonObject } from '../store/port.ts';
import type { StreamSnapshot } from '../store/snapshots.ts';

/** The layout of a snapshot's state; raise it to make every snapshot stale by hand. */
export const SNAPSHOT_FORMAT = 1;

/** Functions as their source text, so that a change of a rule or of the fold changes the hash. */
const withSources = (_key: string, value: unknown): unknown =>
  typeof value === 'function' ? String(value) : value;

/** The source files of machines/ (.ts when run from the sources, .js once built), if readable. */
const machineSources = (): string[] => {
  try {
    const dir = fileURLToPath(new URL('../../machines/', import.meta.url));
    return readdirSync(dir)
      .filter((name) => /\.(ts|js)$/.test(name))
      .sort()
      .map((name) => `${name}\n${readFileSync(`${dir}${name}`, 'utf8')}`);
  } catch (error) {
    // Bundled without its files: the definition and the exported functions still count.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
};

let fingerprint: string | undefined;

/**
 * What a snapshot must have been folded by to be used: a hash of the statechart (states,
 * transitions, guards and their rules, meta), the initial context, every event type's schema
 * version, the source of the fold, rules and upcasters, and the files of machines/. Computed once
 * per process (a few milliseconds).
 */
export const statechartFingerprint = (): string =>
  (fingerprint ??= createHash('sha256')
    .update(
      JSON.stringify(
        {
          format: SNAPSHOT_FORMAT,
          definition: procedureMachine.root.definition,
          initialContext: context.initialContext,
          schemaVersions: versions.CURRENT_VERSION,
          code: [context, rules, transient, versions].map((module) => ({ ...module })),
          files: machineSources(),
        },
        withSources,
      ),
    )
    .digest('hex')
    .slice(0, 32));

/** The event as the snapshots' fold sees it: its personal fields withheld. */
export const withheldEvent = (event: ProcedureEvent): ProcedureEvent => {
  const data = withholdPersonalData(event.type, event.data);
  return data === event.data ? event : ({ ...event, data } as ProcedureEvent);
};

/** Where a snapshot is taken: after the event `eventId` at `revision`, the chain's head then. */
export interface SnapshotPoint {
  readonly revision: number;
  readonly eventId: string;
  readonly head: string | null;
}

/** The snapshot of `state`, folded up to `at` in stream `streamId`. */
export const takeSnapshot = (streamId: string, state: ProcedureState, at: SnapshotPoint): StreamSnapshot => ({
  streamId,
  revision: at.revision,
  eventId: at.eventId,
  version: statechartFingerprint(),
  lastOn: state.context.lastActOn ?? '',
  head: at.head,
  state: JSON.stringify({ value: state.value, context: state.context }),
});

/** The state a snapshot holds, or undefined when it was taken by other code or does not parse. */
export const restoreSnapshot = (snapshot: StreamSnapshot): ProcedureState | undefined => {
  if (snapshot.version !== statechartFingerprint()) return undefined;
  try {
    const { value, context: saved } = JSON.parse(snapshot.state) as Pick<ProcedureState, 'value' | 'context'>;
    return procedureMachine.resolveState({ value, context: saved });
  } catch {
    // A damaged snapshot (not JSON, or not a state of the statechart) is stale like any other:
    // the case is folded from its events and the snapshot replaced.
    return undefined;
  }
};

/** The hash a stored event's chain link gives, when it carries a well-formed one. */
export const linkHashOf = (metadata: JsonObject): string | null => {
  const link = linkOf(metadata);
  return typeof link === 'object' ? link.hash : null;
};
