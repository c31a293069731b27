/**
 * CRON-04's signal catalogue: where a scheduled job's failure shows up in CloudWatch, whatever
 * wrote the job. A job is an EventBridge Scheduler schedule or a scheduled EventBridge rule; its
 * failure can be alarmed
 *  - on the service that runs it: AWS/Scheduler TargetErrorCount, InvocationDroppedCount and the
 *    dead-letter counts (dimension ScheduleGroup), AWS/Events FailedInvocations and the DLQ counts
 *    (dimension RuleName);
 *  - on its target's own metric: AWS/Lambda Errors (FunctionName), AWS/States ExecutionsFailed /
 *    TimedOut / Aborted (StateMachineArn);
 *  - on the depth of its dead-letter queue (AWS/SQS ApproximateNumberOfMessagesVisible, QueueName);
 *  - on golive's per-job metric (golive/cron Failure, Job).
 * An alarm watches a signal through its own metric or any metric of its metric math; the dimension
 * value is matched against the resource's identifiers (name, ARN, id) or, when it is not known yet
 * (preview), through the alarm's property dependency on the resource.
 */
import type { PolicyResource } from "@pulumi/policy";
import { CRON_FAILURE_METRIC, CRON_METRIC_NAMESPACE } from "../../lib/metric-names";
import { identifiers, num, peekString, type StackIndex } from "./props";
import { T } from "./types";
import { leaves, peek, UNKNOWN, type Unknown } from "./unknowns";

export const STATE_MACHINE = "aws:sfn/stateMachine:StateMachine";

/** One place a job's failure is counted: a metric family and the resource its dimension names. */
export interface FailureSignal {
  readonly namespace: string;
  readonly metrics: readonly string[];
  readonly dimension: string;
  /** Known values of the dimension that mean this job (names, ARNs). */
  readonly values: readonly string[];
  /** The resource the dimension names, for dependency matching in preview. */
  readonly resource?: PolicyResource;
  /** An alarm on the metric without this dimension (the account-wide series) also covers the job. */
  readonly accountWide?: boolean;
  /** The signal counts messages waiting in a dead-letter queue. */
  readonly deadLetter?: boolean;
}

/** Failure metrics by namespace (AWS docs: Scheduler, EventBridge, Lambda, Step Functions, SQS). */
export const FAILURE_METRICS = {
  scheduler: [
    "TargetErrorCount",
    "InvocationDroppedCount",
    "InvocationsSentToDeadLetterCount",
    "InvocationsFailedToBeSentToDeadLetterCount",
  ],
  events: ["FailedInvocations", "InvocationsSentToDlq", "InvocationsFailedToBeSentToDlq"],
  lambda: ["Errors"],
  states: ["ExecutionsFailed", "ExecutionsTimedOut", "ExecutionsAborted"],
  deadLetterDepth: ["ApproximateNumberOfMessagesVisible"],
} as const;

/** A scheduled job: what runs it, its name, what it invokes and where failed runs wait. */
export interface ScheduledJob {
  readonly trigger: PolicyResource;
  /** The trigger's URN: findings about the job are reported on it. */
  readonly urn: string;
  readonly name: string;
  readonly targets: readonly PolicyResource[];
  readonly deadLetterQueues: readonly PolicyResource[];
}

function named(resource: PolicyResource): string[] {
  return identifiers(resource);
}

