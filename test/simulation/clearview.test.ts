/**
 * "What if Clearview AI had complied?" Forking the real case on 1 December 2021 — formal notice
 * MED-2021-134 served on 26 November 2021, deadline 26 January 2022 — through the statechart.
 */
import { describe, expect, it } from 'vitest';
import type { IsoDate } from '../../machines/dates.ts';
import { simulate } from '../../src/simulation/runner.ts';
import { datasetStateAsOf, forkStart, parseAssumption } from '../../src/simulation/start.ts';
import { OUTCOMES } from '../../src/simulation/run.ts';
import { defaultParams } from './support.ts';

const asOf = '2021-12-01' as IsoDate;

const fork = async (...assume: string[]) => {
  const { state } = await datasetStateAsOf('clearview', asOf);
  return forkStart(
    state,
    asOf,
    assume.map((a) => parseAssumption(a, asOf)),
  );
};

describe('Clearview AI forked on 2021-12-01', () => {
  it('starts from the formal notice, deadline running, not yet public', async () => {
    const start = await fork();
    expect(start.value).toEqual({ formalNotice: { compliance: 'running', publicity: 'notPublic' } });
    expect(start.context.formalNotice?.deadline).toBe('2022-01-26');
    expect(start.base).toBe('2021-12-02');
  });

  it('ends with the formal notice closed in the large majority of runs when compliance is assumed before the deadline', async () => {
    const start = await fork('FormalNoticeClosed@2022-01-20');
    const report = await simulate({ params: await defaultParams(), start, runs: 5_000, seed: 1, workers: 1 });
    expect(report.outcomes.formalNoticeComplied.share).toBeGreaterThan(0.9);
    expect(report.sanctioned.share).toBeLessThan(0.05);
    expect(report.assumptions[0]).toMatchObject({ event: 'FormalNoticeClosed', on: '2022-01-20' });
  });

  it('ends most likely in a sanction without that assumption (a controller without EU establishment)', async () => {
    const report = await simulate({
      params: await defaultParams(),
      start: await fork(),
      runs: 5_000,
      seed: 1,
      workers: 1,
    });
    const mostLikely = OUTCOMES.reduce((best, o) =>
      report.outcomes[o].runs > report.outcomes[best].runs ? o : best,
    );
    expect(mostLikely).toBe('sanctioned');
    expect(report.fines.whenSanctioned.median).toBeGreaterThan(0);
  });

  it('ends most likely in a sanction too when the deadline is assumed to elapse without compliance', async () => {
    const start = await fork('FormalNoticeDeadlineElapsed@2022-01-27');
    const report = await simulate({ params: await defaultParams(), start, runs: 5_000, seed: 1, workers: 1 });
    expect(report.sanctioned.share).toBeGreaterThan(0.5);
    expect(report.outcomes.formalNoticeComplied.share).toBeLessThan(report.sanctioned.share);
  });
});

describe('Clearview AI forked on 2022-01-01, once the bureau had made the formal notice public', () => {
  it('is referred to the ordinary procedure in most runs: the median fine exceeds the simplified cap (LIL art. 22-1)', async () => {
    const on = '2022-01-01' as IsoDate;
    const { state } = await datasetStateAsOf('clearview', on);
    expect(state.value).toMatchObject({ formalNotice: { publicity: 'published' } });
    const report = await simulate({
      params: await defaultParams(),
      start: forkStart(state, on, []),
      runs: 5_000,
      seed: 1,
      workers: 1,
    });
    expect(report.fines.whenSanctioned.median).toBeGreaterThan(20_000);
  });
});
