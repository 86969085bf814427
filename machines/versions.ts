/**
 * Event schema versions and the upcasters that bring stored data up to the current schema on read.
 *
 * A shipped event schema is never edited in a breaking way (STYLE.md): the schema moves to a new
 * version, and an upcaster turns data of the previous version into data of the new one. Stored
 * events are never rewritten: each keeps the `schemaVersion` it was written with in its metadata,
 * and `upcast` chains the upcasters (v1 → v2 → …) every time it is read. Writers always write the
 * event type's current version.
 *
 * To change an event's schema: edit its zod schema in events.ts, then append one upcaster to its
 * list below (its `from` is the previous current version). `CURRENT_VERSION` follows: an event
 * type is at version 1 + the number of its upcasters.
 *
 * @example
 * upcast('SanctionImposed', 1, { …, injunction: { orders: ['Delete the data'], … } });
 * // → { …, injunction: { orders: [{ order: 'Delete the data', breaches: [] }], … } }
 */
import { EVENT_TYPES, type EventType } from './events.ts';

/** Turns an event's data of version `from` into data of version `from + 1`. */
export interface Upcaster {
  /** The version this upcaster reads. */
  readonly from: number;
  /** What changed in the schema. */
  readonly what: string;
  /** Why it changed. */
  readonly why: string;
  /** @throws UpcastError naming the field when the data is not of version `from`. */
  readonly upcast: (data: unknown, type: EventType) => unknown;
}

