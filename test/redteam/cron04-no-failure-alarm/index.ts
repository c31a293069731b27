import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as time from "@pulumiverse/time";

const stack = pulumi.getStack();
const tags = { app: "billing-jobs", environment: stack, owner: "payments-team", "cost-center": "cc-210" };
const protect = stack === "prod";

const key = new aws.kms.Key("jobs", { enableKeyRotation: true, deletionWindowInDays: 30, tags }, { protect });

// The endpoint checks this bearer secret; the function reads it from Secrets Manager at start-up.
const rotation = new time.Rotating("cron-secret-rotation", { rotationDays: 30 });
const cronSecret = new random.RandomPassword("cron-secret", {
  length: 48,
  special: false,
  keepers: { r: rotation.id },
});
const secret = new aws.secretsmanager.Secret(
  "cron-secret",
  { name: `billing-jobs/${stack}/cron-secret`, kmsKeyId: key.arn, recoveryWindowInDays: 30, tags },
  { protect },
);
new aws.secretsmanager.SecretVersion("cron-secret", { secretId: secret.id, secretString: cronSecret.result });

const role = new aws.iam.Role("invoice-run", {
  assumeRolePolicy: aws.iam.assumeRolePolicyForPrincipal({ Service: "lambda.amazonaws.com" }),
  managedPolicyArns: [aws.iam.ManagedPolicy.AWSLambdaBasicExecutionRole],
  tags,
});
new aws.iam.RolePolicy("invoice-run-secret", {
  role: role.id,
  policy: pulumi.jsonStringify({
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: secret.arn },
      { Effect: "Allow", Action: "kms:Decrypt", Resource: key.arn },
    ],
  }),
});

const logs = new aws.cloudwatch.LogGroup("invoice-run", {
  name: `/aws/lambda/invoice-run-${stack}`,
  retentionInDays: 30,
  tags,
});

const fn = new aws.lambda.Function(
  "invoice-run",
  {
    name: `invoice-run-${stack}`,
    runtime: aws.lambda.Runtime.NodeJS20dX,
    handler: "index.handler",
    role: role.arn,
    timeout: 300,
    code: new pulumi.asset.AssetArchive({
      "index.js": new pulumi.asset.StringAsset("exports.handler = async () => ({});"),
    }),
    environment: {
      variables: { CRON_SECRET_ARN: secret.arn, BILLING_API: "https://api.acme.io/internal/invoices/run" },
    },
    tags,
  },
  { dependsOn: [logs] },
);

// Failed runs wait here for a replay: protected like any store of data.
const dlq = new aws.sqs.Queue(
  "invoice-run-dlq",
  { kmsMasterKeyId: key.id, messageRetentionSeconds: 1209600, tags },
  { protect },
);

const schedulerRole = new aws.iam.Role("scheduler", {
  assumeRolePolicy: aws.iam.assumeRolePolicyForPrincipal({ Service: "scheduler.amazonaws.com" }),
  tags,
});
new aws.iam.RolePolicy("scheduler-invoke", {
  role: schedulerRole.id,
  policy: pulumi.jsonStringify({
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Action: "lambda:InvokeFunction", Resource: fn.arn },
      { Effect: "Allow", Action: "sqs:SendMessage", Resource: dlq.arn },
    ],
  }),
});

new aws.scheduler.Schedule("invoice-run", {
  name: `invoice-run-${stack}`,
  flexibleTimeWindow: { mode: "OFF" },
  scheduleExpression: "cron(0 3 * * ? *)",
  scheduleExpressionTimezone: "Europe/Berlin",
  target: {
    arn: fn.arn,
    roleArn: schedulerRole.arn,
    input: JSON.stringify({ job: "invoice-run" }),
    retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 },
    deadLetterConfig: { arn: dlq.arn },
  },
});

export const functionName = fn.name;
