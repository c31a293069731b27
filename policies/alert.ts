/** ALERT: uptime, latency, error-rate and database alarms that reach people; encrypted topics; log retention. */
import type { PolicyResource } from "@pulumi/policy";
import { coveredTypes } from "./catalogue";
import { appConfigSchema, readConfigKey } from "./lib/config";
import type { Check, PolicySpec } from "./lib/define";
import { bool, effectiveTags, list, num, peekString, StackIndex, str } from "./lib/props";
import { isAuditLogGroup } from "./lib/stack";
import { objectiveOfExpression } from "../lib/slo";
import { T } from "./lib/types";
import { isUnknown, peek, UNKNOWN } from "./lib/unknowns";

// ------------------------------------------------------------------------------------------------
// Reading alarms

const GREATER = ["GreaterThanThreshold", "GreaterThanOrEqualToThreshold"];
const LESS = ["LessThanThreshold", "LessThanOrEqualToThreshold"];

interface AlarmView {
  readonly resource: PolicyResource;
  readonly namespace: string | undefined;
  /** The alarm's metric names: its own, or those of its metric math queries. */
  readonly metrics: string[];
  readonly statistics: string[];
  readonly expressions: string[];
  readonly threshold: number | undefined;
  readonly comparison: string | undefined;
}

function alarmView(resource: PolicyResource): AlarmView {
  const queries = (
    list(resource.props, "metricQueries") === UNKNOWN ? [] : (list(resource.props, "metricQueries") ?? [])
  ) as {
    expression?: unknown;
    metric?: { metricName?: unknown; stat?: unknown };
  }[];
  const metrics = [
    peekString(resource.props, "metricName"),
    ...queries.map((q) => q.metric?.metricName),
  ].filter((name): name is string => typeof name === "string");
  const statistics = [
    peekString(resource.props, "statistic"),
    peekString(resource.props, "extendedStatistic"),
    ...queries.map((q) => q.metric?.stat),
  ].filter((stat): stat is string => typeof stat === "string");
  const expressions = queries.map((q) => q.expression).filter((e): e is string => typeof e === "string");
  const threshold = num(resource.props, "threshold");
  return {
    resource,
    namespace: peekString(resource.props, "namespace"),
    metrics,
    statistics,
    expressions,
    threshold: typeof threshold === "number" ? threshold : undefined,
    comparison: peekString(resource.props, "comparisonOperator"),
  };
}

/**
 * An alarm's threshold in percent. Metrics named or measured in percent are read as such (0.1 is
 * 0.1%); otherwise a threshold below 1 is read as a fraction (0.8 is 80%).
 */
function percent(alarm: AlarmView): number | undefined {
  if (alarm.threshold === undefined) return undefined;
  const inPercent =
    alarm.metrics.some((metric) => /percent/i.test(metric)) ||
    peekString(alarm.resource.props, "unit") === "Percent";
  return !inPercent && alarm.threshold > 0 && alarm.threshold < 1 ? alarm.threshold * 100 : alarm.threshold;
}

function alarms(resources: readonly PolicyResource[]): AlarmView[] {
  return resources.filter((resource) => resource.type === T.metricAlarm).map(alarmView);
}

/** An alarm that notifies someone: actions enabled and at least one action. */
function notifies(alarm: PolicyResource): boolean {
  const actions = list(alarm.props, "alarmActions");
  return bool(alarm.props, "actionsEnabled") !== false && (actions === UNKNOWN || (actions?.length ?? 0) > 0);
}

/** Whether a composite alarm's rule names the alarm (by its name, or its ARN when known). */
function namesInRule(composite: PolicyResource, alarm: PolicyResource): boolean {
  const rule = peek(composite.props, "alarmRule");
  if (rule === UNKNOWN) return true;
  if (typeof rule !== "string") return false;
  const names = [peekString(alarm.props, "name"), peekString(alarm.props, "arn")].filter(
    (name): name is string => !!name,
  );
  return names.some((name) => rule.includes(`(${JSON.stringify(name)})`) || rule.includes(`(${name})`));
}

