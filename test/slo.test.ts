import { describe, expect, it } from "vitest";
import {
  BURN_RATE_TIERS,
  burnRate,
  burnRateExpression,
  burnRateOfHealthyPercent,
  burnRateThreshold,
  errorBudget,
  fullOutageMinutesToAlarm,
  objectiveOfExpression,
} from "../lib/slo";

describe("the uptime objective's error budget and burn rates", () => {
  it("gives the budget of a target and the SRE workbook's burn rates", () => {
    expect(errorBudget(99.9)).toBeCloseTo(0.001, 12);
    expect(errorBudget(99.5)).toBeCloseTo(0.005, 12);
    expect(() => errorBudget(100)).toThrow(/between 0 and 100/);
    // 2% of a 30-day budget in 1 hour; 5% in 6 hours.
    expect(burnRateThreshold(0.02, 3600)).toBe(14.4);
    expect(burnRateThreshold(0.05, 6 * 3600)).toBe(6);
    expect(BURN_RATE_TIERS.map((tier) => [tier.key, tier.severity])).toEqual([
      ["fast-burn", "critical"],
      ["slow-burn", "warning"],
    ]);
  });

  it("a single checker's blip stays under the fast burn; a full outage crosses it within a minute", () => {
    // One of 16 checkers failing for one minute.
    const blipShare = 100 - 100 / 16;
    const fiveMinuteAverage = (blipShare + 4 * 100) / 5;
    expect(burnRateOfHealthyPercent(fiveMinuteAverage, 99.9)).toBeCloseTo(12.5, 9);
    expect(burnRateOfHealthyPercent(fiveMinuteAverage, 99.9)).toBeLessThan(14.4);
    expect(burnRate(1, 99.9)).toBeCloseTo(1000, 9);
    const fast = BURN_RATE_TIERS[0]!;
    expect(fullOutageMinutesToAlarm(fast, 99.9)).toBeCloseTo(0.864, 9);
    expect(fullOutageMinutesToAlarm(BURN_RATE_TIERS[1]!, 99.9)).toBeCloseTo(2.16, 9);
  });

  it("writes the objective into the metric math and reads it back", () => {
    expect(burnRateExpression("healthy", 99.9)).toBe("(100 - healthy) / 0.1");
    expect(burnRateExpression("m1", 99.95)).toBe("(100 - m1) / 0.05");
    expect(objectiveOfExpression("(100 - healthy) / 0.1")).toBe(99.9);
    expect(objectiveOfExpression("( 100 - m1 )/0.05")).toBe(99.95);
    expect(objectiveOfExpression("100 * errors / requests")).toBeUndefined();
    expect(objectiveOfExpression("(100 - m1) / 0")).toBeUndefined();
  });
});
