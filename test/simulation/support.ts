/** Shared starts and parameter variants for the simulation tests. */
import type { IsoDate } from '../../machines/dates.ts';
import { fold } from '../../machines/decider.ts';
import { loadParams, type SimulationParams } from '../../src/simulation/params.ts';
import { datasetStateAsOf, forkStart, freshStart } from '../../src/simulation/start.ts';
import type { StartSpec } from '../../src/simulation/run.ts';
import { caseOpened } from '../support/builders.ts';

export const defaultParams = (): Promise<SimulationParams> => loadParams();

/**
 * The default parameters with every complaint going further (no closure at the complaint stage)
 * and more appeals and extensions, so that few runs cover every path of the procedure.
 */
export const deepParams = async (): Promise<SimulationParams> => {
  const p = await loadParams();
  const q = structuredClone(p);
  q.parameters['complaint.outcome'].branches = {
    closed: 0,
    inspection: 0.5,
    formalNotice: 0.25,
    referral: 0.25,
  };
  q.parameters['findings.outcome'].branches = {
    closed: 0.2,
    reminder: 0.1,
    warning: 0.1,
    formalNotice: 0.35,
    referral: 0.25,
  };
  q.parameters['formalNotice.extension'].probability = 0.3;
  q.parameters['formalNotice.public'].probability = 0.5;
  q.parameters['formalNotice.complianceInTime'].probability = 0.3;
  q.parameters['referral.switchToOrdinary'].probability = 0.3;
  q.parameters['sanction.injunction'].probability = 0.7;
  q.parameters['injunction.complianceInTime'].probability = 0.3;
  q.parameters['liquidation.again'].probability = 0.6;
  q.parameters['appeal.ordinary'].probability = 0.6;
  q.parameters['appeal.simplified'].probability = 0.6;
  q.parameters['simplified.hearingRequested'].probability = 0.4;
  q.parameters['appeal.outcome'].branches = { rejected: 0.4, reformed: 0.3, annulled: 0.3 };
  return q;
};

/** Clearview AI as it stood on `asOf`, from the sourced dataset. */
export const clearviewAsOf = async (asOf: string): Promise<StartSpec> => {
  const { state } = await datasetStateAsOf('clearview', asOf as IsoDate);
  return forkStart(state, asOf as IsoDate);
};

/** A case opened on the CNIL's own initiative on 16 January 2023, forked on that day. */
export const ownInitiativeStart = (): StartSpec =>
  forkStart(fold([caseOpened({ origin: 'own-initiative' })]), '2023-01-16' as IsoDate);

/**
 * Starts that, together, reach every stage: fresh complaints before and after the 2022 decree, a
 * case opened on the CNIL's own initiative, and Clearview forks.
 */
export const variedStarts = async (): Promise<{ name: string; start: StartSpec }[]> => [
  { name: 'fresh complaint, 2025', start: freshStart('2025-01-06' as IsoDate) },
  { name: "opened on the CNIL's own initiative, 2023", start: ownInitiativeStart() },
  { name: 'fresh complaint, 2019 (before décret 2022-517)', start: freshStart('2019-03-01' as IsoDate) },
  ...(await Promise.all(
    ['2020-09-01', '2021-12-01', '2022-02-01', '2022-07-01', '2022-11-01', '2023-03-01', '2023-06-01'].map(
      async (d) => ({
        name: `Clearview as of ${d}`,
        start: await clearviewAsOf(d),
      }),
    ),
  )),
];
