import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

const stack = pulumi.getStack();
const tags = { app: "thumbnailer", environment: stack, owner: "media-team", "cost-center": "cc-120" };

// Source images still come from the bucket the staging stack created: the migration is "temporary".
const sourceBucketArn = "arn:aws:s3:::acme-media-staging";

const role = new aws.iam.Role("thumbnailer", {
  assumeRolePolicy: JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
    ],
  }),
  tags,
});

new aws.iam.RolePolicy("thumbnailer-read", {
  role: role.id,
  policy: JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: `${sourceBucketArn}/*` }],
  }),
});

const logs = new aws.cloudwatch.LogGroup("thumbnailer", {
  name: "/aws/lambda/thumbnailer-prod",
  retentionInDays: 14,
  tags,
});

const fn = new aws.lambda.Function(
  "thumbnailer",
  {
    name: "thumbnailer-prod",
    runtime: aws.lambda.Runtime.NodeJS20dX,
    handler: "index.handler",
    role: role.arn,
    code: new pulumi.asset.AssetArchive({
      "index.js": new pulumi.asset.StringAsset("exports.handler = async () => ({});"),
    }),
    timeout: 30,
    environment: { variables: { SOURCE_BUCKET: "acme-media-staging", SIZES: "128,512" } },
    tags,
  },
  { dependsOn: [logs] },
);

export const functionName = fn.name;
