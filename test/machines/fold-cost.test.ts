/**
 * Folding a case costs a constant time per event, however long the case (machines/transient.ts):
 * the context's lists are appended to in place inside one fold, and only there. The fold gives the
 * same state as evolving the facts one by one (which copies every list at every event), leaves the
 * state it starts from as it was, and its result is immutable once it returns.
 */
import { describe, expect, it } from 'vitest';
import type { ProcedureContext } from '../../machines/context.ts';
import { evolve, fold, initialState, type ProcedureState } from '../../machines/decider.ts';
import type { ProcedureEvent } from '../../machines/events.ts';
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

/** The best of three runs of `f`, in milliseconds (the machine is shared: other work slows some). */
const bestOf3 = (f: () => unknown): number => {
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 3; round++) {
    const t = performance.now();
    f();
    best = Math.min(best, performance.now() - t);
  }
  return best;
};

describe('folding a long case', () => {
  it('given 5 000 and 20 000 complaints, when each case is folded, then four times the events take about four times as long, not sixteen', () => {
    const short = complaints(5_000);
    const long = complaints(20_000);
    fold(short); // warm up the machine and the JIT
    const ratio = bestOf3(() => fold(long)) / bestOf3(() => fold(short));
    // Linear: 4. Copying the lists at every event (evolving one by one) measured 69 on this machine.
    expect(ratio).toBeLessThan(8);
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
