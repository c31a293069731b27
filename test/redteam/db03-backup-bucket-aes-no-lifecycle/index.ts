import * as aws from "@pulumi/aws";

const tags = { app: "crm", environment: "prod", owner: "platform", "cost-center": "cc-001" };

const backups = new aws.s3.Bucket(
  "pg-dumps",
  { bucket: "acme-crm-db-backups-prod", tags },
  { protect: true },
);

new aws.s3.BucketVersioning("pg-dumps", {
  bucket: backups.id,
  versioningConfiguration: { status: "Enabled" },
});

new aws.s3.BucketServerSideEncryptionConfiguration("pg-dumps", {
  bucket: backups.id,
  rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
});

new aws.s3.BucketPublicAccessBlock("pg-dumps", {
  bucket: backups.id,
  blockPublicAcls: true,
  blockPublicPolicy: true,
  ignorePublicAcls: true,
  restrictPublicBuckets: true,
});

export const backupBucket = backups.bucket;
