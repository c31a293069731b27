import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

const tags = { app: "reports", environment: "prod", owner: "data-team", "cost-center": "cc-400" };

const role = new aws.iam.Role("weekly-report", {
  assumeRolePolicy: aws.iam.assumeRolePolicyForPrincipal({ Service: "lambda.amazonaws.com" }),
  managedPolicyArns: [aws.iam.ManagedPolicy.AWSLambdaBasicExecutionRole],
  tags,
});
const logs = new aws.cloudwatch.LogGroup("weekly-report", {
  name: "/aws/lambda/weekly-report-prod",
  retentionInDays: 30,
  tags,
});
const fn = new aws.lambda.Function(
  "weekly-report",
  {
    name: "weekly-report-prod",
    runtime: aws.lambda.Runtime.Python3d12,
    handler: "main.handler",
    role: role.arn,
    timeout: 600,
    code: new pulumi.asset.AssetArchive({
      "main.py": new pulumi.asset.StringAsset("def handler(e, c):\n    return {}\n"),
    }),
    tags,
  },
  { dependsOn: [logs] },
);

const dlq = new aws.sqs.Queue("weekly-report-dlq", { sqsManagedSseEnabled: true, tags }, { protect: true });

// "Monday 08:00" for the Berlin office: EventBridge rules run in UTC, so it drifts with DST.
const rule = new aws.cloudwatch.EventRule("weekly-report", {
  scheduleExpression: "cron(0 7 ? * MON *)",
  description: "weekly KPI report",
  tags,
});
new aws.cloudwatch.EventTarget("weekly-report", {
  rule: rule.name,
  arn: fn.arn,
  retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 },
  deadLetterConfig: { arn: dlq.arn },
});
new aws.lambda.Permission("weekly-report", {
  action: "lambda:InvokeFunction",
  function: fn.name,
  principal: "events.amazonaws.com",
  sourceArn: rule.arn,
});
