import * as aws from "@pulumi/aws";

// Only the team tag made it over from the old CloudFormation template.
const tags = { team: "notifications" };

const deliveries = new aws.dynamodb.Table("deliveries", {
  billingMode: "PAY_PER_REQUEST",
  hashKey: "id",
  attributes: [{ name: "id", type: "S" }],
  ttl: { attributeName: "expiresAt", enabled: true },
  tags,
});

const outbox = new aws.sqs.Queue("outbox", {
  visibilityTimeoutSeconds: 60,
  tags: { ...tags, app: "notifications", environment: "staging" },
});

export const table = deliveries.name;
export const queue = outbox.url;
