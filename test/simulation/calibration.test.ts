/**
 * The parameter file says what the CNIL figures say: every parameter derived from a figure equals
 * the arithmetic of calibration.ts, every parameter states its source and derivation, and a bad
 * file is refused naming the field.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ASSUMED, calibrate, FIGURES, lognormalP90FromMean } from '../../src/simulation/calibration.ts';
import { loadParams, ParamsError, PARAMETERS } from '../../src/simulation/params.ts';

const dir = mkdtempSync(join(tmpdir(), 'cnil-params-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('calibration arithmetic', () => {
  it('turns 340 controls × 57 % from complaints / 16 433 complaints (2023) into 1.18 % of complaints inspected', () =>
    expect(calibrate()['complaint.outcome'].inspection).toBe(0.0118));

  it('turns 123 files closed after compliance / 135 formal notices (2021) into the late-closure share', () => {
    // 0.75 in time (assumption) + 0.25 × lateClosure = 123 / 135
    const late = calibrate()['formalNotice.afterDeadline'].lateClosure;
    expect(
      ASSUMED.formalNoticeComplianceInTime + (1 - ASSUMED.formalNoticeComplianceInTime) * late,
    ).toBeCloseTo(123 / 135, 4);
  });

  it('turns the 2023 fines total into a lognormal whose mean is the published mean per ordinary sanction', () => {
    const mean =
      (FIGURES.finesTotal2023.value - FIGURES.simplifiedFinesTotal2023.value) /
      FIGURES.ordinarySanctions2023.value;
    expect(Math.round(mean)).toBe(4_941_667);
    const { median, p90 } = calibrate()['sanction.fineOrdinary'];
    const sigma = Math.log(p90 / median) / 1.2815515655446004;
    expect(median * Math.exp((sigma * sigma) / 2)).toBeCloseTo(mean, -1);
    expect(lognormalP90FromMean(100, 100)).toBe(100); // mean = median: no spread
  });

  it('turns 15 liquidations / 62 injunctions with a penalty (2022–2025) into 75.8 % complying in time', () =>
    expect(calibrate()['injunction.complianceInTime']).toBe(0.7581));

  it('gives branch probabilities that sum to 1', () => {
    const c = calibrate();
    for (const b of [
      c['complaint.outcome'],
      c['inspection.method'],
      c['findings.outcome'],
      c['formalNotice.afterDeadline'],
    ])
      expect(Object.values(b).reduce((s, x) => s + x, 0)).toBeCloseTo(1, 6);
  });
});

describe('the parameter file params/cnil-2024.json', () => {
  it('states the calibrated value of every parameter derived from a figure', async () => {
    const { parameters: p } = await loadParams();
    const c = calibrate();
    expect(p['complaint.outcome'].branches).toEqual(c['complaint.outcome']);
    expect(p['complaint.fastTrack'].probability).toBe(c['complaint.fastTrack']);
    expect(p['complaint.fastTrackDays']).toMatchObject({ median: c['complaint.fastTrackDays.median'] });
    expect(p['inspection.method'].branches).toEqual(c['inspection.method']);
    expect(p['findings.outcome'].branches).toEqual(c['findings.outcome']);
    expect(p['formalNotice.public'].probability).toBe(c['formalNotice.public']);
    expect(p['formalNotice.complianceInTime'].probability).toBe(c['formalNotice.complianceInTime']);
    expect(p['formalNotice.afterDeadline'].branches).toEqual(c['formalNotice.afterDeadline']);
    expect(p['referral.simplified'].probability).toBe(c['referral.simplified']);
    expect(p['decision.dismissal'].probability).toBe(c['decision.dismissal']);
    expect(p['sanction.fine'].probability).toBe(c['sanction.fine']);
    expect(p['sanction.injunction'].probability).toBe(c['sanction.injunction']);
    expect(p['sanction.publicOrdinary'].probability).toBe(c['sanction.publicOrdinary']);
    expect(p['sanction.fineOrdinary']).toMatchObject(c['sanction.fineOrdinary']);
    expect(p['sanction.fineSimplified']).toMatchObject(c['sanction.fineSimplified']);
    expect(p['injunction.complianceInTime'].probability).toBe(c['injunction.complianceInTime']);
  });

  it('gives every parameter a source, a derivation and says whether it is an assumption', async () => {
    const { parameters, version, calibratedFrom } = await loadParams();
    expect(version).toBe(2);
    expect(calibratedFrom).toContain('docs/simulation.md (Calibration data)');
    expect(Object.keys(parameters).sort()).toEqual(Object.keys(PARAMETERS).sort());
    for (const [name, p] of Object.entries(parameters)) {
      expect(p.derivation.length, name).toBeGreaterThan(10);
      expect(p.source.year, name).toBeGreaterThanOrEqual(2019);
      if (!p.assumption) expect(p.source.url, `${name} comes from a figure: its URL`).toMatch(/^https:\/\//);
    }
  });

  it('refuses a file whose probability is out of range, naming the parameter and the field', async () => {
    const params = structuredClone(await loadParams());
    (params.parameters['formalNotice.public'] as { probability: number }).probability = 1.5;
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify(params));
    const error = await loadParams(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ParamsError);
    expect((error as ParamsError).issues).toEqual([
      { field: 'parameters["formalNotice.public"].probability', message: 'must be between 0 and 1' },
    ]);
  });

  it('refuses branches that do not sum to 1 and a missing parameter', async () => {
    const params = structuredClone(await loadParams()) as unknown as { parameters: Record<string, unknown> };
    (params.parameters['appeal.outcome'] as { branches: Record<string, number> }).branches.rejected = 0.5;
    delete params.parameters['sanction.fine'];
    const file = join(dir, 'bad2.json');
    writeFileSync(file, JSON.stringify(params));
    const error = (await loadParams(file).catch((e: unknown) => e)) as ParamsError;
    expect(error.issues.map((i) => i.field).sort()).toEqual([
      'parameters["appeal.outcome"].branches',
      'parameters["sanction.fine"]',
    ]);
  });
});