function healthCheckPath(check: Check): string {
  const read = readConfigKey(check.ctx.config, "golive:app", appConfigSchema);
  return (read.ok ? read.value?.healthPath : undefined) ?? "/api/health";
}

// ------------------------------------------------------------------------------------------------
// ALERT-01

const HTTPS_CHECKS = ["HTTPS", "HTTPS_STR_MATCH"];

const uptimeCheck: PolicySpec = {
  name: "alert-01-uptime-check",
  id: "ALERT-01",
  description:
    "An HTTPS uptime check probes the app's health endpoint, and an alarm fires when it is healthy less than the uptime target (99.9%).",
  severity: "high",
  remediationSteps:
    "Set golive:app.healthPath; the alerts component creates the Route 53 health check and the HealthCheckPercentageHealthy alarm in us-east-1.",
  configSchema: {
    properties: {
      uptimeTargetPercent: {
        type: "number",
        default: 99.9,
        description: "Alarm below this share of healthy checks.",
      },
    },
  },
  resource: {
    types: [T.healthCheck],
    validate(resource, check) {
      const type = check.known(
        () => str(resource.props, "type"),
        `the type of health check "${resource.name}"`,
      );
      if (type !== UNKNOWN && (type === undefined || !HTTPS_CHECKS.includes(type))) {
        check.violation(
          `health check "${resource.name}" is ${JSON.stringify(type ?? "untyped")}; the app is checked over HTTPS`,
        );
      }
      const path = check.known(
        () => str(resource.props, "resourcePath"),
        `the path of health check "${resource.name}"`,
      );
      if (path === undefined)
        check.violation(`health check "${resource.name}" probes no resourcePath (the health endpoint)`);
      const host = peek(resource.props, "fqdn");
      if (host === undefined) check.violation(`health check "${resource.name}" names no fqdn`);
      // A disabled check reports healthy whatever the app does; an inverted one reports the opposite.
      for (const flag of ["disabled", "invertHealthcheck"] as const) {
        const value = check.known(
          () => bool(resource.props, flag),
          `${flag} of health check "${resource.name}"`,
        );
        if (value === true)
          check.violation(
            `health check "${resource.name}" has ${flag}: true, so its alarm never sees the app down`,
          );
      }
    },
  },
  stack(resources, check) {
    const index = new StackIndex(resources);
    const path = healthCheckPath(check);
    const target = check.config<{ uptimeTargetPercent: number }>().uptimeTargetPercent ?? 99.9;
    const checks = index.ofType(T.healthCheck).filter((resource) => {
      if (bool(resource.props, "disabled") === true || bool(resource.props, "invertHealthcheck") === true)
        return false;
      const resourcePath = peek(resource.props, "resourcePath");
      return (
        resourcePath === UNKNOWN ||
        resourcePath === path ||
        (typeof resourcePath === "string" && resourcePath.includes("health"))
      );
    });
    if (checks.length === 0) {
      check.absent(`no uptime check probes the health endpoint ${path}`);
      return;
    }
    const uptimeAlarms: AlarmView[] = alarms(resources).filter((alarm) => {
      if (alarm.namespace !== "AWS/Route53") return false;
      const watches = checks.some(
        (health) =>
          index.referencedBy(alarm.resource, "dimensions").some((dep) => dep.urn === health.urn) ||
          peek(alarm.resource.props, "dimensions", "HealthCheckId") === UNKNOWN ||
          peek(alarm.resource.props, "dimensions", "HealthCheckId") === peek(health.props, "id"),
      );
      if (!watches || alarm.threshold === undefined || !alarm.comparison || !LESS.includes(alarm.comparison))
        return false;
      if (alarm.metrics.includes("HealthCheckPercentageHealthy")) return alarm.threshold >= target;
      if (alarm.metrics.includes("HealthCheckStatus")) return alarm.threshold >= 1;
      return false;
    });
    // The uptime target as an objective: burn-rate alarms on the same checks, whose expression
    // `(100 - healthy) / (100 - objective)` states the objective, alone or as a composite's inputs.
    const composites = index.ofType(T.compositeAlarm).filter(notifies);
    for (const alarm of alarms(resources)) {
      if (alarm.namespace !== undefined || !alarm.metrics.includes("HealthCheckPercentageHealthy")) continue;
      if (!alarm.comparison || !GREATER.includes(alarm.comparison)) continue;
      const objective = Math.min(
        ...alarm.expressions.map((expression) => objectiveOfExpression(expression) ?? 0),
        ...(alarm.expressions.length === 0 ? [0] : []),
      );
      if (objective < target) continue;
      const watchesCheck = index
        .referencedBy(alarm.resource, "metricQueries")
        .some((dep) => checks.some((health) => health.urn === dep.urn));
      if (!watchesCheck) continue;
      if (
        notifies(alarm.resource) ||
        composites.some((composite) => namesInRule(composite, alarm.resource))
      ) {
        uptimeAlarms.push(alarm);
      }
    }
    if (uptimeAlarms.length === 0) {
      check.absent(
        `no alarm fires when the health check is healthy less than ${target}% (AWS/Route53 HealthCheckPercentageHealthy, or burn-rate alarms on it for a ${target}% objective)`,
      );
    }
    for (const alarm of uptimeAlarms) {
      const region =
        peekString(alarm.resource.props, "region") ?? peekString(alarm.resource.provider?.props, "region");
      if (region && region !== "us-east-1") {
        check.violation(
          `uptime alarm "${alarm.resource.name}" is in ${region}; Route 53 health check metrics exist only in us-east-1`,
          alarm.resource.urn,
        );
      }
    }
  },
};

