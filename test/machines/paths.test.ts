/**
 * Every simple path through the statechart (test/support/paths.ts, with @xstate/graph): the
 * catalogue is a reviewed snapshot — a change to the procedure shows up as lines added or
 * removed — every transition of the machine is taken by a path or explained, and every path is
 * replayed through the case service on a real store.
 * (Run `npx vitest run test/machines/paths.test.ts -u` after an intended change.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeState, fold, stageOf } from '../../machines/decider.ts';
import { type Stage, STAGES } from '../../machines/procedure.ts';
import type { ProcedureEvent } from '../../machines/events.ts';
import { createCaseService } from '../../src/cases/service.ts';
import { createInMemoryEventStore } from '../../src/store/memory.ts';
import type { EventStore } from '../../src/store/port.ts';
import { createSqliteEventStore } from '../../src/store/sqlite.ts';
import { allTransitions } from '../support/given.ts';
import { transitionsTaken } from '../support/given.ts';
import { LONG, scale } from '../support/long.ts';
import {
  type Catalogue,
  catalogueText,
  concretise,
  countUncutPaths,
  generateCatalogue,
  joinPaths,
  opening,
  type ProcedurePath,
  stateLabel,
  type Untaken,
  untakenTransitions,
  walkFullPaths,
} from '../support/paths.ts';

/** Later than every date the generated facts carry. */
const TODAY = '2030-01-01';

let catalogue: Catalogue;
/** Every path of the catalogue, from the opened case: each section's path after the first path that reaches its start. */
let paths: ProcedurePath[];

beforeAll(() => {
  catalogue = generateCatalogue();
  paths = catalogue.sections.flatMap((s) => s.paths.map((p) => joinPaths(s.via, p)));
}, 60_000);

const factsByLine = new Map<string, ProcedureEvent[]>();
/** The facts of a path, rebuilt from its own history (see `concretise`), once. */
const factsOf = (path: ProcedurePath): ProcedureEvent[] => {
  let facts = factsByLine.get(path.line);
  if (!facts) factsByLine.set(path.line, (facts = concretise(path)));
  return facts;
};

let taken: Set<string> | undefined;
/** The transitions of the statechart that the paths take, fact by fact (the opening's included). */
const takenTransitions = (): Set<string> => {
  if (taken) return taken;
  taken = new Set<string>();
  let state = fold([]);
  for (const fact of opening()) {
    for (const t of transitionsTaken(state, fact)) taken.add(t);
    state = fold([fact], state);
  }
  for (const section of catalogue.sections)
    for (const path of section.paths) {
      const facts = factsOf(joinPaths(section.via, path));
      let before = fold(facts.slice(0, opening().length + section.via.steps.length));
      for (const fact of facts.slice(opening().length + section.via.steps.length)) {
        for (const t of transitionsTaken(before, fact)) taken.add(t);
        before = fold([fact], before);
      }
    }
  return taken;
};

let untaken: (Untaken & { reachable: boolean })[] | undefined;
const untakenOnes = () => (untaken ??= untakenTransitions(catalogue, allTransitions(), takenTransitions()));

const caseIdOf = (i: number) => `path-${String(i).padStart(5, '0')}`;

