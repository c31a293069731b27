/**
 * The prod change window (ENV-04): by default Monday to Thursday, 02:00 to 16:00 UTC. Outside it a
 * change needs `golive:changeWindowOverride` with a reason, an approver and an expiry at most 72 h
 * ahead. Pure: the caller passes the time.
 */
import { z } from "zod";

export const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface ChangeWindow {
  /** Days changes are allowed on. */
  readonly days: readonly Weekday[];
  /** First allowed hour (inclusive), 0–23. */
  readonly startHour: number;
  /** End hour (exclusive), 1–24. */
  readonly endHour: number;
  /** IANA time zone the days and hours are in. */
  readonly timeZone: string;
}

export const DEFAULT_CHANGE_WINDOW: ChangeWindow = {
  days: ["mon", "tue", "wed", "thu"],
  startHour: 2,
  endHour: 16,
  timeZone: "UTC",
};

export const MAX_OVERRIDE_HOURS = 72;

export function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** Policy config for the window; the engine fills in the schema defaults. */
export const changeWindowConfigSchema = z.object({
  days: z.array(z.enum(WEEKDAYS)).min(1).optional(),
  startHour: z.number().int().min(0).max(23).optional(),
  endHour: z.number().int().min(1).max(24).optional(),
  timeZone: z
    .string()
    .refine(isTimeZone, "must be an IANA time zone such as UTC or Europe/Berlin")
    .optional(),
});

export function windowFromConfig(config: unknown): { window: ChangeWindow; problems: string[] } {
  const parsed = changeWindowConfigSchema.safeParse(config ?? {});
  if (!parsed.success) {
    return {
      window: DEFAULT_CHANGE_WINDOW,
      problems: parsed.error.issues.map((issue) => `policy config ${issue.path.join(".")}: ${issue.message}`),
    };
  }
  const window: ChangeWindow = {
    days: parsed.data.days ?? DEFAULT_CHANGE_WINDOW.days,
    startHour: parsed.data.startHour ?? DEFAULT_CHANGE_WINDOW.startHour,
    endHour: parsed.data.endHour ?? DEFAULT_CHANGE_WINDOW.endHour,
    timeZone: parsed.data.timeZone ?? DEFAULT_CHANGE_WINDOW.timeZone,
  };
  const problems =
    window.startHour >= window.endHour ? ["policy config: startHour must be before endHour"] : [];
  return { window, problems };
}

export interface LocalTime {
  readonly day: Weekday;
  readonly hour: number;
  readonly minute: number;
}

export function localTime(at: Date, timeZone: string): LocalTime {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    weekday: "short",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(at);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? "";
  const day = part("weekday").toLowerCase().slice(0, 3) as Weekday;
  return { day, hour: Number(part("hour")), minute: Number(part("minute")) };
}

export function isInsideWindow(at: Date, window: ChangeWindow): boolean {
  const local = localTime(at, window.timeZone);
  return window.days.includes(local.day) && local.hour >= window.startHour && local.hour < window.endHour;
}

export function describeWindow(window: ChangeWindow): string {
  const pad = (hour: number) => `${String(hour).padStart(2, "0")}:00`;
  const days = window.days.map((day) => day[0]!.toUpperCase() + day.slice(1)).join(", ");
  return `${days}, ${pad(window.startHour)}–${pad(window.endHour)} ${window.timeZone}`;
}

export function describeLocal(at: Date, window: ChangeWindow): string {
  const local = localTime(at, window.timeZone);
  const day = local.day[0]!.toUpperCase() + local.day.slice(1);
  return `${day} ${String(local.hour).padStart(2, "0")}:${String(local.minute).padStart(2, "0")} ${window.timeZone}`;
}

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

export interface ChangeWindowOverride {
  readonly reason: string;
  readonly approvedBy: string;
  readonly expiresAt: Date;
}

/** Validate `golive:changeWindowOverride` against `now`; every problem is listed. */
export function checkOverride(
  raw: unknown,
  now: Date,
): { override: ChangeWindowOverride; problems: [] } | { override: undefined; problems: string[] } {
  const key = "golive:changeWindowOverride";
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return { override: undefined, problems: [`${key} must be an object {reason, approvedBy, expiresAt}`] };
  }
  const record = raw as Record<string, unknown>;
  const problems: string[] = [];
  const reason = typeof record.reason === "string" ? record.reason.trim() : "";
  if (reason.length < 10) problems.push(`${key}.reason must explain the change in at least 10 characters`);
  const approvedBy = typeof record.approvedBy === "string" ? record.approvedBy.trim() : "";
  if (approvedBy === "") problems.push(`${key}.approvedBy must name who approved the change`);
  const expiresRaw = typeof record.expiresAt === "string" ? record.expiresAt.trim() : "";
  const expiresAt = new Date(expiresRaw);
  if (!ISO_DATE_TIME.test(expiresRaw) || Number.isNaN(expiresAt.getTime())) {
    problems.push(`${key}.expiresAt must be an ISO 8601 date-time with a zone, e.g. 2026-03-06T18:00:00Z`);
  } else if (expiresAt.getTime() <= now.getTime()) {
    problems.push(`${key}.expiresAt (${expiresRaw}) has passed`);
  } else if (expiresAt.getTime() - now.getTime() > MAX_OVERRIDE_HOURS * 3_600_000) {
    problems.push(`${key}.expiresAt (${expiresRaw}) is more than ${MAX_OVERRIDE_HOURS} h ahead`);
  }
  const unknownKeys = Object.keys(record).filter((k) => !["reason", "approvedBy", "expiresAt"].includes(k));
  if (unknownKeys.length > 0) problems.push(`${key} has unknown keys: ${unknownKeys.join(", ")}`);
  if (problems.length > 0) return { override: undefined, problems };
  return { override: { reason, approvedBy, expiresAt }, problems: [] };
}
