/**
 * Each event's data as a JSON Schema (draft 2020-12), generated from its zod schema, and the list
 * of its fields as a person reads it: what `cnil events <Type>` and `cnil case next` show, and what
 * another program can validate against before it records a fact.
 */
import { z } from 'zod';
import { type EventType, schemaOf } from './events.ts';

type JsonSchema = Record<string, unknown>;

const cache = new Map<EventType, JsonSchema>();

/**
 * The JSON Schema of an event's `data` (the input accepted, before any transformation).
 * @example eventDataJsonSchema('FormalNoticeIssued').required // ['on', 'reference', 'breaches', 'deadline', 'urgency']
 */
export const eventDataJsonSchema = (type: EventType): JsonSchema => {
  let schema = cache.get(type);
  if (!schema) {
    const data = (schemaOf(type) as unknown as z.ZodObject<{ data: z.ZodType }>).shape.data;
    schema = z.toJSONSchema(data, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
    cache.set(type, schema);
  }
  return schema;
};

/** One field of an event's data. */
export interface EventField {
  /** Dotted path from `data`: `controller.name`. */
  readonly field: string;
  readonly required: boolean;
  /** The kind of value, in words: `date YYYY-MM-DD`, `true or false`, `one of: ordinary, simplified`, … */
  readonly type: string;
  readonly description?: string;
}

const describeType = (s: JsonSchema): string => {
  if (Array.isArray(s.enum)) return `one of: ${s.enum.map(String).join(', ')}`;
  if ('const' in s) return `exactly ${JSON.stringify(s.const)}`;
  if (Array.isArray(s.anyOf) || Array.isArray(s.oneOf)) {
    const options = ((s.anyOf ?? s.oneOf) as JsonSchema[]).map(describeType);
    return [...new Set(options)].join(' or ');
  }
  switch (s.type) {
    case 'boolean':
      return 'true or false';
    case 'integer':
      return typeof s.minimum === 'number' ? `whole number ≥ ${s.minimum}` : 'whole number';
    case 'number':
      return 'number';
    case 'array': {
      const items = s.items as JsonSchema | undefined;
      return `list of ${items ? describeType(items) : 'values'}${typeof s.minItems === 'number' && s.minItems > 0 ? ` (at least ${s.minItems})` : ''}`;
    }
    case 'object':
      return 'object';
    case 'string':
      if (s.format === 'uuid') return 'UUID';
      if (s.format === 'date') return 'date YYYY-MM-DD';
      return 'text';
    default:
      return 'any value';
  }
};

const fieldsOf = (schema: JsonSchema, prefix: string, required: boolean): EventField[] => {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const needed = new Set((schema.required ?? []) as string[]);
  return Object.entries(properties).flatMap(([name, s]) => {
    const field = prefix ? `${prefix}.${name}` : name;
    const isRequired = required && needed.has(name);
    const own: EventField = {
      field,
      required: isRequired,
      type: describeType(s),
      ...(typeof s.description === 'string' ? { description: s.description } : {}),
    };
    return s.type === 'object' && s.properties ? [own, ...fieldsOf(s, field, isRequired)] : [own];
  });
};

/** The fields of an event's data, nested objects flattened into dotted paths. */
export const eventFields = (type: EventType): EventField[] => fieldsOf(eventDataJsonSchema(type), '', true);
