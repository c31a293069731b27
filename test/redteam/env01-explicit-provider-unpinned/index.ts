import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

const config = new pulumi.Config();

// Exports live in the EU; whoever runs `pulumi up` deploys into whatever account their profile points at.
const eu = new aws.Provider("eu", {
  region: config.require<aws.Region>("exportRegion"),
  defaultTags: {
    tags: { app: "reporting", environment: "prod", owner: "data-team", "cost-center": "cc-400" },
  },
});

const exportsBucket = new aws.s3.Bucket("exports", {}, { provider: eu, protect: true });

new aws.s3.BucketServerSideEncryptionConfiguration(
  "exports",
  {
    bucket: exportsBucket.id,
    rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }],
  },
  { provider: eu },
);

export const bucket = exportsBucket.bucket;
