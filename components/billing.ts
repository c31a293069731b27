/**
 * Cost guardrails of one environment (BILL-01, BILL-02): a monthly budget that warns at 80% of
 * actual and 100% of forecast spend, and cost anomaly detection on every AWS service, both routed
 * to the alert topics. Each environment has its own account (ENV-01), so both cover the account.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { BillingConfig } from "../config/schema/billing";
import { anomalySubscriptionThreshold, budgetNotifications, type Severity } from "../lib/alerts";
import { limitedName, physicalName, type EnvironmentIdentity } from "../lib/naming";
import { BILLING_TYPE } from "../lib/component-types";

export interface BillingArgs {
  readonly identity: EnvironmentIdentity;
  readonly config: BillingConfig;
  /** The alert topics by severity (`Alerts.topicArns`); their policies let Budgets and Cost Anomaly Detection publish. */
  readonly topicArns: Readonly<Record<Severity, pulumi.Input<string>>>;
}

export class Billing extends pulumi.ComponentResource {
  readonly budgetName: pulumi.Output<string>;
  readonly anomalyMonitorArn: pulumi.Output<string>;

  constructor(name: string, args: BillingArgs, opts?: pulumi.ComponentResourceOptions) {
    super(BILLING_TYPE, name, {}, opts);
    const { config, identity } = args;

    const budget = new aws.budgets.Budget(
      `${name}-monthly`,
      {
        name: limitedName(physicalName(identity, "monthly"), 100),
        budgetType: "COST",
        timeUnit: "MONTHLY",
        limitAmount: config.monthlyBudgetUsd.toFixed(2),
        limitUnit: "USD",
        notifications: budgetNotifications(config, args.topicArns),
      },
      { parent: this },
    );
    this.budgetName = budget.name;

    if (config.anomaly.existingMonitorArn) {
      this.anomalyMonitorArn = pulumi.output(config.anomaly.existingMonitorArn);
    } else {
      const monitor = new aws.costexplorer.AnomalyMonitor(
        `${name}-services`,
        {
          name: limitedName(physicalName(identity, "services"), 1024),
          monitorType: "DIMENSIONAL",
          monitorDimension: "SERVICE",
        },
        { parent: this },
      );
      this.anomalyMonitorArn = monitor.arn;
    }

    new aws.costexplorer.AnomalySubscription(
      `${name}-anomalies`,
      {
        name: limitedName(physicalName(identity, "cost-anomalies"), 1024),
        // SNS subscribers get each anomaly as it is found; email would only allow daily digests.
        frequency: "IMMEDIATE",
        monitorArnLists: [this.anomalyMonitorArn],
        subscribers: [{ type: "SNS", address: args.topicArns.warning }],
        thresholdExpression: anomalySubscriptionThreshold(config.anomaly.minImpactUsd),
      },
      { parent: this },
    );

    this.registerOutputs({ budgetName: this.budgetName, anomalyMonitorArn: this.anomalyMonitorArn });
  }
}
