/**
 * The cases as an object-centric event log (OCEL 2.0, Berti et al. 2023,
 * https://www.ocel-standard.org/2.0/ocel20_specification.pdf): every stored fact is an event
 * (its id, its type, its legal date as time, its data as attributes), related with a qualifier to
 * the objects of the procedure it touches — the case, the controller, complaints, inspections,
 * formal notices, decisions (each deliberation), injunctions, penalty liquidations, appeals —
 * whose attributes change over time (a deadline extended, a fine reformed on appeal, a stage
 * reached) and which are related to one another (a decision to its case, an injunction to the
 * decision that ordered it, a liquidation to the injunction it liquidates).
 *
 * Pure: the model only; ocel-json.ts, ocel-xml.ts and ocel-sqlite.ts write it.
 */
import type { ProcedureEvent } from '../../machines/events.ts';
import {
  applyPersonalDataRule,
  type Attribute,
  type AttributeType,
  type ExportedCase,
  factAttributes,
  flatten,
  legalTime,
  type PersonalDataPolicy,
} from './facts.ts';

export const OBJECT_TYPES = [
  'case',
  'controller',
  'complaint',
  'inspection',
  'formalNotice',
  'decision',
  'injunction',
  'penaltyLiquidation',
  'appeal',
] as const;
export type ObjectType = (typeof OBJECT_TYPES)[number];

export interface Relationship {
  readonly objectId: string;
  readonly qualifier: string;
}

export interface OcelAttributeDeclaration {
  readonly name: string;
  readonly type: AttributeType;
}

export interface OcelType {
  readonly name: string;
  readonly attributes: readonly OcelAttributeDeclaration[];
}

export interface OcelEvent {
  readonly id: string;
  readonly type: string;
  readonly time: string;
  readonly attributes: readonly Attribute[];
  readonly relationships: readonly Relationship[];
}

/** An object attribute's value from `time` on. */
export interface OcelObjectAttribute extends Attribute {
  readonly time: string;
}

export interface OcelObject {
  readonly id: string;
  readonly type: ObjectType;
  readonly attributes: readonly OcelObjectAttribute[];
  readonly relationships: readonly Relationship[];
}

export interface OcelLog {
  readonly eventTypes: readonly OcelType[];
  readonly objectTypes: readonly OcelType[];
  readonly events: readonly OcelEvent[];
  readonly objects: readonly OcelObject[];
}

// ── Building ────────────────────────────────────────────────────────────────────────────────

interface MutableObject {
  readonly id: string;
  readonly type: ObjectType;
  readonly attributes: OcelObjectAttribute[];
  readonly relationships: Relationship[];
  /** The last value of each attribute, and where it is in `attributes`. */
  readonly current: Map<string, OcelObjectAttribute>;
}

/** The objects of one export, and the events' relationships to them, as the facts are read. */
const objectRegistry = () => {
  const objects = new Map<string, MutableObject>();
  const get = (type: ObjectType, id: string): MutableObject => {
    let found = objects.get(id);
    if (!found)
      objects.set(id, (found = { id, type, attributes: [], relationships: [], current: new Map() }));
    return found;
  };
  /** Sets `name` from `time` on, when it changes; a second value at the same time replaces the first. */
  const set = (object: MutableObject, time: string, attributes: readonly Attribute[]) => {
    for (const attribute of attributes) {
      const current = object.current.get(attribute.name);
      if (current?.value === attribute.value) continue;
      if (current?.time === time) object.attributes.splice(object.attributes.indexOf(current), 1);
      const value = { ...attribute, time };
      object.attributes.push(value);
      object.current.set(attribute.name, value);
    }
  };
  const relate = (object: MutableObject, target: MutableObject, qualifier: string) => {
    if (!object.relationships.some((r) => r.objectId === target.id && r.qualifier === qualifier))
      object.relationships.push({ objectId: target.id, qualifier });
  };
  return { objects, get, set, relate };
};

const str = (name: string, value: string): Attribute => ({ name, type: 'string', value });
const int = (name: string, value: number): Attribute => ({ name, type: 'integer', value });
const bool = (name: string, value: boolean): Attribute => ({ name, type: 'boolean', value });
const date = (name: string, on: string): Attribute => ({ name, type: 'time', value: legalTime(on) });
const list = (name: string, values: readonly string[]): Attribute => str(name, values.join(', '));

/**
 * The OCEL 2.0 log of the exported cases. Events are ordered by time, then case, then revision;
 * objects by type (in {@link OBJECT_TYPES} order), then id (code-unit order).
 */
