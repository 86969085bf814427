/**
 * `project rebuild | run [--follow] | status`: the projection runner from the command line.
 * Each batch of events and the checkpoint it reaches are committed together in the read-model
 * database, so a runner stopped at any point (even killed) resumes where it left off.
 */
import type { Command } from 'commander';
import {
  catchUp,
  DEFAULT_BATCH_SIZE,
  follow,
  type ProjectionStatus,
  readModelsStatus,
  type RunResult,
} from '../../projector/runner.ts';
import { storeIdentity } from '../../projector/identity.ts';
import { NotReadModelsError, ReadModelStoreMismatchError } from '../../projector/read-models.ts';
import { PARALLEL_REBUILD_THRESHOLD, rebuildReadModels } from '../../projector/parallel.ts';
import { createProgress, type Progress } from '../../projector/progress.ts';
import { parseStoreConnection } from '../../store/open.ts';
import type { EventStore } from '../../store/port.ts';
import {
  globals,
  InvalidInputError,
  openStore,
  parseWholeNumber,
  print,
  storeConnection,
} from '../common.ts';
import { type ReadModelOptions, readModelsOption, readModelsPath, withReadModels } from '../read-models.ts';

interface RunCommandOptions extends ReadModelOptions {
  readonly batchSize?: string;
  readonly follow?: boolean;
  readonly workers?: string;
}

const parseWorkers = (value: string | undefined): number | 'auto' =>
  value === undefined || value === 'auto'
    ? 'auto'
    : parseWholeNumber('--workers', value, { min: 1, max: 16, or: 'auto' });

const parseBatchSize = (value: string | undefined): number =>
  value === undefined
    ? DEFAULT_BATCH_SIZE
    : parseWholeNumber('--batch-size', value, { min: 1, max: 100_000 });

/**
 * A progress bar on stderr when it is a terminal: the events still to project are estimated from
 * the store's last global position, when the store can tell it cheaply (SQLite, memory).
 */
const progressFor = async (store: EventStore, checkpoint: number): Promise<Progress> => {
  if (!process.stderr.isTTY) return createProgress(process.stderr);
  const head = await store.headPosition?.();
  return createProgress(process.stderr, head === undefined ? {} : { total: Math.max(0, head - checkpoint) });
};

const batchSizeOption = (cmd: Command): Command =>
  cmd.option('--batch-size <n>', `events committed per transaction (default ${DEFAULT_BATCH_SIZE})`);

const summary = (verb: string, result: RunResult, ms: number): string =>
  `${verb}: ${result.delivered} event(s) delivered, ${result.stored} fact(s) projected, checkpoint ${result.checkpoint} (${ms} ms).`;

export function registerProject(program: Command): void {
  const project = program
    .command('project')
    .description('the projection runner: read models (deadlines, ledger, register…) kept in a SQLite file');

  readModelsOption(batchSizeOption(project.command('rebuild')))
    .description('drop the read models and project the whole store again from its first event')
    .option(
      '--workers <n>',
      `threads projecting a SQLite store, each a part of the cases (default auto: 2 from ${PARALLEL_REBUILD_THRESHOLD} case events on 2 cores or more)`,
    )
    .action(async (opts: RunCommandOptions, cmd: Command) => {
      const global = globals(cmd);
      const batchSize = parseBatchSize(opts.batchSize);
      const workers = parseWorkers(opts.workers);
      await withReadModels(global, { ...opts, rebuild: true }, async (store, readModels) => {
        const started = Date.now();
        const progress = await progressFor(store, readModels.checkpoint());
        const location = parseStoreConnection(storeConnection(global));
        const result = await rebuildReadModels(store, readModels, {
          ...(location.kind === 'sqlite' ? { sqlitePath: location.path } : {}),
          workers,
          batchSize,
          onBatch: progress.update,
          onFallback: () =>
            process.stderr.write('(the projection threads stopped: projecting on one thread)\n'),
        });
        progress.done();
        print(
          global.json,
          { readModels: readModels.path, store: readModels.store, ...result },
          summary('Rebuilt', result, Date.now() - started),
        );
      });
    });

  readModelsOption(batchSizeOption(project.command('run')))
    .description(
      'catch the read models up with the store; with --follow, keep them up to date until SIGINT/SIGTERM',
    )
    .option('--follow', 'stay live after catching up, until interrupted')
    .action(async (opts: RunCommandOptions, cmd: Command) => {
      const global = globals(cmd);
      const batchSize = parseBatchSize(opts.batchSize);
      await withReadModels(global, opts, async (store, readModels) => {
        const started = Date.now();
        if (!opts.follow) {
          const progress = await progressFor(store, readModels.checkpoint());
          const result = await catchUp(store, readModels, { batchSize, onBatch: progress.update });
          progress.done();
          print(
            global.json,
            { readModels: readModels.path, store: readModels.store, ...result },
            summary('Caught up', result, Date.now() - started),
          );
          return;
        }
        const stop = new AbortController();
        const onSignal = () => stop.abort();
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        try {
          const result = await follow(store, readModels, {
            batchSize,
            signal: stop.signal,
            onCaughtUp: (checkpoint) =>
              process.stderr.write(
                `Caught up at checkpoint ${checkpoint}; following the store (Ctrl-C to stop).\n`,
              ),
            onBatch: (b) => {
              if (b.stored > 0)
                process.stderr.write(`Projected ${b.stored} fact(s); checkpoint ${b.checkpoint}.\n`);
            },
          });
          print(
            global.json,
            { readModels: readModels.path, store: readModels.store, ...result },
            summary('Stopped', result, Date.now() - started),
          );
        } finally {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
        }
      });
    });

  readModelsOption(project.command('status'))
    .description(
      'the checkpoint of the read models, the head of the store, the lag, and each projection’s version',
    )
    .action(async (opts: ReadModelOptions, cmd: Command) => {
      const global = globals(cmd);
      // Read only: a file of an older layout is reported, not rebuilt; none is created.
      const connection = storeConnection(global);
      const path = readModelsPath(opts, connection);
      const store = await openStore(global, 'read');
      try {
        let status: ProjectionStatus;
        try {
          status = await readModelsStatus(store.raw, path, storeIdentity(connection));
        } catch (error) {
          if (error instanceof ReadModelStoreMismatchError || error instanceof NotReadModelsError)
            throw new InvalidInputError([{ field: '--read-models', message: error.message }]);
          throw error;
        }
        const layout =
          status.layout === 'none'
            ? ' (none yet: `project run` builds them)'
            : status.layout === 'outdated'
              ? ' (built by another version: the next `project run` rebuilds them from zero)'
              : '';
        print(
          global.json,
          status,
          [
            `Read models  ${status.readModels}${layout}`,
            `Store        ${status.store}`,
            `Checkpoint   ${status.checkpoint}`,
            `Head         ${status.head}`,
            `Lag          ${status.lag} event(s)${status.lag > 0 ? ' — run `project run` to catch up' : ''}`,
            `Cases        ${status.cases} (${status.facts} facts)`,
            `Projections  ${status.projections.map((p) => `${p.name} v${p.version}`).join(', ') || 'none'}`,
          ].join('\n'),
        );
      } finally {
        await store.close();
      }
    });
}
