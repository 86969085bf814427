/**
 * Starting a worker thread on a module of this package, from the sources (TypeScript, loaded
 * through tsx's API) as from the build (dist/, plain JavaScript). Node 20 does not apply
 * `execArgv: ['--import', 'tsx']` to worker threads; this works under tsx, vitest and node alike.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * The code a worker evaluates to import `module` (the URL of a `.ts` file beside the caller, whose
 * `.js` twin is imported when the caller itself is compiled).
 */
const bootstrap = (module: URL): string => {
  if (!module.href.endsWith('.ts')) return `import(${JSON.stringify(module.href)});`;
  const api = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api')).href.replace(
    /\.cjs$/,
    '.mjs',
  );
  return `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(module.href)}); });`;
};

/**
 * A worker thread running `module`. Pass `new URL('./worker.ts', import.meta.url)` from a source
 * file: from the build the URL is rewritten to its `.js` twin.
 */
export const startWorker = (module: URL, workerData: unknown): Worker => {
  const compiled = import.meta.url.endsWith('.js');
  const url = compiled ? new URL(module.href.replace(/\.ts$/, '.js')) : module;
  return new Worker(bootstrap(url), { eval: true, workerData });
};
