/** The document `simulate --json` prints: what was simulated (start, seed, parameters), then the report. */
import type { Report } from './stats.ts';

export interface SimulationDocument extends Report {
  readonly simulation: {
    readonly runs: number;
    readonly seed: number;
    readonly engine: 'fast' | 'xstate';
    readonly params: { readonly version: number; readonly calibratedFrom: string; readonly file: string };
    readonly horizonDays: number;
    readonly start:
      | { readonly kind: 'fresh'; readonly date: string }
      | {
          readonly kind: 'fork';
          readonly source: string;
          readonly caseId: string;
          readonly asOf: string;
          readonly stage: string | null;
          readonly state: string;
          readonly facts: number;
        };
    readonly assumptions: readonly { readonly event: string; readonly on: string }[];
  };
}
