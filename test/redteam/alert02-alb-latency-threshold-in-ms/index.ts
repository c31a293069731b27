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

const lb = "app/api-prod/50dc6c495c0c9188";

new aws.cloudwatch.MetricAlarm("api-p95-latency", {
  alarmDescription: "p95 latency above 2 s",
  namespace: "AWS/ApplicationELB",
  metricName: "TargetResponseTime",
  dimensions: { LoadBalancer: lb },
  extendedStatistic: "p95",
  period: 60,
  evaluationPeriods: 5,
  threshold: 2000,
  comparisonOperator: "GreaterThanThreshold",
  alarmActions: [alerts.arn],
  tags,
});
