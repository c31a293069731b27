/**
 * Usage the stack itself determines: how often a schedule runs in a month, from its EventBridge
 * expression (`cron(...)`, `rate(...)`, `at(...)`) and time zone.
 *
 * A month is 30 days (720 hours), the month the estimate prices everything in: a job every five
 * minutes runs 8,640 times, a daily job 30 times, a job on weekdays 30 × 5/7 ≈ 21.4 times. A
 * schedule tied to the calendar (a day of the month, a month, the last day, the nth weekday) runs
 * its count over a common year divided by 12: a job on the 1st runs once, a job on the 31st 7/12
 * times. Runs in a day are counted in the schedule's own time zone, on a day without a clock change.
 */
import { CronExpressionParser } from "cron-parser";
import { checkTimeZone } from "../cron";

export const DAYS_PER_MONTH = 30;
export const HOURS_PER_MONTH = DAYS_PER_MONTH * 24;

/** A common year (2027) for calendar schedules; 2027-01-03 is a Sunday. */
const YEAR_START = Date.UTC(2027, 0, 1);
const YEAR_END = Date.UTC(2028, 0, 1);
/** A day without a clock change in any zone (mid-January). */
const SAMPLE_DAY = Date.UTC(2027, 0, 12);
const DAY_MS = 86_400_000;

export type ScheduleRuns =
  | { readonly ok: true; readonly runsPerMonth: number; readonly how: string }
  | { readonly ok: false; readonly reason: string };

const RATE = /^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$/i;
const CRON = /^cron\((.*)\)$/i;
const AT = /^at\(.*\)$/i;

/** EventBridge numbers weekdays 1-7 from Sunday; standard cron 0-6. Names are kept. */
function standardDayOfWeek(field: string): string {
  return field.replace(/\d+/g, (digits, offset: number, whole: string) => {
    // The number after "#" is the week of the month, not a weekday.
    if (offset > 0 && whole[offset - 1] === "#") return digits;
    const day = Number(digits);
    return day >= 1 && day <= 7 ? String(day - 1) : digits;
  });
}

const WEEKDAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/** Days in a month the day fields match (day of month, month, day of week; standard numbering). */
function matchingDaysPerMonth(dayOfMonth: string, month: string, dayOfWeek: string): number {
  if (dayOfMonth === "*" && month === "*" && !/[#L]/i.test(dayOfWeek)) {
    if (dayOfWeek === "*") return DAYS_PER_MONTH;
    // Weekdays only: their share of a week, over 30 days.
    const week = WEEKDAYS.filter((_, index) =>
      CronExpressionParser.parse(`0 0 * * ${dayOfWeek}`, { tz: "UTC" }).includesDate(
        new Date(Date.UTC(2027, 0, 3 + index)),
      ),
    ).length;
    return (week / 7) * DAYS_PER_MONTH;
  }
  // Calendar days (a day of the month, a month, "L", "#"): a calendar year's count over 12.
  const occurrences = CronExpressionParser.parse(`0 0 ${dayOfMonth} ${month} ${dayOfWeek}`, {
    tz: "UTC",
    currentDate: new Date(YEAR_START - 1000),
    endDate: new Date(YEAR_END - 1000),
  });
  let days = 0;
  while (occurrences.hasNext()) {
    occurrences.next();
    days += 1;
  }
  return days / 12;
}

/** Runs in one day for the minute and hour fields, in the schedule's time zone (a day without a clock change). */
function runsPerDay(minute: string, hour: string, timeZone: string): number {
  const timeZoneError = checkTimeZone(timeZone);
  if (timeZoneError !== undefined) throw timeZoneError;
  const occurrences = CronExpressionParser.parse(`${minute} ${hour} * * *`, {
    tz: timeZone,
    currentDate: new Date(SAMPLE_DAY - 1000),
    endDate: new Date(SAMPLE_DAY + DAY_MS - 1000),
  });
  let runs = 0;
  while (occurrences.hasNext()) {
    occurrences.next();
    runs += 1;
  }
  return runs;
}

function formatDays(days: number): string {
  return Number.isInteger(days) ? String(days) : days.toFixed(2);
}

function rateRuns(amount: number, unit: string): number {
  const minutes = unit.startsWith("minute") ? 1 : unit.startsWith("hour") ? 60 : 1440;
  return (DAYS_PER_MONTH * 1440) / (amount * minutes);
}

/**
 * Runs a month of an EventBridge Scheduler or EventBridge rule expression. Never throws: an
 * expression it cannot count comes back with the reason, for the estimate to list.
 */
export function scheduleRunsPerMonth(expression: string, timeZone = "UTC"): ScheduleRuns {
  const text = expression.trim();
  const rate = RATE.exec(text);
  if (rate) {
    const amount = Number(rate[1]);
    if (amount <= 0) return { ok: false, reason: `${text} has a zero rate` };
    const unit = rate[2]!.toLowerCase();
    return { ok: true, runsPerMonth: rateRuns(amount, unit), how: `${text}: 30 days at that rate` };
  }
  if (AT.test(text)) return { ok: true, runsPerMonth: 0, how: `${text} runs once, not monthly` };
  const cron = CRON.exec(text);
  if (!cron) return { ok: false, reason: `"${text}" is not a cron(), rate() or at() expression` };
  const fields = cron[1]!.trim().split(/\s+/);
  if (fields.length !== 6) {
    return {
      ok: false,
      reason: `${text} does not have six fields (minutes hours day-of-month month day-of-week year)`,
    };
  }
  const [minute, hour, dayOfMonth, month, dayOfWeek, year] = fields as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const dom = dayOfMonth === "?" ? "*" : dayOfMonth;
  const dow = dayOfWeek === "?" ? "*" : standardDayOfWeek(dayOfWeek);
  try {
    const days = matchingDaysPerMonth(dom, month, dow);
    const perDay = runsPerDay(minute, hour, timeZone);
    const yearNote = year === "*" ? "" : `; the year field "${year}" is ignored (counted as every year)`;
    return {
      ok: true,
      runsPerMonth: days * perDay,
      how: `${text} in ${timeZone}: ${perDay} a day on ${formatDays(days)} ${days === 1 ? "day" : "days"} a month${yearNote}`,
    };
  } catch (error) {
    return { ok: false, reason: `${text} could not be counted (${(error as Error).message})` };
  }
}
