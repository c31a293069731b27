/**
 * The timing rules of the scheduled backup and the restore drill (DB-03), as pure functions: how
 * far apart runs can be, how old the newest backup may get before the freshness alarm fires, and
 * the config problems that follow. Used by the config schema and the Backup component.
 */
import { CronError, nextRuns, parseCronSchedule } from "./cron";

/** A backup at least daily and a drill at least weekly (DB-03). */
export const MAX_BACKUP_GAP_HOURS = 24;
export const MAX_DRILL_GAP_HOURS = 7 * 24;
/** Time a run may take before its backup counts as late: the freshness alarm's slack. */
export const FRESHNESS_GRACE_HOURS = 2;

/** A fixed year, so the answer does not depend on when it is computed. */
const REFERENCE_START = Date.UTC(2028, 0, 1);
const DAY_MS = 24 * 3_600_000;
/** Each window spans a month end; long enough to see a weekly schedule run several times. */
const WINDOW_DAYS = 35;
const MAX_RUNS_PER_WINDOW = 3_000;

function utcOffsetMinutes(timeZone: string, at: number): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((part) => part.type === type)?.value ?? 0);
  return (Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute")) - at) / 60_000;
}

/** Window starts: the reference year's start, and two days before each daylight saving switch. */
function windowStarts(timeZone: string): number[] {
  const starts = [REFERENCE_START];
  let previous = utcOffsetMinutes(timeZone, REFERENCE_START + DAY_MS / 2);
  for (let day = 1; day <= 366; day++) {
    const offset = utcOffsetMinutes(timeZone, REFERENCE_START + day * DAY_MS + DAY_MS / 2);
    if (offset !== previous) starts.push(REFERENCE_START + (day - 2) * DAY_MS);
    previous = offset;
  }
  return starts;
}

const gapCache = new Map<string, number>();

/**
 * The longest time between two consecutive runs of a schedule, in hours. Measured over 35-day
 * windows that start the reference year and surround each daylight saving switch of the time zone
 * (where a local time is skipped or repeated); the window edges count as runs, so a schedule that
 * runs less often than the window shows the whole window. cron-parser takes milliseconds per run
 * in a time zone, so a year of runs is too slow for config validation; results are cached.
 * Throws CronError on an invalid expression or time zone.
 */
export function maxGapHours(expression: string, timeZone: string): number {
  const key = `${expression}\u0000${timeZone}`;
  const cached = gapCache.get(key);
  if (cached !== undefined) return cached;
  let gap = 0;
  for (const start of windowStarts(timeZone)) {
    const end = start + WINDOW_DAYS * DAY_MS;
    let previous = start;
    let from = new Date(start - 1);
    let seen = 0;
    let batchSize = WINDOW_DAYS + 1;
    while (previous < end && seen < MAX_RUNS_PER_WINDOW) {
      const batch = nextRuns(expression, timeZone, from, Math.min(batchSize, MAX_RUNS_PER_WINDOW - seen));
      batchSize *= 2;
      for (const run of batch) {
        const at = Math.min(run.getTime(), end);
        gap = Math.max(gap, at - previous);
        previous = at;
        if (at >= end) break;
      }
      seen += batch.length;
      const last = batch.at(-1);
      if (!last) break;
      from = last;
    }
  }
  const hours = gap / 3_600_000;
  gapCache.set(key, hours);
  return hours;
}

/**
 * Hours after which the newest backup is stale: the longest gap between runs plus the grace,
 * rounded up to whole hours (26 for a daily schedule). The freshness alarm fires past it.
 */
export function freshnessLimitHours(expression: string, timeZone: string): number {
  return Math.ceil(maxGapHours(expression, timeZone) + FRESHNESS_GRACE_HOURS);
}

export interface BackupTiming {
  readonly schedule: string;
  readonly timeZone: string;
  readonly drill: { readonly enabled: boolean; readonly schedule: string };
}

export interface BackupScheduleProblem {
  readonly path: (string | number)[];
  readonly message: string;
}

function scheduleProblem(
  path: string[],
  expression: string,
  timeZone: string,
  maxGap: number,
  what: string,
): BackupScheduleProblem | undefined {
  const parsed = parseCronSchedule(expression, timeZone);
  if (!parsed.ok)
    return { path: parsed.error.subject === "timeZone" ? ["timeZone"] : path, message: parsed.error.message };
  try {
    const gap = maxGapHours(expression, timeZone);
    if (gap > maxGap) {
      return {
        path,
        message: `"${expression}" leaves up to ${Math.round(gap)} h between runs; ${what} must run at least every ${maxGap} h (DB-03)`,
      };
    }
  } catch (error) {
    if (error instanceof CronError) return { path, message: error.message };
    throw error;
  }
  return undefined;
}

/** Problems with `golive:database.backups` timing, each with its path below `backups`. */
export function backupScheduleProblems(backups: BackupTiming): BackupScheduleProblem[] {
  const problems = [
    scheduleProblem(["schedule"], backups.schedule, backups.timeZone, MAX_BACKUP_GAP_HOURS, "the backup"),
    backups.drill.enabled
      ? scheduleProblem(
          ["drill", "schedule"],
          backups.drill.schedule,
          backups.timeZone,
          MAX_DRILL_GAP_HOURS,
          "the restore drill",
        )
      : undefined,
  ];
  return problems.filter((problem): problem is BackupScheduleProblem => problem !== undefined);
}
