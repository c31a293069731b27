import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { MOCK_AWS_ACCOUNT_ID, awsAccount, parsePinnedAnswers } from "../tooling/engine/mocks";
import { findResource, recordProgram, userResources, type Recording } from "../tooling/engine/record";
import { UNKNOWN, isSecret, isUnknown, secret } from "../tooling/engine/wire";
import { smallStack } from "./fixtures/programs/small-stack";

const CONFIG = {
  "fixture:databasePassword": "hunter22",
  "fixture:region": "ap-southeast-2",
  "aws:region": "eu-west-1",
};

function record(preview: boolean): Promise<Recording> {
  return recordProgram({
    program: smallStack,
    project: "fixture",
    stack: "dev",
    preview,
    config: CONFIG,
    secretKeys: ["fixture:databasePassword"],
    organization: "acme",
  });
}

const STACK_URN = "urn:pulumi:dev::fixture::pulumi:pulumi:Stack::fixture-dev";
const WORKER_URN = "urn:pulumi:dev::fixture::fixture:index:Worker::jobs";
const QUEUE_URN = "urn:pulumi:dev::fixture::fixture:index:Worker$aws:sqs/queue:Queue::jobs-queue";
const TOPIC_URN = "urn:pulumi:dev::fixture::aws:sns/topic:Topic::alerts";
const AWS_DEFAULT_PROVIDER_URN = "urn:pulumi:dev::fixture::pulumi:providers:aws::default_7_48_0";

