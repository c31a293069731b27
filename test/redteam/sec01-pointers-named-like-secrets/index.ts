import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as time from "@pulumiverse/time";

const tags = { app: "billing", environment: "prod", owner: "payments-team", "cost-center": "cc-210" };

const key = new aws.kms.Key(
  "billing-secrets",
  { description: "billing secrets", enableKeyRotation: true, deletionWindowInDays: 30, tags },
  { protect: true },
);

const rotation = new time.Rotating("db-password-rotation", { rotationDays: 30 });
const dbPassword = new random.RandomPassword("db-password", {
  length: 40,
  special: false,
  keepers: { rotation: rotation.id },
});

const dbSecret = new aws.secretsmanager.Secret(
  "billing-db",
  { name: "billing/prod/db", kmsKeyId: key.arn, recoveryWindowInDays: 30, tags },
  { protect: true },
);
new aws.secretsmanager.SecretVersion("billing-db", {
  secretId: dbSecret.id,
  secretString: pulumi.jsonStringify({ username: "billing", password: dbPassword.result }),
});

// Pointers, not secrets: the code resolves them at runtime through the Secrets Manager extension.
const pointers = {
  DB_PASSWORD_ARN: dbSecret.arn,
  STRIPE_SECRET_KEY_PARAMETER: "/billing/prod/stripe-secret-key",
  JWT_SECRET_NAME: "billing/prod/jwt",
  WEBHOOK_SECRET_HEADER: "stripe-signature",
  API_KEY_HEADER_NAME: "x-api-key",
  SECRETS_EXTENSION_HTTP_PORT: "2773",
  TOKEN_ENDPOINT: "https://auth.acme.io/oauth/token",
};

const role = new aws.iam.Role("billing-api", {
  assumeRolePolicy: aws.iam.assumeRolePolicyForPrincipal({ Service: "lambda.amazonaws.com" }),
  managedPolicyArns: [aws.iam.ManagedPolicy.AWSLambdaBasicExecutionRole],
  tags,
});
new aws.iam.RolePolicy("billing-api-secrets", {
  role: role.id,
  policy: pulumi.jsonStringify({
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: [dbSecret.arn] },
      { Effect: "Allow", Action: ["kms:Decrypt"], Resource: [key.arn] },
    ],
  }),
});

const logs = new aws.cloudwatch.LogGroup("billing-api", {
  name: "/aws/lambda/billing-api-prod",
  retentionInDays: 30,
  tags,
});

new aws.lambda.Function(
  "billing-api",
  {
    name: "billing-api-prod",
    runtime: aws.lambda.Runtime.NodeJS20dX,
    handler: "index.handler",
    role: role.arn,
    timeout: 10,
    code: new pulumi.asset.AssetArchive({
      "index.js": new pulumi.asset.StringAsset("exports.handler = async () => ({});"),
    }),
    loggingConfig: { logFormat: "JSON", logGroup: logs.name },
    environment: { variables: pointers },
    tags,
  },
  { dependsOn: [logs] },
);

// The ECS worker gets the password injected by the agent from the secret's ARN.
const workerLogs = new aws.cloudwatch.LogGroup("billing-worker", {
  name: "/ecs/billing-worker-prod",
  retentionInDays: 30,
  tags,
});
new aws.ecs.TaskDefinition("billing-worker", {
  family: "billing-worker-prod",
  cpu: "256",
  memory: "512",
  networkMode: "awsvpc",
  requiresCompatibilities: ["FARGATE"],
  containerDefinitions: pulumi.jsonStringify([
    {
      name: "worker",
      image: "111122223333.dkr.ecr.eu-west-1.amazonaws.com/billing-worker:1.4.2",
      essential: true,
      environment: [
        { name: "DB_HOST", value: "billing-prod.cluster-c9x8y7z6.eu-west-1.rds.amazonaws.com" },
        { name: "DB_USER", value: "billing" },
      ],
      secrets: [{ name: "DB_PASSWORD", valueFrom: pulumi.interpolate`${dbSecret.arn}:password::` }],
      logConfiguration: {
        logDriver: "awslogs",
        options: {
          "awslogs-group": workerLogs.name,
          "awslogs-region": "eu-west-1",
          "awslogs-stream-prefix": "w",
        },
      },
    },
  ]),
  tags,
});

export const secretArn = dbSecret.arn;
