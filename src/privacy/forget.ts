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
import { isGeneratedPersonId, personOf } from '../../machines/personal-data.ts';
import type { CaseService, InputIssue } from '../cases/service.ts';
import type { Refusal } from '../../machines/decider.ts';
import { caseStreamId, hasPersonIndex, type JsonObject } from '../store/port.ts';
import type { PersonStream } from './keys.ts';
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

const caseIdsOf = (streamIds: Iterable<string>): string[] =>
  [...streamIds]
    .filter((id) => id.startsWith(CASE_PREFIX))
    .map((id) => id.slice(CASE_PREFIX.length))
    .sort();

/**
 * The cases whose events name `personId` as the person of their personal fields (person ids are
 * stored in clear: no key is needed), found by the first that can answer of:
 * - the store's own person index (SQLite: src/store/person-index.ts), which is exact;
 * - the key store's person index (a store without one, such as EventStoreDB): the streams it lists
 *   are read, and those whose events do not name the person (an append that failed after it was
 *   indexed) are left out;
 * - a read of the whole log, which also completes the key store's index (every person's streams),
 *   so that the next `forget` reads only the person's cases.
 */
export const casesHoldingPerson = async (store: ProtectedEventStore, personId: string): Promise<string[]> => {
  const names = (event: { readonly type: string; readonly data: JsonObject }) =>
    personOf(event.type, event.data) === personId;
  const indexed = hasPersonIndex(store.raw) ? await store.raw.streamsHoldingPerson(personId) : undefined;
  if (indexed) return caseIdsOf(indexed);
  const listed = store.keys.streamsHolding?.(personId);
  if (listed) {
    const holding: string[] = [];
    for (const streamId of listed.filter((id) => id.startsWith(CASE_PREFIX)))
      if ((await store.raw.readStream(streamId)).some((event) => names(event))) holding.push(streamId);
    return caseIdsOf(holding);
  }
  const cases = new Set<string>();
  const entries = new Map<string, PersonStream>();
  for await (const event of store.raw.readAll({ streamPrefix: CASE_PREFIX })) {
    const person = personOf(event.type, event.data);
    if (person === undefined) continue;
    entries.set(`${person}\n${event.streamId}`, { personId: person, streamId: event.streamId });
    if (person === personId) cases.add(event.streamId);
  }
  store.keys.completeIndex?.([...entries.values()]);
  return caseIdsOf(cases);
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
