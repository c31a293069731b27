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
const metric = (id: string, metricName: string) => ({
  id,
  metric: {
    namespace: "AWS/ApplicationELB",
    metricName,
    dimensions: { LoadBalancer: lb },
    period: 300,
    stat: "Sum",
  },
});

new aws.cloudwatch.MetricAlarm("api-error-rate", {
  alarmDescription: "5xx rate",
  evaluationPeriods: 3,
  threshold: 5,
  comparisonOperator: "GreaterThanThreshold",
  metricQueries: [
    metric("errors", "HTTPCode_Target_5XX_Count"),
    metric("requests", "RequestCount"),
    { id: "rate", expression: "100 * errors / requests", label: "5xx %", returnData: true },
  ],
  alarmActions: [alerts.arn],
  tags,
});
