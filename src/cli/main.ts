/**
 * The command line (`cnil`). Exit codes: 0 done, 1 refused by the procedure or the law, 2 invalid
 * input, 3 the store or another part of the environment cannot be used. `--json` prints one JSON
 * document on stdout, results and errors alike; `--debug` (or CNIL_DEBUG=1) adds stack traces.
 *
 * Start-up is kept short: the arguments are read first and only the module of the command asked
 * for is loaded (each command lives in ./commands/, one file each). The top-level help lists every
 * command from {@link COMMANDS} without loading any of them.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import {
  EXIT,
  type ExitCode,
  type Failure,
  InvalidInputError,
  invalidFailure,
  RefusedError,
  refusedFailure,
} from './errors.ts';
import { EXAMPLES, examplesOf } from './examples.ts';

type Register = (program: Command) => void;

interface CommandEntry {
  /** Shown by `cnil --help`; the command's own description (a test checks that they agree). */
  readonly description: string;
  readonly load: () => Promise<Register>;
}

/** Every command, in the order `cnil --help` lists them. Add a command here and in ./examples.ts. */
export const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  replay: {
    description: 'record a sourced case history (idempotent) and show it',
    load: async () => (await import('./commands/replay.ts')).registerReplay,
  },
  case: {
    description: 'record and inspect cases',
    load: async () => (await import('./commands/case.ts')).registerCase,
  },
  events: {
    description: 'the event catalogue; with a type, its fields, an example and its JSON Schema',
    load: async () => (await import('./commands/events.ts')).registerEvents,
  },
  import: {
    description:
      'record many case histories from a file (datasets as in replay: one, an array, or JSON Lines); idempotent',
    load: async () => (await import('./commands/import.ts')).registerImport,
  },
  advance: {
    description:
      'deadline scheduler: record the …DeadlineElapsed facts due by a date on every case (idempotent)',
    load: async () => (await import('./commands/advance.ts')).registerAdvance,
  },
  forget: {
    description:
      'erase the personal data of a person (GDPR art. 17): record PersonalDataErased on their cases, delete their keys',
    load: async () => (await import('./commands/forget.ts')).registerForget,
  },
  verify: {
    description:
      'check that the record is sound and unaltered: integrity, revisions, hash chain, decoding, keys, read models',
    load: async () => (await import('./commands/verify.ts')).registerVerify,
  },
  project: {
    description: 'the projection runner: read models (deadlines, ledger, register…) kept in a SQLite file',
    load: async () => (await import('./commands/project.ts')).registerProject,
  },
  deadlines: {
    description: 'open deadlines of every case as of a date: due, or overdue (read models, caught up first)',
    load: async () => (await import('./commands/deadlines.ts')).registerDeadlines,
  },
  ledger: {
    description:
      'fines and penalty payments as of a date, per case, per year and in total (read models, caught up first)',
    load: async () => (await import('./commands/ledger.ts')).registerLedger,
  },
  register: {
    description:
      'the public register as of a date: published decisions, anonymised when due (read models, caught up first)',
    load: async () => (await import('./commands/register.ts')).registerRegister,
  },
  simulate: {
    description:
      'simulate procedure outcomes (Monte Carlo through the statechart), fresh or forked from a case',
    load: async () => (await import('./commands/simulate.ts')).registerSimulate,
  },
  diagram: {
    description: 'draw the procedure statechart (offline); with --case, the path of a case through it',
    load: async () => (await import('./commands/diagram.ts')).registerDiagram,
  },
  report: {
    description: 'write a self-contained HTML report of a case (works offline)',
    load: async () => (await import('./commands/report.ts')).registerReport,
  },
  serve: {
    description: 'browse cases and their reports locally in a browser (loopback only)',
    load: async () => (await import('./commands/serve.ts')).registerServe,
  },
  inspect: {
    description:
      "stream a case's history into the Stately inspector (https://stately.ai/inspect; needs internet)",
    load: async () => (await import('./commands/inspect.ts')).registerInspect,
  },
  export: {
    description: 'export cases for process mining: OCEL 2.0 (JSON, XML, SQLite), XES or a CSV event log',
    load: async () => (await import('./commands/export.ts')).registerExport,
  },
};

