import * as aws from "@pulumi/aws";

const tags = { app: "jobs", environment: "prod", owner: "backend", "cost-center": "cc-200" };

// Shows up red on the dashboard; nobody is notified.
new aws.cloudwatch.MetricAlarm("jobs-backlog", {
  namespace: "AWS/SQS",
  metricName: "ApproximateAgeOfOldestMessage",
  dimensions: { QueueName: "jobs-prod" },
  statistic: "Maximum",
  period: 300,
  evaluationPeriods: 3,
  threshold: 900,
  comparisonOperator: "GreaterThanThreshold",
  tags,
});
