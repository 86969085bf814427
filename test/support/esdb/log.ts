/**
 * The test server's storage: one in-memory transaction log, indexed by stream.
 *
 * Positions imitate a real node's: each event's commit and prepare positions are its byte offset in
 * the log (equal, as for every event a current server appends), so they are sparse and strictly
 * increasing — an adapter that assumed 1, 2, 3… would fail here.
 */

/** An event as the client proposes it (payloads as raw bytes, as on the wire). */
export interface ProposedEvent {
  readonly id: string;
  readonly type: string;
  readonly contentType: string;
  readonly data: Uint8Array;
  readonly customMetadata: Uint8Array;
}

export interface StoredEvent extends ProposedEvent {
  readonly streamId: string;
  readonly revision: bigint;
  /** Commit position = prepare position = byte offset of the record. */
  readonly position: bigint;
  /** .NET ticks (100 ns) since the Unix epoch, as the server reports `created`. */
  readonly createdTicks: bigint;
}

/** What the writer expects of the stream, as the protocol's options say it. */
export type Expected =
  | { readonly kind: 'any' }
  | { readonly kind: 'no-stream' }
  | { readonly kind: 'stream-exists' }
  | { readonly kind: 'revision'; readonly revision: bigint };

export type AppendOutcome =
  | {
      readonly ok: true;
      readonly currentRevision: bigint | undefined;
      readonly position: bigint | undefined;
      /** Events this append wrote (0 for a retry recognised by its ids). */
      readonly written: number;
    }
  /** `current` is the revision of the stream's last event, `undefined` when it does not exist. */
  | { readonly ok: false; readonly current: bigint | undefined };

export interface Log {
  append(streamId: string, expected: Expected, events: readonly ProposedEvent[]): AppendOutcome;
  /** The events of a stream, `undefined` when it does not exist. */
  stream(streamId: string): readonly StoredEvent[] | undefined;
  /** Every event, in commit order. */
  all(): readonly StoredEvent[];
  /** Calls `listener` with each event appended from now on; returns the function that stops it. */
  onAppend(listener: (event: StoredEvent) => void): () => void;
}

/** Fixed bytes of a record besides its strings and payloads (header, ids, positions, checksum). */
const RECORD_OVERHEAD = 128n;
const byteLength = (text: string): bigint => BigInt(Buffer.byteLength(text, 'utf8'));

export interface LogOptions {
  /** Where the first event goes (a real log starts with an epoch record and the server's own streams, so user events never sit at 0). */
  readonly firstPosition?: bigint;
  /**
   * Check event ids as a real node does (EventStoreDB client documentation, "Optimistic
   * concurrency and idempotence"), else only the expected revision. When the expected revision is
   * behind the stream, the events at the revisions after it are compared with the batch: all the
   * same → success without writing, answering the last of them; none or only some → wrong expected
   * version. With `any`: if the first id is already in the stream, all must follow it (success
   * without writing), else wrong expected version; if it is not, the batch is written. An append at
   * the current revision is written without looking at ids.
   */
  readonly idempotent?: boolean;
}

export const createLog = ({ firstPosition = 4_096n, idempotent = false }: LogOptions = {}): Log => {
  const events: StoredEvent[] = [];
  const streams = new Map<string, StoredEvent[]>();
  const listeners = new Set<(event: StoredEvent) => void>();
  let next = firstPosition;

  /**
   * The answer of a node to a batch whose ids may already be stored: the last of those events
   * (already written: success, nothing written), `'refuse'` (wrong expected version), or
   * `undefined` (not a retry: the usual checks apply).
   */
  const retryOf = (
    stream: readonly StoredEvent[] | undefined,
    expected: Expected,
    proposed: readonly ProposedEvent[],
  ): StoredEvent | 'refuse' | undefined => {
    if (!idempotent || stream === undefined || proposed.length === 0) return undefined;
    const current = BigInt(stream.length - 1);
    const matchFrom = (first: bigint): StoredEvent | 'refuse' => {
      const found = proposed.map((event, i) => stream[Number(first) + i]?.id === event.id);
      return found.every(Boolean) ? (stream[Number(first) + proposed.length - 1] as StoredEvent) : 'refuse';
    };
    switch (expected.kind) {
      case 'any': {
        const first = stream.findIndex((event) => event.id === proposed[0]?.id);
        return first < 0 ? undefined : matchFrom(BigInt(first));
      }
      case 'no-stream':
        return matchFrom(0n);
      case 'revision':
        return expected.revision < current ? matchFrom(expected.revision + 1n) : undefined;
      case 'stream-exists':
        return undefined;
    }
  };

  const accepts = (expected: Expected, current: bigint | undefined): boolean => {
    switch (expected.kind) {
      case 'any':
        return true;
      case 'no-stream':
        return current === undefined;
      case 'stream-exists':
        return current !== undefined;
      case 'revision':
        return current === expected.revision;
    }
  };

  return {
    append(streamId, expected, proposed) {
      const stream = streams.get(streamId);
      const current = stream?.at(-1)?.revision;
      const retry = retryOf(stream, expected, proposed);
      if (retry === 'refuse') return { ok: false, current };
      if (retry !== undefined)
        return { ok: true, currentRevision: retry.revision, position: retry.position, written: 0 };
      if (!accepts(expected, current)) return { ok: false, current };
      if (proposed.length === 0)
        return { ok: true, currentRevision: current, position: undefined, written: 0 };

      const createdTicks = BigInt(Date.now()) * 10_000n;
      const written = proposed.map((event, i): StoredEvent => {
        const position = next;
        next +=
          RECORD_OVERHEAD +
          byteLength(streamId) +
          byteLength(event.type) +
          BigInt(event.data.length + event.customMetadata.length);
        return { ...event, streamId, revision: (current ?? -1n) + 1n + BigInt(i), position, createdTicks };
      });
      const appended = stream ?? [];
      appended.push(...written);
      streams.set(streamId, appended);
      events.push(...written);
      for (const event of written) for (const listener of [...listeners]) listener(event);
      const last = written.at(-1);
      return { ok: true, currentRevision: last?.revision, position: last?.position, written: written.length };
    },
    stream: (streamId) => streams.get(streamId),
    all: () => events,
    onAppend(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
};
