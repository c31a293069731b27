import { CronExpressionParser } from "cron-parser";
import { toString as cronToText } from "cronstrue";
import { CronError } from "./errors";
import { eventBridgeCronFromStandard, eventBridgeDaysOfWeek } from "./eventbridge";
import { parseStandardCron, type StandardCron } from "./expression";

/** A validated schedule: a five-field cron expression evaluated in an IANA time zone. */
export interface CronSchedule {
  /** The expression as given, trimmed. */
  readonly source: string;
  /** Five fields separated by single spaces, macros expanded (`@daily` → `0 0 * * *`). */
  readonly expression: string;
  /** IANA time zone name the expression is evaluated in, as given. */
  readonly timeZone: string;
  /** English description, e.g. "At 04:00, only on Monday"; the time zone is not included. */
  readonly description: string;
  /** EventBridge Scheduler form, e.g. `cron(0 4 ? * MON *)`; pair it with `timeZone`. */
  readonly eventBridgeExpression: string;
}

export type CronScheduleResult =
  { readonly ok: true; readonly schedule: CronSchedule } | { readonly ok: false; readonly error: CronError };

const TIME_ZONE_HINT = 'use an IANA time zone name such as "UTC", "Europe/Berlin" or "America/New_York"';

/**
 * Checks that `timeZone` is an IANA time zone name this runtime (and so cron-parser) knows.
 * Returns the problem, or undefined when it is fine. Offsets like "+02:00" are refused: they
 * do not follow daylight saving time and EventBridge Scheduler does not take them.
 */
export function checkTimeZone(timeZone: string): CronError | undefined {
  if (timeZone.trim() === "") {
    return new CronError("invalid-time-zone", "timeZone", `the time zone is empty; ${TIME_ZONE_HINT}.`);
  }
  if (/^[+-]\d/.test(timeZone)) {
    return new CronError(
      "invalid-time-zone",
      "timeZone",
      `"${timeZone}" is a UTC offset, not a time zone, and would not follow daylight saving time; ${TIME_ZONE_HINT}.`,
    );
  }
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat("en-US", { timeZone }).resolvedOptions().timeZone;
  } catch {
    return new CronError(
      "invalid-time-zone",
      "timeZone",
      `"${timeZone}" is not a known time zone; ${TIME_ZONE_HINT}.`,
    );
  }
  if (resolved !== timeZone && resolved.toLowerCase() === timeZone.toLowerCase()) {
    return new CronError(
      "invalid-time-zone",
      "timeZone",
      `time zone "${timeZone}" is spelled with the wrong case; write "${resolved}".`,
    );
  }
  return undefined;
}

/** cronstrue reads day-of-week steps differently from cron-parser, so describe the days we run on. */
function describe(cron: StandardCron): string {
  const { minute, hour, dayOfMonth, month, dayOfWeek } = cron.fields;
  const dayOfWeekText = dayOfWeek.text.includes("/")
    ? eventBridgeDaysOfWeek(dayOfWeek.values)
    : dayOfWeek.text;
  const text = [minute.text, hour.text, dayOfMonth.text, month.text, dayOfWeekText].join(" ");
  try {
    return cronToText(text, { use24HourTimeFormat: true, throwExceptionOnParseError: true, verbose: false });
  } catch {
    // The description is documentation only; an expression cron-parser accepted stays usable.
    return `cron "${cron.expression}"`;
  }
}

/**
 * Validates a job schedule: a standard five-field cron expression (see `parseStandardCron`) that
 * EventBridge Scheduler can run, and an IANA time zone. Never throws for bad input: problems come
 * back as `{ ok: false, error }` with `error.subject` saying whether the expression or the time
 * zone is at fault, so the caller can prefix the right key path.
 */
export function parseCronSchedule(expression: string, timeZone: string): CronScheduleResult {
  let cron: StandardCron;
  let eventBridgeExpression: string;
  try {
    cron = parseStandardCron(expression);
    eventBridgeExpression = eventBridgeCronFromStandard(cron);
  } catch (error) {
    if (error instanceof CronError) return { ok: false, error };
    throw error;
  }
  const timeZoneError = checkTimeZone(timeZone);
  if (timeZoneError !== undefined) return { ok: false, error: timeZoneError };
  return {
    ok: true,
    schedule: {
      source: cron.source,
      expression: cron.expression,
      timeZone,
      description: describe(cron),
      eventBridgeExpression,
    },
  };
}

/** Daylight saving shifts are 30, 60 or 120 minutes; a repeated local time lies that far back. */
const DST_SHIFTS_MS = [30, 60, 90, 120].map((minutes) => minutes * 60_000);

function repeatsEarlierWallClock(run: Date, format: Intl.DateTimeFormat): boolean {
  const wallClock = format.format(run);
  return DST_SHIFTS_MS.some((shift) => format.format(new Date(run.getTime() - shift)) === wallClock);
}

/**
 * The next `count` times (strictly after `from`) a schedule runs, in the way EventBridge Scheduler
 * treats daylight saving time: a local time skipped when clocks go forward does not run that day,
 * and a local time repeated when clocks go back runs once (the first time).
 *
 * @throws {CronError} when the expression or time zone is invalid (same checks as parseCronSchedule).
 * @throws {RangeError} when `count` is not a whole number from 0 to 10000 or `from` is not a valid date.
 */
export function nextRuns(expression: string, timeZone: string, from: Date, count: number): Date[] {
  if (!Number.isInteger(count) || count < 0 || count > 10_000) {
    throw new RangeError(`count must be a whole number from 0 to 10000, got ${count}`);
  }
  if (Number.isNaN(from.getTime())) throw new RangeError("from is not a valid date");
  const result = parseCronSchedule(expression, timeZone);
  if (!result.ok) throw result.error;
  const occurrences = CronExpressionParser.parse(result.schedule.expression, {
    tz: timeZone,
    currentDate: from,
  });
  const format = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
  });
  const runs: Date[] = [];
  while (runs.length < count) {
    const run = occurrences.next().toDate();
    // cron-parser moves a skipped local time to the next valid instant; that instant no longer
    // matches the expression, and EventBridge does not run it.
    if (!occurrences.includesDate(run)) continue;
    // The second pass through a local time repeated when clocks go back.
    if (repeatsEarlierWallClock(run, format)) continue;
    runs.push(run);
  }
  return runs;
}
