/**
 * Scheduled jobs: one EventBridge Scheduler schedule per job, all calling one invoker Lambda that
 * authenticates to the app with the cron secret (CRON-02), enforces the job's timeout, and reports
 * per-job metrics. A failed run is retried, then lands in an encrypted dead-letter queue, and
 * alarms (CRON-03, CRON-04). Scheduler's retry policy covers delivering the invocation; the
 * function's async-invoke config covers the run failing; both end in the same queue.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ResolvedCronJob } from "../config/schema/cron";
import type { AlarmSpec } from "../lib/alerts";
import {
  deadLetterAlarm,
  invokerErrorAlarm,
  invokerPolicy,
  invokerTimeoutSeconds,
  jobFailureAlarm,
  MAX_ASYNC_RETRIES,
  scheduleInput,
  schedulerPolicy,
} from "../lib/cron-jobs";
import { assumeRolePolicy } from "../lib/iam";
import { limitedName, physicalName, type EnvironmentIdentity } from "../lib/naming";
import { bundleCronInvoker } from "../lambda/cron-invoker/bundle";
import { schedulerRole } from "./scheduling";
import type { Secrets } from "./secrets";
import { CRON_TYPE } from "../lib/component-types";

/** What the Cron component needs of the alerting component: alarms get their severity's actions. */
export interface AlarmSink {
  addAlarm(name: string, spec: AlarmSpec, opts?: pulumi.CustomResourceOptions): aws.cloudwatch.MetricAlarm;
}

export interface CronArgs {
  readonly identity: EnvironmentIdentity;
  /** Prod: the dead-letter queue holds failed runs' payloads, so it is protected and retained (OPS-01). */
  readonly protect?: boolean;
  readonly jobs: readonly ResolvedCronJob[];
  /** Host that job paths are called on. */
  readonly appHostname: string;
  readonly secrets: Secrets;
  /** Name of the cron secret inside the environment's secret. */
  readonly secretName: string;
  readonly alerts: AlarmSink;
  /** Retention of the invoker's (debug) logs, in days. */
  readonly logRetentionDays: number;
}

export class Cron extends pulumi.ComponentResource {
  readonly invokerArn: pulumi.Output<string>;
  readonly deadLetterQueueUrl: pulumi.Output<string>;
  /** Job name → human-readable schedule, for docs and reviewers. */
  readonly schedules: Record<string, string>;

  constructor(name: string, args: CronArgs, opts?: pulumi.ComponentResourceOptions) {
    super(CRON_TYPE, name, {}, opts);
    const { identity, jobs } = args;
    const child = { parent: this };
    const account = aws.getCallerIdentityOutput({}, child).accountId;

    const deadLetterName = limitedName(physicalName(identity, "cron-dead-letter"), 80);
    const deadLetter = new aws.sqs.Queue(
      `${name}-dead-letter`,
      {
        name: deadLetterName,
        messageRetentionSeconds: 14 * 24 * 3600,
        sqsManagedSseEnabled: true,
      },
      { ...child, protect: args.protect === true, retainOnDelete: args.protect === true },
    );

    const functionName = limitedName(physicalName(identity, "cron-invoker"), 64);
    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-invoker-logs`,
      { name: `/aws/lambda/${functionName}`, retentionInDays: args.logRetentionDays },
      child,
    );
    const invokerRole = new aws.iam.Role(
      `${name}-invoker-role`,
      { assumeRolePolicy: JSON.stringify(assumeRolePolicy("lambda.amazonaws.com")) },
      child,
    );
    new aws.iam.RolePolicy(
      `${name}-invoker-policy`,
      {
        role: invokerRole.id,
        policy: pulumi
          .all([logGroup.arn, deadLetter.arn])
          .apply(([logArn, queueArn]) => JSON.stringify(invokerPolicy(logArn, queueArn))),
      },
      { parent: invokerRole },
    );
    const secretRead = args.secrets.grantRead(`${name}-invoker-reads-secret`, invokerRole);

    const bundle = bundleCronInvoker();
    const invoker = new aws.lambda.Function(
      `${name}-invoker`,
      {
        name: functionName,
        description: "Calls the app's cron endpoints with the cron secret; one schedule per job",
        runtime: "nodejs20.x",
        handler: "index.handler",
        code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(bundle.code) }),
        sourceCodeHash: Buffer.from(bundle.sha256, "hex").toString("base64"),
        role: invokerRole.arn,
        timeout: invokerTimeoutSeconds(jobs),
        memorySize: 256,
        loggingConfig: { logFormat: "Text", logGroup: logGroup.name },
        environment: {
          variables: { CRON_SECRET_ID: args.secrets.secretArn, CRON_SECRET_KEY: args.secretName },
        },
      },
      { parent: this, dependsOn: [logGroup, secretRead] },
    );
    new aws.lambda.FunctionEventInvokeConfig(
      `${name}-invoker-async`,
      {
        functionName: invoker.name,
        maximumRetryAttempts: Math.min(MAX_ASYNC_RETRIES, Math.max(0, ...jobs.map((job) => job.retries))),
        maximumEventAgeInSeconds: 3600,
        destinationConfig: { onFailure: { destination: deadLetter.arn } },
      },
      { parent: invoker },
    );
    this.invokerArn = invoker.arn;
    this.deadLetterQueueUrl = deadLetter.url;

    const scheduler = schedulerRole(
      name,
      account,
      pulumi
        .all([invoker.arn, deadLetter.arn])
        .apply(([functionArn, queueArn]) => JSON.stringify(schedulerPolicy(functionArn, queueArn))),
      child,
    );
    const group = new aws.scheduler.ScheduleGroup(
      `${name}-schedules`,
      { name: limitedName(physicalName(identity, "cron"), 64) },
      child,
    );

    this.schedules = {};
    for (const job of jobs) {
      this.schedules[job.name] = `${job.schedule.description} (${job.schedule.timeZone})`;
      new aws.scheduler.Schedule(
        `${name}-${job.name}`,
        {
          name: limitedName(job.name, 64),
          groupName: group.name,
          description: job.description ?? `${job.schedule.description} (${job.schedule.timeZone})`,
          scheduleExpression: job.schedule.eventBridgeExpression,
          scheduleExpressionTimezone: job.schedule.timeZone,
          flexibleTimeWindow: { mode: "OFF" },
          state: job.enabled ? "ENABLED" : "DISABLED",
          target: {
            arn: invoker.arn,
            roleArn: scheduler.arn,
            input: scheduleInput(job, args.appHostname),
            retryPolicy: { maximumRetryAttempts: job.retries, maximumEventAgeInSeconds: 3600 },
            deadLetterConfig: { arn: deadLetter.arn },
          },
        },
        child,
      );
      args.alerts.addAlarm(`${name}-${job.name}-failed`, jobFailureAlarm(job), child);
    }

    args.alerts.addAlarm(`${name}-dead-letter-not-empty`, deadLetterAlarm(deadLetterName), child);
    args.alerts.addAlarm(`${name}-invoker-errors`, invokerErrorAlarm(functionName), child);

    this.registerOutputs({
      invokerArn: this.invokerArn,
      deadLetterQueueUrl: this.deadLetterQueueUrl,
      schedules: this.schedules,
    });
  }
}