describe('every path through the procedure', () => {
  it('given the statechart, when every simple path is generated, then the catalogue is the reviewed one', async () => {
    const text = catalogueText(catalogue, { all: new Set(allTransitions()).size, untaken: untakenOnes() });
    await expect(text).toMatchFileSnapshot('./__snapshots__/paths.txt');
  });

  it('given every path, when its facts are rebuilt from its own history, then each fact is lawful and lands in the vertex the path names', () => {
    for (const path of paths) {
      const state = fold(factsOf(path));
      expect(stateLabel(state), path.line).toBe(path.end);
    }
    expect(paths.length).toBeGreaterThan(catalogue.sections.length);
  });

  it('given the paths, then every one ends where the case closes or enters another stage', () => {
    for (const section of catalogue.sections)
      for (const path of section.paths) {
        expect(path.start).toBe(section.start);
        const inside = path.steps.slice(0, -1).map((s) => s.state);
        expect(
          inside.every((v) => v.startsWith(section.stage)),
          path.line,
        ).toBe(true);
        expect(path.end.startsWith(section.stage), path.line).toBe(false);
        expect(new Set(path.steps.map((s) => s.state)).size, `${path.line} is not simple`).toBe(
          path.steps.length,
        );
      }
    expect(catalogue.sections.some((s) => s.paths.some((p) => p.end === 'closed'))).toBe(true);
  });

  it('given every transition of the statechart, then a path takes it, or it is a self-loop or a cycle that no simple path can take, or it starts a case opened on the CNIL’s own initiative', () => {
    const untaken = untakenOnes();
    const never = untaken.filter((u) => !u.reachable).map((u) => u.transition);
    expect(never, 'transitions never lawful from a reachable vertex').toEqual([]);
    // Every transition with a target that leaves its vertex is on some path, or is the first
    // step of a case opened on own initiative (LIL art. 19), which this catalogue does not start from.
    for (const u of untaken)
      expect(u.reason, u.transition).toMatch(
        /^(self-loop|cycle): |^from a case opened on the CNIL’s own initiative \(not a start of this catalogue\): (unopened|inspection\.opened) → /,
      );
    expect(takenTransitions().size).toBeGreaterThan(untaken.length);
  });

  it('given two vertices in the same state of the statechart, then the facts that tell them apart change what may follow', () => {
    const out = new Map<string, string>();
    for (const e of catalogue.edges)
      out.set(e.from, `${out.get(e.from) ?? ''}|${e.event}→${e.to === e.from ? '(same)' : e.to}`);
    const byValue = new Map<string, string[]>();
    for (const v of catalogue.vertices) {
      const value = v.replace(/ \{.*\}$/, '');
      byValue.set(value, [...(byValue.get(value) ?? []), v]);
    }
    for (const [value, vertices] of byValue) {
      const behaviours = vertices.map((v) => out.get(v) ?? '');
      expect(new Set(behaviours).size, `vertices of ${value}: ${vertices.join('; ')}`).toBe(vertices.length);
    }
  });

  it('given the sections, then each path leads to a later stage of the statute, so that the sections compose into the full paths', () => {
    const rank = (vertex: string) =>
      STAGES.indexOf((vertex === 'closed' ? 'closed' : vertex.split(/[.({ ]/)[0]) as Stage);
    for (const section of catalogue.sections)
      for (const path of section.paths)
        expect(rank(path.end), path.line).toBeGreaterThan(rank(section.start));
    expect(catalogue.sections[0]?.start).toBe('complaint');
    expect(catalogue.fullPaths).toBeGreaterThan(paths.length);
  });

  it.runIf(LONG)(
    'given the graph uncut, when @xstate/graph lists every simple path from the opened case to its closure, then there are as many as the sections compose',
    () => expect(countUncutPaths()).toBe(catalogue.fullPaths),
    600_000,
  );

  it.runIf(LONG)(
    'given every full path from the opened case to its closure, when walked fact by fact, then the statechart accepts each fact and closes the case',
    () => {
      let closed = 0;
      const walked = walkFullPaths(catalogue, (facts) => {
        const state = fold(facts);
        if (stageOf(state) === 'closed') closed++;
      });
      expect(walked).toBe(catalogue.fullPaths);
      expect(closed).toBe(catalogue.fullPaths);
    },
    600_000,
  );
});

/** Records the facts of `path` on a new case, one by one; returns the final state's vertex. */
const replay = async (store: EventStore, path: ProcedurePath, caseId: string, oneByOne: boolean) => {
  const service = createCaseService({ store, today: () => TODAY });
  const facts = factsOf(path).map((f) =>
    f.type === 'CaseOpened' ? { ...f, data: { ...f.data, caseId } } : f,
  );
  const inputs = facts.map((f: ProcedureEvent) => ({ type: f.type, data: f.data }));
  if (oneByOne)
    for (const [i, input] of inputs.entries()) {
      const outcome = await service.record(caseId, input);
      expect(outcome.status, `${path.line}: fact ${i + 1} (${input.type}) ${JSON.stringify(outcome)}`).toBe(
        'recorded',
      );
    }
  else {
    const outcome = await service.recordAll(caseId, inputs);
    expect(outcome, path.line).toMatchObject({ status: 'recorded', revision: inputs.length - 1 });
  }
  const { state, facts: stored } = await service.load(caseId);
  expect(stored.map((f) => f.event)).toEqual(facts);
  expect(stateLabel(state), `${path.line} ended in ${describeState(state.value)}`).toBe(path.end);
  expect(stageOf(state)).toBe(path.end === 'closed' ? 'closed' : path.end.split(/[.({ ]/)[0]);
};

describe('every path replayed through the case service', () => {
  it('given a memory store, when every path of the catalogue is recorded, then the service accepts each fact and the case ends in the path’s last vertex', async () => {
    const store = createInMemoryEventStore();
    for (const [i, path] of paths.entries()) await replay(store, path, caseIdOf(i), false);
    await store.close();
  }, 60_000);

  it.runIf(LONG)(
    'given a memory store, when one full path in 50 (from the opened case to its closure) is recorded, then the service accepts each fact and closes the case',
    async () => {
      const sample: ProcedureEvent[][] = [];
      let n = 0;
      walkFullPaths(catalogue, (facts) => {
        if (n++ % 50 === 0) sample.push([...facts]);
      });
      const store = createInMemoryEventStore();
      const service = createCaseService({ store, today: () => TODAY });
      for (const [i, facts] of sample.entries()) {
        const caseId = caseIdOf(i);
        const inputs = facts.map((f) => ({
          type: f.type,
          data: f.type === 'CaseOpened' ? { ...f.data, caseId } : f.data,
        }));
        const outcome = await service.recordAll(caseId, inputs);
        expect(outcome, `full path ${i * 50}`).toMatchObject({
          status: 'recorded',
          revision: inputs.length - 1,
        });
        expect(stageOf((await service.load(caseId)).state)).toBe('closed');
      }
      expect(sample.length).toBe(Math.ceil(catalogue.fullPaths / 50));
      await store.close();
    },
    600_000,
  );

  it('given a SQLite file, when paths are recorded fact by fact, then each fact is accepted and stored, and the case ends in the path’s last vertex', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cnil-paths-'));
    const store = createSqliteEventStore(join(dir, 'cnil.db'));
    try {
      // Every path ending in `closed`, and every other, in long mode; a spread sample by default.
      const every = scale(Math.ceil(paths.length / 16), 1);
      const sample = paths.filter((_, i) => i % every === 0);
      for (const [i, path] of sample.entries()) await replay(store, path, caseIdOf(i), true);
      expect(sample.length).toBeGreaterThanOrEqual(scale(16, paths.length));
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 600_000);
});
