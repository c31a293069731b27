import path from "node:path";
import * as aws from "@pulumi/aws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyzeRecording } from "../tooling/engine/analyze-recording";
import {
  analyzeRequestProto,
  analyzerResourceFor,
  analyzerStackResourceFor,
  analyzerStackResourceProto,
  DEFAULT_START_TIMEOUT_MS,
  PolicyPackClient,
  startPolicyPack,
  startTimeoutFromEnv,
  type AnalyzerResourceInput,
  type StartedPolicyPack,
} from "../tooling/engine/analyzer";
import {
  parsePolicyPackConfig,
  policyPackCommand,
  readPolicyPackManifest,
  reconcilePolicyPackConfig,
  type StackContext,
} from "../tooling/engine/policy-pack";
import { findResource, recordProgram, type Recording } from "../tooling/engine/record";
import { SECRET_SIG, SIG_KEY, UNKNOWN, UNKNOWN_SENTINEL, secret } from "../tooling/engine/wire";
import { smallStack } from "./fixtures/programs/small-stack";

const PACK_DIR = path.join(__dirname, "fixtures", "packs", "minimal");
const CHATTY_PACK_DIR = path.join(__dirname, "fixtures", "packs", "chatty");
const FAILING_PACK_DIR = path.join(__dirname, "fixtures", "packs", "failing");
const PROGRAM_CONFIG = {
  "fixture:databasePassword": "hunter22",
  "fixture:region": "us-east-1",
  "aws:region": "eu-west-1",
};
const STACK: StackContext = {
  stack: "dev",
  project: "fixture",
  organization: "acme",
  dryRun: true,
  config: PROGRAM_CONFIG,
  configSecretKeys: ["fixture:databasePassword"],
  tags: { team: "platform" },
};
const TOPIC_URN = "urn:pulumi:dev::fixture::aws:sns/topic:Topic::alerts";

function topic(displayName: AnalyzerResourceInput["properties"][string] | undefined): AnalyzerResourceInput {
  return {
    urn: TOPIC_URN,
    type: "aws:sns/topic:Topic",
    name: "alerts",
    properties: displayName === undefined ? {} : { displayName },
    options: {
      protect: false,
      ignoreChanges: [],
      additionalSecretOutputs: [],
      aliases: [],
      customTimeouts: { create: 0, update: 0, delete: 0 },
    },
  };
}

/** A program whose topic's display name is unknown in a preview and whose alarm notifies no one. */
function quietAlarmProgram(): void {
  const queue = new aws.sqs.Queue("jobs");
  new aws.sns.Topic("alerts", { displayName: queue.arn });
  new aws.cloudwatch.MetricAlarm("depth", {
    comparisonOperator: "GreaterThanThreshold",
    evaluationPeriods: 1,
    metricName: "ApproximateNumberOfMessagesVisible",
    namespace: "AWS/SQS",
    period: 300,
    statistic: "Maximum",
    threshold: 10,
  });
}

function recordQuiet(preview: boolean): Promise<Recording> {
  return recordProgram({ program: quietAlarmProgram, project: "fixture", stack: "dev", preview });
}

