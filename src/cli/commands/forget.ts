/**
 * `forget <personId>`: the right to erasure (GDPR art. 17) by crypto-shredding. Records a
 * `PersonalDataErased` fact on every case holding the person's data, deletes their keys, then
 * brings the read models (if any) up to date, so that every view shows "[personal data erased]".
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { type IsoDate, isIsoDate } from '../../../machines/dates.ts';
import { PersonalDataErased, PersonId } from '../../../machines/events.ts';
import { ERASED } from '../../../machines/personal-data.ts';
import { type ForgetOutcome, forgetPerson } from '../../privacy/forget.ts';
import {
  globals,
  InvalidInputError,
  print,
  RefusedError,
  storeConnection,
  today,
  withService,
} from '../common.ts';
import {
  type ReadModelOptions,
  readModelsOption,
  readModelsPath,
  withFreshReadModels,
} from '../read-models.ts';

type Erased = Extract<ForgetOutcome, { status: 'erased' }>;

const formatOutcome = (outcome: Erased, readModels: string | null): string =>
  [
    `Erased the personal data of ${outcome.personId}: ${outcome.keysDeleted} key(s) deleted.`,
    ...outcome.cases.map(
      (c) =>
        `  ${c.caseId}: PersonalDataErased ${c.erasure === 'recorded' ? 'recorded' : 'was already recorded'}`,
    ),
    `Their personal fields now read "${ERASED}" in every view${readModels ? ` (read models ${readModels} updated)` : ''}.`,
  ].join('\n');

export function registerForget(program: Command): void {
  readModelsOption(
    program
      .command('forget')
      .description(
        'erase the personal data of a person (GDPR art. 17): record PersonalDataErased on their cases, delete their keys',
      )
      .argument('<personId>', "the person's pseudonymous id (complainant.personId, shown by `case history`)")
      .addOption(
        new Option('--ground <ground>', 'GDPR art. 17(1) ground (default data-subject-request)').choices(
          PersonalDataErased.shape.data.shape.ground.options,
        ),
      )
      .option('--on <date>', 'date of the erasure (default: today)'),
  ).action(
    async (
      personId: string,
      opts: ReadModelOptions & { ground?: PersonalDataErased['data']['ground']; on?: string },
      cmd: Command,
    ) => {
      const global = globals(cmd);
      const id = PersonId.safeParse(personId);
      if (!id.success)
        throw new InvalidInputError([
          { field: 'personId', message: id.error.issues[0]?.message ?? 'invalid' },
        ]);
      if (opts.on !== undefined && !isIsoDate(opts.on))
        throw new InvalidInputError([{ field: '--on', message: `${opts.on} is not a date YYYY-MM-DD` }]);
      const on = (opts.on ?? today()) as IsoDate;
      const { outcome, registered } = await withService(global, async (service, store) => ({
        outcome: await forgetPerson(store, service, {
          personId: id.data,
          on,
          ground: opts.ground ?? 'data-subject-request',
        }),
        registered: store.keys.readModelFiles(),
      }));
      if (outcome.status === 'invalid')
        throw new InvalidInputError(
          outcome.issues.map((i) => ({ ...i, field: i.field.replace(/^data\.on$/, '--on') })),
        );
      if (outcome.status === 'refused')
        throw new RefusedError(`case ${outcome.caseId}: ${outcome.refusal.message}; no key was deleted`);
      // Every read-model file following this store (the one named, and those registered) records
      // the erasure now. They hold no personal data, only the person id: their views say "erased".
      const paths = [
        ...new Set([resolve(readModelsPath(opts, storeConnection(global))), ...registered]),
      ].filter((p) => existsSync(p));
      const updated: string[] = [];
      for (const path of paths)
        await withFreshReadModels(global, { readModels: path }, () => path).then(
          () => updated.push(path),
          (error: unknown) =>
            process.stderr.write(
              `note: the read models in ${path} were not updated (${(error as Error).message})\n`,
            ),
        );
      print(
        global.json,
        { ...outcome, readModels: updated },
        formatOutcome(outcome, updated.length === 0 ? null : updated.join(', ')),
      );
    },
  );
}