export const buildOcel = (cases: readonly ExportedCase[], policy: PersonalDataPolicy): OcelLog => {
  const registry = objectRegistry();
  const { get, set, relate } = registry;
  const events: OcelEvent[] = [];

  for (const { caseId, facts } of cases) {
    const theCase = get('case', `case:${caseId}`);
    let controller: MutableObject | undefined;
    let inspections = 0;
    let inspection: MutableObject | undefined;
    let formalNotice: MutableObject | undefined;
    let injunction: MutableObject | undefined;
    const byReference = new Map<string, MutableObject>();
    const complaintsOf = new Map<string, MutableObject[]>();
    const decision = (reference: string, time: string, attributes: readonly Attribute[]) => {
      const d = get('decision', `decision:${caseId}:${reference}`);
      set(d, time, [str('reference', reference), ...attributes]);
      relate(d, theCase, 'taken in');
      byReference.set(reference, d);
      return d;
    };

    for (const exported of facts) {
      const { fact, stageAfter } = exported;
      const time = legalTime(fact.event.data.on);
      const touched: Relationship[] = [{ objectId: theCase.id, qualifier: 'concerns' }];
      const touch = (object: MutableObject | undefined, qualifier: string) => {
        if (object && !touched.some((r) => r.objectId === object.id && r.qualifier === qualifier))
          touched.push({ objectId: object.id, qualifier });
      };
      const e: ProcedureEvent = fact.event;
      switch (e.type) {
        case 'CaseOpened': {
          const c = e.data.controller;
          controller = get('controller', `controller:${c.country}:${c.name}`);
          set(controller, time, [
            str('name', c.name),
            str('country', c.country),
            bool('euEstablishment', c.euEstablishment),
            ...(c.worldwideTurnover === undefined ? [] : [int('worldwideTurnover', c.worldwideTurnover)]),
          ]);
          set(theCase, time, [str('caseId', caseId), str('origin', e.data.origin)]);
          relate(theCase, controller, 'concerns');
          touch(controller, 'concerns');
          break;
        }
        case 'ComplaintReceived': {
          const complaint = get('complaint', `complaint:${caseId}:${e.data.complaintId}`);
          const { complainant, ...rest } = e.data;
          const personal = applyPersonalDataRule(
            e.type,
            flatten({
              complainant: {
                name: complainant.name,
                contact: complainant.contact,
                personId: complainant.personId,
              },
            }),
            policy,
          );
          set(complaint, time, [
            str('complaintId', rest.complaintId),
            str('complainant.kind', complainant.kind),
            list('grounds', rest.grounds),
            ...(rest.reference === undefined ? [] : [str('reference', rest.reference)]),
            ...personal,
          ]);
          relate(complaint, theCase, 'lodged in');
          if (complainant.personId !== undefined)
            complaintsOf.set(complainant.personId, [
              ...(complaintsOf.get(complainant.personId) ?? []),
              complaint,
            ]);
          touch(complaint, 'receives');
          break;
        }
        case 'InspectionOpened':
          inspection = get('inspection', `inspection:${caseId}:${++inspections}`);
          set(inspection, time, [
            str('method', e.data.method),
            ...(e.data.decisionRef === undefined ? [] : [str('decisionRef', e.data.decisionRef)]),
            str('status', 'opened'),
          ]);
          relate(inspection, theCase, 'carried out in');
          touch(inspection, 'opens');
          break;
        case 'InspectionCarriedOut':
          inspection ??= get('inspection', `inspection:${caseId}:${++inspections}`);
          relate(inspection, theCase, 'carried out in');
          set(inspection, time, [str('status', 'carried out')]);
          touch(inspection, 'carries out');
          break;
        case 'InspectionCompleted':
          inspection ??= get('inspection', `inspection:${caseId}:${++inspections}`);
          relate(inspection, theCase, 'carried out in');
          set(inspection, time, [
            str('status', 'completed'),
            list('breaches', e.data.breaches),
            ...(e.data.reportRef === undefined ? [] : [str('reportRef', e.data.reportRef)]),
          ]);
          touch(inspection, 'completes');
          break;
        case 'WarningIssued':
        case 'LegalObligationsReminderIssued':
        case 'SanctionReportNotified':
          touch(controller, 'addressed to');
          break;
        case 'FormalNoticeIssued':
          formalNotice = get('formalNotice', `formalNotice:${caseId}:${e.data.reference}`);
          set(formalNotice, time, [
            str('reference', e.data.reference),
            list('breaches', e.data.breaches),
            date('deadline', e.data.deadline),
            bool('urgency', e.data.urgency),
            bool('public', false),
            str('status', 'issued'),
          ]);
          relate(formalNotice, theCase, 'issued in');
          if (controller) relate(formalNotice, controller, 'addressed to');
          byReference.set(e.data.reference, formalNotice);
          touch(formalNotice, 'issues');
          touch(controller, 'addressed to');
          break;
        case 'FormalNoticeDeadlineExtended':
          if (formalNotice) set(formalNotice, time, [date('deadline', e.data.newDeadline)]);
          touch(formalNotice, 'extends');
          break;
        case 'FormalNoticePublicationDecided': {
          const d = decision(e.data.deliberation, time, [
            str('body', 'bureau'),
            str('kind', 'formal-notice-publication'),
          ]);
          if (formalNotice) {
            set(formalNotice, time, [bool('public', true)]);
            relate(d, formalNotice, 'makes public');
          }
          touch(d, 'issues');
          touch(formalNotice, 'makes public');
          break;
        }
        case 'DecisionPublished': {
          const published = byReference.get(e.data.reference);
          if (published) set(published, time, [bool('published', true), list('venue', e.data.venue)]);
          touch(published, 'publishes');
          break;
        }
        case 'FormalNoticeDeadlineElapsed':
          if (formalNotice) set(formalNotice, time, [str('status', 'deadline elapsed')]);
          touch(formalNotice, 'deadline of');
          break;
        case 'FormalNoticeClosed':
          if (formalNotice) set(formalNotice, time, [str('status', 'closed')]);
          touch(formalNotice, 'closes');
          break;
        case 'SanctionImposed': {
          const d = decision(e.data.deliberation, time, [
            str('body', 'restricted-committee'),
            str('kind', 'sanction'),
            list('breaches', e.data.breaches),
            int('fine', e.data.fine),
            list('measures', e.data.measures),
            bool('public', e.data.public),
          ]);
          if (controller) relate(d, controller, 'addressed to');
          touch(d, 'issues');
          touch(controller, 'addressed to');
          const ordered = e.data.injunction;
          if (ordered) {
            injunction = get('injunction', `injunction:${caseId}:${e.data.deliberation}`);
            set(injunction, time, [
              str('orders', ordered.orders.map((o) => o.order).join('; ')),
              date('deadline', ordered.deadline),
              int('penaltyPerDay', ordered.penaltyPerDay),
              str('status', 'pending'),
            ]);
            relate(injunction, d, 'ordered by');
            if (controller) relate(injunction, controller, 'addressed to');
            touch(injunction, 'orders');
          }
          break;
        }
        case 'ProceedingsDismissed':
          if (e.data.deliberation !== undefined)
            touch(
              decision(e.data.deliberation, time, [
                str('body', 'restricted-committee'),
                str('kind', 'dismissal'),
              ]),
              'issues',
            );
          break;
        case 'InjunctionDeadlineElapsed':
          if (injunction) set(injunction, time, [str('status', 'deadline elapsed')]);
          touch(injunction, 'deadline of');
          break;
        case 'PenaltyLiquidationNotified':
        case 'PenaltyLiquidated': {
          const { periodFrom, periodTo } = e.data;
          const liquidation = get(
            'penaltyLiquidation',
            `penaltyLiquidation:${caseId}:${periodFrom}..${periodTo}`,
          );
          set(liquidation, time, [date('periodFrom', periodFrom), date('periodTo', periodTo)]);
          if (injunction) relate(liquidation, injunction, 'liquidates');
          if (e.type === 'PenaltyLiquidationNotified') {
            set(liquidation, time, [int('proposedAmount', e.data.proposedAmount), str('status', 'notified')]);
            touch(liquidation, 'proposes');
          } else {
            const d = decision(e.data.deliberation, time, [
              str('body', 'restricted-committee'),
              str('kind', 'penalty-liquidation'),
              int('amount', e.data.amount),
              bool('public', e.data.public),
            ]);
            if (injunction) relate(d, injunction, 'liquidates');
            set(liquidation, time, [
              str('deliberation', e.data.deliberation),
              int('amount', e.data.amount),
              str('status', 'liquidated'),
            ]);
            relate(liquidation, d, 'decided by');
            touch(d, 'issues');
            touch(liquidation, 'decides');
          }
          touch(injunction, 'liquidates');
          touch(controller, 'addressed to');
          break;
        }
        case 'InjunctionComplied':
          if (injunction) set(injunction, time, [str('status', 'complied')]);
          touch(injunction, 'complies with');
          break;
        case 'AppealLodged':
        case 'AppealDecided': {
          const appealed = byReference.get(e.data.decision);
          const appeal = get('appeal', `appeal:${caseId}:${e.data.decision}`);
          set(appeal, time, [str('decision', e.data.decision)]);
          if (appealed) relate(appeal, appealed, 'appeals');
          relate(appeal, theCase, 'lodged in');
          if (e.type === 'AppealLodged') {
            set(appeal, time, [str('court', e.data.court), str('status', 'lodged')]);
            touch(appeal, 'lodges');
          } else {
            set(appeal, time, [
              str('status', 'decided'),
              str('outcome', e.data.outcome),
              ...(e.data.ruling === undefined ? [] : [str('ruling', e.data.ruling)]),
            ]);
            if (appealed && e.data.outcome === 'reformed' && e.data.fine !== undefined)
              set(appealed, time, [int('fine', e.data.fine)]);
            if (appealed && e.data.outcome === 'annulled') set(appealed, time, [bool('annulled', true)]);
            touch(appeal, 'decides');
          }
          touch(appealed, 'appeals');
          break;
        }
        case 'PublicationAnonymised': {
          const published = byReference.get(e.data.reference);
          if (published) set(published, time, [bool('anonymised', true)]);
          touch(published, 'anonymises');
          break;
        }
        case 'PersonalDataErased':
          for (const complaint of complaintsOf.get(e.data.personId) ?? []) {
            set(complaint, time, [bool('personalDataErased', true)]);
            touch(complaint, 'erases');
          }
          break;
        case 'DecisionNotified': {
          const notified = byReference.get(e.data.reference);
          if (notified) set(notified, time, [bool('notified', true)]);
          touch(notified, 'notifies');
          touch(controller, 'addressed to');
          break;
        }
        case 'CaseClosed':
          set(theCase, time, [str('outcome', e.data.outcome)]);
          break;
        case 'ReferredToRestrictedCommittee':
        case 'ObservationsSubmitted':
        case 'HearingHeld':
        case 'ReferredToOrdinaryProcedure':
        case 'ProductionOrdered':
        case 'RightToRemainSilentNotified':
          break;
        default: {
          const unreachable: never = e;
          throw new TypeError(`no OCEL mapping for ${String(unreachable)}`);
        }
      }
      if (stageAfter !== null) set(theCase, time, [str('stage', stageAfter)]);
      events.push({
        id: fact.eventId,
        type: e.type,
        time,
        attributes: factAttributes(exported, policy),
        relationships: touched,
      });
    }
  }

  const order = (type: ObjectType) => OBJECT_TYPES.indexOf(type);
  const objects = [...registry.objects.values()]
    .map(({ current: _current, ...o }): OcelObject => o)
    .sort((a, b) => order(a.type) - order(b.type) || compare(a.id, b.id));
  // Events come case by case in stream order: a stable sort by time keeps that order within a day.
  events.sort((a, b) => compare(a.time, b.time));
  return typed({
    eventTypes: declare(events.map((e) => [e.type, e.attributes])),
    // Every object type is declared, with no attribute when the export holds none of its objects.
    objectTypes: declare([
      ...OBJECT_TYPES.map((t) => [t, []] as const),
      ...objects.map((o) => [o.type, o.attributes] as const),
    ]),
    events,
    objects,
  });
};