// ------------------------------------------------------------------------------------------------
// ALERT-02

const LATENCY_METRIC = /time.?to.?first.?byte|latency|duration|response.?time/i;

/** Latency metrics AWS publishes in seconds (most others, Route 53's and Lambda's, are milliseconds). */
const SECONDS_METRICS: ReadonlySet<string> = new Set([
  "AWS/ApplicationELB/TargetResponseTime",
  "AWS/ELB/Latency",
  "AWS/NetworkELB/TargetTLSNegotiationTime",
]);

/** The alarm's threshold in milliseconds: its `unit` when set, else the metric's own unit. */
function thresholdMs(alarm: AlarmView): number | undefined {
  if (alarm.threshold === undefined) return undefined;
  const unit = peekString(alarm.resource.props, "unit");
  if (unit === "Seconds") return alarm.threshold * 1000;
  if (unit === "Microseconds") return alarm.threshold / 1000;
  if (unit !== undefined) return alarm.threshold;
  const inSeconds = alarm.metrics.some((metric) => SECONDS_METRICS.has(`${alarm.namespace ?? ""}/${metric}`));
  return inSeconds ? alarm.threshold * 1000 : alarm.threshold;
}

/**
 * Metrics CloudWatch cannot take a percentile of: AWS publishes them as an aggregate per report,
 * with Average, Minimum and Maximum as the valid statistics, so an alarm on their p95 stays in
 * INSUFFICIENT_DATA. Route 53 Developer Guide, "Monitoring health checks using CloudWatch".
 */
const NO_PERCENTILE_NAMESPACES: ReadonlySet<string> = new Set(["AWS/Route53"]);

/** A metric that is itself a p95 (Cloudflare's edge quantile, published by the metrics collector). */
const P95_METRIC = /p95/i;
const PLAIN_STATISTICS = ["Maximum", "Average", "Minimum"];

/** The namespaces an alarm reads: its own, or those of its metric math queries. */
function namespacesOf(alarm: AlarmView): string[] {
  const queries = list(alarm.resource.props, "metricQueries");
  const fromQueries = (Array.isArray(queries) ? queries : []).map(
    (query) => (query as { metric?: { namespace?: unknown } }).metric?.namespace,
  );
  return [alarm.namespace, ...fromQueries].filter((ns): ns is string => typeof ns === "string");
}

