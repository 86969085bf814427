/**
 * A decorator that runs test code around every append a store makes: to count appends, or to let
 * another writer record first. The case service appends sealed events to the store as written (a
 * protected store's `raw`), so the hook is put on that store too; either way, each append passes
 * through it once.
 */
import type { AppendResult, EventStore } from '../../src/store/port.ts';

export type AppendHook = (append: () => Promise<AppendResult>) => Promise<AppendResult>;

const hooked = (store: EventStore, around: AppendHook): EventStore['appendToStream'] => {
  return (streamId, events, options) => around(() => store.appendToStream(streamId, events, options));
};

export const aroundAppends = <S extends EventStore>(store: S, around: AppendHook): S => {
  const raw = 'raw' in store ? (store.raw as EventStore) : undefined;
  return {
    ...store,
    appendToStream: hooked(store, around),
    ...(raw === undefined ? {} : { raw: { ...raw, appendToStream: hooked(raw, around) } }),
  };
};
