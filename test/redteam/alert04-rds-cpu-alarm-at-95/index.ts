import * as aws from "@pulumi/aws";

const tags = { app: "api", environment: "prod", owner: "sre", "cost-center": "cc-050" };

const key = new aws.kms.Key(
  "alerts",
  { enableKeyRotation: true, deletionWindowInDays: 30, tags },
  { protect: true },
);
const alerts = new aws.sns.Topic("api-alerts", { kmsMasterKeyId: key.id, tags });
for (const [name, protocol, endpoint] of [
  ["email", "email", "sre@acme.io"],
  ["pager", "https", "https://events.pagerduty.com/integration/0a1b2c3d4e5f60718293a4b5c6d7e8f9/enqueue"],
] as const) {
  new aws.sns.TopicSubscription(`api-alerts-${name}`, { topic: alerts.arn, protocol, endpoint });
}

const dbInstance = "orders-prod";
// FreeableMemory and FreeStorageSpace are bytes: alarms below ~20% of the instance's 8 GiB / 200 GiB
const dbAlarms = [
  { name: "cpu", metricName: "CPUUtilization", threshold: 95, comparisonOperator: "GreaterThanThreshold" },
  {
    name: "connections",
    metricName: "DatabaseConnections",
    threshold: 160,
    comparisonOperator: "GreaterThanThreshold",
  },
  { name: "memory", metricName: "FreeableMemory", threshold: 1.6e9, comparisonOperator: "LessThanThreshold" },
  {
    name: "storage",
    metricName: "FreeStorageSpace",
    threshold: 40e9,
    comparisonOperator: "LessThanThreshold",
  },
];

for (const alarm of dbAlarms) {
  new aws.cloudwatch.MetricAlarm(`orders-db-${alarm.name}`, {
    namespace: "AWS/RDS",
    metricName: alarm.metricName,
    dimensions: { DBInstanceIdentifier: dbInstance },
    statistic: "Average",
    period: 300,
    evaluationPeriods: 3,
    threshold: alarm.threshold,
    comparisonOperator: alarm.comparisonOperator,
    alarmActions: [alerts.arn],
    tags,
  });
}
