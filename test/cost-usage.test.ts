/** Schedules → invocations a month (lib/cost/usage): the arithmetic the estimate's usage rests on. */
import { describe, expect, it } from "vitest";
import { DAYS_PER_MONTH, HOURS_PER_MONTH, scheduleRunsPerMonth } from "../lib/cost/usage";

function runs(expression: string, timeZone = "UTC"): number {
  const result = scheduleRunsPerMonth(expression, timeZone);
  if (!result.ok) throw new Error(result.reason);
  return result.runsPerMonth;
}

describe("scheduleRunsPerMonth", () => {
  it("counts a 30-day month: every five minutes is 8,640 runs", () => {
    expect(DAYS_PER_MONTH).toBe(30);
    expect(HOURS_PER_MONTH).toBe(720);
    expect(runs("cron(0/5 * * * ? *)")).toBe(8640);
    expect(runs("cron(*/5 * * * ? *)")).toBe(8640);
  });

  it("counts rate expressions, as the collector's minute schedule", () => {
    expect(runs("rate(1 minute)")).toBe(43_200);
    expect(runs("rate(5 minutes)")).toBe(8640);
    expect(runs("rate(2 hours)")).toBe(360);
    expect(runs("rate(1 day)")).toBe(30);
  });

  it("averages weekly schedules over the week and calendar ones over a year", () => {
    expect(runs("cron(0 4 * * ? *)")).toBe(30);
    expect(runs("cron(0 5 ? * SUN *)")).toBeCloseTo(30 / 7, 10);
    // EventBridge numbers Sunday 1: day 2 is Monday.
    expect(runs("cron(0 5 ? * 2 *)")).toBeCloseTo(30 / 7, 10);
    expect(runs("cron(0 9 ? * MON-FRI *)")).toBeCloseTo((30 * 5) / 7, 10);
    expect(runs("cron(0 0 1 * ? *)")).toBe(1);
    expect(runs("cron(0 0 31 * ? *)")).toBeCloseTo(7 / 12, 10);
    expect(runs("cron(0 6 L * ? *)")).toBe(1);
    // The third Friday (EventBridge day 6) once a month.
    expect(runs("cron(0 6 ? * 6#3 *)")).toBe(1);
    expect(runs("cron(0 0 1 1 ? *)")).toBeCloseTo(1 / 12, 10);
  });

  it("counts several runs a day in the schedule's time zone", () => {
    expect(runs("cron(0 0/6 * * ? *)")).toBe(120);
    expect(runs("cron(0,30 8-17 ? * MON-FRI *)", "Europe/Berlin")).toBeCloseTo((20 * 30 * 5) / 7, 10);
    expect(runs("cron(30 2 * * ? *)", "America/New_York")).toBe(30);
  });

  it("says what it cannot count instead of guessing", () => {
    expect(runs("at(2027-03-01T10:00:00)")).toBe(0);
    const bad = scheduleRunsPerMonth("every day");
    expect(bad.ok).toBe(false);
    expect(scheduleRunsPerMonth("cron(0 12 * * ?)").ok).toBe(false);
    expect(scheduleRunsPerMonth("rate(0 minutes)").ok).toBe(false);
  });
});