/** Stored data could not be brought to the current version: it is not what its version says. */
export class UpcastError extends Error {
  override readonly name = 'UpcastError';
  constructor(
    readonly eventType: EventType,
    /** The version the data claims to be. */
    readonly from: number,
    /** The offending field, as a path from the event: `data.injunction.orders.1`. */
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${eventType} schema version ${from} cannot be upcast to version ${from + 1}: ${field} ${problem}`);
  }
}

/** A stored version this code does not know (newer than current, or not a version at all). */
export class UnknownSchemaVersionError extends Error {
  override readonly name = 'UnknownSchemaVersionError';
  constructor(
    readonly eventType: EventType,
    readonly version: number,
    readonly current: number,
  ) {
    super(
      version > current
        ? `${eventType} was written at schema version ${version}, but this code knows versions 1 to ${current}: it was written by a newer cnil-enforcement; upgrade to read it`
        : `${eventType} schema version ${version} is not a version (1 to ${current})`,
    );
  }
}

/** A JSON object: not null, not an array. */
export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const kindOf = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;

// ── SanctionImposed ──────────────────────────────────────────────────────────────────────────

/**
 * SanctionImposed v1 → v2: `injunction.orders` were plain strings; they become
 * `{ order, breaches }`, each order tied to the GDPR articles it remedies.
 *
 * Why: a case officer checks compliance with an injunction order by order, against the articles
 * each order remedies (Clearview, SAN-2022-019: stop the processing without a legal basis → art. 6;
 * delete the data after answering the access requests → arts 6, 12, 15, 17). A v1 order does not
 * say which articles it remedies, and guessing (e.g. all the sanction's breaches) would put words
 * in the decision: the upcaster gives `breaches: []`, which the v2 schema reads as "unknown".
 */
const sanctionImposedV1: Upcaster = {
  from: 1,
  what: '`injunction.orders`: strings → `{ order, breaches }` (GDPR articles each order remedies; `[]` when unknown)',
  why: 'compliance with an injunction is checked order by order against the articles each order remedies',
  upcast: (data, type) => {
    const fail = (field: string, problem: string): never => {
      throw new UpcastError(type, 1, field, problem);
    };
    if (!isObject(data)) return fail('data', `must be an object, got ${kindOf(data)}`);
    const injunction = data.injunction;
    if (injunction === undefined) return data;
    if (!isObject(injunction)) return fail('data.injunction', `must be an object, got ${kindOf(injunction)}`);
    const orders = injunction.orders;
    if (!Array.isArray(orders))
      return fail('data.injunction.orders', `must be an array of strings, got ${kindOf(orders)}`);
    return {
      ...data,
      injunction: {
        ...injunction,
        orders: orders.map((order: unknown, i) =>
          typeof order === 'string'
            ? { order, breaches: [] }
            : fail(
                `data.injunction.orders.${i}`,
                `must be a string (an order of version 1), got ${kindOf(order)}`,
              ),
        ),
      },
    };
  },
};

// ── HearingHeld ──────────────────────────────────────────────────────────────────────────────

/**
 * HearingHeld v1 → v2: adds the optional `convenedOn`, the day the controller was informed of the
 * session's date. Version 1 data never says it: it is left absent ("unknown"), so the rule on the
 * convocation period (D art. 41) is not checked for it. The data are otherwise unchanged.
 *
 * Why: the session may not be held before the convocation period has run (D art. 41: one month
 * before décret 2022-517, fifteen days since), which only the convocation's date can show.
 */
const hearingHeldV1: Upcaster = {
  from: 1,
  what: '`convenedOn` (optional): the day the controller was informed of the session date',
  why: 'the convocation period before the session (D art. 41) can only be checked against that date',
  upcast: (data, type) => {
    if (!isObject(data)) throw new UpcastError(type, 1, 'data', `must be an object, got ${kindOf(data)}`);
    if ('convenedOn' in data)
      throw new UpcastError(type, 1, 'data.convenedOn', 'is not a field of version 1');
    return data;
  },
};

// ── CaseOpened ───────────────────────────────────────────────────────────────────────────────

/**
 * CaseOpened v1 → v2: `controller.kind` (undertaking, public body, State, association, individual)
 * is added; a v1 record did not say, so it becomes `unspecified`.
 *
 * Why: the measures available depend on it — no administrative fine and no penalty payment where
 * the processing is carried out by the State (LIL art. 20 III 2° and 7°), and the turnover share of
 * the fine cap applies to an undertaking (GDPR art. 83(4)-(6)). Guessing the kind from the name
 * would put words in the record.
 */
const caseOpenedV1: Upcaster = {
  from: 1,
  what: '`controller.kind` added (`unspecified` for a version-1 record)',
  why: 'no fine nor penalty payment against the State (LIL art. 20 III); turnover caps for undertakings (GDPR art. 83)',
  upcast: (data, type) => {
    const fail = (field: string, problem: string): never => {
      throw new UpcastError(type, 1, field, problem);
    };
    if (!isObject(data)) return fail('data', `must be an object, got ${kindOf(data)}`);
    const controller = data.controller;
    if (!isObject(controller)) return fail('data.controller', `must be an object, got ${kindOf(controller)}`);
    if ('kind' in controller) return fail('data.controller.kind', 'is not a field of version 1');
    return { ...data, controller: { ...controller, kind: 'unspecified' } };
  },
};

// ── DecisionPublished ────────────────────────────────────────────────────────────────────────

/**
 * DecisionPublished v1 → v2: a publication without `anonymiseAfter` now says why —
 * `periodNotStated: 'not-verified'` for a version-1 record, which did not say whether the decision
 * was silent or the date simply not recorded.
 *
 * Why: a publication ordered by the restricted committee must state how long it names the
 * controller (CE 28 Sep 2016 n° 389448); the record distinguishes a silent decision from an
 * unverified one instead of leaving the date out without a word.
 */
const decisionPublishedV1: Upcaster = {
  from: 1,
  what: '`periodNotStated` added (`not-verified` when a version-1 record has no `anonymiseAfter`)',
  why: 'a publication of a sanction states its anonymisation period (CE 28 Sep 2016 n° 389448)',
  upcast: (data, type) => {
    if (!isObject(data)) throw new UpcastError(type, 1, 'data', `must be an object, got ${kindOf(data)}`);
    if ('periodNotStated' in data)
      throw new UpcastError(type, 1, 'data.periodNotStated', 'is not a field of version 1');
    return data.anonymiseAfter === undefined ? { ...data, periodNotStated: 'not-verified' } : data;
  },
};

// ── The table ────────────────────────────────────────────────────────────────────────────────

/** The upcasters of each event type, oldest first; an event type without any is at version 1. */
export const UPCASTERS: { readonly [T in EventType]?: readonly Upcaster[] } = {
  SanctionImposed: [sanctionImposedV1],
  HearingHeld: [hearingHeldV1],
  CaseOpened: [caseOpenedV1],
  DecisionPublished: [decisionPublishedV1],
};

/** The version each event type is written at. */
export const CURRENT_VERSION: Readonly<Record<EventType, number>> = Object.fromEntries(
  EVENT_TYPES.map((type) => [type, 1 + (UPCASTERS[type]?.length ?? 0)]),
) as Record<EventType, number>;

/**
 * Brings `data` stored at `version` up to the event type's current version.
 * @throws UnknownSchemaVersionError when the version is not one this code knows.
 * @throws UpcastError naming the field when the data does not match the version it claims.
 */
export const upcast = (type: EventType, version: number, data: unknown): unknown => {
  const current = CURRENT_VERSION[type];
  if (!Number.isInteger(version) || version < 1 || version > current)
    throw new UnknownSchemaVersionError(type, version, current);
  const chain = UPCASTERS[type] ?? [];
  let result = data;
  for (const step of chain) if (step.from >= version) result = step.upcast(result, type);
  return result;
};