const latencyAlarm: PolicySpec = {
  name: "alert-02-latency-alarm",
  id: "ALERT-02",
  description:
    "A latency alarm fires when p95 latency is above the threshold (2 s by default): a percentile of a metric that has one, or a metric that is itself a p95.",
  severity: "medium",
  remediationSteps:
    "Configure golive:alerts.errorRate.analyticsTokenSecretName: the metrics collector publishes the p95 time to first byte of visitors' requests at Cloudflare's edge and alarms on it at golive:alerts.latency.p95Seconds (at most this policy's p95ThresholdMs). A p95 of Route 53's TimeToFirstByte does not work: Route 53 publishes Average, Minimum and Maximum only.",
  configSchema: {
    properties: {
      p95ThresholdMs: {
        type: "number",
        default: 2000,
        description: "The alarm's p95 threshold may not be above this.",
      },
    },
  },
  stack(resources, check) {
    const limit = check.config<{ p95ThresholdMs: number }>().p95ThresholdMs ?? 2000;
    const all = alarms(resources).filter((alarm) => alarm.metrics.some((m) => LATENCY_METRIC.test(m)));
    const percentileOf = (alarm: AlarmView) => alarm.statistics.some((stat) => /^p95(\.0+)?$/i.test(stat));
    const impossible = all.filter(
      (alarm) => percentileOf(alarm) && namespacesOf(alarm).some((ns) => NO_PERCENTILE_NAMESPACES.has(ns)),
    );
    for (const alarm of impossible) {
      check.violation(
        `alarm "${alarm.resource.name}" takes the p95 of ${namespacesOf(alarm).join(", ")} ${alarm.metrics.join(", ")}, which AWS publishes with Average, Minimum and Maximum only: it stays INSUFFICIENT_DATA and never fires`,
        alarm.resource.urn,
      );
    }
    const found = all.filter(
      (alarm) =>
        (percentileOf(alarm) && !impossible.includes(alarm)) ||
        (alarm.metrics.some((m) => P95_METRIC.test(m)) &&
          alarm.statistics.some((stat) => PLAIN_STATISTICS.includes(stat))),
    );
    if (found.length === 0) {
      check.absent(
        "no alarm watches p95 latency (a p95 of a latency metric that has percentiles, or a p95 metric such as golive/app EdgeTimeToFirstByteP95)",
      );
      return;
    }
    const ok = found.some((alarm) => {
      const ms = thresholdMs(alarm);
      if (ms === undefined || !alarm.comparison || !GREATER.includes(alarm.comparison)) return false;
      return ms <= limit;
    });
    if (!ok) check.violation(`no p95 latency alarm fires at ${limit} ms or less`);
  },
};

// ------------------------------------------------------------------------------------------------
// ALERT-03

const ERROR_METRIC = /error|5xx|fault|fail/i;
const ERROR_RATE_METRIC = /(error|5xx|fault).?rate/i;

const errorRateAlarm: PolicySpec = {
  name: "alert-03-error-rate-alarm",
  id: "ALERT-03",
  description:
    "An error-rate alarm fires when errors are above 1% of requests (a rate metric or metric math errors/requests).",
  severity: "medium",
  remediationSteps:
    "Alarm on the share of failed requests: metric math `100 * errors / requests` (or an ErrorRate metric) with a threshold of at most this policy's errorRatePercent.",
  configSchema: {
    properties: {
      errorRatePercent: {
        type: "number",
        default: 1,
        description: "The alarm's threshold may not be above this percentage.",
      },
    },
  },
  stack(resources, check) {
    const limit = check.config<{ errorRatePercent: number }>().errorRatePercent ?? 1;
    const rates = alarms(resources).filter(
      (alarm) =>
        alarm.metrics.some((m) => ERROR_RATE_METRIC.test(m)) ||
        (alarm.expressions.some((e) => e.includes("/")) && alarm.metrics.some((m) => ERROR_METRIC.test(m))),
    );
    if (rates.length === 0) {
      check.absent(
        "no alarm watches the error rate (an error-rate metric, or metric math errors / requests)",
      );
      return;
    }
    const ok = rates.some(
      (alarm) =>
        !!alarm.comparison && GREATER.includes(alarm.comparison) && (percent(alarm) ?? Infinity) <= limit,
    );
    if (!ok) check.violation(`no error-rate alarm fires at ${limit}% or less`);
  },
};