describe("a policy pack launched as the CLI launches it", () => {
  let started: StartedPolicyPack;
  let client: PolicyPackClient;

  beforeAll(async () => {
    started = await startPolicyPack({ packDir: PACK_DIR, stack: STACK });
    client = started.client;
  }, 60_000);

  afterAll(async () => {
    await client.close();
  });

  it("runs run-policy-pack from the pack directory with the engine's arguments and environment", () => {
    expect(client.command.script).toBe(require.resolve("@pulumi/pulumi/cmd/run-policy-pack"));
    expect(client.command.cwd).toBe(PACK_DIR);
    expect(client.command.args).toEqual([client.engineAddress, "."]);
    expect(client.command.addedEnv).toEqual({
      PULUMI_CONFIG: JSON.stringify(PROGRAM_CONFIG),
      PULUMI_NODEJS_ORGANIZATION: "acme",
      PULUMI_NODEJS_PROJECT: "fixture",
      PULUMI_NODEJS_STACK: "dev",
      PULUMI_NODEJS_DRY_RUN: "true",
      PULUMI_ORGANIZATION: "acme",
      PULUMI_PROJECT: "fixture",
      PULUMI_STACK: "dev",
      PULUMI_DRY_RUN: "true",
    });
    expect(client.port).toBeGreaterThan(0);
  });

  it("answers GetAnalyzerInfo and GetPluginInfo; Handshake is not implemented by @pulumi/policy 1.21", async () => {
    expect(started.handshake).toBe(false);
    expect(started.info).toMatchObject({
      name: "fixture-minimal",
      version: "0.0.1",
      supportsConfig: true,
      // The pack sets no description, so the CLI shows PulumiPolicy.yaml's.
      description: "A two-policy pack for the engine harness's tests.",
    });
    expect(
      started.info.policies.map((policy) => [policy.name, policy.type, policy.enforcementLevel]),
    ).toEqual([
      ["alarms-have-actions", "stack", "mandatory"],
      ["topic-display-name", "resource", "mandatory"],
    ]);
    expect(started.info.policies[1]).toMatchObject({ severity: "high", tags: ["fixture", "naming"] });
    expect(await client.getPluginInfo()).toEqual({ version: "1.21.0" });
    // Configure was sent with every policy's level, as the engine sends it.
    expect(started.config).toEqual({
      "alarms-have-actions": { enforcementLevel: "mandatory" },
      "topic-display-name": { enforcementLevel: "mandatory" },
    });
  });

  it("Analyze: a failing resource policy, with the stack from the pack's environment", async () => {
    const result = await client.analyze(topic(undefined));
    expect(result.notApplicable).toEqual([]);
    expect(result.diagnostics).toEqual([
      {
        policyName: "topic-display-name",
        policyPackName: "fixture-minimal",
        policyPackVersion: "0.0.1",
        description: "SNS topics carry a display name of at least 3 characters.",
        message:
          "SNS topics carry a display name of at least 3 characters.\ntopic alerts in stack dev has display name null",
        enforcementLevel: "mandatory",
        severity: "high",
        tags: ["fixture", "naming"],
      },
    ]);
    expect((await client.analyze(topic("Alerts"))).diagnostics).toEqual([]);
  });

  it("Analyze: a secret arrives unwrapped, as the engine delivers it", async () => {
    const request = analyzeRequestProto(topic(secret("ab")));
    expect(request.getProperties()?.toJavaScript()).toEqual({
      displayName: { [SIG_KEY]: SECRET_SIG, value: "ab" },
    });
    const [diagnostic] = (await client.analyze(topic(secret("ab")))).diagnostics;
    expect(diagnostic?.message).toMatch(/has display name "ab"$/);
  });

  it("Analyze: an unknown reaches the policy as unknown, and a mandatory policy fails open as advisory", async () => {
    expect(analyzeRequestProto(topic(UNKNOWN)).getProperties()?.toJavaScript()).toEqual({
      displayName: UNKNOWN_SENTINEL,
    });
    const [diagnostic] = (await client.analyze(topic(UNKNOWN))).diagnostics;
    expect(diagnostic?.enforcementLevel).toBe("advisory");
    expect(diagnostic?.message).toMatch(
      /^can't run policy 'topic-display-name' from policy pack 'fixture-minimal@v0\.0\.1' during preview/,
    );
  });

  it("AnalyzeStack: a failing stack policy, with the stack's tags from ConfigureStack", async () => {
    const alarm = {
      ...topic(undefined),
      urn: "urn:pulumi:dev::fixture::aws:cloudwatch/metricAlarm:MetricAlarm::depth",
      type: "aws:cloudwatch/metricAlarm:MetricAlarm",
      name: "depth",
      properties: { alarmActions: [] },
      dependencies: [],
      propertyDependencies: {},
    };
    const noAlarm = await client.analyzeStack([
      { ...topic("Alerts"), dependencies: [], propertyDependencies: {} },
    ]);
    expect(noAlarm.diagnostics.map((diagnostic) => diagnostic.message)).toEqual([
      "The stack has at least one alarm, and every alarm notifies someone.\nthe stack has no alarm (platform)",
    ]);
    const quiet = await client.analyzeStack([alarm]);
    expect(quiet.diagnostics).toMatchObject([
      { policyName: "alarms-have-actions", enforcementLevel: "mandatory", urn: alarm.urn },
    ]);
    expect(
      (await client.analyzeStack([{ ...alarm, properties: { alarmActions: ["arn:aws:sns:x"] } }]))
        .diagnostics,
    ).toEqual([]);
  });

  it("analyzes a preview recording: per-resource findings in order, then the stack's", async () => {
    const analysis = await analyzeRecording(await recordQuiet(true), client);
    expect(analysis.diagnostics.map((d) => [d.phase, d.policyName, d.enforcementLevel, d.urn])).toEqual([
      ["analyze", "topic-display-name", "advisory", TOPIC_URN],
      [
        "analyzeStack",
        "alarms-have-actions",
        "mandatory",
        "urn:pulumi:dev::fixture::aws:cloudwatch/metricAlarm:MetricAlarm::depth",
      ],
    ]);
    expect(analysis.failed).toBe(true);
    expect(analysis.stoppedAt).toBeUndefined();
  });

  it("analyzes an update as the engine does: it stops at the first mandatory violation", async () => {
    const recording = await recordProgram({
      program: smallStack,
      project: "fixture",
      stack: "dev",
      preview: false,
      config: PROGRAM_CONFIG,
      secretKeys: ["fixture:databasePassword"],
    });
    const analysis = await analyzeRecording(recording, client, { dryRun: false });
    expect(analysis.stoppedAt).toBe(findResource(recording, "aws:sns/topic:Topic", "alerts").urn);
    expect(analysis.diagnostics.map((d) => d.phase)).toEqual(["analyze"]);
    // Requests in flight at once change nothing in what is reported.
    expect(await analyzeRecording(recording, client, { dryRun: false, concurrency: 1 })).toEqual(analysis);
    // In an update the display name is known (the queue's ARN), so only the stack policy would fail.
    const quiet = await analyzeRecording(await recordQuiet(false), client, { dryRun: false });
    expect(quiet.diagnostics.map((d) => [d.phase, d.policyName])).toEqual([
      ["analyzeStack", "alarms-have-actions"],
    ]);
  });

  it("sends the engine's view of a recorded resource: provider, parent, options and property dependencies", async () => {
    const recording = await recordProgram({
      program: smallStack,
      project: "fixture",
      stack: "dev",
      preview: true,
      config: PROGRAM_CONFIG,
      secretKeys: ["fixture:databasePassword"],
    });
    const bucket = analyzeRequestProto(
      analyzerResourceFor(findResource(recording, "aws:s3/bucket:Bucket", "assets"), recording),
    );
    expect(bucket.getOptions()?.getProtect()).toBe(true);
    expect(bucket.getOptions()?.getDeletebeforereplacedefined()).toBe(true);
    expect(bucket.getOptions()?.getCustomtimeouts()?.getCreate()).toBe(600);
    expect(bucket.getOptions()?.getCustomtimeouts()?.getDelete()).toBe(5400);
    expect(bucket.getOptions()?.getParent()).toBe(
      "urn:pulumi:dev::fixture::pulumi:pulumi:Stack::fixture-dev",
    );
    expect(bucket.getProvider()?.getName()).toBe("east");
    expect(bucket.getProvider()?.getProperties()?.toJavaScript()).toMatchObject({
      region: "us-east-1",
      version: "7.48.0",
    });

    // A bridged provider's Check adds the auto-name to the inputs the engine analyzes.
    const queueResource = findResource(recording, "aws:sqs/queue:Queue", "jobs-queue");
    expect(queueResource.inputs.name).toBeUndefined();
    const queue = analyzeRequestProto(analyzerResourceFor(queueResource, recording));
    expect(queue.getProperties()?.toJavaScript()).toEqual({
      messageRetentionSeconds: 345600,
      name: queueResource.outputs.name,
    });

    const alarmResource = findResource(recording, "aws:cloudwatch/metricAlarm:MetricAlarm", "jobs-depth");
    const alarm = analyzerStackResourceProto(analyzerStackResourceFor(alarmResource, recording));
    expect(alarm.getParent()).toBe("urn:pulumi:dev::fixture::fixture:index:Worker::jobs");
    expect(alarm.getOptions()?.getParent()).toBe("");
    expect([...alarm.getPropertydependenciesMap().keys()].sort()).toEqual(["alarmActions", "dimensions"]);
    expect(alarm.getProvider()?.getName()).toBe("default_7_48_0");
    expect(alarm.getProvider()?.getProperties()?.toJavaScript()).toEqual({
      region: "eu-west-1",
      version: "7.48.0",
    });
  });

  it("Configure changes a policy's level", async () => {
    await client.configure({ "topic-display-name": { enforcementLevel: "advisory" } });
    try {
      expect((await client.analyze(topic(undefined))).diagnostics[0]?.enforcementLevel).toBe("advisory");
    } finally {
      await client.configure({ "topic-display-name": { enforcementLevel: "mandatory" } });
    }
    expect((await client.analyze(topic(undefined))).diagnostics[0]?.enforcementLevel).toBe("mandatory");
  });
});

