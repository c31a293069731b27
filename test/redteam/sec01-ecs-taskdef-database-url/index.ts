import * as aws from "@pulumi/aws";

const tags = { app: "api", environment: "prod", owner: "backend", "cost-center": "cc-200" };
const image = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/api:2025.06.1";

const env = {
  NODE_ENV: "production",
  PORT: "8080",
  DATABASE_URL:
    "postgresql://api_rw:Vq7zL2pX9kTe4Rw8@api-prod.cluster-c9x8y7z6.eu-west-1.rds.amazonaws.com:5432/api",
  LOG_LEVEL: "info",
};

const logs = new aws.cloudwatch.LogGroup("api", { name: "/ecs/api-prod", retentionInDays: 30, tags });

const executionRole = new aws.iam.Role("api-exec", {
  assumeRolePolicy: JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" },
    ],
  }),
  managedPolicyArns: ["arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"],
  tags,
});

new aws.ecs.TaskDefinition("api", {
  family: "api-prod",
  cpu: "512",
  memory: "1024",
  networkMode: "awsvpc",
  requiresCompatibilities: ["FARGATE"],
  executionRoleArn: executionRole.arn,
  containerDefinitions: logs.name.apply((logGroup) =>
    JSON.stringify([
      {
        name: "api",
        image,
        essential: true,
        portMappings: [{ containerPort: 8080, protocol: "tcp" }],
        environment: Object.entries(env).map(([name, value]) => ({ name, value })),
        logConfiguration: {
          logDriver: "awslogs",
          options: {
            "awslogs-group": logGroup,
            "awslogs-region": "eu-west-1",
            "awslogs-stream-prefix": "api",
          },
        },
      },
    ]),
  ),
  tags,
});
