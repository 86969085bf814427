/**
 * Deadline arithmetic on the French legal calendar: months added calendar-wise (CPC art. 641),
 * roll-over of a deadline that falls on a Saturday, a Sunday or a public holiday to the next
 * working day (CPC art. 642), and the ISO dates every event carries.
 */
import { describe, expect, it } from 'vitest';
import {
  easterSunday,
  isPublicHoliday,
  isWorkingDay,
  legalDeadline,
  nextWorkingDay,
} from '../../machines/calendar.ts';
import {
  addDays,
  addMonths,
  dayOfWeek,
  daysBetween,
  IsoDate,
  isIsoDate,
  isoDate,
  maxDate,
  minDate,
} from '../../machines/dates.ts';

describe('ISO dates', () => {
  it('accepts real calendar dates written YYYY-MM-DD', () => {
    expect(isIsoDate('2023-02-28')).toBe(true);
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2022-12-31')).toBe(true);
  });

  it('refuses 29 February outside a leap year, and impossible days', () => {
    expect(isIsoDate('2023-02-29')).toBe(false);
    expect(isIsoDate('2023-02-30')).toBe(false);
    expect(isIsoDate('2023-04-31')).toBe(false);
    expect(isIsoDate('2023-13-01')).toBe(false);
    expect(isIsoDate('2023-00-10')).toBe(false);
    expect(isIsoDate('1900-02-29')).toBe(false);
  });

  it('agrees with the round trip through Date on every day of sampled years, and on out-of-range fields', () => {
    const throughDate = (value: string): boolean => {
      const [y, m, d] = value.split('-').map(Number);
      const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
      return date.toISOString().slice(0, 10) === value;
    };
    const pad = (n: number, width: number) => String(n).padStart(width, '0');
    let checked = 0;
    for (const year of [0, 4, 99, 100, 1582, 1600, 1700, 1900, 2000, 2023, 2024, 2100, 2400, 9999])
      for (let month = 0; month <= 13; month++)
        for (let day = 0; day <= 32; day++) {
          const value = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
          expect(isIsoDate(value), value).toBe(throughDate(value));
          checked++;
        }
    expect(checked).toBe(14 * 14 * 33);
  });

  it('refuses dates not written YYYY-MM-DD', () => {
    expect(isIsoDate('2023-2-1')).toBe(false);
    expect(isIsoDate('01/02/2023')).toBe(false);
    expect(isIsoDate('2023-02-01T00:00:00Z')).toBe(false);
    expect(isIsoDate(' 2023-02-01')).toBe(false);
    expect(isIsoDate('')).toBe(false);
  });

  it('the IsoDate schema says why it refuses a date', () => {
    const result = IsoDate.safeParse('2023-02-29');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe('must be a real calendar date written YYYY-MM-DD');
    expect(IsoDate.parse('2024-02-29')).toBe('2024-02-29');
  });

  it('isoDate throws a RangeError naming the value', () => {
    expect(() => isoDate('2023-2-1')).toThrow(RangeError);
    expect(() => isoDate('2023-2-1')).toThrow('"2023-2-1"');
    expect(isoDate('2023-02-01')).toBe('2023-02-01');
  });
});

describe('adding days and counting them', () => {
  it('adds days across months and years', () => {
    expect(addDays('2023-06-01', 10)).toBe('2023-06-11');
    expect(addDays('2023-12-31', 1)).toBe('2024-01-01');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2023-02-28', 1)).toBe('2023-03-01');
    expect(addDays('2023-03-01', -1)).toBe('2023-02-28');
  });

  it('does not depend on daylight saving time (last Sunday of March and October)', () => {
    expect(addDays('2023-03-25', 1)).toBe('2023-03-26');
    expect(addDays('2023-03-26', 1)).toBe('2023-03-27');
    expect(addDays('2023-10-29', 1)).toBe('2023-10-30');
    expect(daysBetween('2023-03-01', '2023-04-01')).toBe(31);
  });

  it('counts the Clearview penalty: 19 Dec 2022 to 9 Feb 2023 is 52 days of delay, 52 × 100 000 € = 5.2 M€', () => {
    expect(daysBetween('2022-12-19', '2023-02-09')).toBe(52);
    expect(daysBetween('2022-12-19', '2023-02-09') * 100_000).toBe(5_200_000);
  });

  it('counts days in [from, to): zero for the same day, negative backwards', () => {
    expect(daysBetween('2024-03-26', '2024-03-26')).toBe(0);
    expect(daysBetween('2024-03-26', '2024-05-06')).toBe(41);
    expect(daysBetween('2024-05-06', '2024-03-26')).toBe(-41);
    expect(daysBetween('2023-01-01', '2024-01-01')).toBe(365);
    expect(daysBetween('2024-01-01', '2025-01-01')).toBe(366);
  });

  it('knows the day of the week (0 = Sunday … 6 = Saturday)', () => {
    expect(dayOfWeek('2022-12-17')).toBe(6);
    expect(dayOfWeek('2022-12-18')).toBe(0);
    expect(dayOfWeek('2022-12-19')).toBe(1);
  });

  it('orders dates', () => {
    expect(minDate(isoDate('2023-01-02'), isoDate('2022-12-31'))).toBe('2022-12-31');
    expect(maxDate(isoDate('2023-01-02'), isoDate('2022-12-31'))).toBe('2023-01-02');
  });
});

