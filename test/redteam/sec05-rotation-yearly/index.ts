import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as time from "@pulumiverse/time";

const stack = pulumi.getStack();
const tags = { app: "webhooks", environment: stack, owner: "integrations", "cost-center": "cc-310" };
const key = new aws.kms.Key(
  "webhooks",
  { description: "webhook secrets", enableKeyRotation: true, deletionWindowInDays: 30, tags },
  { protect: stack === "prod" },
);

const rotation = new time.Rotating("signing-rotation", { rotationYears: 1 });
const signing = new random.RandomPassword("signing", { length: 48, keepers: { rotation: rotation.id } });

const secret = new aws.secretsmanager.Secret(
  "webhook-signing",
  { name: `webhooks/${stack}/signing`, kmsKeyId: key.arn, recoveryWindowInDays: 30, tags },
  { protect: stack === "prod" },
);

new aws.secretsmanager.SecretVersion("webhook-signing", {
  secretId: secret.id,
  secretString: pulumi.jsonStringify({ current: signing.result }),
});

export const signingSecretArn = secret.arn;
