/**
 * Stream snapshots: an optional capability of an event store, for the case service to load a long
 * case without folding its whole history (src/cases/snapshot.ts decides what a snapshot holds and
 * when it may be used).
 *
 * A snapshot is derived data, never a fact: it says "folded up to revision `revision`, whose event
 * is `eventId`, by the code whose fingerprint is `version`". A reader uses it only when the stream's
 * event at `revision` is still `eventId` and the version is its own; otherwise it folds the events
 * and writes a new one. Losing, deleting or corrupting snapshots therefore loses time, not facts.
 *
 * The SQLite and in-memory adapters keep one snapshot per stream (the SQLite one in a `snapshots`
 * table of the store file, created on the first write); the EventStoreDB adapter keeps it as the last
 * event of a stream of its own, `cnil-snapshot-<stream>` (src/store/eventstoredb.ts).
 */

/** What a store keeps of a stream's snapshot. */
export interface StreamSnapshot {
  readonly streamId: string;
  /** Revision of the last event folded into the state. */
  readonly revision: number;
  /** Id of the event at `revision` when the snapshot was taken. */
  readonly eventId: string;
  /** Fingerprint of the code that folded the state: a snapshot of another version is ignored. */
  readonly version: string;
  /** The legal date of the last act folded (`data.on`), for as-of reads. */
  readonly lastOn: string;
  /** The hash chain's head after `revision` (src/integrity/chain.ts), or null when not computed. */
  readonly head: string | null;
  /** The folded state, as JSON text (holds no personal data: src/cases/snapshot.ts). */
  readonly state: string;
}

/** A store that keeps snapshots of its streams. */
export interface SnapshotStore {
  /** The stream's snapshot, if any. */
  readSnapshot(streamId: string): Promise<StreamSnapshot | undefined>;
  /** Keeps `snapshot` as the stream's snapshot, replacing any other. */
  writeSnapshot(snapshot: StreamSnapshot): Promise<void>;
  /** Drops the snapshots of these streams; returns how many there were. */
  deleteSnapshots(streamIds: readonly string[]): Promise<number>;
}

/** Whether the store keeps snapshots. */
export const keepsSnapshots = <S extends object>(store: S): store is S & SnapshotStore =>
  typeof (store as Partial<SnapshotStore>).readSnapshot === 'function' &&
  typeof (store as Partial<SnapshotStore>).writeSnapshot === 'function' &&
  typeof (store as Partial<SnapshotStore>).deleteSnapshots === 'function';
