/**
 * What every export holds, whatever its format: the facts of the chosen cases as they stood on a
 * date, each with the stage the case was in after it, and each fact's data as typed, flat
 * attributes with the personal data rule applied.
 *
 * The personal data rule (GDPR art. 5(1)(c), data minimisation; art. 17, erasure): the fields
 * machines/personal-data.ts names as personal data — and the pseudonymous person id that keys them
 * (a pseudonym is still personal data, GDPR recital 26) — are left out unless the caller asks for
 * them (`includePersonalData`); a field whose person was forgotten (`forget`, its key deleted, read
 * back as `[personal data erased]`) is left out always.
 */
import { type IsoDate, isIsoDate } from '../../machines/dates.ts';
import { evolve, initialState, stageOf } from '../../machines/decider.ts';
import { ERASED, personalFieldsOf } from '../../machines/personal-data.ts';
import type { Stage } from '../../machines/procedure.ts';
import type { RecordedFact } from '../../projections/fact.ts';
import { toFact } from '../cases/codec.ts';
import { caseStreamId, type EventStore } from '../store/port.ts';

/** The attribute types of OCEL 2.0 (and, by name, of XES: time ↔ date, integer ↔ int). */
export type AttributeType = 'string' | 'time' | 'integer' | 'float' | 'boolean';

export interface Attribute {
  readonly name: string;
  readonly type: AttributeType;
  /** A `time` is an ISO 8601 date-time with its zone. */
  readonly value: string | number | boolean;
}

/** One fact of an exported case, with the stage its case was in after it. */
export interface ExportedFact {
  readonly fact: RecordedFact;
  readonly stageAfter: Stage | null;
}

export interface ExportedCase {
  readonly caseId: string;
  readonly facts: readonly ExportedFact[];
}

export interface ExportSelection {
  /** The cases to export; every case of the store when absent or empty. */
  readonly caseIds?: readonly string[];
  /** Only the facts that had taken effect on this date (`on` ≤ asOf); every fact when absent. */
  readonly asOf?: IsoDate;
}

export interface PersonalDataPolicy {
  /** Export the personal fields still held (never those erased). */
  readonly includePersonalData: boolean;
}

/** A case asked for has no fact in the store. */
export class UnknownCaseError extends Error {
  override readonly name = 'UnknownCaseError';
  constructor(readonly caseId: string) {
    super(`no case ${caseId} in this store`);
  }
}

const CASE_PREFIX = caseStreamId('');

/**
 * A legal date as an instant: midnight UTC of that calendar day, so that every tool, whatever its
 * time zone between UTC and UTC+14, shows the same day. The time of day carries no meaning.
 * @example legalTime('2021-11-26') // '2021-11-26T00:00:00Z'
 */
export const legalTime = (on: string): string => `${on}T00:00:00Z`;

/** Each case's facts in stream order, each with the stage after it, cut at `asOf`. */
export const casesOf = (
  histories: ReadonlyMap<string, readonly RecordedFact[]>,
  { caseIds, asOf }: ExportSelection = {},
): ExportedCase[] => {
  const wanted = caseIds && caseIds.length > 0 ? [...new Set(caseIds)] : [...histories.keys()];
  return wanted.sort().map((caseId) => {
    const facts = histories.get(caseId);
    if (!facts || facts.length === 0) throw new UnknownCaseError(caseId);
    let state = initialState();
    const exported: ExportedFact[] = [];
    for (const fact of facts) {
      state = evolve(state, fact.event);
      // A case's dates never go backwards (a rule of the procedure), so the cut is a prefix.
      if (asOf !== undefined && fact.event.data.on > asOf) break;
      exported.push({ fact, stageAfter: stageOf(state) });
    }
    return { caseId, facts: exported };
  });
};

/**
 * Reads the cases of a store (personal fields decrypted by a protected store, or erased).
 * @throws UnknownCaseError when a case asked for has no fact.
 */
