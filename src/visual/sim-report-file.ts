/** Writes the simulation report (sim-report.ts) of one scenario, or two side by side. */
import { writeFile } from 'node:fs/promises';
import type { Aggregate } from '../simulation/aggregate.ts';
import type { SimulationDocument } from '../simulation/document.ts';
import type { SimulationParams } from '../simulation/params.ts';
import { assumptionsOf, renderSimReportHtml, type Scenario } from './sim-report.ts';

interface Result {
  readonly doc: SimulationDocument;
  readonly aggregate: Aggregate;
}

/** Names the scenarios by their what-ifs: 'A — InjunctionComplied on 2023-01-01', 'B — no what-if'. */
export const scenariosOf = (first: Result, second: Result | null): Scenario[] =>
  second === null
    ? [{ name: assumptionsOf(first.doc), ...first }]
    : [
        { name: `A — ${assumptionsOf(first.doc)}`, ...first },
        { name: `B — ${assumptionsOf(second.doc)}`, ...second },
      ];

/** Writes the page; returns its size in bytes. */
export const writeSimReport = async (
  file: string,
  params: SimulationParams,
  first: Result,
  second: Result | null,
): Promise<number> => {
  const html = renderSimReportHtml({ scenarios: scenariosOf(first, second), params });
  await writeFile(file, html);
  return Buffer.byteLength(html);
};
