/**
 * Which fields of which events are personal data (GDPR art. 4(1)), and whose.
 *
 * The store encrypts these fields with a key of their person (src/privacy/): erasing the key
 * erases every copy of them at once (crypto-shredding), while dates, amounts, articles and
 * references stay readable. Pure: paths and values only, no keys and no I/O.
 *
 * Not personal data here, on purpose: the controller (a legal person; a natural person acting as a
 * controller is not modelled) and the rapporteur (a CNIL member acting in an official capacity,
 * named in published decisions: GDPR art. 17(3)(b) exempts the exercise of official authority).
 */
import type { EventType, PersonId } from './events.ts';

/** The value every view shows in place of erased personal data. */
export const ERASED = '[personal data erased]';

/**
 * The value shown in place of personal data that are held but not disclosed: in the read models,
 * the inspector's events and its recordings. Distinct from {@link ERASED}, so that nobody takes
 * data withheld from a view for data erased from the record.
 */
export const WITHHELD = '[personal data withheld]';

/**
 * The form of a person id the case service generates: `person-` and hexadecimal digits. An id is
 * stored in clear (it is the key of the person's data), so it must say nothing about the person;
 * a caller may reuse a generated id (to erase several complaints of one person together), never
 * make one up from a name such as `Hortensia.Pimblethwaite`.
 */
export const GENERATED_PERSON_ID = /^person-[0-9a-f]{4,64}$/;

/** Whether `id` is an opaque, generated person id (see {@link GENERATED_PERSON_ID}). */
export const isGeneratedPersonId = (id: string): boolean => GENERATED_PERSON_ID.test(id);

/** The personal fields of an event type, all belonging to the person at `person`. */
export interface PersonalFields {
  readonly type: EventType;
  /** Path, from `data`, to the person's pseudonymous id (a PersonId, stored in clear). */
  readonly person: readonly string[];
  /** Paths, from `data`, to the string fields that are personal data. */
  readonly fields: readonly (readonly string[])[];
  readonly basis: string;
}

export const PERSONAL_FIELDS: readonly PersonalFields[] = [
  {
    type: 'ComplaintReceived',
    person: ['complainant', 'personId'],
    fields: [
      ['complainant', 'name'],
      ['complainant', 'contact'],
    ],
    basis: 'GDPR art. 4(1), 17, 77',
  },
];

const BY_TYPE = new Map<string, PersonalFields>(PERSONAL_FIELDS.map((p) => [p.type, p]));

/** The personal fields of events of `type`, or undefined when it holds none. */
export const personalFieldsOf = (type: string): PersonalFields | undefined => BY_TYPE.get(type);

type Json = unknown;

const isRecord = (value: Json): value is Record<string, Json> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The value at `path` in `data`, or undefined. */
export const valueAt = (data: Json, path: readonly string[]): Json => {
  let current = data;
  for (const key of path) {
    if (!isRecord(current) || !Object.hasOwn(current, key)) return undefined;
    current = current[key];
  }
  return current;
};

/** A copy of `data` with the value at `path` replaced (the path must exist). */
export const withValueAt = (data: Json, path: readonly string[], value: Json): Json => {
  const [key, ...rest] = path;
  if (key === undefined || !isRecord(data) || !Object.hasOwn(data, key)) return data;
  return { ...data, [key]: rest.length === 0 ? value : withValueAt(data[key], rest, value) };
};

/** The person whose personal data an event of `type` with `data` holds, if any. */
export const personOf = (type: string, data: Json): PersonId | undefined => {
  const spec = personalFieldsOf(type);
  if (!spec) return undefined;
  const id = valueAt(data, spec.person);
  return typeof id === 'string' ? id : undefined;
};

/**
 * `data` with every personal field of `personId` replaced by {@link ERASED}: what a read model
 * keeps once the person's data are erased. Events of other persons are returned unchanged.
 */
export const erasePersonalData = (type: string, data: Json, personId: string): Json => {
  const spec = personalFieldsOf(type);
  if (!spec || valueAt(data, spec.person) !== personId) return data;
  return spec.fields.reduce(
    (current, path) => (valueAt(current, path) === undefined ? current : withValueAt(current, path, ERASED)),
    data,
  );
};

/**
 * `data` with every personal field replaced by `placeholder` (default {@link WITHHELD}), whoever
 * the person and whatever the field holds (clear text, a ciphertext envelope, or already a
 * placeholder). The person id stays: it is what erasure and verification work with.
 * @example withholdPersonalData('ComplaintReceived', { complainant: { name: 'A', personId: 'person-1a2b' } })
 * // { complainant: { name: '[personal data withheld]', personId: 'person-1a2b' } }
 */
export const withholdPersonalData = (type: string, data: Json, placeholder: string = WITHHELD): Json => {
  const spec = personalFieldsOf(type);
  if (!spec) return data;
  return spec.fields.reduce(
    (current, path) =>
      valueAt(current, path) === undefined || valueAt(current, path) === ERASED
        ? current
        : withValueAt(current, path, placeholder),
    data,
  );
};
