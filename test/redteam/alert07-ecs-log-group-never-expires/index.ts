import * as aws from "@pulumi/aws";

const tags = { app: "api", environment: "prod", owner: "backend", "cost-center": "cc-200" };

const services = ["api", "worker", "scheduler"];

export const logGroups = services.map(
  (service) => new aws.cloudwatch.LogGroup(`${service}-logs`, { name: `/ecs/acme-${service}`, tags }).name,
);
