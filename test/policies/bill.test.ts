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

  it("holds the environment's budget to the declared golive:billing.monthlyBudgetUsd", async () => {
    const declared = only(pack("prod", { config: { billing: { monthlyBudgetUsd: 500 } } }), name);
    expect(violations(await analyzeStack(declared, [budget()]), name)).toEqual([]);
    const generous = res(T.budget, "monthly", { ...budget().props, limitAmount: "1000000" });
    const narrowed = res(T.budget, "lambda-only", {
      ...budget().props,
      costFilters: [{ name: "Service", values: ["AWS Lambda"] }],
    });
    const found = violations(await analyzeStack(declared, [generous, narrowed]), name);
    expect(found).toHaveLength(1);
    expect(found[0]!.message).toContain("at or below the declared golive:billing.monthlyBudgetUsd (500 USD)");
    expect(found[0]!.message).toContain('"monthly" (1000000 USD), "lambda-only" (500 USD, filtered)');
    // Empty filter shapes, as provider state may hold them, narrow nothing.
    const emptyFilters = res(T.budget, "monthly", {
      ...generous.props,
      limitAmount: "500",
      costFilters: [],
      filterExpression: { and: [], dimensions: null },
    });
    expect(violations(await analyzeStack(declared, [emptyFilters]), name)).toEqual([]);
    // Without a declared amount there is nothing to compare with.
    expect(violations(await analyzeStack(only(pack("prod"), name), [generous]), name)).toEqual([]);
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

  it("fails a subscription that alerts only above the declared golive:billing.anomaly.minImpactUsd", async () => {
    const declared = only(pack("prod", { config: { billing: { anomaly: { minImpactUsd: 50 } } } }), name);
    const withThreshold = (values: string[]) =>
      res(
        T.anomalySubscription,
        "anomaly-alerts",
        {
          frequency: "IMMEDIATE",
          monitorArnLists: [UNKNOWN],
          subscribers: [{ type: "SNS", address: UNKNOWN }],
          thresholdExpression: {
            dimension: {
              key: "ANOMALY_TOTAL_IMPACT_ABSOLUTE",
              matchOptions: ["GREATER_THAN_OR_EQUAL"],
              values,
            },
          },
        },
        { propertyDependencies: { monitorArnLists: [monitor.urn], subscribers: [topic.urn] } },
      );
    expect(violations(await analyzeStack(declared, [monitor, topic, withThreshold(["50"])]), name)).toEqual(
      [],
    );
    const deaf = violations(await analyzeStack(declared, [monitor, topic, withThreshold(["100000"])]), name);
    expect(deaf[0]!.message).toContain("alerts only above 100000 USD of impact");
  });

  it("fails a subscription with no alert channel", async () => {
    const stack = [monitor, subscription([], [])];
    expect(violations(await analyzeStack(only(pack("prod"), name), stack), name)[0]!.message).toContain(
      "not routed",
    );
  });
});
