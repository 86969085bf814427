/**
 * `serve [--port N]` — browse the cases of the store and the sourced datasets locally
 * (http://127.0.0.1:<port>): each case's report, on any date, and the procedure's diagram.
 */
import { once } from 'node:events';
import type { Command } from 'commander';
import { globals, openStore, storeConnection, today } from '../common.ts';
import { parsePort } from './case-target.ts';

export const DEFAULT_SERVE_PORT = 8081;

export const registerServe = (program: Command): void => {
  program
    .command('serve')

    .description('browse cases and their reports locally in a browser (loopback only)')
    .option('--port <port>', `port (default ${DEFAULT_SERVE_PORT})`)
    .action(async (opts: { port?: string }, cmd: Command) => {
      const port = parsePort(opts.port, DEFAULT_SERVE_PORT);
      const global = globals(cmd);
      const connection = storeConnection(global);
      const store = await openStore(global, 'read');
      // Loaded on use: Graphviz (WebAssembly) is not needed by other commands.
      const { createCaseServer } = await import('../../visual/serve.ts');
      const server = createCaseServer({ store, origin: connection, today });
      server.listen(port, '127.0.0.1');
      await once(server, 'listening');
      process.stdout.write(`Browse http://127.0.0.1:${port} — press Ctrl-C to stop.\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      server.close();
      await store.close();
    });
};
