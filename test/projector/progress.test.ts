/** The progress bar of `project rebuild|run`: rate and time left on a terminal, nothing elsewhere. */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgress, progressLine } from '../../src/projector/progress.ts';

describe('the progress line', () => {
  it('shows the share done, the rate and the time left', () => {
    expect(progressLine(250_000, 1_000_000, 5, 8)).toBe(
      '[##......]  25%  250,000/1,000,000 events  50,000 events/s  ETA 0:15',
    );
  });
  it('without a total, shows the events and the rate only', () => {
    expect(progressLine(1_200, undefined, 2)).toBe('1,200 events  600 events/s');
  });
});

describe('given stderr that is not a terminal (a pipe, a log file)', () => {
  it('writes nothing', () => {
    const stream = new PassThrough() as unknown as NodeJS.WriteStream;
    let written = '';
    (stream as unknown as PassThrough).on('data', (chunk: Buffer) => {
      written += chunk.toString();
    });
    const progress = createProgress(stream, { total: 10 });
    progress.update({ events: 10, stored: 10, redelivered: 0, checkpoint: 10 });
    progress.done();
    expect(written).toBe('');
  });
});

describe('given a terminal', () => {
  it('redraws one line with the rate and ends it when done', () => {
    const chunks: string[] = [];
    let clock = 0;
    const tty = {
      isTTY: true,
      columns: 200,
      write: (s: string) => chunks.push(s),
    } as unknown as NodeJS.WriteStream;
    const progress = createProgress(tty, { total: 1_000, now: () => clock });
    clock = 1_000;
    progress.update({ events: 500, stored: 500, redelivered: 0, checkpoint: 500 });
    clock = 2_000;
    progress.update({ events: 500, stored: 500, redelivered: 0, checkpoint: 1_000 });
    progress.done();
    expect(chunks[0]).toContain(' 50%  500/1,000 events  500 events/s  ETA 0:01');
    expect(chunks.at(-2)).toContain('100%  1,000/1,000 events  500 events/s  ETA 0:00');
    expect(chunks.at(-1)).toBe('\n');
  });
});
