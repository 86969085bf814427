/**
 * Start-up of the `cnil` command as installed (the compiled bin, dist/src/cli/bin.js, run by
 * plain node): `cnil --help`, `cnil case show clearview-ai` on a store where Clearview is
 * replayed, and the idempotent `npm start` path (`cnil replay clearview` a second time). Each is
 * timed as a whole process, wall clock, against `node -e 0` measured in the same rounds; rounds
 * alternate the four commands and the median of each counts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const BIN = resolve('dist/src/cli/bin.js');

/** The default store of the temporary folder, whatever the caller's environment names. */
const ENV = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !['CNIL_STORE', 'CNIL_KEYS', 'CNIL_READ_MODELS'].includes(k)),
);

const wall = (args: readonly string[], cwd: string): number => {
  const t = performance.now();
  const r = spawnSync(process.execPath, args, { cwd, stdio: 'ignore', env: ENV });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited with ${r.status}`);
  return ms;
};

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

export interface StartupFigures {
  readonly command: string;
  readonly rounds: number;
  readonly nodeMs: number;
  readonly helpMs: number;
  readonly showMs: number;
  readonly replayMs: number;
  readonly helpRatio: number;
  readonly showRatio: number;
  readonly replayRatio: number;
  readonly targets: Record<
    'help' | 'show' | 'replay',
    { readonly target: number; readonly reached: boolean }
  >;
}

export const startup = (rounds = 15): StartupFigures => {
  if (!existsSync(BIN)) throw new Error('dist/ is missing: run `npm run build` first');
  const dir = mkdtempSync(join(tmpdir(), 'cnil-startup-'));
  try {
    wall([BIN, 'replay', 'clearview'], dir); // the store, once
    const times = {
      node: [] as number[],
      help: [] as number[],
      show: [] as number[],
      replay: [] as number[],
    };
    for (let r = 0; r < rounds + 1; r++) {
      const round = {
        node: wall(['-e', '0'], dir),
        help: wall([BIN, '--help'], dir),
        show: wall([BIN, 'case', 'show', 'clearview-ai'], dir),
        replay: wall([BIN, 'replay', 'clearview'], dir),
      };
      if (r === 0) continue; // warm-up: file cache
      for (const k of Object.keys(times) as (keyof typeof times)[]) times[k].push(round[k]);
    }
    const nodeMs = median(times.node);
    const ms = (k: keyof typeof times) => Math.round(median(times[k]));
    const ratio = (k: keyof typeof times) => Number((median(times[k]) / nodeMs).toFixed(2));
    return {
      command: 'node dist/src/cli/bin.js … (the installed `cnil`), wall clock per process, median of rounds',
      rounds,
      nodeMs: Math.round(nodeMs),
      helpMs: ms('help'),
      showMs: ms('show'),
      replayMs: ms('replay'),
      helpRatio: ratio('help'),
      showRatio: ratio('show'),
      replayRatio: ratio('replay'),
      targets: {
        help: { target: 3, reached: ratio('help') <= 3 },
        show: { target: 5, reached: ratio('show') <= 5 },
        replay: { target: 6, reached: ratio('replay') <= 6 },
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

if (process.argv[1]?.endsWith('bench/startup.ts'))
  process.stdout.write(`${JSON.stringify(startup(), null, 2)}\n`);
