/**
 * The French legal calendar: working days and deadline roll-over.
 *
 * A period that would expire on a Saturday, a Sunday or a public holiday is extended to the next
 * working day (CPC art. 642; applied to administrative time limits by the Conseil d'État, e.g.
 * CE 2 mars 1977 n° 98736). Public holidays are the eleven of metropolitan France listed by the
 * Code du travail art. L3133-1 (the movable ones from Easter, computed); a test checks them year by
 * year against the `date-holidays` calendar, so start-up loads no calendar data.
 */
import { addDays, addMonths, dayOfWeek, type IsoDate, isoDate } from './dates.ts';

const pad = (n: number): string => String(n).padStart(2, '0');

/** Easter Sunday of a Gregorian year (the anonymous Gregorian computus, Meeus/Jones/Butcher). */
export const easterSunday = (year: number): IsoDate => {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return isoDate(`${year}-${pad(month)}-${pad(day)}`);
};

const holidayCache = new Map<number, ReadonlySet<string>>();

/**
 * The public holidays (jours fériés) of a year, Code du travail art. L3133-1: 1 January, Easter
 * Monday, 1 May, 8 May, Ascension Day, Whit Monday, 14 July, 15 August, 1 November, 11 November
 * and 25 December. (Alsace-Moselle's Good Friday and 26 December are local and not counted.)
 */
const publicHolidays = (year: number): ReadonlySet<string> => {
  let days = holidayCache.get(year);
  if (!days) {
    const easter = easterSunday(year);
    const fixed = ['01-01', '05-01', '05-08', '07-14', '08-15', '11-01', '11-11', '12-25'];
    days = new Set([
      ...fixed.map((md) => `${year}-${md}`),
      addDays(easter, 1), // Lundi de Pâques
      addDays(easter, 39), // Ascension
      addDays(easter, 50), // Lundi de Pentecôte
    ]);
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

/**
 * The first day after a time limit whose last day is `deadline`: the limit runs to the end of
 * its last day, moved to the next working day when it is a Saturday, a Sunday or a public
 * holiday (CPC art. 642). A fact that needs the limit to have run (its lapse, a decision taken
 * after it) is dated on or after this day.
 * Example: a formal notice due Saturday 2024-03-02 has run from Tuesday 2024-03-05.
 */
export const dayAfterTimeLimit = (deadline: string): IsoDate => addDays(nextWorkingDay(deadline), 1);
