import * as aws from "@pulumi/aws";

const tags = { app: "uploads", environment: "prod", owner: "web-team", "cost-center": "cc-104" };

const uploads = new aws.s3.Bucket("uploads", { tags });

new aws.s3.BucketPublicAccessBlock("uploads-pab", {
  bucket: uploads.id,
  blockPublicAcls: true,
  blockPublicPolicy: true,
  ignorePublicAcls: true,
  restrictPublicBuckets: true,
});

export const bucketName = uploads.bucket;
