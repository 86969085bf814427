/** `replay <dataset> [--as-of D]` — record a sourced case history (idempotent) and show it. */
import type { Command } from 'commander';
import { caseViewAsOf } from '../../../projections/case-state.ts';
import { buildTimeline } from '../../../projections/timeline.ts';
import { DATASETS, type DatasetName, loadDataset, replayDataset } from '../../history/dataset.ts';
import { check, globals, InvalidInputError, parseAsOf, print, withService } from '../common.ts';
import { RefusedError } from '../errors.ts';
import { formatCaseView, formatTimeline } from '../format.ts';

/** Dataset names, and `clearview` for the Clearview AI history. */
const datasetOf = (name: string): DatasetName => {
  if (!(DATASETS as readonly string[]).includes(name))
    throw new InvalidInputError([
      { field: 'dataset', message: `unknown dataset ${name}; known: ${DATASETS.join(', ')}` },
    ]);
  return name as DatasetName;
};

export const registerReplay = (program: Command): void => {
  program
    .command('replay')
    .description('record a sourced case history (idempotent) and show it')
    .argument('<dataset>', `one of: ${DATASETS.join(', ')}`)
    .option('--as-of <date>', 'show the case as it stood on this date (default: today)')
    .action(async (name: string, opts: { asOf?: string }, cmd: Command) => {
      const global = globals(cmd);
      const dataset = await loadDataset(datasetOf(name));
      const asOf = parseAsOf(opts.asOf);
      await withService(global, async (service) => {
        const replayed = await replayDataset(service, dataset);
        if (replayed.status === 'refused' && replayed.refusal.kind === 'RuleViolated') {
          const stored = (await service.load(dataset.caseId)).facts.length;
          // A newer version of the dataset adds acts dated before acts already stored: an event
          // store only grows at its end (docs/legal-sources.md, "The Clearview record").
          if (stored > 0 && replayed.refusal.rule === 'chronology') {
            const { message, rule, basis, state, stage } = replayed.refusal;
            throw new RefusedError(
              `${message}. The store holds ${stored} fact(s) of an earlier version of dataset ${name}, and this version adds acts dated before them; replay it into a new store (--store sqlite:<new file>)`,
              { rule, basis, state, stage },
            );
          }
        }
        const outcome = check(replayed);
        const history = await service.load(dataset.caseId);
        const view = caseViewAsOf(dataset.caseId, history.facts, asOf);
        const rows = buildTimeline(history.facts.filter((f) => f.event.data.on <= asOf));
        process.stderr.write(
          `${dataset.title}\n${outcome.facts.length} fact(s) appended, ${outcome.unchanged} already stored.\n`,
        );
        print(global.json, view, `${formatTimeline(rows)}\n\n${formatCaseView(view)}`);
      });
    });
};
