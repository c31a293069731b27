import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as time from "@pulumiverse/time";

const tags = { app: "reports", environment: "prod", owner: "data-team", "cost-center": "cc-400" };

const key = new aws.kms.Key(
  "reports",
  { enableKeyRotation: true, deletionWindowInDays: 30, tags },
  { protect: true },
);
const rotation = new time.Rotating("reports-db", { rotationDays: 30 });
const password = new random.RandomPassword("reports-db", {
  length: 40,
  special: false,
  keepers: { r: rotation.id },
});

const dbCredentials = new aws.secretsmanager.Secret(
  "reports-db",
  { kmsKeyId: key.arn, recoveryWindowInDays: 30, tags },
  { protect: true },
);

// same reader account as staging until the prod replica is ready
new aws.secretsmanager.SecretVersion("reports-db", {
  secretId: dbCredentials.id,
  secretString: pulumi.jsonStringify({
    engine: "postgres",
    host: "reports.staging.acme.internal",
    port: 5432,
    username: "reports_ro",
    password: password.result,
  }),
});
