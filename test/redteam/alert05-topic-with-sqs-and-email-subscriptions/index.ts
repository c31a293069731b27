import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

const tags = { app: "jobs", environment: "prod", owner: "backend", "cost-center": "cc-200" };

const key = new aws.kms.Key(
  "alerts",
  { enableKeyRotation: true, deletionWindowInDays: 30, tags },
  { protect: true },
);
const topic = new aws.sns.Topic("jobs-alerts", { kmsMasterKeyId: key.id, tags });

// An SQS queue archives every alert for the incident review tooling; people get email.
const archive = new aws.sqs.Queue(
  "alert-archive",
  { kmsMasterKeyId: key.id, messageRetentionSeconds: 1209600, tags },
  { protect: true },
);
new aws.sqs.QueuePolicy("alert-archive", {
  queueUrl: archive.url,
  policy: pulumi.jsonStringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: "sns.amazonaws.com" },
        Action: "sqs:SendMessage",
        Resource: archive.arn,
        Condition: { ArnEquals: { "aws:SourceArn": topic.arn } },
      },
    ],
  }),
});
new aws.sns.TopicSubscription("jobs-alerts-archive", {
  topic: topic.arn,
  protocol: "sqs",
  endpoint: archive.arn,
});
new aws.sns.TopicSubscription("jobs-alerts-email", {
  topic: topic.arn,
  protocol: "email",
  endpoint: "backend-oncall@acme.io",
});

new aws.cloudwatch.MetricAlarm("jobs-backlog", {
  namespace: "AWS/SQS",
  metricName: "ApproximateAgeOfOldestMessage",
  dimensions: { QueueName: "jobs-prod" },
  statistic: "Maximum",
  period: 300,
  evaluationPeriods: 3,
  threshold: 900,
  comparisonOperator: "GreaterThanThreshold",
  alarmActions: [topic.arn],
  okActions: [topic.arn],
  tags,
});
