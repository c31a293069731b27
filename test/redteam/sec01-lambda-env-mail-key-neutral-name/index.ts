import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

const stack = pulumi.getStack();
const tags = { app: "mailer", environment: stack, owner: "backend", "cost-center": "cc-200" };

const role = new aws.iam.Role("mailer", {
  assumeRolePolicy: aws.iam.assumeRolePolicyForPrincipal({ Service: "lambda.amazonaws.com" }),
  managedPolicyArns: [aws.iam.ManagedPolicy.AWSLambdaBasicExecutionRole],
  tags,
});

const functionName = `mailer-${stack}`;
const logs = new aws.cloudwatch.LogGroup("mailer", {
  name: `/aws/lambda/${functionName}`,
  retentionInDays: 30,
  tags,
});

const fn = new aws.lambda.Function(
  "mailer",
  {
    name: functionName,
    runtime: aws.lambda.Runtime.NodeJS20dX,
    handler: "index.handler",
    role: role.arn,
    timeout: 15,
    code: new pulumi.asset.FileArchive("./dist"),
    environment: {
      variables: {
        MAIL_FROM: "no-reply@acme.io",
        PROVIDER: "resend",
        PROVIDER_TOKEN: "re_Mx3kP9aQ_7bYtR2wVzL5nHcJ8dF4gK6s",
      },
    },
    tags,
  },
  { dependsOn: [logs] },
);

export const arn = fn.arn;