describe("recordProgram, as `pulumi up`", () => {
  let recording: Recording;
  beforeAll(async () => {
    recording = await record(false);
  });

  it("registers the root stack and gives resources the engine's URNs", () => {
    const stack = findResource(recording, "pulumi:pulumi:Stack", "fixture-dev");
    expect(stack.urn).toBe(STACK_URN);
    expect(stack.parent).toBeUndefined();
    const queue = findResource(recording, "aws:sqs/queue:Queue", "jobs-queue");
    expect(queue.urn).toBe(QUEUE_URN);
    expect(queue.parent).toBe(WORKER_URN);
    // A top-level resource's parent is the stack, but its type is not prefixed with the stack's.
    expect(findResource(recording, "aws:sns/topic:Topic", "alerts").urn).toBe(TOPIC_URN);
    expect(findResource(recording, "aws:sns/topic:Topic", "alerts").parent).toBe(STACK_URN);
  });

  it("captures resource options", () => {
    const bucket = findResource(recording, "aws:s3/bucket:Bucket", "assets");
    expect(bucket.options).toMatchObject({
      protect: true,
      retainOnDelete: true,
      ignoreChanges: ["tags"],
      deleteBeforeReplace: true,
      customTimeouts: { create: "10m", delete: "1h30m" },
    });
    expect(bucket.provider).toBe("urn:pulumi:dev::fixture::pulumi:providers:aws::east::east-id");

    const queue = findResource(recording, "aws:sqs/queue:Queue", "jobs-queue");
    expect(queue.options.protect).toBe(true);
    expect(queue.options.deleteBeforeReplace).toBeUndefined();
    expect(queue.options.aliases).toEqual([
      "urn:pulumi:dev::fixture::fixture:index:Worker$aws:sqs/queue:Queue::jobs-old-queue",
    ]);

    const alarm = findResource(recording, "aws:cloudwatch/metricAlarm:MetricAlarm", "jobs-depth");
    expect(alarm.options.dependencies).toEqual(expect.arrayContaining([QUEUE_URN, TOPIC_URN]));
    expect(alarm.options.propertyDependencies.dimensions).toEqual([QUEUE_URN]);
    expect(alarm.options.propertyDependencies.alarmActions).toEqual([TOPIC_URN]);
    expect(findResource(recording, "aws:sns/topic:Topic", "alerts").options.additionalSecretOutputs).toEqual([
      "arn",
    ]);
  });

  it("creates default providers from the stack's config, before their first user", () => {
    const provider = recording.resources.find((resource) => resource.urn === AWS_DEFAULT_PROVIDER_URN);
    expect(provider).toMatchObject({
      origin: "default-provider",
      custom: true,
      id: "default_7_48_0-id",
      inputs: { region: "eu-west-1", version: "7.48.0" },
    });
    const topic = findResource(recording, "aws:sns/topic:Topic", "alerts");
    expect(topic.provider).toBe(`${AWS_DEFAULT_PROVIDER_URN}::default_7_48_0-id`);
    const providerIndex = recording.resources.findIndex(
      (resource) => resource.urn === AWS_DEFAULT_PROVIDER_URN,
    );
    const firstUser = recording.resources.findIndex((resource) =>
      resource.provider?.startsWith(AWS_DEFAULT_PROVIDER_URN),
    );
    expect(providerIndex).toBeLessThan(firstUser);
  });

  it("routes a parameterized package's resources to its own default provider", () => {
    expect(recording.packages).toHaveLength(1);
    expect(recording.packages[0]).toMatchObject({
      name: "terraform-provider",
      version: "1.1.0",
      parameterization: { name: "supabase", version: "1.10.1" },
    });
    const project = findResource(recording, "supabase:index/project:Project", "db");
    expect(project.packageRef).toBe(recording.packages[0]?.ref);
    expect(project.provider).toBe(
      "urn:pulumi:dev::fixture::pulumi:providers:supabase::default_1_10_1::default_1_10_1-id",
    );
    // The provider is named after the package's version but configured with the plugin's.
    const provider = findResource(recording, "pulumi:providers:supabase", "default_1_10_1");
    expect(provider.inputs).toEqual({ version: "1.1.0" });
    // Explicit providers get their plugin version stamped in, as the engine does.
    expect(findResource(recording, "pulumi:providers:aws", "east").inputs).toMatchObject({
      region: "us-east-1",
      version: "7.48.0",
    });
  });

  it("keeps secrets marked, in inputs and in outputs", () => {
    const parameter = findResource(recording, "aws:ssm/parameter:Parameter", "database-password");
    expect(parameter.inputs.value).toEqual(secret("hunter22"));
    expect(findResource(recording, "supabase:index/project:Project", "db").inputs.databasePassword).toEqual(
      secret("hunter22"),
    );
    // additionalSecretOutputs makes the engine return the output as a secret ...
    const topic = findResource(recording, "aws:sns/topic:Topic", "alerts");
    expect(topic.outputs.arn).toEqual(secret("arn:aws:sns:eu-west-1:123456789012:alerts-1127aa2"));
    // ... and a secret output used as an input stays secret.
    const alarm = findResource(recording, "aws:cloudwatch/metricAlarm:MetricAlarm", "jobs-depth");
    expect(alarm.inputs.alarmActions).toEqual([secret("arn:aws:sns:eu-west-1:123456789012:alerts-1127aa2")]);
    expect(isSecret(recording.stackOutputs.apiToken)).toBe(true);
  });

  it("answers with ids and plausible computed outputs", () => {
    const queue = findResource(recording, "aws:sqs/queue:Queue", "jobs-queue");
    expect(queue.id).toBe("jobs-queue-id");
    expect(queue.outputs.name).toMatch(/^jobs-queue-[0-9a-f]{7}$/);
    expect(queue.outputs.arn).toBe(`arn:aws:sqs:eu-west-1:123456789012:${queue.outputs.name as string}`);
    // The bucket's explicit provider is in us-east-1, the stack's default in eu-west-1.
    const bucket = findResource(recording, "aws:s3/bucket:Bucket", "assets");
    expect(bucket.outputs.bucketRegionalDomainName).toBe(
      `${bucket.outputs.bucket as string}.s3.us-east-1.amazonaws.com`,
    );
    expect(recording.stackOutputs).toMatchObject({
      accountId: "123456789012",
      projectRef: "db-id",
      queueArn: queue.outputs.arn,
      dryRun: false,
    });
  });

  it("records invokes, logs and the component's registered outputs", () => {
    expect(recording.invokes.map((invoke) => invoke.token)).toEqual([
      "aws:index/getCallerIdentity:getCallerIdentity",
    ]);
    expect(recording.logs).toContainEqual({ severity: "info", message: "recording fixture/dev" });
    const worker = findResource(recording, "fixture:index:Worker", "jobs");
    expect(worker.custom).toBe(false);
    expect(worker.outputs.queueArn).toBe(
      findResource(recording, "aws:sqs/queue:Queue", "jobs-queue").outputs.arn,
    );
  });

  it("is deterministic: a second recording in the same process is identical", async () => {
    const again = await record(false);
    expect(again).toEqual(recording);
  });
});