// ------------------------------------------------------------------------------------------------
// ALERT-04

const DATABASE_ALARMS: readonly { label: string; metric: RegExp; limit: number }[] = [
  { label: "connections", metric: /connection/i, limit: 80 },
  { label: "disk", metric: /disk|storage/i, limit: 80 },
  { label: "CPU", metric: /cpu/i, limit: 70 },
  { label: "memory", metric: /mem/i, limit: 80 },
];

/** CloudWatch namespaces of database services. */
const DATABASE_NAMESPACES = /^AWS\/(RDS|DocDB|Redshift|Neptune|ElastiCache|DynamoDB)$|supabase|postgres/i;

const databaseAlarms: PolicySpec = {
  name: "alert-04-database-alarms",
  id: "ALERT-04",
  description:
    "Database alarms exist: connections above 80%, disk above 80%, CPU above 70%, memory above 80%.",
  severity: "medium",
  remediationSteps:
    "Export the Supabase project's metrics (its Prometheus endpoint) to CloudWatch and alarm on connections, disk, CPU and memory use in percent at the checklist's thresholds.",
  stack(resources, check) {
    // Any database of the catalogue (Supabase, RDS, Aurora, Redshift...), or alarms on a database
    // service's metrics for a database another stack declares.
    const databases = coveredTypes("database");
    const hasDatabase = resources.some(
      (resource) => databases.has(resource.type) && !/securityGroup/i.test(resource.type),
    );
    const all = alarms(resources);
    const databaseMetrics = all.filter((alarm) =>
      DATABASE_NAMESPACES.test(peekString(alarm.resource.props, "namespace") ?? ""),
    );
    if (!hasDatabase && databaseMetrics.length === 0) {
      check.notApplicable("the stack has no database and no alarm on a database's metrics");
    }
    for (const wanted of DATABASE_ALARMS) {
      const found = all.filter((alarm) => alarm.metrics.some((m) => wanted.metric.test(m)));
      if (found.length === 0) {
        check.absent(`no database ${wanted.label} alarm exists (it must fire above ${wanted.limit}%)`);
        continue;
      }
      const ok = found.some((alarm) => {
        if (!alarm.comparison) return false;
        // Free bytes and connection counts: the capacity they relate to is not in the stack, so
        // any alarm in the right direction counts.
        if (alarm.metrics.some((m) => /^Free/.test(m))) return LESS.includes(alarm.comparison);
        if (alarm.metrics.some((m) => m === "DatabaseConnections")) return GREATER.includes(alarm.comparison);
        return GREATER.includes(alarm.comparison) && (percent(alarm) ?? Infinity) <= wanted.limit;
      });
      if (!ok) {
        const seen = found.map((alarm) => `"${alarm.resource.name}" at ${alarm.threshold ?? "?"}`).join(", ");
        check.violation(`no database ${wanted.label} alarm fires above ${wanted.limit}% (found ${seen})`);
      }
    }
  },
};

// ------------------------------------------------------------------------------------------------
// ALERT-05

type Channel = "pager" | "chat" | "email";
const ROUTES: Readonly<Record<string, readonly Channel[]>> = {
  critical: ["pager", "chat", "email"],
  warning: ["chat", "email"],
};

function topicSeverity(topic: PolicyResource): string | undefined {
  const tag = effectiveTags(topic).values.get("severity");
  if (typeof tag === "string") return tag.toLowerCase();
  const names = [topic.name, peekString(topic.props, "name") ?? ""].join(" ").toLowerCase();
  return Object.keys(ROUTES).find((severity) => names.split(/[^a-z0-9]+/).includes(severity));
}