/** The signals that count a job's failures. */
export function failureSignals(job: ScheduledJob): FailureSignal[] {
  const signals: FailureSignal[] = [
    {
      namespace: CRON_METRIC_NAMESPACE,
      metrics: [CRON_FAILURE_METRIC],
      dimension: "Job",
      values: [job.name],
    },
  ];
  if (job.trigger.type === T.schedule) {
    const group = peekString(job.trigger.props, "groupName") ?? "default";
    const groupDependency = job.trigger.propertyDependencies.groupName?.[0];
    signals.push({
      namespace: "AWS/Scheduler",
      metrics: FAILURE_METRICS.scheduler,
      dimension: "ScheduleGroup",
      values: [group],
      ...(groupDependency ? { resource: groupDependency } : {}),
      accountWide: true,
    });
  } else {
    signals.push({
      namespace: "AWS/Events",
      metrics: FAILURE_METRICS.events,
      dimension: "RuleName",
      values: [...new Set([job.name, ...named(job.trigger)])],
      resource: job.trigger,
    });
  }
  for (const target of job.targets) {
    if (target.type === T.lambda)
      signals.push({
        namespace: "AWS/Lambda",
        metrics: FAILURE_METRICS.lambda,
        dimension: "FunctionName",
        values: named(target),
        resource: target,
      });
    else if (target.type === STATE_MACHINE)
      signals.push({
        namespace: "AWS/States",
        metrics: FAILURE_METRICS.states,
        dimension: "StateMachineArn",
        values: named(target),
        resource: target,
      });
  }
  for (const queue of job.deadLetterQueues) signals.push(deadLetterSignal(queue));
  return signals;
}

export function deadLetterSignal(queue: PolicyResource): FailureSignal {
  return {
    namespace: "AWS/SQS",
    metrics: FAILURE_METRICS.deadLetterDepth,
    dimension: "QueueName",
    values: named(queue),
    resource: queue,
    deadLetter: true,
  };
}

/** How a signal reads in a message: `AWS/Lambda Errors (FunctionName=invoice-run)`. */
export function describeSignal(signal: FailureSignal): string {
  const value = signal.values[0] ?? signal.resource?.name ?? "…";
  return `${signal.namespace} ${signal.metrics.join("/")} (${signal.dimension}=${value})`;
}

/** One metric an alarm reads: its own, or one of its metric math queries'. */
interface AlarmMetric {
  readonly namespace: unknown;
  readonly metricName: unknown;
  readonly dimensions: unknown;
}

function alarmMetrics(alarm: PolicyResource): AlarmMetric[] {
  const own: AlarmMetric = {
    namespace: peek(alarm.props, "namespace"),
    metricName: peek(alarm.props, "metricName"),
    dimensions: peek(alarm.props, "dimensions"),
  };
  const queries = peek(alarm.props, "metricQueries");
  const fromQueries = Array.isArray(queries)
    ? queries.map((query) => ({
        namespace: peek(query, "metric", "namespace"),
        metricName: peek(query, "metric", "metricName"),
        dimensions: peek(query, "metric", "dimensions"),
      }))
    : [];
  return [own, ...fromQueries].filter((metric) => metric.metricName !== undefined);
}

/** Whether an alarm watches a signal: true, false, or UNKNOWN (a name or dimension not known yet). */
export function watches(alarm: PolicyResource, signal: FailureSignal): boolean | Unknown {
  const dependsOn =
    signal.resource !== undefined &&
    ["dimensions", "metricQueries"].some((prop) =>
      (alarm.propertyDependencies[prop] ?? []).some((dependency) => dependency.urn === signal.resource!.urn),
    );
  let verdict: boolean | Unknown = false;
  for (const metric of alarmMetrics(alarm)) {
    if (metric.namespace === UNKNOWN || metric.metricName === UNKNOWN) {
      verdict = UNKNOWN;
      continue;
    }
    if (metric.namespace !== signal.namespace) continue;
    if (typeof metric.metricName !== "string" || !signal.metrics.includes(metric.metricName)) continue;
    const value = peek(metric.dimensions, signal.dimension);
    if (value === undefined) {
      const others = leaves(metric.dimensions === UNKNOWN ? undefined : metric.dimensions).length;
      if (signal.accountWide && others === 0 && metric.dimensions !== UNKNOWN) return true;
      continue;
    }
    if (typeof value === "string" && signal.values.includes(value)) return true;
    if (value === UNKNOWN || (typeof value === "string" && leaves(value).some((leaf) => leaf.unknown))) {
      if (dependsOn) return true;
      verdict = UNKNOWN;
    }
  }
  return verdict;
}