describe('adding months calendar-wise (CPC art. 641)', () => {
  it('keeps the day number: 17 Oct 2022 + 2 months = 17 Dec 2022', () => {
    expect(addMonths('2022-10-17', 2)).toBe('2022-12-17');
    expect(addMonths('2023-06-01', 2)).toBe('2023-08-01');
  });

  it('ends on the last day of a shorter month: 31 Jan 2023 + 1 month = 28 Feb 2023', () => {
    expect(addMonths('2023-01-31', 1)).toBe('2023-02-28');
  });

  it('gives 29 Feb in a leap year: 31 Jan 2024 + 1 month = 29 Feb 2024', () => {
    expect(addMonths('2024-01-31', 1)).toBe('2024-02-29');
    expect(addMonths('2024-01-29', 1)).toBe('2024-02-29');
  });

  it('31 Mar + 1 month = 30 Apr; 31 Aug + 1 month = 30 Sep', () => {
    expect(addMonths('2023-03-31', 1)).toBe('2023-04-30');
    expect(addMonths('2023-08-31', 1)).toBe('2023-09-30');
  });

  it('crosses the year: 15 Dec 2023 + 2 months = 15 Feb 2024; 29 Feb 2024 + 12 months = 28 Feb 2025', () => {
    expect(addMonths('2023-12-15', 2)).toBe('2024-02-15');
    expect(addMonths('2024-02-29', 12)).toBe('2025-02-28');
  });

  it('the 6-month cap before 2022: 26 Nov 2021 + 6 months = 26 May 2022', () => {
    expect(addMonths('2021-11-26', 6)).toBe('2022-05-26');
  });

  it('subtracts months too', () => {
    expect(addMonths('2023-03-31', -1)).toBe('2023-02-28');
  });
});

describe('public holidays of metropolitan France (Code du travail art. L3133-1)', () => {
  it.each([
    ['2023-01-01', "New Year's Day"],
    ['2023-04-10', 'Easter Monday'],
    ['2023-05-01', 'Labour Day'],
    ['2023-05-08', 'Victory in Europe Day'],
    ['2023-05-18', 'Ascension Day'],
    ['2023-05-29', 'Whit Monday'],
    ['2023-07-14', 'Bastille Day'],
    ['2023-08-15', 'Assumption'],
    ['2023-11-01', "All Saints' Day"],
    ['2023-11-11', 'Armistice Day'],
    ['2023-12-25', 'Christmas Day'],
    ['2024-04-01', 'Easter Monday 2024'],
    ['2024-05-09', 'Ascension Day 2024'],
    ['2024-05-20', 'Whit Monday 2024'],
  ])('%s (%s) is a public holiday', (date) => {
    expect(isPublicHoliday(date)).toBe(true);
    expect(isWorkingDay(date)).toBe(false);
  });

  it.each([
    ['2023-04-07', 'Good Friday (a holiday in Alsace-Moselle only)'],
    ['2023-12-26', 'St Stephen’s Day (a holiday in Alsace-Moselle only)'],
    ['2023-04-11', 'the Tuesday after Easter'],
    ['2023-07-13', 'the eve of Bastille Day'],
  ])('%s (%s) is a working day', (date) => {
    expect(isPublicHoliday(date)).toBe(false);
    expect(isWorkingDay(date)).toBe(true);
  });

  it('a Saturday or a Sunday is not a working day', () => {
    expect(isWorkingDay('2022-12-17')).toBe(false);
    expect(isWorkingDay('2022-12-18')).toBe(false);
  });
});