function channelsOf(index: StackIndex, topic: PolicyResource): Set<Channel> {
  const channels = new Set<Channel>();
  for (const subscription of index.referencing(topic, "topic", [T.topicSubscription])) {
    const protocol = peekString(subscription.props, "protocol");
    if (protocol === "email" || protocol === "email-json") channels.add("email");
    if (protocol === "https" || protocol === "http") {
      const endpoint = peekString(subscription.props, "endpoint");
      if (endpoint && /hooks\.slack\.com|chat\.googleapis|webhook\.office/.test(endpoint))
        channels.add("chat");
      else channels.add("pager");
    }
    if (protocol === "lambda") channels.add("chat");
  }
  if (index.referencing(topic, "snsTopicArns", [T.slackChannel]).length > 0) channels.add("chat");
  return channels;
}

const alarmActionsRouted: PolicySpec = {
  name: "alert-05-alarm-actions-routed",
  id: "ALERT-05",
  description:
    "Every alarm has an action; every action is a topic of this stack with a subscription; critical topics reach pager, chat and email, warning topics chat and email.",
  severity: "high",
  remediationSteps:
    "Create alarms through the alerts component's addAlarm (its severity's topic is the action) and configure golive:alerts channels: emails, PagerDuty for critical, Slack through AWS Chatbot.",
  resource: {
    types: [T.metricAlarm, T.compositeAlarm],
    validate(resource, check) {
      if (bool(resource.props, "actionsEnabled") === false) {
        check.violation(`alarm "${resource.name}" has its actions disabled`);
      }
      const actions = check.known(
        () => list(resource.props, "alarmActions"),
        `the actions of alarm "${resource.name}"`,
      );
      // A metric alarm without actions may be a composite alarm's input: the stack check decides.
      if (
        resource.type === T.compositeAlarm &&
        actions !== UNKNOWN &&
        (actions === undefined || actions.length === 0)
      ) {
        check.violation(`alarm "${resource.name}" has no alarmActions: it would fire silently`);
      }
    },
  },
  stack(resources, check) {
    const index = new StackIndex(resources);
    const topics = index.ofType(T.topic);
    const composites = index.ofType(T.compositeAlarm).filter(notifies);
    check.each(index.ofType(T.metricAlarm), (alarm) => {
      const actions = list(alarm.props, "alarmActions");
      if (actions === UNKNOWN || (actions !== undefined && actions.length > 0)) return;
      if (composites.some((composite) => namesInRule(composite, alarm))) return;
      check.violation(
        `alarm "${alarm.name}" has no alarmActions and no notifying composite alarm names it: it would fire silently`,
        alarm.urn,
      );
    });
    check.each(index.ofType(T.metricAlarm, T.compositeAlarm), (alarm) => {
      const actions = list(alarm.props, "alarmActions");
      if (!Array.isArray(actions) || actions.length === 0) return;
      const targets = index.referencedBy(alarm, "alarmActions", [T.topic]);
      const known = actions.filter(
        (action): action is string => typeof action === "string" && !isUnknown(action),
      );
      const outside = known.filter((arn) => !targets.some((topic) => peekString(topic.props, "arn") === arn));
      if (targets.length === 0 && outside.length > 0) {
        check.violation(
          `alarm "${alarm.name}" notifies ${outside.join(", ")}, not a topic of this stack; its subscriptions cannot be checked`,
          alarm.urn,
        );
      }
    });
    check.each(topics, (topic) => {
      const channels = channelsOf(index, topic);
      if (channels.size === 0) {
        check.violation(`topic "${topic.name}" has no subscription: its alerts reach no one`, topic.urn);
        return;
      }
      const severity = topicSeverity(topic);
      const route = severity ? ROUTES[severity] : undefined;
      if (!route) return;
      const missing = route.filter((channel) => !channels.has(channel));
      if (missing.length > 0) {
        check.violation(
          `${severity} topic "${topic.name}" does not reach ${missing.join(", ")} (${severity}: ${route.join(" + ")})`,
          topic.urn,
        );
      }
    });
    for (const severity of Object.keys(ROUTES)) {
      if (!topics.some((topic) => topicSeverity(topic) === severity)) {
        check.absent(`no ${severity} alert topic exists (severities route to channels)`);
      }
    }
  },
};

// ------------------------------------------------------------------------------------------------
// ALERT-06

