/**
 * `report <caseId|clearview> [--as-of D] --out report.html` — one self-contained HTML page:
 * the statechart with the case's path, the timeline with sources, open deadlines, penalty chart.
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { globals, parseAsOf, print } from '../common.ts';
import { loadCase, TARGET_HELP } from './case-target.ts';

export const registerReport = (program: Command): void => {
  program
    .command('report')

    .description('write a self-contained HTML report of a case (works offline)')
    .argument('<case>', TARGET_HELP)
    .option('--as-of <date>', 'the case as it stood on this date (default: today)')
    .requiredOption('--out <file>', 'the HTML file to write, e.g. report.html, or - for standard output')
    .action(async (target: string, opts: { asOf?: string; out: string }, cmd: Command) => {
      const global = globals(cmd);
      const asOf = parseAsOf(opts.asOf);
      const c = await loadCase(target, global);
      // Loaded on use: Graphviz (WebAssembly) is not needed by other commands.
      const { reportHtml } = await import('../../visual/report.ts');
      const html = await reportHtml(c, asOf);
      if (opts.out === '-') {
        process.stdout.write(html);
        return;
      }
      await writeFile(opts.out, html);
      const bytes = Buffer.byteLength(html);
      print(
        global.json,
        { file: opts.out, bytes, title: c.title, asOf },
        `Wrote ${opts.out} (${Math.round(bytes / 1024)} KB): ${c.title}, as of ${asOf}.`,
      );
    });
};
