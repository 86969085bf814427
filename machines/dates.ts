/**
 * Legal dates as ISO `YYYY-MM-DD` strings, with calendar arithmetic done in UTC so that the
 * result never depends on the machine's time zone.
 */
import { z } from 'zod';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days in each month of a common year. */
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * True when `value` is a real calendar date written `YYYY-MM-DD` (rejects 2023-02-30), in the
 * proleptic Gregorian calendar, from year 0100 (JavaScript dates read years 0–99 as 1900–1999).
 * Plain arithmetic: every stored event's dates go through it (test/machines/calendar.test.ts checks it
 * against the round trip through `Date` it replaced).
 */
export const isIsoDate = (value: string): boolean => {
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (year < 100 || month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && leap ? 29 : (MONTH_DAYS[month - 1] ?? 0));
};

/** A legal date, `YYYY-MM-DD`. */
export const IsoDate = z
  .string()
  .refine(isIsoDate, { message: 'must be a real calendar date written YYYY-MM-DD' })
  .brand<'IsoDate'>()
  // In the JSON Schema of the events (machines/json-schema.ts): an RFC 3339 full-date.
  .meta({ format: 'date' });
export type IsoDate = z.infer<typeof IsoDate>;

const DAY_MS = 86_400_000;

const toUtc = (date: string): number => Date.parse(`${date}T00:00:00Z`);
const fromUtc = (ms: number): IsoDate => new Date(ms).toISOString().slice(0, 10) as IsoDate;

/** Parses a date, throwing a RangeError naming the value if it is not a real `YYYY-MM-DD` date. */
export const isoDate = (value: string): IsoDate => {
  if (!isIsoDate(value)) throw new RangeError(`not a calendar date (YYYY-MM-DD): ${JSON.stringify(value)}`);
  return value as IsoDate;
};

export const addDays = (date: string, days: number): IsoDate => fromUtc(toUtc(date) + days * DAY_MS);

/**
 * Adds whole months calendar-wise: the same day number `months` later, or the last day of
 * that month when it is shorter (31 Jan + 1 month = 28/29 Feb). This is how French law counts
 * a period "de mois à mois" (Cass. civ. 2e, 4 juin 1987; CPC art. 641 al. 2).
 */
export const addMonths = (date: string, months: number): IsoDate => {
  const d = new Date(toUtc(date));
  const day = d.getUTCDate();
  const target = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(day, lastDay));
  return fromUtc(target.getTime());
};

/** Whole days from `from` to `to` (negative when `to` is earlier). Days in [from, to). */
export const daysBetween = (from: string, to: string): number =>
  Math.round((toUtc(to) - toUtc(from)) / DAY_MS);

/** 0 = Sunday … 6 = Saturday. */
export const dayOfWeek = (date: string): number => new Date(toUtc(date)).getUTCDay();

export const minDate = (a: IsoDate, b: IsoDate): IsoDate => (a <= b ? a : b);
export const maxDate = (a: IsoDate, b: IsoDate): IsoDate => (a >= b ? a : b);