const topicsEncrypted: PolicySpec = {
  name: "alert-06-topics-encrypted",
  id: "ALERT-06",
  description: "Alert topics are encrypted with a KMS key (kmsMasterKeyId).",
  severity: "medium",
  remediationSteps:
    "Give the topic `kmsMasterKeyId` (the alerts component uses its own key, whose policy lets CloudWatch, Budgets and Cost Anomaly Detection publish).",
  resource: {
    types: [T.topic],
    validate(resource, check) {
      const key = peek(resource.props, "kmsMasterKeyId");
      if (key === undefined || key === null || key === "")
        check.violation(`topic "${resource.name}" is not encrypted (no kmsMasterKeyId)`);
      else if (typeof key === "string" && /(^|:)alias\/aws\/sns$/.test(key))
        check.violation(
          `topic "${resource.name}" is encrypted with the AWS-managed key alias/aws/sns, whose policy cannot let CloudWatch, Budgets or Cost Anomaly Detection publish: its alerts would be dropped (use a customer-managed key)`,
        );
    },
  },
};

// ------------------------------------------------------------------------------------------------
// ALERT-07

const logRetention: PolicySpec = {
  name: "alert-07-log-retention",
  id: "ALERT-07",
  description:
    "Every log group has a retention: debug logs at most 30 days, audit logs (log-class=audit or …/audit) at least 365; every Lambda logs to such a group.",
  severity: "medium",
  remediationSteps:
    'Create log groups through the alerts component\'s addLogGroup(name, "debug" | "audit"); for a Lambda, create `/aws/lambda/<name>` before the function.',
  configSchema: {
    properties: {
      debugRetentionDays: {
        type: "integer",
        default: 30,
        description: "Longest retention of a debug log group.",
      },
      auditRetentionDays: {
        type: "integer",
        default: 365,
        description: "Shortest retention of an audit log group.",
      },
    },
  },
  resource: {
    types: [T.logGroup],
    validate(resource, check) {
      const config = check.config<{ debugRetentionDays: number; auditRetentionDays: number }>();
      const debugMax = config.debugRetentionDays ?? 30;
      const auditMin = config.auditRetentionDays ?? 365;
      const days = check.known(
        () => num(resource.props, "retentionInDays"),
        `the retention of log group "${resource.name}"`,
      );
      if (days === UNKNOWN) return;
      const audit = isAuditLogGroup(resource);
      if (days === undefined || days === 0) {
        if (!audit)
          check.violation(
            `log group "${resource.name}" keeps logs forever (no retentionInDays); debug logs keep ${debugMax} days`,
          );
        return;
      }
      if (audit && days < auditMin)
        check.violation(`audit log group "${resource.name}" keeps ${days} days; audit logs keep ${auditMin}`);
      if (!audit && days > debugMax)
        check.violation(
          `log group "${resource.name}" keeps ${days} days; debug logs keep at most ${debugMax}`,
        );
    },
  },
  stack(resources, check) {
    const index = new StackIndex(resources);
    const groups = index.ofType(T.logGroup);
    const groupNames = new Set(
      groups.map((group) => peekString(group.props, "name")).filter((name): name is string => !!name),
    );
    check.each(index.ofType(T.lambda), (fn) => {
      const name = peekString(fn.props, "name");
      const configured = peekString(fn.props, "loggingConfig", "logGroup");
      const byName = name !== undefined && groupNames.has(`/aws/lambda/${name}`);
      const byConfig = configured !== undefined && groupNames.has(configured);
      const byDependency =
        index.referencedBy(fn, "loggingConfig", [T.logGroup]).length > 0 ||
        fn.dependencies.some((dependency) => dependency.type === T.logGroup);
      if (!byName && !byConfig && !byDependency) {
        check.violation(
          `Lambda "${fn.name}" logs to a group this stack does not create, so its logs never expire`,
          fn.urn,
        );
      }
    });
  },
};

export const ALERT_POLICIES: readonly PolicySpec[] = [
  uptimeCheck,
  latencyAlarm,
  errorRateAlarm,
  databaseAlarms,
  alarmActionsRouted,
  topicsEncrypted,
  logRetention,
];
