import * as aws from "@pulumi/aws";

const tags = { app: "platform", environment: "prod", owner: "finance-ops", "cost-center": "cc-900" };

const key = new aws.kms.Key(
  "billing-alerts",
  {
    enableKeyRotation: true,
    deletionWindowInDays: 30,
    tags,
    policy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "root",
          Effect: "Allow",
          Principal: { AWS: "arn:aws:iam::111122223333:root" },
          Action: "kms:*",
          Resource: "*",
        },
        {
          Sid: "budgets and anomaly detection publish",
          Effect: "Allow",
          Principal: { Service: ["budgets.amazonaws.com", "costalerts.amazonaws.com"] },
          Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
          Resource: "*",
        },
      ],
    }),
  },
  { protect: true },
);
const topic = new aws.sns.Topic("billing-alerts", { kmsMasterKeyId: key.id, tags });
new aws.sns.TopicSubscription("billing-alerts-email", {
  topic: topic.arn,
  protocol: "email",
  endpoint: "finance-ops@acme.io",
});

new aws.budgets.Budget("monthly", {
  budgetType: "COST",
  timeUnit: "MONTHLY",
  limitAmount: "2500",
  limitUnit: "USD",
  notifications: [
    {
      comparisonOperator: "GREATER_THAN",
      threshold: 80,
      thresholdType: "PERCENTAGE",
      notificationType: "ACTUAL",
      subscriberSnsTopicArns: [topic.arn],
    },
    {
      comparisonOperator: "GREATER_THAN",
      threshold: 100,
      thresholdType: "PERCENTAGE",
      notificationType: "FORECASTED",
      subscriberSnsTopicArns: [topic.arn],
    },
  ],
  tags,
});

const monitor = new aws.costexplorer.AnomalyMonitor("services", {
  name: "per-service",
  monitorType: "DIMENSIONAL",
  monitorDimension: "SERVICE",
  tags,
});

new aws.costexplorer.AnomalySubscription("services", {
  name: "cost-anomalies",
  frequency: "IMMEDIATE",
  monitorArnLists: [monitor.arn],
  subscribers: [{ type: "SNS", address: topic.arn }],
  thresholdExpression: {
    dimension: {
      key: "ANOMALY_TOTAL_IMPACT_ABSOLUTE",
      matchOptions: ["GREATER_THAN_OR_EQUAL"],
      values: ["100"],
    },
  },
  tags,
});