describe("recordProgram, as `pulumi preview`", () => {
  let recording: Recording;
  beforeAll(async () => {
    recording = await record(true);
  });

  it("leaves ids and computed outputs unknown, and unknowns flow into dependent inputs", () => {
    const queue = findResource(recording, "aws:sqs/queue:Queue", "jobs-queue");
    expect(queue.id).toEqual(UNKNOWN);
    expect(isUnknown(queue.outputs.arn)).toBe(true);
    // Auto-names are computed during Check, so they are known in a preview.
    expect(typeof queue.outputs.name).toBe("string");
    const alarm = findResource(recording, "aws:cloudwatch/metricAlarm:MetricAlarm", "jobs-depth");
    expect(alarm.inputs.alarmActions).toEqual([UNKNOWN]);
    expect(alarm.inputs.dimensions).toEqual({ QueueName: queue.outputs.name });
    expect(recording.stackOutputs.queueArn).toEqual(UNKNOWN);
    expect(recording.stackOutputs.dryRun).toBe(true);
  });

  it("gives new providers unknown ids, as the engine does for a create in a preview", () => {
    const topic = findResource(recording, "aws:sns/topic:Topic", "alerts");
    expect(topic.provider).toBe(`${AWS_DEFAULT_PROVIDER_URN}::04da6b54-80e4-46f7-96ec-b56ff0331ba9`);
  });

  it("keeps the secrets a preview knows", () => {
    const parameter = findResource(recording, "aws:ssm/parameter:Parameter", "database-password");
    expect(parameter.inputs.value).toEqual(secret("hunter22"));
    const token = findResource(recording, "random:index/randomPassword:RandomPassword", "api-token");
    expect(token.outputs.result).toEqual(secret(UNKNOWN));
  });

  it("records the same resources as `up`", async () => {
    const up = await record(false);
    expect(recording.resources.map((resource) => resource.urn).sort()).toEqual(
      up.resources.map((resource) => resource.urn).sort(),
    );
    expect(userResources(recording).length).toBeGreaterThan(5);
  });
});

describe("the mocks' AWS account", () => {
  it("is the first account the provider or the stack pins, so ARNs never carry another stack's account", () => {
    const staging = { "aws:allowedAccountIds": '["210987654321"]' };
    expect(awsAccount(staging)).toBe("210987654321");
    expect(awsAccount(staging, { allowedAccountIds: '["111122223333","444455556666"]' })).toBe(
      "111122223333",
    );
    expect(awsAccount(staging, { allowedAccountIds: ["111122223333"] })).toBe("111122223333");
    expect(awsAccount({})).toBe(MOCK_AWS_ACCOUNT_ID);
    expect(awsAccount({ "aws:allowedAccountIds": "not json" })).toBe(MOCK_AWS_ACCOUNT_ID);
  });
});

