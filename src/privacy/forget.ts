/**
 * The right to erasure (GDPR art. 17), by crypto-shredding: find every case holding a person's
 * personal data, record a `PersonalDataErased` fact on each (through the case service: the
 * statechart and its rule `personalDataHeld` decide), then delete the person's keys. The order
 * makes a crash harmless: run again, the facts already recorded are seen in the cases' state and
 * the keys are deleted. Nothing is deleted when a case refuses the fact.
 */
import { findPerson } from '../../machines/context.ts';
import type { IsoDate } from '../../machines/dates.ts';
import type { PersonalDataErased } from '../../machines/events.ts';
import { isGeneratedPersonId, personalFieldsOf, personOf } from '../../machines/personal-data.ts';
import type { CaseService, InputIssue } from '../cases/service.ts';
import type { Refusal } from '../../machines/decider.ts';
import { hasPersonIndex } from '../store/person-index.ts';
import { caseStreamId } from '../store/port.ts';
import type { ProtectedEventStore } from './protected-store.ts';

const CASE_PREFIX = caseStreamId('');

export type Ground = PersonalDataErased['data']['ground'];

export interface ForgetRequest {
  readonly personId: string;
  readonly on: IsoDate;
  readonly ground: Ground;
}

export type ForgetOutcome =
  | {
      readonly status: 'erased';
      readonly personId: string;
      /** Cases where the erasure was recorded now, and where it already was. */
      readonly cases: readonly {
        readonly caseId: string;
        readonly erasure: 'recorded' | 'already-recorded';
      }[];
      readonly keysDeleted: number;
    }
  | { readonly status: 'invalid'; readonly caseId?: string; readonly issues: readonly InputIssue[] }
  | { readonly status: 'refused'; readonly caseId: string; readonly refusal: Refusal };

/**
 * The cases whose events name `personId` as the person of their personal fields: from the store's
 * person index when it has one (SQLite: src/store/person-index.ts), which reads nothing else;
 * otherwise (EventStoreDB, in memory) by reading the whole log once.
 */
export const casesHoldingPerson = async (store: ProtectedEventStore, personId: string): Promise<string[]> => {
  const indexed = hasPersonIndex(store.raw) ? await store.raw.streamsHoldingPerson(personId) : undefined;
  if (indexed)
    return indexed
      .filter((id) => id.startsWith(CASE_PREFIX))
      .map((id) => id.slice(CASE_PREFIX.length))
      .sort();
  const cases = new Set<string>();
  // The raw store: finding whose data an event holds needs no key (person ids are stored in clear).
  for await (const event of store.raw.readAll({ streamPrefix: CASE_PREFIX }))
    if (personalFieldsOf(event.type) && personOf(event.type, event.data) === personId)
      cases.add(event.streamId.slice(CASE_PREFIX.length));
  return [...cases].sort();
};

export const forgetPerson = async (
  store: ProtectedEventStore,
  service: CaseService,
  { personId, on, ground }: ForgetRequest,
): Promise<ForgetOutcome> => {
  const caseIds = await casesHoldingPerson(store, personId);
  if (caseIds.length === 0 && !store.keys.has(personId))
    return {
      status: 'invalid',
      issues: [
        {
          field: 'personId',
          message: isGeneratedPersonId(personId)
            ? `no case holds personal data of ${personId}, and it has no key`
            : `${personId} is not a person id: ids are opaque and generated (person-<hex>, shown by \`case history\`), never a name`,
        },
      ],
    };
  const cases: { caseId: string; erasure: 'recorded' | 'already-recorded' }[] = [];
  // Snapshots hold no personal data (src/cases/snapshot.ts); those of the cases touched go all the
  // same, and the erasure's write takes a new one from the events.
  await service.dropSnapshots(caseIds);
  for (const caseId of caseIds) {
    // Withheld: the person's key may already be gone (a crash after it was deleted, or a lost key).
    const { state } = await service.current(caseId);
    const person = findPerson(state.context, personId);
    if (person?.erasedOn != null) {
      cases.push({ caseId, erasure: 'already-recorded' });
      continue;
    }
    const outcome = await service.record(caseId, {
      type: 'PersonalDataErased',
      data: { on, personId, ground },
    });
    if (outcome.status === 'invalid') return { status: 'invalid', caseId, issues: outcome.issues };
    if (outcome.status === 'refused') return { status: 'refused', caseId, refusal: outcome.refusal };
    cases.push({ caseId, erasure: 'recorded' });
  }
  const keysDeleted = store.keys.forget(personId);
  return { status: 'erased', personId, cases, keysDeleted };
};
