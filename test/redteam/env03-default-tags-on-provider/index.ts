import * as aws from "@pulumi/aws";

// Tags come from aws:defaultTags in the stack file; nothing here repeats them.
const key = new aws.kms.Key(
  "ledger",
  { description: "ledger data", enableKeyRotation: true, deletionWindowInDays: 30 },
  { protect: true },
);

const entries = new aws.dynamodb.Table(
  "entries",
  {
    billingMode: "PAY_PER_REQUEST",
    hashKey: "account",
    rangeKey: "seq",
    attributes: [
      { name: "account", type: "S" },
      { name: "seq", type: "N" },
    ],
    deletionProtectionEnabled: true,
    pointInTimeRecovery: { enabled: true },
    serverSideEncryption: { enabled: true, kmsKeyArn: key.arn },
  },
  { protect: true },
);

const events = new aws.sqs.Queue(
  "ledger-events",
  { kmsMasterKeyId: key.id, messageRetentionSeconds: 345600 },
  { protect: true },
);

export const tableName = entries.name;
export const queueUrl = events.url;
