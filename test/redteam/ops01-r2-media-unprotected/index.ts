import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";

const config = new pulumi.Config();
const accountId = config.require("accountId");

// User uploads (avatars, receipts). Served through the media worker.
const media = new cloudflare.R2Bucket("media", {
  accountId,
  name: "acme-media-prod",
  location: "weur",
  storageClass: "Standard",
});

new cloudflare.R2BucketLifecycle("media-lifecycle", {
  accountId,
  bucketName: media.name,
  rules: [
    {
      id: "abort-multipart",
      enabled: true,
      conditions: { prefix: "" },
      abortMultipartUploadsTransition: { condition: { maxAge: 86400 * 7, type: "Age" } },
    },
  ],
});

export const bucket = media.name;
