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

const health = new aws.route53.HealthCheck("api", {
  type: "HTTPS",
  fqdn: "api.acme.io",
  port: 443,
  resourcePath: "/healthz",
  requestInterval: 30,
  failureThreshold: 3,
  // paused during the database migration; re-enable afterwards
  disabled: true,
  tags,
});

new aws.cloudwatch.MetricAlarm("api-uptime", {
  namespace: "AWS/Route53",
  metricName: "HealthCheckStatus",
  dimensions: { HealthCheckId: health.id },
  statistic: "Minimum",
  period: 60,
  evaluationPeriods: 2,
  threshold: 1,
  comparisonOperator: "LessThanThreshold",
  alarmActions: [alerts.arn],
  tags,
});
