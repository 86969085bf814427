/**
 * The agenda of one simulated run: the acts planned, each with its date and the track that planned
 * it. The run puts the earliest act to the statechart; a state change clears the acts its track
 * planned for the state left (src/simulation/plans.ts plans the new ones).
 */
import type { ProcedureContext } from '../../machines/context.ts';
import type { IsoDate } from '../../machines/dates.ts';
import type { EventOf, EventType } from '../../machines/events.ts';

/**
 * What planned an act: the main line of the procedure, the publicity of a formal notice, the
 * controller's compliance with an injunction, a side act (a publication, an appeal, the opening of
 * a fresh case), or an assumption of the user (`--assume`).
 */
export type Track = 'main' | 'publicity' | 'compliance' | 'side' | 'assumed';

/** The data of an act of type `T`, but its date (the agenda's). */
export type DataOf<T extends EventType> = Omit<EventOf<T>['data'], 'on'>;

/**
 * Builds the data of an act when it happens, from the case's context then and the act's date;
 * `null` when the act is no longer due (it is dropped).
 */
export type ActData<T extends EventType> = (context: ProcedureContext, on: IsoDate) => DataOf<T> | null;

/** An act on the agenda. */
export interface AgendaItem {
  readonly on: IsoDate;
  readonly type: EventType;
  readonly track: Track;
  /** The order it was planned in: of two acts on one date, the first planned comes first. */
  readonly seq: number;
  readonly data: (context: ProcedureContext, on: IsoDate) => object | null;
  /** The index of the assumption it stands for (track `assumed`). */
  readonly assumption: number | undefined;
}

/** The acts planned in one run. */
export interface Agenda {
  /** Plans an act of type `type` on `on`, its data built by `data` when it happens. */
  schedule<T extends EventType>(
    track: Track,
    type: T,
    on: IsoDate,
    data: NoInfer<ActData<T>>,
    assumption?: number,
  ): void;
  /** Drops every act `track` planned. */
  clear(track: Track): void;
  /** Takes the earliest act off the agenda (of one date, the first planned); undefined when none. */
  takeNext(): AgendaItem | undefined;
  /** The acts still planned. */
  items(): readonly AgendaItem[];
}

/** An empty agenda. */
export const createAgenda = (): Agenda => {
  const items: AgendaItem[] = [];
  let seq = 0;
  return {
    schedule: (track, type, on, data, assumption) => {
      items.push({ on, type, track, seq: seq++, data, assumption });
    },
    clear: (track) => {
      for (let i = items.length - 1; i >= 0; i--)
        if ((items[i] as AgendaItem).track === track) items.splice(i, 1);
    },
    takeNext: () => {
      let best = -1;
      for (let i = 0; i < items.length; i++) {
        const a = items[i] as AgendaItem;
        const b = items[best] as AgendaItem | undefined;
        if (!b || a.on < b.on || (a.on === b.on && a.seq < b.seq)) best = i;
      }
      return best < 0 ? undefined : items.splice(best, 1)[0];
    },
    items: () => items,
  };
};
