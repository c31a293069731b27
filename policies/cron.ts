/** CRON: scheduled jobs are valid, authenticated, retried into a dead-letter queue and alarmed. */
import { schedulesTask } from "./db-backup";
import type { PolicyResource } from "@pulumi/policy";
import { isTimeZone } from "./lib/change-window";
import type { Check, PolicySpec } from "./lib/define";
import { scheduleExpressionProblems } from "./lib/eventbridge";
import { num, peekString, record, StackIndex, str } from "./lib/props";
import { knownSecrets, secretsByProvenance } from "./lib/carried-secrets";
import { UnknownSources } from "./lib/provenance";
import { SecretSources, secretConfigValues, type Entry } from "./lib/secret-classifier";
import { METRICS_COLLECTOR_TYPE } from "../lib/component-types";
import { LAMBDA_MAX_TIMEOUT_SECONDS } from "../lib/limits";
import { T } from "./lib/types";
import {
  alarmNotifies,
  deadLetterSignal,
  describeSignal,
  failureSignals,
  firesOnFirstFailure,
  scheduledJobs,
  STATE_MACHINE,
  watches,
} from "./lib/job-failure-signals";
import { leaves, peek, UNKNOWN } from "./lib/unknowns";

/** The Lambda functions a schedule invokes (target.arn). */
function targetFunctions(index: StackIndex, schedule: PolicyResource): PolicyResource[] {
  const candidates = index.referencedBy(schedule, "target", [T.lambda]);
  const arn = peek(schedule.props, "target", "arn");
  if (typeof arn !== "string") return candidates;
  // target holds the dead-letter queue and the role too: keep the function the ARN names, when known.
  return candidates.filter(
    (fn) => peekString(fn.props, "arn") === undefined || peekString(fn.props, "arn") === arn,
  );
}

function deadLetterQueues(index: StackIndex, schedule: PolicyResource): PolicyResource[] {
  const queues = index.referencedBy(schedule, "target", [T.queue]);
  const arn = peek(schedule.props, "target", "deadLetterConfig", "arn");
  if (typeof arn !== "string") return queues;
  return queues.filter(
    (queue) => peekString(queue.props, "arn") === undefined || peekString(queue.props, "arn") === arn,
  );
}

/** golive's metrics collector: an EventBridge rule whose missed minute the next run replaces (components/metrics.ts). */
const COLLECTOR_COMPONENT = `${METRICS_COLLECTOR_TYPE}$`;

/**
 * A job run by an EventBridge rule (`scheduleExpression`) instead of a Scheduler schedule: no time
 * zone, and its retries and dead-letter queue live on its targets. Only the metrics collector's own
 * rule is not a job.
 */
function isScheduledRule(rule: {
  readonly type: string;
  readonly urn: string;
  readonly props: Record<string, unknown>;
}): boolean {
  if (rule.type !== T.eventRule || rule.urn.includes(COLLECTOR_COMPONENT)) return false;
  const expression = peek(rule.props, "scheduleExpression");
  return expression !== undefined && expression !== null && expression !== "";
}

// ------------------------------------------------------------------------------------------------
// CRON-01

const validSchedule: PolicySpec = {
  name: "cron-01-valid-schedule",
  id: "CRON-01",
  description:
    "Every scheduled job has a valid schedule expression, an IANA time zone and a unique, explicit name.",
  severity: "high",
  remediationSteps:
    "Declare jobs in golive:cron with a 5-field cron schedule and timeZone; the cron component converts them to EventBridge Scheduler expressions and names each schedule after its job.",
  resource: {
    types: [T.schedule, T.eventRule],
    validate(resource, check) {
      if (resource.type === T.eventRule) {
        if (isScheduledRule(resource)) {
          check.violation(
            `EventBridge rule "${resource.name}" runs a job on a schedule without a time zone (rules run in UTC only); declare the job as an EventBridge Scheduler schedule with scheduleExpressionTimezone`,
          );
        }
        return;
      }
      const expression = check.mustBeKnown(
        () => str(resource.props, "scheduleExpression"),
        `scheduleExpression of "${resource.name}"`,
      );
      if (expression === undefined) check.violation(`schedule "${resource.name}" has no scheduleExpression`);
      else if (expression !== UNKNOWN) {
        for (const problem of scheduleExpressionProblems(expression))
          check.violation(`schedule "${resource.name}": ${problem}`);
      }
      const zone = check.mustBeKnown(
        () => str(resource.props, "scheduleExpressionTimezone"),
        `time zone of "${resource.name}"`,
      );
      if (zone === undefined)
        check.violation(
          `schedule "${resource.name}" has no scheduleExpressionTimezone (it would run in UTC by accident)`,
        );
      else if (zone !== UNKNOWN && !isTimeZone(zone))
        check.violation(`schedule "${resource.name}": "${zone}" is not an IANA time zone`);
      const name = check.known(() => str(resource.props, "name"), `the name of schedule "${resource.name}"`);
      if (name === undefined)
        check.violation(`schedule "${resource.name}" has no explicit name; alarms and logs find a job by it`);
    },
  },
  stack(resources, check) {
    const seen = new Map<string, PolicyResource>();
    check.each(
      resources.filter((resource) => resource.type === T.schedule),
      (schedule) => {
        const name = peekString(schedule.props, "name");
        if (!name) return;
        const group =
          peekString(schedule.props, "groupName") ??
          schedule.propertyDependencies.groupName?.[0]?.urn ??
          "default";
        const key = `${group}/${name}`;
        const previous = seen.get(key);
        if (previous)
          check.violation(
            `schedules "${previous.name}" and "${schedule.name}" share the name ${name}`,
            schedule.urn,
          );
        seen.set(key, schedule);
      },
    );
  },
};