describe("launching packs", () => {
  it("rejects a pack that prints before its port, as the CLI does", async () => {
    await expect(
      PolicyPackClient.launch({ packDir: CHATTY_PACK_DIR, startTimeoutMs: 30_000 }),
    ).rejects.toThrow(/wrote a non-numeric port to stdout \('loading policies\.\.\.'\)/);
  });

  it("says why a pack exited before serving: the error it logged to the engine", async () => {
    await expect(
      PolicyPackClient.launch({ packDir: FAILING_PACK_DIR, startTimeoutMs: 60_000 }),
    ).rejects.toThrow(/exited before printing its port \(exit code 32\)\n[^]*cannot load the catalogue/);
  });

  it("takes the start-up deadline from GOLIVE_PACK_START_TIMEOUT_MS, and refuses a value that is not one", () => {
    expect(startTimeoutFromEnv({})).toBe(DEFAULT_START_TIMEOUT_MS);
    expect(startTimeoutFromEnv({ GOLIVE_PACK_START_TIMEOUT_MS: "180000" })).toBe(180_000);
    expect(() => startTimeoutFromEnv({ GOLIVE_PACK_START_TIMEOUT_MS: "3m" })).toThrow(
      /GOLIVE_PACK_START_TIMEOUT_MS must be a whole number of milliseconds above 0 \(got "3m"\)/,
    );
  });

  it("passes PulumiPolicy.yaml runtime options as the CLI's shim does, split on spaces", () => {
    const manifest = { runtime: "nodejs", runtimeOptions: { typescript: false, nodeargs: "--import tsx" } };
    expect(policyPackCommand(PACK_DIR, "127.0.0.1:1", manifest, undefined).args).toEqual([
      "127.0.0.1:1",
      ".",
      "-nodeargs=--import",
      "tsx",
      "-typescript=false",
    ]);
    expect(readPolicyPackManifest(PACK_DIR)).toEqual({
      runtime: "nodejs",
      runtimeOptions: {},
      description: "A two-policy pack for the engine harness's tests.",
    });
    expect(() => readPolicyPackManifest(__dirname)).toThrow(/PulumiPolicy\.yaml is missing/);
  });

  it("reconciles --policy-pack-config as the engine does", () => {
    const policies = [
      {
        name: "a",
        enforcementLevel: "mandatory" as const,
        configSchema: { properties: { max: { type: "number", default: 3 } } },
      },
      { name: "b", enforcementLevel: "advisory" as const },
    ];
    const given = parsePolicyPackConfig({
      all: "disabled",
      b: { enforcementLevel: "mandatory", owner: "ops" },
    });
    expect(reconcilePolicyPackConfig(policies, {}, given)).toEqual({
      a: { enforcementLevel: "disabled", properties: { max: 3 } },
      b: { enforcementLevel: "mandatory", properties: { owner: "ops" } },
      all: { enforcementLevel: "disabled" },
    });
    expect(() => parsePolicyPackConfig({ a: "strict" })).toThrow(/"strict" is not a valid enforcement level/);
    // As the engine, properties are checked against the policy's schema.
    expect(() =>
      reconcilePolicyPackConfig(policies, {}, parsePolicyPackConfig({ a: { max: "three" } })),
    ).toThrow(/policy pack configuration is invalid:\n {2}a: max: must be number/);
    expect(() => parsePolicyPackConfig({ a: 3 })).toThrow(/must be a string or object/);
  });
});
