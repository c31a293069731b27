import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { parseStackConfig } from "../config/load";
import { resolveCronJobs, type ResolvedCronJob } from "../config/schema/cron";
import { Cron, type AlarmSink } from "../components/cron";
import { Secrets } from "../components/secrets";
import { metricAlarmInputs, type AlarmSpec } from "../lib/alerts";
import { METRIC_NAMESPACE } from "../lambda/cron-invoker/handler";
import { invokerTimeoutSeconds, jobUrl, scheduleInput, schedulerPolicy } from "../lib/cron-jobs";
import { findResource, recordProgram, type Recording } from "../tooling/engine/record";
import { AlarmSimulator, alarmFromInputs } from "./support/alarm-simulator";
import { stackConfig } from "./support/stacks";

const config = parseStackConfig(stackConfig("prod"));
const jobs = resolveCronJobs(config.cron);

/** Stands in for the Alerts component: one alarm per call, with the severity's topic as its action. */
class RecordingSink implements AlarmSink {
  readonly specs = new Map<string, AlarmSpec>();
  addAlarm(name: string, spec: AlarmSpec, opts?: pulumi.CustomResourceOptions): aws.cloudwatch.MetricAlarm {
    this.specs.set(name, spec);
    return new aws.cloudwatch.MetricAlarm(
      name,
      {
        namespace: spec.namespace,
        metricName: spec.metricName,
        dimensions: spec.dimensions,
        comparisonOperator: spec.comparison,
        threshold: spec.threshold,
        evaluationPeriods: spec.evaluationPeriods,
        period: spec.periodSeconds,
        statistic: spec.statistic,
        alarmActions: [`arn:aws:sns:us-east-1:123456789012:${spec.severity}`],
      },
      opts,
    );
  }
}

function program(sink: RecordingSink, cronJobs: readonly ResolvedCronJob[]) {
  return () => {
    const identity = { app: "dirt-free-crm", environment: "prod" };
    const secrets = new Secrets("secrets", {
      identity,
      config: { ...config.secrets, provided: [], public: {} },
      protect: true,
      providedValues: {},
      derivedValues: {},
      projectRef: "ref",
      publicSources: {
        supabaseUrl: "u",
        supabasePublishableKey: "p",
        supabaseAnonKey: "a",
        appUrl: "https://app.dirtfree.com",
      },
    });
    const cron = new Cron("cron", {
      identity,
      jobs: cronJobs,
      appHostname: "app.dirtfree.com",
      secrets,
      secretName: "CRON_SECRET",
      alerts: sink,
      logRetentionDays: 30,
    });
    return { schedules: cron.schedules };
  };
}

async function record(preview: boolean, sink = new RecordingSink(), cronJobs = jobs): Promise<Recording> {
  return recordProgram({ program: program(sink, cronJobs), project: "golive", stack: "prod", preview });
}