// ------------------------------------------------------------------------------------------------
// CRON-02

/** The schedule's payload (`target.input`): what the target receives on every run. */
function isScheduleInput(entry: Entry): boolean {
  return entry.path[0] === "target" && entry.path[1] === "input";
}

/** The classifier's provenance: the stack's generated values and its secret config. */
function cronSecretSources(check: Check, resources: readonly PolicyResource[] = []): SecretSources {
  return new SecretSources(resources, secretConfigValues(check.ctx));
}

const authenticatedInvocation: PolicySpec = {
  name: "cron-02-authenticated-invocation",
  id: "CRON-02",
  description:
    "Every job authenticates to its endpoint with the cron secret read from the secret store: the invoker gets the secret's ARN, never the value.",
  severity: "critical",
  remediationSteps:
    "Invoke jobs through the cron component's Lambda: it reads CRON_SECRET from Secrets Manager (CRON_SECRET_ID) and sends it as a bearer token; never put the secret in the schedule's input.",
  resource: {
    types: [T.schedule],
    validate(resource, check) {
      // Known values, before the schedule is created (the shared classifier: format, secret config,
      // a secret's name with a random value). Unknown ones are decided by their dependencies below.
      for (const found of knownSecrets(resource, isScheduleInput, cronSecretSources(check))) {
        if (found.kind !== "secret") continue;
        check.violation(
          `schedule "${resource.name}" carries ${found.why} in its input (${found.where}): the job's secret must come from the secret store`,
        );
      }
    },
  },
  stack(resources, check) {
    const index = new StackIndex(resources);
    const sources = cronSecretSources(check, resources);
    const unknowns = new UnknownSources(resources);
    for (const schedule of index.ofType(T.schedule)) {
      // Provenance: a payload that depends on (or holds) a generated secret carries it, at preview as at up.
      for (const found of secretsByProvenance(schedule, isScheduleInput, sources, unknowns)) {
        if (found.kind === "secret") {
          check.violation(
            `schedule "${schedule.name}" carries ${found.why} in its input (${found.where}): the job's secret must come from the secret store`,
            schedule.urn,
          );
        } else {
          check.undeterminable(`${found.where} (${found.reason})`, schedule.urn);
        }
      }
    }
    check.each(index.ofType(T.schedule), (schedule) => {
      // A container task calls no endpoint: its IAM role and ECS-injected secrets are its credentials.
      if (schedulesTask(index, schedule)) return;
      const functions = targetFunctions(index, schedule);
      if (functions.length === 0) {
        if (peek(schedule.props, "target", "arn") === UNKNOWN) {
          check.undeterminable(`the target of schedule "${schedule.name}"`, schedule.urn);
        } else {
          check.violation(
            `schedule "${schedule.name}" does not invoke a function of this stack, so its authentication cannot be checked`,
            schedule.urn,
          );
        }
        return;
      }
      for (const fn of functions) {
        const fromStore = index.referencedBy(fn, "environment", [T.secret, T.secretVersion]).length > 0;
        const arns = leaves(peek(fn.props, "environment")).some(
          (leaf) => typeof leaf.value === "string" && leaf.value.startsWith("arn:aws:secretsmanager:"),
        );
        if (!fromStore && !arns) {
          check.violation(
            `the invoker "${fn.name}" of schedule "${schedule.name}" is given no secret from Secrets Manager (pass the cron secret's ARN in its environment)`,
            schedule.urn,
          );
        }
      }
    });
  },
};

