/**
 * A progress bar for the projection runner on a terminal: events projected, rate and time left,
 * redrawn on one line of stderr at most ten times a second. Written only when stderr is a TTY, so
 * that pipes, logs and `--json` output never see it.
 *
 * @example
 * const progress = createProgress(process.stderr, { total: 1_000_000 });
 * await catchUp(store, readModels, { onBatch: progress.update });
 * progress.done();
 */
import type { WriteStream } from 'node:tty';
import type { BatchReport } from './runner.ts';

export interface Progress {
  readonly update: (batch: BatchReport) => void;
  readonly done: () => void;
}

const NONE: Progress = { update: () => undefined, done: () => undefined };

const duration = (seconds: number): string => {
  if (!Number.isFinite(seconds)) return '–';
  const s = Math.max(0, Math.round(seconds));
  const m = Math.floor(s / 60);
  return m >= 60
    ? `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`
    : `${m}:${String(s % 60).padStart(2, '0')}`;
};

const count = (n: number): string => n.toLocaleString('en-US');

/** The line drawn for `done` of `total` events after `seconds`. */
export const progressLine = (
  done: number,
  total: number | undefined,
  seconds: number,
  width = 24,
): string => {
  const rate = seconds > 0 ? done / seconds : 0;
  const speed = `${count(Math.round(rate))} events/s`;
  if (total === undefined || total <= 0) return `${count(done)} events  ${speed}`;
  const share = Math.min(1, done / total);
  const filled = Math.round(share * width);
  const eta = rate > 0 ? (total - done) / rate : Number.POSITIVE_INFINITY;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(share * 100).toFixed(0).padStart(3)}%  ${count(done)}/${count(total)} events  ${speed}  ETA ${duration(eta)}`;
};

/**
 * A progress bar on `stream` when it is a terminal (else it does nothing). `total`: the events
 * expected (an estimate; the bar stops at 100 %).
 */
export const createProgress = (
  stream: NodeJS.WriteStream,
  { total, now = () => performance.now() }: { total?: number; now?: () => number } = {},
): Progress => {
  if (!stream.isTTY) return NONE;
  const tty = stream as WriteStream;
  const started = now();
  let done = 0;
  let drawn = 0;
  const draw = () => {
    tty.write(
      `\r${progressLine(done, total, (now() - started) / 1000).slice(0, (tty.columns || 80) - 1)}\x1b[K`,
    );
  };
  return {
    update: (batch) => {
      done += batch.events;
      if (now() - drawn < 100) return;
      drawn = now();
      draw();
    },
    done: () => {
      if (done === 0) return;
      draw();
      tty.write('\n');
    },
  };
};
