/**
 * The checklist pack against both golive stacks, launched as the engine launches it
 * (run-policy-pack, gRPC Analyzer), fed the recorded program in preview and update mode.
 */
import path from "node:path";
import * as aws from "@pulumi/aws";
import { afterAll, describe, expect, it } from "vitest";
import { goliveProgram } from "../program";
import { analyzeRecording, type RecordingAnalysis } from "../tooling/engine/analyze-recording";
import { stackContextFor, startPolicyPack } from "../tooling/engine/analyzer";
import { recordProgram, type Recording } from "../tooling/engine/record";
import { recordStack as recordCommittedStack } from "./support/record-stack";
import { REPO_ROOT, stackConfig } from "./support/stacks";

const PACK_DIR = path.join(REPO_ROOT, "policies");
/** Inside the default prod change window (Tuesday, 10:00 UTC), so runs are reproducible. */
const CLOCK = "2026-11-24T10:00:00Z";

const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  await Promise.all(closers.map((close) => close()));
});

async function analyze(recording: Recording): Promise<RecordingAnalysis> {
  const { client } = await startPolicyPack({
    packDir: PACK_DIR,
    stack: stackContextFor(recording),
    baseEnv: { ...process.env, GOLIVE_POLICY_CLOCK: CLOCK, GOLIVE_PROJECT_DIR: REPO_ROOT },
    startTimeoutMs: 180_000,
  });
  closers.push(() => client.close());
  try {
    return await analyzeRecording(recording, client, { dryRun: recording.preview });
  } finally {
    await client.close();
  }
}

function recordStack(stack: "staging" | "prod", preview: boolean, extra?: () => void): Promise<Recording> {
  // The committed program as it is: the run's shared recording (test/support/shared-recordings.ts).
  if (extra === undefined) return recordCommittedStack(stack, { preview });
  const raw = stackConfig(stack);
  return recordProgram({
    program: () => {
      const outputs = goliveProgram();
      extra?.();
      return outputs;
    },
    project: "golive",
    stack,
    config: raw.values,
    secretKeys: [...raw.secretKeys],
    preview,
    rootDirectory: REPO_ROOT,
  });
}

const mandatory = (analysis: RecordingAnalysis) =>
  analysis.diagnostics.filter((diagnostic) => diagnostic.enforcementLevel === "mandatory");
const describeAll = (analysis: RecordingAnalysis) =>
  mandatory(analysis).map(
    (diagnostic) => `${diagnostic.policyName} ${diagnostic.urn ?? "(stack)"}: ${diagnostic.message}`,
  );

describe.each([
  ["staging", false],
  ["staging", true],
  ["prod", false],
  ["prod", true],
] as const)("the %s stack through the pack (preview: %s)", (stack, preview) => {
  it("has no mandatory violation", async () => {
    const analysis = await analyze(await recordStack(stack, preview));
    expect(describeAll(analysis)).toEqual([]);
    expect(analysis.failed).toBe(false);
    expect(analysis.diagnostics.every((diagnostic) => diagnostic.policyPackName === "golive-checklist")).toBe(
      true,
    );
  });
});

describe("unsafe resources added to the prod program are blocked over gRPC", () => {
  // A preview reports every violation; an update stops at the first invalid resource (the topic).
  it("an unencrypted topic and an alarm without actions, both reported by a preview", async () => {
    const analysis = await analyze(
      await recordStack("prod", true, () => {
        const topic = new aws.sns.Topic("raw-unencrypted-topic", {});
        new aws.cloudwatch.MetricAlarm("raw-alarm-without-action", {
          namespace: "AWS/Lambda",
          metricName: "Errors",
          comparisonOperator: "GreaterThanThreshold",
          threshold: 0,
          evaluationPeriods: 1,
          period: 60,
          statistic: "Sum",
          dimensions: { FunctionName: topic.name },
        });
      }),
    );
    expect(analysis.failed).toBe(true);
    const messages = describeAll(analysis).join("\n");
    expect(messages).toMatch(/raw-unencrypted-topic/);
    expect(messages).toMatch(/raw-alarm-without-action.*\n.*has no alarmActions/);
  });

  it("an update stops at the first invalid resource, as the engine does", async () => {
    const analysis = await analyze(
      await recordStack("prod", false, () => {
        new aws.sns.Topic("raw-unencrypted-topic", {});
        new aws.cloudwatch.MetricAlarm("raw-alarm-without-action", {
          comparisonOperator: "GreaterThanThreshold",
          evaluationPeriods: 1,
        });
      }),
    );
    expect(analysis.failed).toBe(true);
    expect(analysis.stoppedAt).toMatch(/::raw-unencrypted-topic$/);
    expect(describeAll(analysis).join("\n")).not.toMatch(/raw-alarm-without-action/);
  });

  it("a public, unversioned bucket that a pulumi up could delete", async () => {
    const analysis = await analyze(
      await recordStack("prod", false, () => {
        new aws.s3.Bucket("raw-backups", { bucket: "dirt-free-crm-prod-raw-backups", forceDestroy: true });
      }),
    );
    expect(analysis.failed).toBe(true);
    expect(describeAll(analysis).join("\n")).toMatch(/raw-backups/);
  });
});
