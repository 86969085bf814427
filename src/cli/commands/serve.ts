/**
 * `serve [--port N]` — browse the cases of the store and the sourced datasets locally
 * (http://127.0.0.1:<port>): a paginated index of the cases from the read models (caught up with
 * the store before each answer), each case's report, on any date, and the procedure's diagram.
 */
import { once } from 'node:events';
import type { Command } from 'commander';
import { globals, storeConnection, today } from '../common.ts';
import { type ReadModelOptions, readModelsOption, withReadModels } from '../read-models.ts';
import { parsePort } from './case-target.ts';

export const DEFAULT_SERVE_PORT = 8081;

export const registerServe = (program: Command): void => {
  readModelsOption(program.command('serve'))
    .description('browse cases and their reports locally in a browser (loopback only)')
    .option('--port <port>', `port (default ${DEFAULT_SERVE_PORT})`)
    .action(async (opts: ReadModelOptions & { port?: string }, cmd: Command) => {
      const port = parsePort(opts.port, DEFAULT_SERVE_PORT);
      const global = globals(cmd);
      const connection = storeConnection(global);
      // Only reads: without a read-model file, the read models are built in memory.
      await withReadModels(global, { ...opts, mode: 'read' }, async (raw, readModels, store) => {
        // Loaded on use: Graphviz (WebAssembly) is not needed by other commands.
        const [{ createCaseServer }, { catchUp }] = await Promise.all([
          import('../../visual/serve.ts'),
          import('../../projector/runner.ts'),
        ]);
        // Caught up once before listening: the first page then waits for nothing new.
        await catchUp(raw, readModels);
        const server = createCaseServer({
          store,
          readModels,
          readModelsStore: raw,
          origin: connection,
          today,
        });
        server.listen(port, '127.0.0.1');
        await once(server, 'listening');
        process.stdout.write(`Browse http://127.0.0.1:${port} — press Ctrl-C to stop.\n`);
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await closed;
      });
    });
};
