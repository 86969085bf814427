/**
 * Folding a case costs a constant time per event, however long the case (machines/transient.ts):
 * the context's lists are appended to in place inside one fold, and only there. The cost is
 * counted, not timed: the list items the fold copies (`copiedItems`), which made the fold quadratic.
 * The fold gives the same state as evolving the facts one by one (which copies every list at every
 * event), leaves the state it starts from as it was, and its result is immutable once it returns.
 */
import { describe, expect, it } from 'vitest';
import type { ProcedureContext } from '../../machines/context.ts';
import { evolve, fold, initialState, type ProcedureState } from '../../machines/decider.ts';
import type { ProcedureEvent } from '../../machines/events.ts';
import { copiedItems } from '../../machines/transient.ts';
import {
  caseOpened,
  complaintReceived,
  history,
  inspectionOpened,
  personalDataErased,
} from '../support/builders.ts';

/** A complaint of an organisation, naming no person. */
const anonymous = (on: string, complaintId: string) =>
  complaintReceived({
    on,
    complaintId,
    complainant: {
      kind: 'organisation',
      name: 'Association Lyon Données',
      personId: undefined,
      contact: undefined,
    },
  });

const personId = (i: number) => `person-${i.toString(16).padStart(6, '0')}`;

/** A case opened on a complaint, then `n` complaints of `n` persons, dated a day per hundred. */
const complaints = (n: number): ProcedureEvent[] => [
  caseOpened({ on: '2023-01-02' }),
  ...Array.from({ length: n }, (_, i) =>
    complaintReceived({
      on: `2023-${String(1 + Math.floor(i / 3000)).padStart(2, '0')}-10`,
      complaintId: `PLT-${i}`,
      complainant: { kind: 'individual', name: 'Camille Martin', personId: personId(i) },
    }),
  ),
];

/** The fold of `events` one event at a time, outside any fold: every list copied at every event. */
const oneByOne = (events: readonly ProcedureEvent[], from: ProcedureState = initialState()) =>
  events.reduce(evolve, from);

const contextOf = (state: ProcedureState): ProcedureContext => JSON.parse(JSON.stringify(state.context));

describe('folding a long case', () => {
  it('given 20 000 complaints, when the case is folded, then no list of its context is copied after the first fact, while evolving them one by one copies them at every fact', () => {
    const events = complaints(20_000);
    const copies = (run: () => unknown) => {
      const before = copiedItems();
      run();
      return copiedItems() - before;
    };
    // Each list is copied once, when the fold first appends to it: it is empty then.
    expect(copies(() => fold(events))).toBe(0);
    expect(copies(() => fold(events.slice(10_000), fold(events.slice(0, 10_000))))).toBeLessThanOrEqual(
      2 * 10_000,
    );
    // The quadratic fold: each of the two lists (complaints, persons) copied at every complaint,
    // 0 + 1 + … + 1 999 items each (measured on 2 000 facts: 20 000 would take minutes).
    expect(copies(() => oneByOne(events.slice(0, 2_001)))).toBe(2 * ((2_000 * 1_999) / 2));
  });

  it('given complaints, re-complaints of an erased person and erasures, when folded at once, then the state is the one evolving them one by one gives', () => {
    const events = [
      ...complaints(300),
      personalDataErased({ on: '2023-02-01', personId: personId(7) }),
      personalDataErased({ on: '2023-02-01', personId: personId(250) }),
      // The person erased complains again: held again, moved to the end of the list.
      complaintReceived({
        on: '2023-02-02',
        complaintId: 'PLT-again',
        complainant: { kind: 'individual', name: 'Camille Martin', personId: personId(7) },
      }),
      anonymous('2023-02-03', 'PLT-anonymous'),
      inspectionOpened({ on: '2023-03-01' }),
    ];
    const folded = fold(events);
    const reference = oneByOne(events);
    expect(folded.value).toEqual(reference.value);
    expect(contextOf(folded)).toEqual(contextOf(reference));
    expect(folded.context.persons.at(-1)).toEqual({ personId: personId(7), erasedOn: null });
    expect(folded.context.persons.find((p) => p.personId === personId(250))?.erasedOn).toBe('2023-02-01');
  });

  it('given a state, when more facts are folded from it twice, then it is left as it was and both results are the same and independent', () => {
    const start = fold(complaints(50));
    const before = contextOf(start);
    const more = [
      anonymous('2023-01-20', 'PLT-x'),
      personalDataErased({ on: '2023-01-21', personId: personId(3) }),
    ];
    const first = fold(more, start);
    const second = fold(more, start);
    expect(contextOf(start)).toEqual(before);
    expect(contextOf(first)).toEqual(contextOf(second));
    // Appending to the first result (outside any fold) leaves the second one alone.
    const further = evolve(first, anonymous('2023-01-22', 'PLT-y'));
    expect(further.context.complaints).toHaveLength(52);
    expect(first.context.complaints).toHaveLength(51);
    expect(second.context.complaints).toHaveLength(51);
    expect(first.context.persons.find((p) => p.personId === personId(3))?.erasedOn).toBe('2023-01-21');
    expect(start.context.persons.find((p) => p.personId === personId(3))?.erasedOn).toBeNull();
  });

  it('given a lawful history, when a refused fact ends it, then the fold throws and the state it started from is unchanged', () => {
    const start = fold(history.upToComplaint());
    const before = contextOf(start);
    expect(() =>
      fold(
        [complaintReceived({ on: '2023-02-01', complaintId: 'PLT-z' }), caseOpened({ on: '2023-02-02' })],
        start,
      ),
    ).toThrow(/CaseOpened/);
    expect(contextOf(start)).toEqual(before);
  });
});
