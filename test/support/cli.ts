/**
 * The command line as a user runs it: `node --import tsx src/cli/main.ts …` as a real process,
 * "today" fixed by CNIL_TODAY, its exit code and both output streams returned (never thrown).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const CLI_TODAY = '2026-11-23';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export const runCli = async (
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<CliResult> => {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      env: { ...process.env, CNIL_TODAY: CLI_TODAY, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
};
