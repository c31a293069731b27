import * as aws from "@pulumi/aws";

const baseTags = {
  app: "checkout",
  environment: "prod",
  owner: "payments-team",
  "cost-center": "cc-210",
};

const orders = new aws.dynamodb.Table("orders", {
  billingMode: "PAY_PER_REQUEST",
  hashKey: "pk",
  rangeKey: "sk",
  attributes: [
    { name: "pk", type: "S" },
    { name: "sk", type: "S" },
  ],
  pointInTimeRecovery: { enabled: true },
  serverSideEncryption: { enabled: true },
  tags: baseTags,
});

export const ordersTable = orders.name;
