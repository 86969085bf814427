/**
 * The command list that `cnil --help` shows without loading any command agrees with the commands
 * themselves, and every command and subcommand has examples in its help that parse.
 */
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram, COMMANDS, commandName } from '../../src/cli/main.ts';
import { EXAMPLES } from '../../src/cli/examples.ts';

const paths = (cmd: Command, prefix = ''): string[] =>
  cmd.commands
    .filter((c) => c.name() !== 'help')
    .flatMap((c) => {
      const path = `${prefix} ${c.name()}`.trim();
      return [path, ...paths(c, path)];
    });

describe('the lazily loaded command list', () => {
  it('names each command with the description the command gives itself', async () => {
    const program = await buildProgram();
    expect(program.commands.map((c) => c.name())).toEqual(Object.keys(COMMANDS));
    for (const cmd of program.commands)
      expect(COMMANDS[cmd.name()]?.description, cmd.name()).toBe(cmd.description());
  });

  it('loads only the command asked for', async () => {
    const program = await buildProgram(['--store', 'memory:', 'events']);
    const loaded = program.commands.filter((c) => c.options.length > 0 || c.registeredArguments.length > 0);
    expect(loaded.map((c) => c.name())).toEqual(['events']);
  });

  it('finds the command after global options and their values', () => {
    expect(commandName(['--store', 'sqlite:x.db', '--json', 'case', 'show', 'clearview'])).toBe('case');
    expect(commandName(['--keys', 'k.db', 'replay', 'clearview'])).toBe('replay');
    expect(commandName(['--version'])).toBeUndefined();
  });
});

describe('examples', () => {
  it('every command and subcommand has at least one, and no example names a command that does not exist', async () => {
    const program = await buildProgram();
    const all = paths(program);
    for (const path of all) expect(EXAMPLES[path]?.length ?? 0, path).toBeGreaterThan(0);
    expect(Object.keys(EXAMPLES).filter((p) => !all.includes(p))).toEqual([]);
  });

  it('every example parses: right command, known options (actions not run)', async () => {
    for (const [path, examples] of Object.entries(EXAMPLES))
      for (const example of examples) {
        const words = (example.split('|').at(-1) ?? '').trim().match(/'[^']*'|\S+/g) ?? [];
        const argv = words.slice(1).map((w) => w.replace(/^'|'$/g, ''));
        expect(words[0], example).toBe('cnil');
        const at = argv.indexOf(commandName(argv) ?? '');
        expect(argv.slice(at, at + path.split(' ').length).join(' '), example).toBe(path);
        const program = await buildProgram(argv);
        const stub = (cmd: Command): void => {
          cmd.exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
          cmd.action(() => undefined);
          cmd.commands.forEach(stub);
        };
        stub(program);
        await expect(program.parseAsync(argv, { from: 'user' }), example).resolves.toBeDefined();
      }
  });
});
