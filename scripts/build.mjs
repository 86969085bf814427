#!/usr/bin/env node
/**
 * `npm run build`: compiles machines/, projections/ and src/ to dist/ (JavaScript and .d.ts), copies
 * the data files the library reads at run time (the sourced datasets and the simulation parameters)
 * and makes the `cnil` bin executable.
 *
 * `npm ci`/`npm install` run it through `prepare`, with `--if-possible`: where the TypeScript
 * compiler is not installed (`npm ci --omit=dev` after a build), an existing dist/ is kept as it is.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const ifPossible = process.argv.includes('--if-possible');

let tsc;
try {
  tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
} catch {
  if (ifPossible && existsSync(join(dist, 'src/cli/bin.js'))) process.exit(0);
  console.error(
    ifPossible
      ? 'cnil-enforcement: dist/ is missing and the TypeScript compiler is not installed: run `npm ci` (with dev dependencies) once to build.'
      : 'build: the TypeScript compiler is not installed: run `npm ci` first.',
  );
  process.exit(1);
}

rmSync(dist, { recursive: true, force: true });
const compiled = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], {
  stdio: 'inherit',
});
if (compiled.status !== 0) process.exit(compiled.status ?? 1);

// Data read with readFile(new URL('./x.json', import.meta.url)) at run time, not imported.
const assets = readdirSync(join(root, 'src'), { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.json'))
  .map((file) => join('src', file));
for (const file of assets) {
  mkdirSync(dirname(join(dist, file)), { recursive: true });
  cpSync(join(root, file), join(dist, file));
}
chmodSync(join(dist, 'src/cli/bin.js'), 0o755);
