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
  | { readonly ok: true; readonly currentRevision: bigint | undefined; readonly position: bigint | undefined }
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

/**
 * @param firstPosition where the first event goes (a real log starts with an epoch record and the
 *   server's own streams, so user events never sit at 0).
 */
export const createLog = (firstPosition = 4_096n): Log => {
  const events: StoredEvent[] = [];
  const streams = new Map<string, StoredEvent[]>();
  const listeners = new Set<(event: StoredEvent) => void>();
  let next = firstPosition;

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
      if (!accepts(expected, current)) return { ok: false, current };
      if (proposed.length === 0) return { ok: true, currentRevision: current, position: undefined };

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
      return { ok: true, currentRevision: last?.revision, position: last?.position };
    },
    stream: (streamId) => streams.get(streamId),
    all: () => events,
    onAppend(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
};