// ------------------------------------------------------------------------------------------------
// CRON-03

const retriesAndDeadLetter: PolicySpec = {
  name: "cron-03-retries-and-dead-letter",
  id: "CRON-03",
  description:
    "Every job has explicit retries (retryPolicy), a dead-letter queue, and a timeout: the invoking function's timeout is set.",
  severity: "high",
  remediationSteps:
    "Set retries and timeoutSeconds per job in golive:cron; the cron component sets target.retryPolicy, target.deadLetterConfig (an encrypted SQS queue) and the invoker's timeout.",
  resource: {
    types: [T.schedule],
    validate(resource, check) {
      const retry = record(resource.props, "target", "retryPolicy");
      if (retry === undefined) {
        check.violation(`schedule "${resource.name}" has no target.retryPolicy (explicit retries)`);
      } else if (retry !== UNKNOWN) {
        const attempts = num(retry, "maximumRetryAttempts");
        if (attempts === undefined || (attempts !== UNKNOWN && attempts < 1)) {
          check.violation(
            `schedule "${resource.name}" retries ${String(attempts ?? "an unset number of")} times; set maximumRetryAttempts to 1 or more`,
          );
        }
        if (num(retry, "maximumEventAgeInSeconds") === undefined) {
          check.violation(
            `schedule "${resource.name}" sets no maximumEventAgeInSeconds: failed runs would be retried for a day`,
          );
        }
      }
      const dlq = peek(resource.props, "target", "deadLetterConfig", "arn");
      if (dlq === undefined || dlq === "")
        check.violation(`schedule "${resource.name}" has no dead-letter queue (target.deadLetterConfig.arn)`);
    },
  },
  stack(resources, check) {
    const index = new StackIndex(resources);
    check.each(index.ofType(T.schedule), (schedule) => {
      for (const fn of targetFunctions(index, schedule)) {
        const timeout = num(fn.props, "timeout");
        if (timeout === undefined) {
          check.violation(
            `the invoker "${fn.name}" of schedule "${schedule.name}" has no timeout (Lambda's default is 3 s)`,
            schedule.urn,
          );
        } else if (timeout !== UNKNOWN && (timeout < 1 || timeout > LAMBDA_MAX_TIMEOUT_SECONDS)) {
          check.violation(
            `the invoker "${fn.name}" has a timeout of ${timeout} s; it must be 1 to ${LAMBDA_MAX_TIMEOUT_SECONDS}`,
            schedule.urn,
          );
        }
      }
      const arn = peek(schedule.props, "target", "deadLetterConfig", "arn");
      if (arn !== undefined && deadLetterQueues(index, schedule).length === 0 && arn !== UNKNOWN) {
        check.violation(
          `the dead-letter queue of schedule "${schedule.name}" is not a queue of this stack`,
          schedule.urn,
        );
      }
    });
    // Jobs on EventBridge rules: the retries and the dead-letter queue are on each target.
    check.each(index.ofType(T.eventRule).filter(isScheduledRule), (rule) => {
      const targets = index.referencing(rule, "rule", [T.eventTarget]);
      if (targets.length === 0) {
        if (index.ofType(T.eventTarget).some((target) => index.hasUnknown(target, "rule")))
          check.undeterminable(`the targets of EventBridge rule "${rule.name}"`, rule.urn);
        return;
      }
      for (const target of targets) {
        const attempts = num(target.props, "retryPolicy", "maximumRetryAttempts");
        if (attempts === UNKNOWN) check.undeterminable(`the retries of target "${target.name}"`, rule.urn);
        else if (
          attempts === undefined ||
          attempts < 1 ||
          num(target.props, "retryPolicy", "maximumEventAgeInSeconds") === undefined
        ) {
          check.violation(
            `target "${target.name}" of scheduled EventBridge rule "${rule.name}" has no explicit retries (retryPolicy maximumRetryAttempts 1 or more and maximumEventAgeInSeconds)`,
            rule.urn,
          );
        }
        const dlq = peek(target.props, "deadLetterConfig", "arn");
        if (dlq === undefined || dlq === null || dlq === "") {
          check.violation(
            `target "${target.name}" of scheduled EventBridge rule "${rule.name}" has no dead-letter queue (deadLetterConfig.arn)`,
            rule.urn,
          );
        }
      }
    });
  },
};

