/**
 * The command line as a user runs it: a real process, a real SQLite file, exit codes 0/1/2.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaseService } from '../../src/cases/service.ts';
import { loadDataset, replayDataset } from '../../src/history/dataset.ts';
import { createSqliteEventStore } from '../../src/store/sqlite.ts';
import { CLI_TODAY, type CliResult, runCli } from '../support/cli.ts';

let dir: string;
let store: string;

const cli = (...args: string[]): Promise<CliResult> => runCli(['--store', store, ...args]);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cnil-cli-'));
  store = `sqlite:${join(dir, 'cnil.db')}`;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('replay clearview', () => {
  it('prints the timeline and the final state, then appends nothing the second time', async () => {
    const first = await cli('replay', 'clearview');
    expect(first.code).toBe(0);
    expect(first.stderr).toContain('28 fact(s) appended, 0 already stored');
    expect(first.stdout).toMatch(/2021-11-26 +Formal notice served.+MED-2021-134 +formalNotice/);
    expect(first.stdout).toMatch(
      /2023-04-13 +Penalty liquidated — 5 200 000 €.+SAN-2023-005 +penaltyLiquidation/,
    );
    expect(first.stdout).toContain('Fines imposed   20 000 000 €');
    expect(first.stdout).toContain('Liquidated      5 200 000 €');
    const second = await cli('replay', 'clearview');
    expect(second.stderr).toContain('0 fact(s) appended, 28 already stored');
  });

  it('onto a store holding an earlier version of the dataset (without its notifications), refuses with exit 1, says why, and writes nothing', async () => {
    const oldStore = join(dir, 'clearview-v2.db');
    const sqlite = createSqliteEventStore(oldStore);
    const dataset = await loadDataset('clearview');
    // Version 2: without the notifications (version 3) and MEDP-2021-002's publication and anonymisations (version 4).
    const added4 = [
      'F12-bureau-deliberation-published',
      'F12a-formal-notice-anonymised',
      'F12b-bureau-deliberation-anonymised',
    ];
    const earlier = {
      ...dataset,
      events: dataset.events.filter((e) => e.type !== 'DecisionNotified' && !added4.includes(e.key)),
    };
    expect(
      await replayDataset(createCaseService({ store: sqlite, today: () => CLI_TODAY }), earlier),
    ).toMatchObject({ status: 'recorded' });
    await sqlite.close();
    const before = readFileSync(oldStore);

    const { code, stderr } = await runCli(['--store', `sqlite:${oldStore}`, 'replay', 'clearview']);
    expect(code).toBe(1);
    expect(stderr).toContain('DecisionNotified refused by rule chronology');
    expect(stderr).toContain('The store holds 22 fact(s) of an earlier version of dataset clearview');
    expect(readFileSync(oldStore)).toEqual(before);
  });

  it('--json prints exactly the fields of the case view', async () => {
    const { code, stdout } = await cli('replay', 'clearview', '--as-of', '2023-04-13', '--json');
    expect(code).toBe(0);
    const view = JSON.parse(stdout);
    expect(Object.keys(view)).toEqual([
      'caseId',
      'asOf',
      'stage',
      'state',
      'revision',
      'fines',
      'penalty',
      'due',
      'deadlines',
      'lastEvent',
    ]);
    expect(view).toMatchObject({
      caseId: 'clearview-ai',
      asOf: '2023-04-13',
      stage: 'penaltyLiquidation',
      revision: 23,
      fines: { imposed: 20_000_000 },
      penalty: {
        ratePerDay: 100_000,
        daysOfDelay: 115,
        accrued: 11_500_000,
        liquidated: 5_200_000,
        // 115 days of delay, 52 of them liquidated by SAN-2023-005: 63 × 100 000 €, not owed (D art. 44).
        accruedNotLiquidated: 6_300_000,
      },
      due: { finesImposed: 20_000_000, penaltiesLiquidated: 5_200_000, reducedByCourt: 0, total: 25_200_000 },
      lastEvent: { type: 'PenaltyLiquidated', on: '2023-04-13' },
    });
  });
});

describe('case commands', () => {
  it('opens a case, records facts and shows it as of a date', async () => {
    const open = await cli(
      'case',
      'open',
      'acme-sas',
      '--data',
      '{"on":"2024-01-15","controller":{"name":"Acme SAS","country":"FR","euEstablishment":true},"origin":"complaint"}',
    );
    expect(open.code).toBe(0);
    expect(open.stdout).toContain('Opened case acme-sas (revision 0)');
    const inspect = await cli(
      'case',
      'record',
      'acme-sas',
      'InspectionOpened',
      '--data',
      '{"on":"2024-02-01","method":"online"}',
    );
    expect(inspect.code).toBe(0);
    const shown = await cli('case', 'show', 'acme-sas', '--as-of', '2024-01-20', '--json');
    expect(JSON.parse(shown.stdout)).toMatchObject({ stage: 'complaint', revision: 0 });
    const history = await cli('case', 'history', 'acme-sas');
    expect(history.stdout).toMatch(/#1 +2024-02-01 +InspectionOpened/);
  });

  it('exits 1 when the procedure refuses, naming the state and the events it accepts', async () => {
    const { code, stderr } = await cli(
      'case',
      'record',
      'acme-sas',
      'HearingHeld',
      '--data',
      '{"on":"2024-03-01"}',
    );
    expect(code).toBe(1);
    expect(stderr).toContain('HearingHeld is not allowed in state inspection.inProgress');
    expect(stderr).toContain('InspectionCompleted');
  });

  it('exits 1 when the law refuses, citing the rule', async () => {
    await cli(
      'case',
      'record',
      'acme-sas',
      'InspectionCompleted',
      '--data',
      '{"on":"2024-02-10","breaches":["6"]}',
    );
    const { code, stderr } = await cli(
      'case',
      'record',
      'acme-sas',
      'FormalNoticeIssued',
      '--data',
      '{"on":"2024-03-01","reference":"MED-2024-9","breaches":["6"],"deadline":"2024-03-05","urgency":false}',
    );
    expect(code).toBe(1);
    expect(stderr).toContain('formalNoticeMinimumPeriod');
    expect(stderr).toContain('D art. 38');
  });

  it.each([
    [['case', 'record', 'acme-sas', 'InspectionCompleted', '--data', '{"on":"2024-03-01"'], '--data'],
    [['case', 'record', 'acme-sas', 'InspectionCompleted', '--data', '{"on":"2024-03-01"}'], 'data.breaches'],
    [['case', 'record', 'acme-sas', 'NoSuchEvent', '--data', '{"on":"2024-03-01"}'], 'type'],
    [['case', 'show', 'acme-sas', '--as-of', '2024-13-01'], '--as-of'],
    [['case', 'show', 'Not A Case'], 'caseId'],
    [['replay', 'nothing'], 'dataset'],
  ])('exits 2 on invalid input %j, naming %s', async (args, field) => {
    const { code, stderr } = await cli(...args);
    expect(code).toBe(2);
    expect(stderr).toContain(field);
  });

  it('exits 2 on an unknown command', async () => {
    expect((await cli('frobnicate')).code).toBe(2);
  });
});
