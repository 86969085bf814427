/**
 * `events [Type] [--json-schema]` — the event catalogue: every fact the procedure knows, who acts
 * and on what legal basis; for one type, its fields, an example, and its JSON Schema.
 */
import type { Command } from 'commander';
import { CATALOGUE } from '../../../machines/catalogue.ts';
import { EVENT_EXAMPLES } from '../../../machines/examples.ts';
import { EVENT_TYPES, type EventType, isEventType } from '../../../machines/events.ts';
import { eventDataJsonSchema, eventFields } from '../../../machines/json-schema.ts';
import { CURRENT_VERSION } from '../../../machines/versions.ts';
import { globals, InvalidInputError, print } from '../common.ts';
import { table } from '../format.ts';

const describe = (type: EventType) => ({
  type,
  ...CATALOGUE[type],
  schemaVersion: CURRENT_VERSION[type],
  fields: eventFields(type),
  example: { type, data: EVENT_EXAMPLES[type] },
});

export const registerEvents = (program: Command): void => {
  program
    .command('events')
    .description('the event catalogue; with a type, its fields, an example and its JSON Schema')
    .argument('[type]', 'an event type, e.g. FormalNoticeIssued')
    .option('--json-schema', "print the JSON Schema of the event's data (draft 2020-12)")
    .action((type: string | undefined, opts: { jsonSchema?: boolean }, cmd: Command) => {
      const global = globals(cmd);
      if (type === undefined) {
        if (opts.jsonSchema)
          throw new InvalidInputError([{ field: '--json-schema', message: 'needs an event type' }]);
        print(
          global.json,
          EVENT_TYPES.map((t) => ({ type: t, ...CATALOGUE[t], schemaVersion: CURRENT_VERSION[t] })),
          table(
            ['Event', 'Label', 'Libellé', 'Actor', 'Basis'],
            EVENT_TYPES.map((t) => [
              t,
              CATALOGUE[t].label,
              CATALOGUE[t].labelFr,
              CATALOGUE[t].actor,
              CATALOGUE[t].basis,
            ]),
          ),
        );
        return;
      }
      if (!isEventType(type))
        throw new InvalidInputError([
          { field: 'type', message: `unknown event type ${type}; \`cnil events\` lists them` },
        ]);
      if (opts.jsonSchema) {
        process.stdout.write(`${JSON.stringify(eventDataJsonSchema(type), null, 2)}\n`);
        return;
      }
      const d = describe(type);
      print(
        global.json,
        d,
        [
          `${type} — ${d.label} / ${d.labelFr}`,
          `Actor: ${d.actor}. Basis: ${d.basis}. Schema version ${d.schemaVersion}.`,
          '',
          'Fields of data (* required):',
          ...d.fields.map((f) => `  ${f.required ? '*' : ' '} ${f.field}: ${f.type}`),
          '',
          'Example:',
          `  cnil case record <caseId> ${type} --data '${JSON.stringify(d.example.data)}'`,
          '',
          `JSON Schema: cnil events ${type} --json-schema`,
        ].join('\n'),
      );
    });
};