// ------------------------------------------------------------------------------------------------
// CRON-04

/** What a schedule invokes (target.arn): functions and state machines of this stack. */
function scheduleTargets(index: StackIndex, schedule: PolicyResource): PolicyResource[] {
  const candidates = index.referencedBy(schedule, "target", [T.lambda, STATE_MACHINE]);
  const arn = peek(schedule.props, "target", "arn");
  if (typeof arn !== "string") return candidates;
  return candidates.filter(
    (target) => peekString(target.props, "arn") === undefined || peekString(target.props, "arn") === arn,
  );
}

function judgeFirstFailure(alarms: readonly PolicyResource[], what: string, urn: string, check: Check): void {
  const verdicts = alarms.map(firesOnFirstFailure);
  if (verdicts.includes(true)) return;
  if (verdicts.includes(UNKNOWN)) check.undeterminable(`the threshold of ${what}`, urn);
  else
    check.violation(
      `${what} does not fire on the first failure (GreaterThanThreshold 0 or GreaterThanOrEqualToThreshold 1)`,
      urn,
    );
}

const failureAlarm: PolicySpec = {
  name: "cron-04-failure-alarm",
  id: "CRON-04",
  description:
    "Every job's failure raises an alarm on an alert channel: an alarm on a metric that counts the job's failures (its target's errors, the scheduler's failed invocations, golive/cron Failure), and one on its dead-letter queue's depth.",
  severity: "high",
  remediationSteps:
    "Alarm each job on a metric that counts its failures, at > 0, with alarmActions to an alert topic: AWS/Lambda Errors of the target function, AWS/States ExecutionsFailed of a state machine, AWS/Scheduler TargetErrorCount / InvocationDroppedCount (ScheduleGroup), AWS/Events FailedInvocations (RuleName) for a rule, or golive/cron Failure (Job); and its dead-letter queue's AWS/SQS ApproximateNumberOfMessagesVisible. golive's cron component creates both.",
  stack(resources, check) {
    const index = new StackIndex(resources);
    const alarms = index.ofType(T.metricAlarm);
    const composites = index.ofType(T.compositeAlarm);
    const jobs = scheduledJobs(
      index,
      isScheduledRule,
      (schedule) => scheduleTargets(index, schedule),
      (schedule) => deadLetterQueues(index, schedule),
    );
    check.each(jobs, (job) => {
      const urn = job.trigger.urn;
      const signals = failureSignals(job);
      const watching = alarms.map((alarm) => ({
        alarm,
        verdict: signals.map((signal) => watches(alarm, signal)),
      }));
      const failure = watching.filter((w) => w.verdict.includes(true)).map((w) => w.alarm);
      if (failure.length === 0) {
        const expected = signals.filter((signal) => !signal.deadLetter).map(describeSignal);
        if (watching.some((w) => w.verdict.includes(UNKNOWN)))
          check.undeterminable(`which job the failure alarms of job ${job.name} watch`, urn);
        else
          check.violation(
            `job ${job.name} has no failure alarm (an alarm on ${expected.join(", ")}, or on its dead-letter queue's depth)`,
            urn,
          );
      } else if (!failure.some((alarm) => alarmNotifies(alarm, composites))) {
        check.violation(`the failure alarm of job ${job.name} notifies no one (no alarmActions)`, urn);
      } else {
        judgeFirstFailure(
          failure.filter((alarm) => alarmNotifies(alarm, composites)),
          `the failure alarm of job ${job.name}`,
          urn,
          check,
        );
      }
      // A dead-letter queue nobody watches is where failed runs go to be forgotten.
      for (const queue of job.deadLetterQueues) {
        const signal = deadLetterSignal(queue);
        const depth = alarms.filter((alarm) => watches(alarm, signal) !== false);
        if (depth.length === 0) {
          check.violation(`the dead-letter queue "${queue.name}" of job ${job.name} has no depth alarm`, urn);
        } else {
          judgeFirstFailure(depth, `the depth alarm of dead-letter queue "${queue.name}"`, urn, check);
        }
      }
    });
  },
};

export const CRON_POLICIES: readonly PolicySpec[] = [
  validSchedule,
  authenticatedInvocation,
  retriesAndDeadLetter,
  failureAlarm,
];
