/**
 * Calendar dates as day numbers, memoised: the simulator adds days millions of times, and
 * `machines/dates.ts` goes through `Date` each time. Results are those of machines/dates.ts
 * (the same UTC arithmetic); only the cost differs.
 */
import type { IsoDate } from '../../machines/dates.ts';

const DAY_MS = 86_400_000;
const numbers = new Map<string, number>();
/** Day 0 of the string cache: 1970-01-01 − OFFSET days, so dates from 1900 to 2119 are cached. */
const OFFSET = 25_567;
const SPAN = 80_000;
/** A dense array ('' = not computed yet), so lookups stay fast. */
const strings: string[] = new Array<string>(SPAN).fill('');

/** Days since 1970-01-01 (UTC). */
export const dayOf = (date: string): number => {
  let n = numbers.get(date);
  if (n === undefined) {
    n = Math.round(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
    numbers.set(date, n);
  }
  return n;
};

/** The ISO date of a day number. */
export const dateOf = (day: number): IsoDate => {
  const i = day + OFFSET;
  const cached = i >= 0 && i < SPAN ? (strings[i] as string) : '';
  if (cached !== '') return cached as IsoDate;
  const s = new Date(day * DAY_MS).toISOString().slice(0, 10);
  if (i >= 0 && i < SPAN) strings[i] = s;
  return s as IsoDate;
};

export const plusDays = (date: string, days: number): IsoDate => dateOf(dayOf(date) + days);
export const daysFrom = (from: string, to: string): number => dayOf(to) - dayOf(from);
