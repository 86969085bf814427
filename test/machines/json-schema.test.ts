/**
 * The catalogue as another program sees it: each event's JSON Schema (generated from its zod
 * schema) accepts the event's example and refuses what zod refuses; the example of every event is
 * valid; the field list says what is required.
 */
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES, schemaOf } from '../../machines/events.ts';
import { EVENT_EXAMPLES } from '../../machines/examples.ts';
import { eventDataJsonSchema, eventFields } from '../../machines/json-schema.ts';

const ajv = new Ajv2020.default({ strict: false, allErrors: true });
addFormats.default(ajv);

describe('each event of the catalogue', () => {
  it.each(EVENT_TYPES)('%s: its example is valid for zod and for its JSON Schema', (type) => {
    const data = EVENT_EXAMPLES[type];
    expect(schemaOf(type).safeParse({ type, data }).success).toBe(true);
    const validate = ajv.compile(eventDataJsonSchema(type));
    expect(validate(data), JSON.stringify(validate.errors)).toBe(true);
  });

  it.each(EVENT_TYPES)('%s: its JSON Schema refuses data without "on" and with an unknown field', (type) => {
    const validate = ajv.compile(eventDataJsonSchema(type));
    const { on: _on, ...withoutOn } = EVENT_EXAMPLES[type] as { on: string };
    expect(validate(withoutOn)).toBe(false);
    expect(validate({ ...EVENT_EXAMPLES[type], notAField: 1 })).toBe(false);
  });
});

describe('the fields of an event', () => {
  it('given FormalNoticeIssued, lists its required fields with their kind', () => {
    expect(eventFields('FormalNoticeIssued')).toEqual([
      { field: 'on', required: true, type: 'date YYYY-MM-DD' },
      { field: 'reference', required: true, type: 'text' },
      { field: 'breaches', required: true, type: 'list of text (at least 1)' },
      { field: 'deadline', required: true, type: 'date YYYY-MM-DD' },
      { field: 'urgency', required: true, type: 'true or false' },
    ]);
  });

  it('given an optional object, its own required fields are not required of the event', () => {
    const injunction = eventFields('SanctionImposed').filter((f) => f.field.startsWith('injunction'));
    expect(injunction.every((f) => !f.required)).toBe(true);
  });
});
