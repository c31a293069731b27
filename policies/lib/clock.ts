/**
 * The pack's clock. In-process callers pass a function; a pack launched by the engine (and the
 * offline plan) can pin it with GOLIVE_POLICY_CLOCK=<ISO date-time> so runs are reproducible.
 */
import type { Env } from "./config";

export const ENV_CLOCK = "GOLIVE_POLICY_CLOCK";

export interface Clock {
  readonly now: () => Date;
  /** Set when the time is pinned: said in every message that depends on it. */
  readonly pinnedBy: string | undefined;
  /** Set when GOLIVE_POLICY_CLOCK holds something that is not a date-time. */
  readonly error: string | undefined;
}

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

export function clockFromEnv(env: Env): Clock {
  const pinned = env[ENV_CLOCK];
  if (pinned === undefined || pinned.trim() === "") {
    return { now: () => new Date(), pinnedBy: undefined, error: undefined };
  }
  const value = pinned.trim();
  const time = new Date(value);
  if (!ISO_DATE_TIME.test(value) || Number.isNaN(time.getTime())) {
    // A bad pin must not silently fall back to the wall clock: the change window fails closed.
    return {
      now: () => new Date(Number.NaN),
      pinnedBy: `${ENV_CLOCK}=${value}`,
      error: `${ENV_CLOCK}="${value}" is not an ISO 8601 date-time with a zone (e.g. 2026-03-03T10:00:00Z)`,
    };
  }
  return { now: () => new Date(time.getTime()), pinnedBy: `${ENV_CLOCK}=${value}`, error: undefined };
}

export function fixedClock(time: Date | string, pinnedBy = "test clock"): Clock {
  const at = new Date(time);
  return { now: () => new Date(at.getTime()), pinnedBy, error: undefined };
}

/** " (clock pinned by GOLIVE_POLICY_CLOCK=…)" or "". */
export function clockNote(clock: Clock): string {
  return clock.pinnedBy ? ` (clock pinned by ${clock.pinnedBy})` : "";
}
