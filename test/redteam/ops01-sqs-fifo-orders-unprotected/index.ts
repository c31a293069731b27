import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

const tags = { app: "fulfilment", environment: "prod", owner: "ops-team", "cost-center": "cc-330" };

function fifoQueue(name: string, retentionDays: number, deadLetterArn?: pulumi.Output<string>) {
  return new aws.sqs.Queue(name, {
    name: `${name}.fifo`,
    fifoQueue: true,
    contentBasedDeduplication: true,
    messageRetentionSeconds: retentionDays * 86400,
    sqsManagedSseEnabled: true,
    redrivePolicy: deadLetterArn
      ? deadLetterArn.apply((arn) => JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: 5 }))
      : undefined,
    tags,
  });
}

const dlq = fifoQueue("order-events-dlq", 14);
const events = fifoQueue("order-events", 4, dlq.arn);

export const queueUrl = events.url;
