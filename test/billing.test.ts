import { describe, expect, it } from "vitest";
import { Billing, type BillingArgs } from "../components/billing";
import { BILLING_TYPE } from "../lib/component-types";
import { parseStackConfig, type StackConfig } from "../config/load";
import { billingSchema } from "../config/schema/billing";
import { anomalySubscriptionThreshold, budgetNotifications } from "../lib/alerts";
import { findResource, recordProgram, type Recording } from "../tooling/engine/record";
import { isUnknown, type RecordedValue } from "../tooling/engine/wire";
import { stackConfig } from "./support/stacks";

const prod = parseStackConfig(stackConfig("prod"));
const staging = parseStackConfig(stackConfig("staging"));
const TOPICS = {
  critical: "arn:aws:sns:us-east-1:123456789012:dirt-free-crm-prod-alerts-critical",
  warning: "arn:aws:sns:us-east-1:123456789012:dirt-free-crm-prod-alerts-warning",
};

function billingArgs(config: StackConfig, billing = config.billing): BillingArgs {
  return {
    identity: { app: config.app.name, environment: config.environment },
    config: billing,
    topicArns: TOPICS,
  };
}

function record(args: BillingArgs, preview: boolean): Promise<Recording> {
  return recordProgram({
    project: "golive",
    stack: args.identity.environment,
    preview,
    config: { "aws:region": "us-east-1" },
    program: () => {
      const billing = new Billing("billing", args);
      return { budget: billing.budgetName, monitor: billing.anomalyMonitorArn };
    },
  });
}

describe("budget and anomaly alerts (pure)", () => {
  it("warn at 80% of actual and 100% of forecast spend, on the warning topic", () => {
    expect(budgetNotifications({ actualAlertPercent: 80, forecastAlertPercent: 100 }, TOPICS)).toEqual([
      {
        notificationType: "ACTUAL",
        comparisonOperator: "GREATER_THAN",
        threshold: 80,
        thresholdType: "PERCENTAGE",
        subscriberSnsTopicArns: [TOPICS.warning],
      },
      {
        notificationType: "FORECASTED",
        comparisonOperator: "GREATER_THAN",
        threshold: 100,
        thresholdType: "PERCENTAGE",
        subscriberSnsTopicArns: [TOPICS.warning],
      },
    ]);
  });

  it("anomalies alert from an absolute total impact", () => {
    expect(anomalySubscriptionThreshold(25)).toEqual({
      dimension: {
        key: "ANOMALY_TOTAL_IMPACT_ABSOLUTE",
        matchOptions: ["GREATER_THAN_OR_EQUAL"],
        values: ["25"],
      },
    });
  });
});

describe.each([false, true])("the Billing component (preview: %s)", (preview) => {
  it("a monthly USD budget per environment notifying at 80% actual and 100% forecast", async () => {
    for (const [config, amount] of [
      [prod, "300.00"],
      [staging, "75.00"],
    ] as const) {
      const rec = await record(billingArgs(config), preview);
      const budget = findResource(rec, "aws:budgets/budget:Budget", "billing-monthly");
      expect(budget.inputs).toMatchObject({
        name: `dirt-free-crm-${config.environment}-monthly`,
        budgetType: "COST",
        timeUnit: "MONTHLY",
        limitAmount: amount,
        limitUnit: "USD",
      });
      const notifications = budget.inputs.notifications as Record<string, RecordedValue>[];
      expect(notifications.map((n) => [n.notificationType, n.threshold, n.thresholdType])).toEqual([
        ["ACTUAL", 80, "PERCENTAGE"],
        ["FORECASTED", 100, "PERCENTAGE"],
      ]);
      for (const notification of notifications)
        expect(notification.subscriberSnsTopicArns).toEqual([TOPICS.warning]);
    }
  });

  it("an AWS services anomaly monitor with an immediate SNS subscription above the impact threshold", async () => {
    const rec = await record(billingArgs(prod), preview);
    const monitor = findResource(rec, "aws:costexplorer/anomalyMonitor:AnomalyMonitor", "billing-services");
    expect(monitor.inputs).toMatchObject({ monitorType: "DIMENSIONAL", monitorDimension: "SERVICE" });
    const subscription = findResource(
      rec,
      "aws:costexplorer/anomalySubscription:AnomalySubscription",
      "billing-anomalies",
    );
    expect(subscription.inputs.frequency).toBe("IMMEDIATE");
    expect(subscription.inputs.subscribers).toEqual([{ type: "SNS", address: TOPICS.warning }]);
    expect(subscription.inputs.thresholdExpression).toEqual({
      dimension: {
        key: "ANOMALY_TOTAL_IMPACT_ABSOLUTE",
        matchOptions: ["GREATER_THAN_OR_EQUAL"],
        values: ["25"],
      },
    });
    const [monitorArn] = subscription.inputs.monitorArnLists as RecordedValue[];
    if (preview) expect(isUnknown(monitorArn)).toBe(true);
    else expect(monitorArn).toBe(monitor.outputs.arn);
  });

  it("subscribes to an existing monitor instead of creating a second one", async () => {
    const existing = "arn:aws:ce::123456789012:anomalymonitor/12345678-abcd-ef01-2345-6789abcdef01";
    const config = billingSchema.parse({ monthlyBudgetUsd: 300, anomaly: { existingMonitorArn: existing } });
    const rec = await record(billingArgs(prod, config), preview);
    expect(
      rec.resources.filter((r) => r.type === "aws:costexplorer/anomalyMonitor:AnomalyMonitor"),
    ).toHaveLength(0);
    const subscription = findResource(
      rec,
      "aws:costexplorer/anomalySubscription:AnomalySubscription",
      "billing-anomalies",
    );
    expect(subscription.inputs.monitorArnLists).toEqual([existing]);
  });

  it("parents every child to the Billing component", async () => {
    const rec = await record(billingArgs(prod), preview);
    const component = findResource(rec, BILLING_TYPE, "billing");
    const children = rec.resources.filter((r) => r.type.startsWith("aws:"));
    expect(children).toHaveLength(3);
    for (const child of children) expect(child.parent).toBe(component.urn);
  });
});
