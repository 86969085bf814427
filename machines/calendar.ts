/**
 * The French legal calendar: working days and deadline roll-over.
 *
 * A period that would expire on a Saturday, a Sunday or a public holiday is extended to the next
 * working day (CPC art. 642; applied to administrative time limits by the Conseil d'État, e.g.
 * CE 2 mars 1977 n° 98736). Public holidays come from `date-holidays` (metropolitan France,
 * Code du travail art. L3133-1), not from a hand-typed list.
 */
import Holidays from 'date-holidays';
import { addDays, addMonths, dayOfWeek, type IsoDate } from './dates.ts';

const france = new Holidays('FR');
const holidayCache = new Map<number, ReadonlySet<string>>();

const publicHolidays = (year: number): ReadonlySet<string> => {
  let days = holidayCache.get(year);
  if (!days) {
    days = new Set(
      france
        .getHolidays(year)
        .filter((h) => h.type === 'public')
        .map((h) => h.date.slice(0, 10)),
    );
    holidayCache.set(year, days);
  }
  return days;
};

/** True for a public holiday of metropolitan France. */
export const isPublicHoliday = (date: string): boolean => publicHolidays(Number(date.slice(0, 4))).has(date);

/** True unless the date is a Saturday, a Sunday or a public holiday. */
export const isWorkingDay = (date: string): boolean => {
  const dow = dayOfWeek(date);
  return dow !== 0 && dow !== 6 && !isPublicHoliday(date);
};

/** The date itself if it is a working day, otherwise the next working day (CPC art. 642). */
export const nextWorkingDay = (date: string): IsoDate => {
  let d = date as IsoDate;
  while (!isWorkingDay(d)) d = addDays(d, 1);
  return d;
};

export interface Period {
  readonly months?: number;
  readonly days?: number;
}

/**
 * The last day of a period that starts on `from`: months are added calendar-wise, then days,
 * and the result rolls over to the next working day.
 * Example: `legalDeadline('2022-10-17', { months: 2 })` is Monday 2022-12-19 (17 Dec is a Saturday).
 */
export const legalDeadline = (from: string, period: Period): IsoDate =>
  nextWorkingDay(addDays(addMonths(from, period.months ?? 0), period.days ?? 0));
