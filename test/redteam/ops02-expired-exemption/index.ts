import * as aws from "@pulumi/aws";

const tags = { app: "exports", environment: "prod", owner: "data-team", "cost-center": "cc-400" };

// Regenerable exports: the team exempted them from OPS-01 last year.
const exportsBucket = new aws.s3.Bucket("exports", { forceDestroy: true, tags });

new aws.s3.BucketLifecycleConfiguration("exports", {
  bucket: exportsBucket.id,
  rules: [{ id: "expire", status: "Enabled", filter: {}, expiration: { days: 7 } }],
});