describe("recordProgram's runtime", () => {
  it("answers pulumi.getStack, getProject, getOrganization, isDryRun and secret config", async () => {
    let seen: unknown;
    await recordProgram({
      program: () => {
        const config = new pulumi.Config("app");
        seen = {
          stack: pulumi.getStack(),
          project: pulumi.getProject(),
          organization: pulumi.getOrganization(),
          dryRun: pulumi.runtime.isDryRun(),
          plain: config.require("name"),
          object: config.requireObject<{ size: number }>("sizes"),
        };
      },
      project: "proj",
      stack: "prod",
      organization: "acme",
      preview: true,
      config: { "app:name": "golive", "app:sizes": '{"size":3}' },
    });
    expect(seen).toEqual({
      stack: "prod",
      project: "proj",
      organization: "acme",
      dryRun: true,
      plain: "golive",
      object: { size: 3 },
    });
  });

  it("rejects with the program's own error", async () => {
    await expect(
      recordProgram({
        program: () => {
          new aws.sns.Topic("before");
          throw new Error("the program broke");
        },
        project: "p",
        stack: "s",
        preview: false,
      }),
    ).rejects.toThrow("the program broke");
  });

  it("rejects with an error thrown inside apply", async () => {
    await expect(
      recordProgram({
        program: () => {
          new aws.sns.Topic("t").arn.apply(() => {
            throw new Error("apply broke");
          });
        },
        project: "p",
        stack: "s",
        preview: false,
      }),
    ).rejects.toThrow("apply broke");
  });

  it("answers any function of an installed provider from its declared result type", async () => {
    const recording = await recordProgram({
      program: () => {
        aws.ec2.getVpcOutput({ default: true });
      },
      project: "p",
      stack: "s",
      preview: false,
      config: { "aws:region": "eu-west-1" },
    });
    const [vpc] = recording.invokes;
    expect(vpc?.token).toBe("aws:ec2/getVpc:getVpc");
    expect(vpc?.result.default).toBe(true);
    expect(vpc?.result.cidrBlock).toBe("10.0.0.0/16");
    expect(vpc?.result.region).toBe("eu-west-1");
    expect(vpc?.result.arn).toMatch(/^arn:aws:ec2:eu-west-1:123456789012:/);
  });

  it("renders aws.iam.getPolicyDocument as the provider does and lays pinned answers over defaults", async () => {
    const recording = await recordProgram({
      program: () => {
        aws.iam.getPolicyDocumentOutput({
          statements: [
            {
              actions: ["s3:GetObject"],
              resources: ["arn:aws:s3:::b/*"],
              principals: [{ type: "*", identifiers: ["*"] }],
            },
          ],
        });
        aws.ec2.getAmiOutput({ owners: ["amazon"] });
      },
      project: "p",
      stack: "s",
      preview: false,
      pinned: parsePinnedAnswers(
        { invokes: { "aws.ec2.getAmi": { id: "ami-0pinned" } } },
        "golive.mocks.yaml",
      ),
    });
    const byToken = (token: string) => recording.invokes.find((invoke) => invoke.token === token)?.result;
    const document = byToken("aws:iam/getPolicyDocument:getPolicyDocument");
    const ami = byToken("aws:ec2/getAmi:getAmi");
    expect(typeof document?.json).toBe("string");
    expect(JSON.parse(document?.json as string)).toEqual({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*", Principal: "*" }],
    });
    expect(ami?.id).toBe("ami-0pinned");
    expect(ami?.owners).toEqual(["amazon"]);
  });

  it("rejects a function of a provider that is not installed, naming it and the mocks file", async () => {
    await expect(
      recordProgram({
        program: async () => {
          await pulumi.runtime.invoke("gcp:compute/getNetwork:getNetwork", { name: "default" });
        },
        project: "p",
        stack: "s",
        preview: false,
      }),
    ).rejects.toThrow(/no answer for the function gcp:compute\/getNetwork:getNetwork.*golive\.mocks\.yaml/);
  });

  it("rejects duplicate URNs as the engine does", async () => {
    await expect(
      recordProgram({
        program: () => {
          new aws.sns.Topic("same");
          new aws.sns.Topic("same");
        },
        project: "p",
        stack: "s",
        preview: false,
      }),
    ).rejects.toThrow(/Duplicate resource URN 'urn:pulumi:s::p::aws:sns\/topic:Topic::same'/);
  });

  it("rejects config keys without a namespace before running anything", async () => {
    await expect(
      recordProgram({
        program: () => undefined,
        project: "p",
        stack: "s",
        preview: false,
        config: { region: "x" },
      }),
    ).rejects.toThrow(/config key "region" must be namespaced/);
  });

  it("lets overrides answer some resources and calls, falling back to the defaults", async () => {
    const recording = await recordProgram({
      program: () => {
        const vpc = aws.ec2.getVpcOutput({ default: true });
        new aws.sns.Topic("custom");
        new aws.sqs.Queue("default", { name: vpc.id });
      },
      project: "p",
      stack: "s",
      preview: false,
      mocks: {
        newResource: (args) =>
          args.type === "aws:sns/topic:Topic" ? { id: "topic-1", state: { arn: "arn:custom" } } : undefined,
        call: (args) => (args.token === "aws:ec2/getVpc:getVpc" ? { id: "vpc-123" } : undefined),
      },
    });
    // Pulumi's own mocks fit too.
    const pulumiMocks: Partial<pulumi.runtime.Mocks> = {
      newResource: (args) => ({ id: `${args.name}-custom`, state: args.inputs as Record<string, unknown> }),
    };
    const withPulumiMocks = await recordProgram({
      program: () => {
        new aws.sns.Topic("plain");
      },
      project: "p",
      stack: "s",
      preview: false,
      mocks: pulumiMocks,
    });
    expect(findResource(withPulumiMocks, "aws:sns/topic:Topic", "plain").id).toBe("plain-custom");
    expect(findResource(recording, "aws:sns/topic:Topic", "custom")).toMatchObject({
      id: "topic-1",
      outputs: { arn: "arn:custom" },
    });
    expect(findResource(recording, "aws:sqs/queue:Queue", "default")).toMatchObject({
      id: "default-id",
      inputs: { name: "vpc-123" },
    });
  });

  it("runs recordings concurrently without mixing them up", async () => {
    const program = (name: string) => () => {
      new aws.sns.Topic(name);
    };
    const [first, second] = await Promise.all([
      recordProgram({ program: program("one"), project: "p", stack: "a", preview: false }),
      recordProgram({ program: program("two"), project: "p", stack: "b", preview: true }),
    ]);
    expect(userResources(first).map((resource) => resource.urn)).toEqual([
      "urn:pulumi:a::p::aws:sns/topic:Topic::one",
    ]);
    expect(userResources(second).map((resource) => resource.urn)).toEqual([
      "urn:pulumi:b::p::aws:sns/topic:Topic::two",
    ]);
    expect(second.preview).toBe(true);
  });
});