describe.each([false, true])("Cron component (preview: %s)", (preview) => {
  it("makes one schedule per job with the EventBridge expression and time zone (CRON-01)", async () => {
    const rec = await record(preview);
    const schedules = rec.resources.filter((resource) => resource.type === "aws:scheduler/schedule:Schedule");
    expect(schedules).toHaveLength(18);
    const weekly = findResource(rec, "aws:scheduler/schedule:Schedule", "cron-generate-weekly-report");
    expect(weekly.inputs).toMatchObject({
      scheduleExpression: "cron(0 4 ? * MON *)",
      scheduleExpressionTimezone: "UTC",
      state: "ENABLED",
      flexibleTimeWindow: { mode: "OFF" },
    });
    const every5 = findResource(rec, "aws:scheduler/schedule:Schedule", "cron-check-system-health");
    expect(every5.inputs.scheduleExpression).toBe("cron(0/15 * * * ? *)");
  });

  it("gives every job retries, a dead letter and a failure alarm (CRON-03, CRON-04)", async () => {
    const sink = new RecordingSink();
    const rec = await record(preview, sink);
    const queue = findResource(rec, "aws:sqs/queue:Queue", "cron-dead-letter");
    expect(queue.inputs.sqsManagedSseEnabled).toBe(true);
    for (const job of jobs) {
      const schedule = findResource(rec, "aws:scheduler/schedule:Schedule", `cron-${job.name}`);
      const target = schedule.inputs.target as Record<string, unknown>;
      expect(target.retryPolicy).toEqual({ maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 });
      expect(target.deadLetterConfig).toHaveProperty("arn");
      expect(schedule.options.dependencies).toContain(queue.urn);
      // The alarm, as CloudWatch would evaluate it: one failed run of this job pages; another
      // job's failure or a successful run does not.
      const spec = sink.specs.get(`cron-${job.name}-failed`)!;
      const alarm = alarmFromInputs({ ...metricAlarmInputs(`cron-${job.name}-failed`, spec, "arn:topic") });
      const run = (jobName: string, failed: boolean) => {
        const sim = new AlarmSimulator([alarm]);
        const dims = { Job: jobName };
        sim.publish({
          namespace: METRIC_NAMESPACE,
          metricName: "Failure",
          dimensions: dims,
          at: 0,
          value: failed ? 1 : 0,
          unit: "Count",
        });
        sim.evaluate(60);
        return sim.summary().pages.map((page) => page.alarm);
      };
      expect(run(job.name, true)).toEqual([`cron-${job.name}-failed`]);
      expect(run(job.name, false)).toEqual([]);
      expect(run(`${job.name}-other`, true)).toEqual([]);
    }
    expect([...sink.specs.keys()]).toEqual(
      expect.arrayContaining(["cron-dead-letter-not-empty", "cron-invoker-errors"]),
    );
    const asyncConfig = findResource(
      rec,
      "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
      "cron-invoker-async",
    );
    expect(asyncConfig.inputs.maximumRetryAttempts).toBe(2);
    expect(JSON.stringify(asyncConfig.inputs.destinationConfig)).toContain("onFailure");
  });

  it("runs the bundled invoker with the job timeout budget and the cron secret's location (CRON-02)", async () => {
    const rec = await record(preview);
    const invoker = findResource(rec, "aws:lambda/function:Function", "cron-invoker");
    expect(invoker.inputs).toMatchObject({ runtime: "nodejs20.x", handler: "index.handler", timeout: 610 });
    const env = (invoker.inputs.environment as { variables: Record<string, unknown> }).variables;
    expect(env.CRON_SECRET_KEY).toBe("CRON_SECRET");
    const secret = findResource(rec, "aws:secretsmanager/secret:Secret", "secrets-server");
    expect(invoker.options.dependencies).toContain(secret.urn);
    const readPolicy = findResource(rec, "aws:iam/rolePolicy:RolePolicy", "cron-invoker-reads-secret");
    expect(readPolicy.parent).toBe(findResource(rec, "aws:iam/role:Role", "cron-invoker-role").urn);
  });
});

describe("cron wiring helpers", () => {
  const weekly = jobs.find((job) => job.name === "generate-weekly-report")!;

  it("calls paths on the app host and full URLs as given", () => {
    expect(jobUrl(weekly, "app.dirtfree.com")).toBe(
      "https://app.dirtfree.com/api/cron/execute/generate-weekly-report",
    );
    expect(
      jobUrl({ endpoint: "https://ref.supabase.co/functions/v1/process-queue" }, "app.dirtfree.com"),
    ).toBe("https://ref.supabase.co/functions/v1/process-queue");
  });

  it("puts the job and Scheduler's run placeholders into the target input", () => {
    expect(JSON.parse(scheduleInput(weekly, "app.dirtfree.com"))).toEqual({
      job: "generate-weekly-report",
      url: "https://app.dirtfree.com/api/cron/execute/generate-weekly-report",
      method: "POST",
      timeoutSeconds: 600,
      scheduledTime: "<aws.scheduler.scheduled-time>",
      executionId: "<aws.scheduler.execution-id>",
      attemptNumber: "<aws.scheduler.attempt-number>",
    });
  });

  it("sizes the invoker's timeout to the longest job plus a margin", () => {
    expect(invokerTimeoutSeconds(jobs)).toBe(610);
    expect(invokerTimeoutSeconds([])).toBe(40);
  });

  it("lets the scheduler invoke only the invoker and write only to the dead letter", () => {
    expect(schedulerPolicy("arn:fn", "arn:q").Statement).toEqual([
      expect.objectContaining({ Action: ["lambda:InvokeFunction"], Resource: ["arn:fn", "arn:fn:*"] }),
      expect.objectContaining({ Action: ["sqs:SendMessage"], Resource: "arn:q" }),
    ]);
  });

  it("describes schedules for reviewers", async () => {
    const rec = await record(false, new RecordingSink(), jobs.slice(0, 2));
    expect(rec.stackOutputs.schedules).toEqual({
      "process-opportunity-offers": "At 08:00 (UTC)",
      "check-stale-opportunities": "At 09:00 (UTC)",
    });
  });
});