/** The version of the package, read from its package.json (beside src/ or dist/). */
export const packageVersion = (): string => {
  for (const up of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'cnil-enforcement' && pkg.version) return pkg.version;
    } catch {
      // not this level
    }
  }
  return 'unknown';
};

/** Global options that take a value (their value is not the command's name). */
const VALUED = new Set(['--store', '--keys']);

/** The command named in `argv` (the first word that is not a global option or its value). */
export const commandName = (argv: readonly string[]): string | undefined => {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (VALUED.has(arg)) i++;
    else if (!arg.startsWith('-')) return arg;
  }
  return undefined;
};

const GLOBAL_HELP = `
Stores: sqlite:<path> (default sqlite:./data/cnil.db, or CNIL_STORE), memory:, esdb://host:2113?tls=false.
Exit codes: 0 done, 1 refused by the procedure or the law, 2 invalid input, 3 store unusable.

Examples:
  $ cnil replay clearview                 the Clearview AI history, recorded and shown
  $ cnil case show clearview --as-of 2022-10-18
  $ cnil case next clearview              what the case accepts now
  $ cnil events FormalNoticeIssued        the fields of a fact, with an example
  $ cnil <command> --help                 options and examples of a command`;

/**
 * The program, with the command of `argv` loaded and every other one listed by name only.
 * Without `argv`, every command is loaded (documentation and tests).
 */
export const buildProgram = async (argv?: readonly string[]): Promise<Command> => {
  const program = new Command('cnil')
    .description('The CNIL enforcement procedure as an event-sourced statechart')
    .version(packageVersion(), '-V, --version', 'print the version')
    .option(
      '--store <connection>',
      'event store: sqlite:<path> | memory: | esdb://host:2113?tls=false (default sqlite:./data/cnil.db, or CNIL_STORE)',
    )
    .option(
      '--keys <path>',
      'key store of personal data, a SQLite file kept apart from the events (default: beside a sqlite store, ./data/keys.db for esdb; or CNIL_KEYS)',
    )
    .option('--json', 'print one JSON document on stdout, results and errors alike')
    .option('--debug', 'print the stack trace of an unexpected failure (or CNIL_DEBUG=1)')
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError()
    .addHelpText('after', GLOBAL_HELP);
  const wanted = argv === undefined ? undefined : commandName(argv);
  for (const [name, entry] of Object.entries(COMMANDS)) {
    if (argv === undefined || name === wanted) (await entry.load())(program);
    else program.command(name).description(entry.description);
  }
  const withExamples = (cmd: Command, path: string): void => {
    const examples = examplesOf(path);
    if (examples.length > 0)
      cmd.addHelpText('after', `\nExamples:\n${examples.map((e) => `  $ ${e}`).join('\n')}`);
    for (const sub of cmd.commands) withExamples(sub, `${path} ${sub.name()}`.trim());
  };
  for (const cmd of program.commands) withExamples(cmd, cmd.name());
  return program;
};

export { EXAMPLES };

