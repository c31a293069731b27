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
import { T } from "./lib/types";
import { leaves, peek, UNKNOWN } from "./lib/unknowns";

export const CRON_NAMESPACE = "golive/cron";
export const FAILURE_METRIC = "Failure";

/** A schedule's job name: its `name` input, else its resource name. */
function jobName(schedule: PolicyResource): string {
  return peekString(schedule.props, "name") ?? schedule.name;
}

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
const COLLECTOR_COMPONENT = "golive:monitoring:MetricsCollector$";

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

/** Secret config values, read once per pack context: provenance for the classifier. */
const cronConfigSecrets = new WeakMap<object, Map<string, string>>();
function cronSecretSources(check: Check, resources: readonly PolicyResource[] = []): SecretSources {
  let values = cronConfigSecrets.get(check.ctx);
  if (!values) {
    values = secretConfigValues(check.ctx);
    cronConfigSecrets.set(check.ctx, values);
  }
  return new SecretSources(resources, values);
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

const LAMBDA_MAX_TIMEOUT = 900;

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
        } else if (timeout !== UNKNOWN && (timeout < 1 || timeout > LAMBDA_MAX_TIMEOUT)) {
          check.violation(
            `the invoker "${fn.name}" has a timeout of ${timeout} s; it must be 1 to ${LAMBDA_MAX_TIMEOUT}`,
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

function dimension(alarm: PolicyResource, key: string): string | typeof UNKNOWN | undefined {
  const value = peek(alarm.props, "dimensions", key);
  if (value === UNKNOWN) return UNKNOWN;
  return typeof value === "string" ? value : undefined;
}

function hasActions(alarm: PolicyResource): boolean {
  const actions = peek(alarm.props, "alarmActions");
  return (
    actions === UNKNOWN ||
    (Array.isArray(actions) && actions.length > 0) ||
    (alarm.propertyDependencies.alarmActions ?? []).length > 0
  );
}

/** Whether an alarm fires on the first failed run (or message): "failed cron jobs: 0". */
function firesOnFirst(alarm: PolicyResource): boolean | typeof UNKNOWN {
  const threshold = num(alarm.props, "threshold");
  const comparison = peek(alarm.props, "comparisonOperator");
  if (threshold === UNKNOWN || comparison === UNKNOWN) return UNKNOWN;
  if (threshold === undefined) return false;
  if (comparison === "GreaterThanThreshold") return threshold < 1;
  if (comparison === "GreaterThanOrEqualToThreshold") return threshold <= 1;
  return false;
}

function judgeFirstFailure(alarms: readonly PolicyResource[], what: string, urn: string, check: Check): void {
  const verdicts = alarms.map(firesOnFirst);
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
    "Every job's failure raises an alarm on an alert channel: a golive/cron Failure alarm per job, and an alarm on its dead-letter queue's depth.",
  severity: "high",
  remediationSteps:
    "Create jobs through the cron component: it adds a per-job Failure alarm (namespace golive/cron, dimension Job) and a dead-letter queue alarm, both notifying the alert topics.",
  stack(resources, check) {
    const index = new StackIndex(resources);
    // Alarms grouped once by what they watch, so each job's lookup is constant time.
    const failureAlarms = new AlarmsByKey();
    const depthAlarms = new AlarmsByKey();
    for (const alarm of index.ofType(T.metricAlarm)) {
      const namespace = peek(alarm.props, "namespace");
      const metric = peek(alarm.props, "metricName");
      if (namespace === CRON_NAMESPACE && metric === FAILURE_METRIC) {
        failureAlarms.add(dimension(alarm, "Job"), alarm);
      } else if (namespace === "AWS/SQS" && metric === "ApproximateNumberOfMessagesVisible") {
        depthAlarms.add(dimension(alarm, "QueueName"), alarm);
        for (const dependency of alarm.propertyDependencies.dimensions ?? [])
          depthAlarms.add(`urn:${dependency.urn}`, alarm);
      }
    }
    check.each(index.ofType(T.schedule), (schedule) => {
      const job = jobName(schedule);
      const failure = failureAlarms.matching(job);
      if (failure.length === 0) {
        check.violation(
          `job ${job} has no failure alarm (${CRON_NAMESPACE} ${FAILURE_METRIC}, dimension Job=${job})`,
          schedule.urn,
        );
      } else if (!failure.some(hasActions)) {
        check.violation(`the failure alarm of job ${job} notifies no one (no alarmActions)`, schedule.urn);
      } else {
        judgeFirstFailure(failure.filter(hasActions), `the failure alarm of job ${job}`, schedule.urn, check);
      }
      for (const queue of deadLetterQueues(index, schedule)) {
        const queueName = peekString(queue.props, "name");
        const depth = [...depthAlarms.matching(queueName), ...depthAlarms.exactly(`urn:${queue.urn}`)];
        if (depth.length === 0) {
          check.violation(
            `the dead-letter queue "${queue.name}" of job ${job} has no depth alarm`,
            schedule.urn,
          );
        } else {
          judgeFirstFailure(
            depth,
            `the depth alarm of dead-letter queue "${queue.name}"`,
            schedule.urn,
            check,
          );
        }
      }
    });
  },
};

/** Alarms by the dimension value they watch; an alarm whose value is unknown matches any key. */
class AlarmsByKey {
  private readonly byKey = new Map<string | undefined, PolicyResource[]>();
  private readonly unknown: PolicyResource[] = [];

  add(key: string | typeof UNKNOWN | undefined, alarm: PolicyResource): void {
    if (key === UNKNOWN) {
      this.unknown.push(alarm);
      return;
    }
    const alarms = this.byKey.get(key);
    if (alarms) alarms.push(alarm);
    else this.byKey.set(key, [alarm]);
  }

  /** Alarms on `key`, and those whose key is not known yet. */
  matching(key: string | undefined): PolicyResource[] {
    return [...this.exactly(key), ...this.unknown];
  }

  exactly(key: string | undefined): PolicyResource[] {
    return this.byKey.get(key) ?? [];
  }
}

export const CRON_POLICIES: readonly PolicySpec[] = [
  validSchedule,
  authenticatedInvocation,
  retriesAndDeadLetter,
  failureAlarm,
];
