/**
 * BILL-01's budget that cannot hold: the pack estimates the stack from the resources and config it
 * sees (lib/cost, as the plan does) and reports, at advisory level, an estimate above 80% of
 * golive:billing.monthlyBudgetUsd. Through the policy functions and through @pulumi/policy's server.
 */
import { describe, expect, it } from "vitest";
import { T } from "../policies/lib/types";
import { only, pack, res } from "./policies/fixtures";
import { analyzeStack, notices, UNKNOWN, violations, viaServerAnalyzeStack } from "./policies/harness";

const NAME = "bill-01-monthly-budget";

const budget = res(T.budget, "billing-monthly", {
  budgetType: "COST",
  timeUnit: "MONTHLY",
  limitAmount: "200.00",
  limitUnit: "USD",
  notifications: [
    {
      comparisonOperator: "GREATER_THAN",
      notificationType: "ACTUAL",
      threshold: 80,
      thresholdType: "PERCENTAGE",
      subscriberSnsTopicArns: ["arn:aws:sns:us-east-1:123456789012:alerts"],
    },
    {
      comparisonOperator: "GREATER_THAN",
      notificationType: "FORECASTED",
      threshold: 100,
      thresholdType: "PERCENTAGE",
      subscriberSnsTopicArns: ["arn:aws:sns:us-east-1:123456789012:alerts"],
    },
  ],
});
const project = res("supabase:index/project:Project", "database-project", {
  instanceSize: "large",
  organizationId: "acme",
  name: "acme-prod",
  region: "us-east-1",
});
const pitr = res("pulumi-nodejs:dynamic/supabase:ManagementSetting", "database-pitr", {
  path: "/billing/addons",
  method: "PATCH",
  projectRef: UNKNOWN,
  body: JSON.stringify({ addon_type: "pitr", addon_variant: "pitr_7" }),
});

function policies(monthlyBudgetUsd: number) {
  return only(pack("prod", { config: { billing: { monthlyBudgetUsd }, "aws:region": "us-east-1" } }), NAME);
}

describe("BILL-01 against the estimate", () => {
  it("reports an advisory when the estimate passes 80% of the declared budget", async () => {
    // $25 plan + $109.22 large compute − $10 credits + $98.64 PITR = $222.86 a month.
    const result = await analyzeStack(policies(200), [budget, project, pitr]);
    const found = notices(result, NAME);
    expect(found).toHaveLength(1);
    expect(found[0]!.message).toContain(
      "the estimated monthly cost $222.86 is 111.4% of golive:billing.monthlyBudgetUsd ($200.00), above 80%",
    );
    expect(found[0]!.message).toContain("Largest: database-project $124.22, database-pitr $98.64");
    expect(found[0]!.enforcementLevel).toBe("advisory");
    // It never blocks: the budget itself is in order.
    expect(violations(result, NAME)).toEqual([]);
  });

  it("says nothing within budget, or without a declared budget", async () => {
    expect(notices(await analyzeStack(policies(300), [budget, project, pitr]), NAME)).toEqual([]);
    const undeclared = only(pack("prod"), NAME);
    expect(notices(await analyzeStack(undeclared, [budget, project, pitr]), NAME)).toEqual([]);
  });

  it("works on what the engine sends through @pulumi/policy's server", async () => {
    const result = await viaServerAnalyzeStack(policies(200), [budget, project, pitr]);
    const messages = result.diagnostics.map((diagnostic) => diagnostic.message).join("\n");
    expect(messages).toContain("[BILL-01] notice: the estimated monthly cost $222.86");
  });
});