describe('roll-over to the next working day (CPC art. 642)', () => {
  it('a working day stays itself', () => {
    expect(nextWorkingDay('2023-06-01')).toBe('2023-06-01');
  });

  it('Saturday and Sunday move to Monday', () => {
    expect(nextWorkingDay('2022-12-17')).toBe('2022-12-19');
    expect(nextWorkingDay('2022-12-18')).toBe('2022-12-19');
  });

  it.each([
    ['2023-07-14', '2023-07-17', 'Friday 14 July, then the weekend'],
    ['2023-08-15', '2023-08-16', 'Tuesday 15 August'],
    ['2024-11-11', '2024-11-12', 'Monday 11 November'],
    ['2023-11-11', '2023-11-13', 'Saturday 11 November'],
    ['2023-12-25', '2023-12-26', 'Monday 25 December'],
    ['2023-04-08', '2023-04-11', 'Easter Saturday, Sunday and Monday 10 April 2023'],
    ['2023-05-18', '2023-05-19', 'Ascension Thursday'],
    ['2023-05-27', '2023-05-30', 'the Whitsun weekend and Whit Monday'],
    ['2022-12-31', '2023-01-02', "New Year's Eve (Saturday), New Year's Day (Sunday)"],
  ])('%s moves to %s (%s)', (date, next) => {
    expect(nextWorkingDay(date)).toBe(next);
  });
});

describe('legal deadlines: months or days, then roll-over', () => {
  it('17 Oct 2022 + 2 months = Monday 19 Dec 2022 (17 Dec is a Saturday): the Clearview injunction', () => {
    expect(legalDeadline('2022-10-17', { months: 2 })).toBe('2022-12-19');
  });

  it('a deadline already on a working day is kept: 25 Jan 2024 + 2 months = Monday 25 Mar 2024', () => {
    expect(legalDeadline('2024-01-25', { months: 2 })).toBe('2024-03-25');
  });

  it('18 Mar 2024 + 2 months = Saturday 18 May, rolls over Sunday and Whit Monday to Tuesday 21 May', () => {
    expect(legalDeadline('2024-03-18', { months: 2 })).toBe('2024-05-21');
  });

  it('1 Mar 2024 + 2 months = 1 May (Labour Day) → Thursday 2 May', () => {
    expect(legalDeadline('2024-03-01', { months: 2 })).toBe('2024-05-02');
  });

  it('31 Jan 2024 + 1 month = Thursday 29 Feb 2024 (leap year, a working day)', () => {
    expect(legalDeadline('2024-01-31', { months: 1 })).toBe('2024-02-29');
  });

  it('days are added after months, then the roll-over applies', () => {
    expect(legalDeadline('2023-05-17', { days: 1 })).toBe('2023-05-19');
    expect(legalDeadline('2023-06-29', { months: 0, days: 15 })).toBe('2023-07-17');
    expect(legalDeadline('2023-05-31', { months: 1, days: 1 })).toBe('2023-07-03');
  });

  it('an empty period is the day itself, rolled over', () => {
    expect(legalDeadline('2023-06-01', {})).toBe('2023-06-01');
    expect(legalDeadline('2023-07-14', {})).toBe('2023-07-17');
  });
});

describe('public holidays (Code du travail art. L3133-1)', () => {
  it('are, every year from 1982 to 2100, the public holidays of metropolitan France in date-holidays', async () => {
    const { default: Holidays } = await import('date-holidays');
    const france = new Holidays('FR');
    for (let year = 1982; year <= 2100; year += 1) {
      // A day counts once, even when two holidays fall on it (Ascension on 8 May 1986).
      const expected = [
        ...new Set(
          france
            .getHolidays(year)
            .filter((h) => h.type === 'public')
            .map((h) => h.date.slice(0, 10)),
        ),
      ].sort();
      const ours: string[] = [];
      for (let d = `${year}-01-01`; d.startsWith(String(year)); d = addDays(d, 1))
        if (isPublicHoliday(d)) ours.push(d);
      expect(ours, String(year)).toEqual(expected);
    }
  });

  it('move with Easter: Easter Monday, Ascension and Whit Monday of 2024', () => {
    expect(easterSunday(2024)).toBe('2024-03-31');
    expect(['2024-04-01', '2024-05-09', '2024-05-20'].every(isPublicHoliday)).toBe(true);
    expect(isPublicHoliday('2024-05-19')).toBe(false); // Whit Sunday: a Sunday, not a holiday of its own
  });
});
