import * as aws from "@pulumi/aws";

const tags = { app: "legacy-app", environment: "prod", owner: "platform", "cost-center": "cc-001" };

const configBucket = new aws.s3.Bucket("app-config", { tags }, { protect: true });
new aws.s3.BucketPublicAccessBlock("app-config", {
  bucket: configBucket.id,
  blockPublicAcls: true,
  blockPublicPolicy: true,
  ignorePublicAcls: true,
  restrictPublicBuckets: true,
});

// The app servers pull this at boot (aws s3 cp s3://.../.env /srv/app/.env).
const dotenv = [
  "NODE_ENV=production",
  "SUPABASE_URL=https://qwertyuiopasdfghjklz.supabase.co",
  "SUPABASE_SERVICE_ROLE_KEY=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZSIsInJlZiI6InF3ZXJ0eXVpb3Bhc2RmZ2hqa2x6Iiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImlhdCI6MTcxODAwMDAwMCwiZXhwIjoyMDMzNTc2MDAwfQ.oAwMXFE6xH3SMz0Qm5eJY_kCAcRMt5QTAUd3fbG78K0",
  "REDIS_URL=rediss://default:h7Kp2Wq9Lz4Xv8Rt3Mn6@cache.acme.internal:6380",
].join("\n");

new aws.s3.BucketObjectv2("dotenv", {
  bucket: configBucket.id,
  key: "prod/.env",
  content: dotenv,
  contentType: "text/plain",
  tags,
});
