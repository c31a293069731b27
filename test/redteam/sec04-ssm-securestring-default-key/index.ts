import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

const config = new pulumi.Config();
const tags = { app: "worker", environment: "prod", owner: "backend", "cost-center": "cc-200" };

const params: Record<string, { value: pulumi.Input<string>; secure?: boolean }> = {
  "queue-url": { value: "https://sqs.eu-west-1.amazonaws.com/111122223333/jobs" },
  "openai-key": { value: config.requireSecret("openaiKey"), secure: true },
};

for (const [name, param] of Object.entries(params)) {
  new aws.ssm.Parameter(
    name,
    {
      name: `/worker/prod/${name}`,
      type: param.secure ? "SecureString" : "String",
      value: param.value,
      tags,
    },
    { protect: param.secure === true },
  );
}