/** An alarm that tells someone: actions enabled, at least one action (or one not known yet). */
export function alarmNotifies(alarm: PolicyResource, composites: readonly PolicyResource[] = []): boolean {
  if (peek(alarm.props, "actionsEnabled") === false) return false;
  const actions = peek(alarm.props, "alarmActions");
  if (
    actions === UNKNOWN ||
    (Array.isArray(actions) && actions.length > 0) ||
    (alarm.propertyDependencies.alarmActions ?? []).length > 0
  )
    return true;
  return composites.some((composite) => alarmNotifies(composite) && namedInRule(composite, alarm));
}

/** Whether a composite alarm's rule names the alarm (by name or ARN; a rule not known yet may). */
function namedInRule(composite: PolicyResource, alarm: PolicyResource): boolean {
  const rule = peek(composite.props, "alarmRule");
  if (rule === UNKNOWN)
    return (composite.propertyDependencies.alarmRule ?? []).some((d) => d.urn === alarm.urn);
  if (typeof rule !== "string") return false;
  if ((composite.propertyDependencies.alarmRule ?? []).some((d) => d.urn === alarm.urn)) return true;
  const names = [peekString(alarm.props, "name"), peekString(alarm.props, "arn")].filter(
    (name): name is string => !!name,
  );
  return names.some((name) => rule.includes(`"${name}"`) || rule.includes(`(${name})`));
}

/**
 * Whether an alarm fires on the first failed run (or message): a count above 0 ("failed cron jobs:
 * 0"). A metric math alarm that divides (an error rate) fires on the first failure only at > 0.
 */
export function firesOnFirstFailure(alarm: PolicyResource): boolean | Unknown {
  const threshold = num(alarm.props, "threshold");
  const comparison = peek(alarm.props, "comparisonOperator");
  if (threshold === UNKNOWN || comparison === UNKNOWN) return UNKNOWN;
  if (threshold === undefined) return false;
  const queries = peek(alarm.props, "metricQueries");
  const expressions = Array.isArray(queries)
    ? queries.flatMap((query) => {
        const expression = peek(query, "expression");
        return typeof expression === "string" ? [expression] : [];
      })
    : [];
  const ratio = expressions.some((expression) => expression.includes("/"));
  if (comparison === "GreaterThanThreshold") return ratio ? threshold <= 0 : threshold < 1;
  if (comparison === "GreaterThanOrEqualToThreshold") return ratio ? threshold <= 0 : threshold <= 1;
  return false;
}

/** Every scheduled job of a stack, however it was written. */
export function scheduledJobs(
  index: StackIndex,
  isJobRule: (rule: PolicyResource) => boolean,
  targetsOfSchedule: (schedule: PolicyResource) => PolicyResource[],
  queuesOfSchedule: (schedule: PolicyResource) => PolicyResource[],
): ScheduledJob[] {
  const jobs: ScheduledJob[] = index.ofType(T.schedule).map((schedule) => ({
    trigger: schedule,
    urn: schedule.urn,
    name: peekString(schedule.props, "name") ?? schedule.name,
    targets: targetsOfSchedule(schedule),
    deadLetterQueues: queuesOfSchedule(schedule),
  }));
  for (const rule of index.ofType(T.eventRule).filter(isJobRule)) {
    const ruleTargets = index.referencing(rule, "rule", [T.eventTarget]);
    jobs.push({
      trigger: rule,
      urn: rule.urn,
      name: peekString(rule.props, "name") ?? rule.name,
      targets: ruleTargets.flatMap((target) => index.referencedBy(target, "arn", [T.lambda, STATE_MACHINE])),
      deadLetterQueues: ruleTargets.flatMap((target) =>
        index.referencedBy(target, "deadLetterConfig", [T.queue]),
      ),
    });
  }
  return jobs;
}