export const readCases = async (
  store: EventStore,
  selection: ExportSelection = {},
): Promise<ExportedCase[]> => {
  const histories = new Map<string, RecordedFact[]>();
  const only = selection.caseIds && selection.caseIds.length > 0 ? new Set(selection.caseIds) : null;
  if (only) {
    for (const caseId of only)
      histories.set(caseId, (await store.readStream(caseStreamId(caseId))).map(toFact));
  } else {
    for await (const recorded of store.readAll({ streamPrefix: CASE_PREFIX })) {
      const caseId = recorded.streamId.slice(CASE_PREFIX.length);
      let facts = histories.get(caseId);
      if (!facts) histories.set(caseId, (facts = []));
      facts.push(toFact(recorded));
    }
    for (const facts of histories.values()) facts.sort((a, b) => a.revision - b.revision);
  }
  return casesOf(histories, selection);
};

// ── Attributes ───────────────────────────────────────────────────────────────────────────────

const isScalar = (value: unknown): value is string | number | boolean =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';

const scalar = (name: string, value: string | number | boolean): Attribute => {
  if (typeof value === 'boolean') return { name, type: 'boolean', value };
  if (typeof value === 'number') return { name, type: Number.isInteger(value) ? 'integer' : 'float', value };
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && isIsoDate(value)
    ? { name, type: 'time', value: legalTime(value) }
    : { name, type: 'string', value };
};

/**
 * JSON data as flat attributes: nested fields by their dotted path (`controller.name`), a list of
 * plain values as one string joined by ", " (`breaches`: "5(1)(a), 6"), a list of records item by
 * item from 1 (`injunction.orders.1.order`). ISO dates become times, whole numbers integers.
 * @example flatten({ fine: 20000000, injunction: { deadline: '2022-12-20' } })
 * // [{ name: 'fine', type: 'integer', value: 20000000 },
 * //  { name: 'injunction.deadline', type: 'time', value: '2022-12-20T00:00:00Z' }]
 */
export const flatten = (data: unknown, prefix = ''): Attribute[] => {
  if (data === null || data === undefined) return [];
  if (isScalar(data)) return prefix === '' ? [] : [scalar(prefix, data)];
  const at = (key: string) => (prefix === '' ? key : `${prefix}.${key}`);
  if (Array.isArray(data)) {
    if (data.every(isScalar)) return [{ name: prefix, type: 'string', value: data.map(String).join(', ') }];
    return data.flatMap((item, i) => flatten(item, at(String(i + 1))));
  }
  return Object.entries(data as Record<string, unknown>).flatMap(([key, value]) => flatten(value, at(key)));
};

/**
 * The dotted names of the personal fields of an event type, its person id included (and the
 * person id an erasure names: the pseudonym, not the data, stays in the log by design).
 */
export const personalAttributeNames = (type: string): ReadonlySet<string> => {
  if (type === 'PersonalDataErased') return new Set(['personId']);
  const spec = personalFieldsOf(type);
  return new Set(spec ? [spec.person, ...spec.fields].map((path) => path.join('.')) : []);
};

/** `attributes` with the personal data rule applied (see the module's comment). */
export const applyPersonalDataRule = (
  type: string,
  attributes: readonly Attribute[],
  { includePersonalData }: PersonalDataPolicy,
): Attribute[] => {
  const personal = personalAttributeNames(type);
  return attributes.filter((a) => !personal.has(a.name) || (includePersonalData && a.value !== ERASED));
};

/**
 * The attributes of a fact: its data (without `on`, which is the event's time) under the personal
 * data rule, then who acted, when it was recorded, its revision in the case's stream, the stage
 * after it, and its source.
 */
export const factAttributes = (
  { fact, stageAfter }: ExportedFact,
  policy: PersonalDataPolicy,
): Attribute[] => {
  const { on: _on, ...data } = fact.event.data;
  const source = fact.metadata.source;
  return [
    ...applyPersonalDataRule(fact.event.type, flatten(data), policy),
    { name: 'actor', type: 'string', value: fact.metadata.actor },
    { name: 'recordedAt', type: 'time', value: fact.metadata.recordedAt },
    { name: 'revision', type: 'integer', value: fact.revision },
    ...(stageAfter === null ? [] : [{ name: 'stageAfter', type: 'string', value: stageAfter } as const]),
    ...(source
      ? flatten(
          {
            title: source.title,
            reference: source.reference,
            url: source.url,
            dateBasis: source.date,
            note: source.note,
          },
          'source',
        )
      : []),
  ];
};
