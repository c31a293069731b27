import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import * as random from "@pulumi/random";
import * as time from "@pulumiverse/time";

// shared with the partner out of band; generated here so it rotates with the stack
const quarter = new time.Rotating("hook-key-rotation", { rotationDays: 60 });
const hookKey = new random.RandomPassword("hook-key", {
  length: 48,
  special: false,
  keepers: { at: quarter.id },
});

const stack = pulumi.getStack();
const tags = { app: "sync", environment: stack, owner: "backend", "cost-center": "cc-200" };

const role = new aws.iam.Role("sync", {
  assumeRolePolicy: aws.iam.assumeRolePolicyForPrincipal({ Service: "lambda.amazonaws.com" }),
  managedPolicyArns: [aws.iam.ManagedPolicy.AWSLambdaBasicExecutionRole],
  tags,
});

const functionName = `sync-${stack}`;
const logs = new aws.cloudwatch.LogGroup("sync", {
  name: `/aws/lambda/${functionName}`,
  retentionInDays: 30,
  tags,
});

const fn = new aws.lambda.Function(
  "sync",
  {
    name: functionName,
    runtime: aws.lambda.Runtime.NodeJS20dX,
    handler: "index.handler",
    role: role.arn,
    timeout: 15,
    code: new pulumi.asset.FileArchive("./dist"),
    environment: {
      variables: {
        PARTNER_URL: "https://partner.example.com/hooks/acme",
        UPSTREAM_AUTH: hookKey.result,
      },
    },
    tags,
  },
  { dependsOn: [logs] },
);

export const arn = fn.arn;
