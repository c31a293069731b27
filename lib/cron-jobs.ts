/**
 * What the Cron component builds for each job, as pure functions: the schedule's target input,
 * the alarms, and the least-privilege IAM documents of the scheduler and the invoker.
 */
import { INVOKER_MARGIN_SECONDS, type ResolvedCronJob } from "./cron/job";
import { createSchedulerInput } from "../lambda/cron-invoker/event";
import { CRON_FAILURE_METRIC, CRON_METRIC_NAMESPACE } from "./metric-names";
import type { AlarmSpec } from "./alerts";
import { ownLogsStatement, type PolicyDocument } from "./iam";

/** The job's URL: a path is on the app's host; a full URL (an edge function) is used as is. */
export function jobUrl(job: Pick<ResolvedCronJob, "endpoint">, appHostname: string): string {
  return job.endpoint.startsWith("/") ? `https://${appHostname}${job.endpoint}` : job.endpoint;
}

/** The Scheduler target input: what the invoker needs, with Scheduler's per-run placeholders. */
export function scheduleInput(job: ResolvedCronJob, appHostname: string): string {
  return createSchedulerInput({
    job: job.name,
    url: jobUrl(job, appHostname),
    method: job.method,
    timeoutSeconds: job.timeoutSeconds,
  });
}

/** The invoker's Lambda timeout: the longest job plus the margin the invoker keeps to report. */
export function invokerTimeoutSeconds(jobs: readonly ResolvedCronJob[]): number {
  return Math.max(30, ...jobs.map((job) => job.timeoutSeconds)) + INVOKER_MARGIN_SECONDS;
}

/** Lambda retries an asynchronous invocation at most twice. */
export const MAX_ASYNC_RETRIES = 2;

/** CRON-04: a failed run of this job alarms at once ("failed cron jobs: 0"). */
export function jobFailureAlarm(job: Pick<ResolvedCronJob, "name">): AlarmSpec {
  return {
    severity: "critical",
    description: `Cron job ${job.name} failed: its endpoint answered an error or timed out. Check the app logs for the run and the dead-letter queue.`,
    namespace: CRON_METRIC_NAMESPACE,
    metricName: CRON_FAILURE_METRIC,
    dimensions: { Job: job.name },
    statistic: "Sum",
    threshold: 0,
    comparison: "GreaterThanThreshold",
    periodSeconds: 300,
    evaluationPeriods: 1,
    treatMissingData: "notBreaching",
  };
}

/** A run that exhausted its retries sits in the dead-letter queue. */
export function deadLetterAlarm(queueName: string): AlarmSpec {
  return {
    severity: "critical",
    description: `Scheduled runs reached the dead-letter queue ${queueName} after all retries. Inspect and redrive or purge it.`,
    namespace: "AWS/SQS",
    metricName: "ApproximateNumberOfMessagesVisible",
    dimensions: { QueueName: queueName },
    statistic: "Maximum",
    threshold: 0,
    comparison: "GreaterThanThreshold",
    periodSeconds: 300,
    evaluationPeriods: 1,
    treatMissingData: "notBreaching",
  };
}

/** The invoker itself failing (bad deploy, missing secret) hits every job. */
export function invokerErrorAlarm(functionName: string): AlarmSpec {
  return {
    severity: "critical",
    description: `The cron invoker ${functionName} reports errors; every scheduled job may be failing.`,
    namespace: "AWS/Lambda",
    metricName: "Errors",
    dimensions: { FunctionName: functionName },
    statistic: "Sum",
    threshold: 0,
    comparison: "GreaterThanThreshold",
    periodSeconds: 300,
    evaluationPeriods: 1,
    treatMissingData: "notBreaching",
  };
}

/** The scheduler may invoke the invoker and write to the dead-letter queue, nothing else. */
export function schedulerPolicy(functionArn: string, queueArn: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "InvokeCronInvoker",
        Effect: "Allow",
        Action: ["lambda:InvokeFunction"],
        Resource: [functionArn, `${functionArn}:*`],
      },
      { Sid: "DeadLetter", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: queueArn },
    ],
  };
}

/** The invoker may write its own logs and send failed runs to the dead-letter queue. */
export function invokerPolicy(logGroupArn: string, queueArn: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      ownLogsStatement("Logs", logGroupArn),
      { Sid: "FailedRunsToDeadLetter", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: queueArn },
    ],
  };
}
