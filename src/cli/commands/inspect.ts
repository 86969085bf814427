/**
 * `inspect <caseId|clearview> [--as-of D] [--speed ms] [--record file.jsonl] [--port N]` —
 * streams the case's facts, in order, through a live actor into the Stately inspector (a local
 * bridge page embedding https://stately.ai/inspect: needs internet), and/or records the
 * inspection events to a JSON Lines file for later.
 */
import type { Command } from 'commander';
import { factsAsOf } from '../../../projections/fact.ts';
import {
  DEFAULT_INSPECTOR_HOST,
  DEFAULT_INSPECTOR_PORT,
  HOSTED_INSPECTOR_URL,
} from '../../visual/inspector-url.ts';
import { globals, parseAsOf, print } from '../common.ts';
import { loadCase, parseMillis, parsePort, TARGET_HELP } from './case-target.ts';

/** Default pause between two facts while serving: slow enough to watch each step. */
export const DEFAULT_SPEED_MS = 400;

export const registerInspect = (program: Command): void => {
  program
    .command('inspect')

    .description(
      `stream a case's history into the Stately inspector (${HOSTED_INSPECTOR_URL}; needs internet)`,
    )
    .argument('<case>', TARGET_HELP)
    .option('--as-of <date>', 'the facts up to this date (default: today)')
    .option(
      '--speed <ms>',
      `milliseconds between two facts (default ${DEFAULT_SPEED_MS} when serving, 0 when only recording)`,
    )
    .option('--record <file>', 'write the inspection events to this JSON Lines file (works offline)')
    .option('--port <port>', `port of the local bridge page (default ${DEFAULT_INSPECTOR_PORT})`)
    .option(
      '--host <address>',
      `address the bridge listens on (default ${DEFAULT_INSPECTOR_HOST}: this machine only; 0.0.0.0 opens it to the network)`,
    )
    .option(
      '--include-personal-data',
      'send and record complainants’ names and contacts as they are (withheld by default)',
    )
    .option('--serve', 'serve the bridge page (the default unless --record is given)')
    .option('--no-serve', 'do not serve the bridge page')
    .action(
      async (
        target: string,
        opts: {
          asOf?: string;
          speed?: string;
          record?: string;
          port?: string;
          host?: string;
          serve?: boolean;
          includePersonalData?: boolean;
        },
        cmd: Command,
      ) => {
        const asOf = parseAsOf(opts.asOf);
        const serve = opts.serve ?? opts.record === undefined;
        const speedMs = parseMillis('--speed', opts.speed, serve ? DEFAULT_SPEED_MS : 0);
        const port = parsePort(opts.port, DEFAULT_INSPECTOR_PORT);
        const c = await loadCase(target, globals(cmd));
        const facts = factsAsOf(c.facts, asOf);
        const includePersonalData = opts.includePersonalData === true;
        const { personalFieldsOf } = await import('../../../machines/personal-data.ts');
        const personal = facts.filter((f) => personalFieldsOf(f.event.type)).length;
        if (includePersonalData && personal > 0)
          // The person running the command is told what leaves the machine, before it does.
          process.stderr.write(
            `Personal data included: the names and contacts in ${personal} fact(s) of ${c.caseId} will be ` +
              [
                ...(opts.record === undefined ? [] : [`written in clear to ${opts.record}`]),
                ...(serve
                  ? [
                      `sent to the bridge page and, through it, to the hosted inspector ${HOSTED_INSPECTOR_URL} (outside this machine)`,
                    ]
                  : []),
              ].join(', and ') +
              '.\n',
          );
        // Loaded on use: the inspector's client and server are not needed by other commands.
        const { inspectFacts } = await import('../../visual/inspect.ts');
        const inspection = await inspectFacts(c.caseId, facts, {
          speedMs,
          ...(opts.record === undefined ? {} : { record: opts.record }),
          ...(serve ? { port, host: opts.host ?? DEFAULT_INSPECTOR_HOST } : {}),
          includePersonalData,
          onListening: (url) =>
            process.stdout.write(
              `Open ${url} in a browser: it embeds the Stately inspector (${HOSTED_INSPECTOR_URL}), which needs internet.\n` +
                (includePersonalData
                  ? ''
                  : 'Personal data are withheld (--include-personal-data to send them).\n') +
                `Streaming ${facts.length} fact(s) of ${c.caseId} as of ${asOf}, ${speedMs} ms apart…\n`,
            ),
          onFact: (fact, state) =>
            process.stderr.write(`  ${fact.event.data.on}  ${fact.event.type}  → ${state}\n`),
        });
        if (opts.record !== undefined)
          print(
            globals(cmd).json,
            { file: opts.record, events: inspection.events, caseId: c.caseId, asOf },
            `Recorded ${inspection.events} inspection event(s) to ${opts.record}.`,
          );
        if (inspection.url !== null) {
          process.stdout.write(`Done. Still serving ${inspection.url} — press Ctrl-C to stop.\n`);
          await new Promise<void>((resolve) => {
            process.once('SIGINT', resolve);
            process.once('SIGTERM', resolve);
          });
          await inspection.stop();
        }
      },
    );
};