/** Code-unit order: the same on every machine, whatever its locale. */
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The declared attributes of each type, in order of first use. An attribute whose values are not
 * all of one type is declared a string.
 */
const declare = (items: readonly (readonly [string, readonly Attribute[]])[]): OcelType[] => {
  const types = new Map<string, Map<string, AttributeType>>();
  for (const [type, attributes] of items) {
    let declared = types.get(type);
    if (!declared) types.set(type, (declared = new Map()));
    for (const a of attributes) {
      const known = declared.get(a.name);
      declared.set(a.name, known === undefined || known === a.type ? a.type : 'string');
    }
  }
  return [...types.entries()]
    .sort(([a], [b]) => compare(a, b))
    .map(([name, declared]) => ({
      name,
      attributes: [...declared.entries()].map(([attribute, type]) => ({ name: attribute, type })),
    }));
};

/** Every value as its declared type says (a value of a type declared `string` becomes a string). */
const typed = (log: OcelLog): OcelLog => {
  const lookup = (types: readonly OcelType[]) =>
    new Map(types.map((t) => [t.name, new Map(t.attributes.map((a) => [a.name, a.type]))]));
  const eventTypes = lookup(log.eventTypes);
  const objectTypes = lookup(log.objectTypes);
  const fix = <A extends Attribute>(declared: Map<string, AttributeType> | undefined, a: A): A => {
    const type = declared?.get(a.name) ?? a.type;
    return type === a.type ? a : { ...a, type, value: String(a.value) };
  };
  return {
    ...log,
    events: log.events.map((e) => ({
      ...e,
      attributes: e.attributes.map((a) => fix(eventTypes.get(e.type), a)),
    })),
    objects: log.objects.map((o) => ({
      ...o,
      attributes: o.attributes.map((a) => fix(objectTypes.get(o.type), a)),
    })),
  };
};

/** An attribute value as OCEL's JSON and XML write it: a string, read by its declared type. */
export const ocelValue = (a: Attribute): string =>
  a.type === 'boolean' ? (a.value ? 'true' : 'false') : String(a.value);
