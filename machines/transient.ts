/**
 * Constant-cost appends to the context's growing lists (complaints, persons, decisions…) while
 * a history is folded, without giving up immutable contexts.
 *
 * An XState `assign` must return a new context and may not change the one it was given: a
 * snapshot taken before an event stays what it was. Copying a list to append one item costs its
 * length, so folding a case of n complaints cost O(n²). Clojure's transients solve this: a
 * linear fold (each intermediate state is used once, to compute the next, then dropped) may
 * append in place to the lists IT created, because nobody else can see them. {@link inOneFold}
 * opens such a fold: the first append to a list made before the fold copies it (once), and the
 * copy belongs to the fold; later appends to it push in place. When the fold returns, its lists
 * belong to nobody and are immutable again: any later append copies.
 *
 * Outside a fold, every append copies, as before. Pure: no I/O; the only state is which fold is
 * running, and which lists it owns. Not for a fold that explores several events from one state
 * (the simulator's policies, `can`): use plain `transition()` there.
 *
 * @example
 * inOneFold(() => events.reduce(evolve, initialState())); // O(n), the result immutable
 */

/** The fold running now, if any: a token owning the lists it created. */
let running: object | null = null;

/** The fold that owns each list created inside one (a list owned by a finished fold is immutable). */
const owners = new WeakMap<readonly unknown[], object>();

/**
 * Runs `fold` as a linear fold: lists created by {@link append} or {@link upsertBy} during it may
 * be appended to in place. `fold` must use each intermediate state once, only to compute the next.
 */
export const inOneFold = <T>(fold: () => T): T => {
  const outer = running;
  running = {};
  try {
    return fold();
  } finally {
    running = outer;
  }
};

/** May `list` be changed in place (a list the running fold created)? */
const owned = (list: readonly unknown[]): boolean => running !== null && owners.get(list) === running;

/** How many list items were copied so far, in this thread (what makes a fold quadratic). */
let copiedCount = 0;

/** The number of list items copied so far in this thread: for tests and measurements. */
export const copiedItems = (): number => copiedCount;

/** `copy`, a new list made from `list`'s items (counted), owned by the running fold if any. */
const copied = <T>(copy: T[], list: readonly T[]): T[] => {
  copiedCount += list.length;
  if (running !== null) owners.set(copy, running);
  return copy;
};

/** `[...list, item]`, in constant time inside a fold that owns `list`. */
export const append = <T>(list: readonly T[], item: T): readonly T[] => {
  if (owned(list)) {
    (list as T[]).push(item);
    keys.delete(list); // an index of its keys, if any, is rebuilt on next use
    return list;
  }
  return copied([...list, item], list);
};

// ── Lists of records with a key (persons by personId) ──────────────────────────────────────────

/** For a list of keyed records: the position of each key (built on first use, kept up to date). */
const keys = new WeakMap<readonly unknown[], Map<unknown, number>>();

const indexOf = <T, K>(list: readonly T[], key: (item: T) => K, k: K): number => {
  let index = keys.get(list);
  if (index === undefined) {
    index = new Map();
    list.forEach((item, i) => (index as Map<unknown, number>).set(key(item), i));
    keys.set(list, index);
  }
  return index.get(k) ?? -1;
};

/** The item of `list` whose key is `k` (the last one, when several have it), in constant time. */
export const findBy = <T, K>(list: readonly T[], key: (item: T) => K, k: K): T | undefined =>
  list[indexOf(list, key, k)];

/**
 * `[...list.filter((i) => key(i) !== key(item)), item]`: the item moved to the end, replacing any
 * item with its key. Constant time inside a fold that owns `list` when the key is new.
 */
export const upsertBy = <T, K>(list: readonly T[], key: (item: T) => K, item: T): readonly T[] => {
  const k = key(item);
  if (owned(list) && indexOf(list, key, k) === -1) {
    (list as T[]).push(item);
    keys.get(list)?.set(k, list.length - 1);
    return list;
  }
  return copied([...list.filter((i) => key(i) !== k), item], list);
};

/**
 * `list.map((i) => (key(i) === k ? change(i) : i))` for a list whose keys are unique: constant
 * time inside a fold that owns `list`.
 */
export const updateBy = <T, K>(
  list: readonly T[],
  key: (item: T) => K,
  k: K,
  change: (item: T) => T,
): readonly T[] => {
  const at = owned(list) ? indexOf(list, key, k) : -1;
  if (at === -1)
    return copied(
      list.map((i) => (key(i) === k ? change(i) : i)),
      list,
    );
  (list as T[])[at] = change(list[at] as T);
  return list;
};
