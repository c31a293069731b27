import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

const config = new pulumi.Config();
const tags = { app: "auth", environment: "prod", owner: "identity", "cost-center": "cc-060" };

const tokenKey = new aws.kms.Key(
  "refresh-tokens",
  { description: "encrypts refresh tokens and the OAuth client secret", deletionWindowInDays: 30, tags },
  { protect: true },
);
new aws.kms.Alias("refresh-tokens", { name: "alias/auth-refresh-tokens", targetKeyId: tokenKey.keyId });

const clientSecret = new aws.secretsmanager.Secret(
  "oauth-client",
  { kmsKeyId: tokenKey.arn, recoveryWindowInDays: 30, tags },
  { protect: true },
);
new aws.secretsmanager.SecretVersion("oauth-client", {
  secretId: clientSecret.id,
  secretString: config.requireSecret("oauthClientSecret"),
});
