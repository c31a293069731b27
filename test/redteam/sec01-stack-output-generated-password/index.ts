import * as aws from "@pulumi/aws";
import * as random from "@pulumi/random";

const tags = { app: "grafana", environment: "staging", owner: "sre", "cost-center": "cc-050" };

const adminPassword = new random.RandomPassword("grafana-admin", { length: 32, special: true });

const key = new aws.kms.Key("grafana", { enableKeyRotation: true, deletionWindowInDays: 30, tags });
const secret = new aws.secretsmanager.Secret("grafana-admin", { kmsKeyId: key.arn, tags });
new aws.secretsmanager.SecretVersion("grafana-admin", {
  secretId: secret.id,
  secretString: adminPassword.result,
});

// handy for the first login: `pulumi stack output grafanaLogin --show-secrets`
export const grafanaLogin = adminPassword.result;
export const secretArn = secret.arn;
