/**
 * Subscriptions over a log the adapter can read page by page (in-memory, SQLite): catch up by reading
 * after a cursor, report `caughtUp`, then wait for a change signal (an in-process append) or the next
 * poll (appends by another process) and read again from the cursor.
 */
import type { RecordedEvent, Subscription, SubscriptionMessage } from './port.ts';

/** A page of the log after some position. */
export interface LogPage {
  /** The matching events, in global order. */
  readonly events: readonly RecordedEvent[];
  /** Every matching event up to this position is in `events`: the next read starts after it. */
  readonly scannedTo: number;
  /** More events may already be stored after `scannedTo`. */
  readonly more: boolean;
}

/** Counts appends and wakes the subscriptions waiting for one. */
export interface ChangeSignal {
  readonly version: number;
  notify(): void;
  /** Calls `listener` once, at the next `notify`; returns a function that cancels it. */
  once(listener: () => void): () => void;
}

export const createChangeSignal = (): ChangeSignal => {
  let version = 0;
  const listeners = new Set<() => void>();
  return {
    get version() {
      return version;
    },
    notify() {
      version += 1;
      const waiting = [...listeners];
      listeners.clear();
      for (const listener of waiting) listener();
    },
    once(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
};

export interface LogSubscriptionOptions {
  /** Deliver events strictly after this position. */
  readonly after: number;
  /** Reads the matching events after a position (synchronously, so a page is one snapshot). */
  readonly read: (after: number) => LogPage;
  readonly signal: ChangeSignal;
  /** Also read again this often, to see appends made by other processes; default: only on a signal. */
  readonly pollIntervalMs?: number;
  /** Called once when the subscription ends (closed, left, or failed). */
  readonly onClose?: () => void;
}

/** A subscription that reads the log with `read` whenever it may have changed. */
export const createLogSubscription = ({
  after,
  read,
  signal,
  pollIntervalMs,
  onClose,
}: LogSubscriptionOptions): Subscription => {
  let closed = false;
  let wake: (() => void) | undefined;

  const end = (): void => {
    if (closed) return;
    closed = true;
    wake?.();
    onClose?.();
  };

  /** Resolves at the first change after `seen`, at the next poll, or when the subscription closes. */
  const changeSince = (seen: number): Promise<void> =>
    new Promise((resolve) => {
      if (closed || signal.version !== seen) {
        resolve();
        return;
      }
      const done = (): void => {
        clearTimeout(timer);
        cancel();
        wake = undefined;
        resolve();
      };
      const cancel = signal.once(done);
      const timer = pollIntervalMs === undefined ? undefined : setTimeout(done, pollIntervalMs);
      wake = done;
    });

  async function* messages(): AsyncGenerator<SubscriptionMessage, void, undefined> {
    try {
      let cursor = after;
      let caughtUp = false;
      while (!closed) {
        // Read the version before the log, so an append between the read and the wait is not missed.
        const seen = signal.version;
        const page = read(cursor);
        for (const event of page.events) {
          yield { kind: 'event', event };
          if (closed) return;
        }
        cursor = page.scannedTo;
        if (page.more) continue;
        if (!caughtUp) {
          caughtUp = true;
          yield { kind: 'caughtUp', position: cursor };
          if (closed) return;
        }
        await changeSince(seen);
      }
    } finally {
      end();
    }
  }

  const iterator = messages();
  return {
    [Symbol.asyncIterator]: () => iterator,
    async close() {
      end();
    },
  };
};