/** What a failure of the environment or of the code prints. */
const failureOf = async (error: unknown, argv: readonly string[]): Promise<Failure> => {
  if (error instanceof InvalidInputError) return invalidFailure(error.issues);
  if (error instanceof RefusedError) return refusedFailure(error);
  const { ConcurrencyConflictError } = await import('../store/port.ts');
  if (error instanceof ConcurrencyConflictError) {
    // The case service decided again after each concurrent write and still lost the race.
    const message = `not recorded: other writers kept changing ${error.streamId} (${error.message}); nothing was written, run the command again`;
    return { exit: EXIT.refused, text: message, document: { error: { code: 'conflict', message } } };
  }
  if (error instanceof Error && UNUSABLE_KEYS.has(error.name))
    // The keys of personal data cannot be used: one line naming the case, the person, the file.
    return {
      exit: EXIT.unavailable,
      text: `error: ${error.message}`,
      document: { error: { code: 'unavailable', message: error.message } },
    };
  const { environmentFailure, displayStore } = await import('../store/failures.ts');
  const store = displayStore(storeArgument(argv) ?? process.env.CNIL_STORE ?? 'sqlite:./data/cnil.db');
  const unavailable = environmentFailure(error, store);
  if (unavailable) {
    const { store: shown, hint } = unavailable;
    return {
      exit: EXIT.unavailable,
      text: `store unavailable: ${unavailable.message}`,
      document: {
        error: { code: 'unavailable', message: unavailable.message, store: shown, ...(hint ? { hint } : {}) },
      },
    };
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return {
    exit: EXIT.unavailable,
    text: `error: ${message} (run again with --debug for the details)`,
    document: { error: { code: 'internal', message } },
  };
};

/** Errors of the key store (src/privacy/), matched by name so the CLI loads it only when used. */
const UNUSABLE_KEYS = new Set(['MissingKeyError', 'KeyStoreError']);

const storeArgument = (argv: readonly string[]): string | undefined => {
  const at = argv.indexOf('--store');
  if (at >= 0) return argv[at + 1];
  return argv.find((a) => a.startsWith('--store='))?.slice('--store='.length);
};

/** Runs the CLI and returns its exit code. */
export const main = async (argv: readonly string[]): Promise<ExitCode> => {
  let program: Command | undefined;
  // `--json` and `--debug` as commander read them: `--data --json` is data, not the flag.
  const flag = (name: 'json' | 'debug'): boolean =>
    program === undefined ? argv.includes(`--${name}`) : program.opts()[name] === true;
  const usage: string[] = [];
  try {
    program = await buildProgram(argv);
    // Every (sub)command throws on a usage error instead of exiting, so main() can exit 2 for it;
    // its message goes to stderr, or into the JSON error under --json.
    const override = (cmd: Command): void => {
      cmd.exitOverride().configureOutput({ writeErr: (s) => usage.push(s) });
      cmd.commands.forEach(override);
    };
    override(program);
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT.done;
  } catch (error) {
    const json = flag('json');
    if (error instanceof CommanderError) {
      if (
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.code === 'commander.help'
      )
        return EXIT.done;
      if (json) {
        const message = error.message.replace(/^error: /, '');
        process.stdout.write(`${JSON.stringify({ error: { code: 'invalid', message } }, null, 2)}\n`);
      } else process.stderr.write(usage.join(''));
      return EXIT.invalid;
    }
    const failure = await failureOf(error, argv);
    if (json && !(error instanceof RefusedError && error.reported))
      process.stdout.write(`${JSON.stringify(failure.document, null, 2)}\n`);
    else process.stderr.write(`${failure.text}\n`);
    if ((flag('debug') || process.env.CNIL_DEBUG === '1') && error instanceof Error)
      process.stderr.write(`${error.stack ?? error.message}\n`);
    return failure.exit;
  }
};

/**
 * When the reader of an output stream goes away (`cnil case history clearview | head`), the rest of
 * the output is dropped quietly, as Unix tools do, instead of a stack trace; the command itself
 * completes (a write to the store is never cut short) and exits with its own code.
 */
const dropOutputOnceReaderLeaves = (stream: NodeJS.WriteStream): void => {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
  });
};

/** Runs the CLI and sets the process's exit code (the `cnil` bin). */
export const run = (argv: readonly string[]): Promise<void> => {
  dropOutputOnceReaderLeaves(process.stdout);
  dropOutputOnceReaderLeaves(process.stderr);
  return main(argv).then((code) => {
    process.exitCode = code;
  });
};

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('src/cli/main.ts')) {
  void run(process.argv.slice(2));
}
