import { describe, expect, it } from "vitest";
import { T } from "../../policies/lib/types";
import { analyzeResource, analyzeStack, undeterminable, UNKNOWN, violations } from "./harness";
import { only, pack, res } from "./fixtures";

const notification = (notificationType: string, threshold: number) => ({
  comparisonOperator: "GREATER_THAN",
  notificationType,
  threshold,
  thresholdType: "PERCENTAGE",
  subscriberSnsTopicArns: [UNKNOWN],
});
const budget = (notifications: unknown = [notification("ACTUAL", 80), notification("FORECASTED", 100)]) =>
  res(T.budget, "monthly", {
    budgetType: "COST",
    timeUnit: "MONTHLY",
    limitAmount: "500",
    limitUnit: "USD",
    notifications,
  });

describe("bill-01-monthly-budget", () => {
  const name = "bill-01-monthly-budget";

  it("passes a monthly budget alerting at 80% actual and 100% forecast", async () => {
    expect(violations(await analyzeResource(only(pack("prod"), name), budget()), name)).toEqual([]);
    expect(violations(await analyzeStack(only(pack("prod"), name), [budget()]), name)).toEqual([]);
  });

  it("fails a budget without the forecast alert, or alerting late (advisory in staging)", async () => {
    const late = budget([notification("ACTUAL", 95)]);
    const prod = violations(await analyzeResource(only(pack("prod"), name), late), name);
    expect(prod.map((d) => d.message).join("\n")).toContain("actual spend passes 80%");
    expect(prod.map((d) => d.message).join("\n")).toContain("forecast spend passes 100%");
    expect(prod[0]!.enforcementLevel).toBe("mandatory");
    const staging = violations(await analyzeResource(only(pack("staging"), name), late), name);
    expect(staging[0]!.enforcementLevel).toBe("advisory");
  });

  it("fails a notification nobody receives", async () => {
    const silent = budget([
      { ...notification("ACTUAL", 80), subscriberSnsTopicArns: [] },
      notification("FORECASTED", 100),
    ]);
    expect(violations(await analyzeResource(only(pack("prod"), name), silent), name)).toHaveLength(1);
  });

  it("fails a stack without a budget", async () => {
    expect(violations(await analyzeStack(only(pack("prod"), name), []), name)[0]!.message).toContain(
      "no monthly cost budget",
    );
  });

  it("reports unknown notifications as undeterminable", async () => {
    expect(
      undeterminable(await analyzeResource(only(pack("prod"), name), budget(UNKNOWN)), name),
    ).toHaveLength(1);
  });
});

describe("bill-02-cost-anomaly-detection", () => {
  const name = "bill-02-cost-anomaly-detection";
  const monitor = res(T.anomalyMonitor, "anomaly", {
    monitorType: "DIMENSIONAL",
    monitorDimension: "SERVICE",
  });
  const topic = res(T.topic, "alerts-warning", { kmsMasterKeyId: UNKNOWN });
  const subscription = (subscribers: unknown, deps: string[] = [topic.urn]) =>
    res(
      T.anomalySubscription,
      "anomaly-alerts",
      { frequency: "IMMEDIATE", monitorArnLists: [UNKNOWN], subscribers },
      {
        propertyDependencies: { monitorArnLists: [monitor.urn], subscribers: deps },
      },
    );

  it("passes a monitor whose subscription goes to the warning topic", async () => {
    const stack = [monitor, topic, subscription([{ type: "SNS", address: UNKNOWN }])];
    expect(violations(await analyzeStack(only(pack("prod"), name), stack), name)).toEqual([]);
  });

  it("fails without a monitor, or with a monitor nobody hears (advisory in staging)", async () => {
    expect(violations(await analyzeStack(only(pack("prod"), name), []), name)[0]!.message).toContain(
      "no cost anomaly monitor",
    );
    const found = violations(
      await analyzeStack(only(pack("staging"), name), [monitor], { stack: "staging" }),
      name,
    );
    expect(found[0]!.message).toContain("has no subscription");
    expect(found[0]!.enforcementLevel).toBe("advisory");
  });

  it("fails a subscription with no alert channel", async () => {
    const stack = [monitor, subscription([], [])];
    expect(violations(await analyzeStack(only(pack("prod"), name), stack), name)[0]!.message).toContain(
      "not routed",
    );
  });
});
