/**
 * What the MetricsCollector component builds, as pure functions: the alarms on the collector's
 * metrics (ALERT-02 latency, ALERT-03 error rate, ALERT-04 database use) and on the collector itself, its
 * least-privilege IAM documents, and its environment.
 */
import type * as pulumi from "@pulumi/pulumi";
import {
  APP_DIMENSION,
  APP_NAMESPACE,
  DATABASE_DIMENSION,
  DATABASE_NAMESPACE,
  ENV,
  METRIC,
} from "../lambda/metrics-collector/names";
import type { AlarmSpec, Severity } from "./alerts";
import { ownLogsStatement, type PolicyDocument } from "./iam";

/** The collector runs once a minute; its metrics have one datapoint per minute. */
export const COLLECTOR_SCHEDULE = "rate(1 minute)";
export const COLLECTOR_TIMEOUT_SECONDS = 30;

/** Alarm thresholds in percent (`golive:alerts.thresholds`, validated by config/schema/alerts.ts). */
export interface AlarmThresholds {
  readonly errorRatePercent: number;
  readonly connectionsPercent: number;
  readonly diskPercent: number;
  readonly cpuPercent: number;
  readonly memoryPercent: number;
}

export type DatabaseAlarmKey = "connections" | "disk" | "cpu" | "memory";

interface DatabaseAlarmDefinition {
  readonly key: DatabaseAlarmKey;
  readonly metricName: string;
  readonly threshold: keyof AlarmThresholds;
  readonly severity: Severity;
  readonly what: string;
  readonly check: string;
}

/**
 * Severities: running out of connections takes the app down within minutes, so it pages. Disk,
 * CPU and memory at their thresholds leave hours to act (disk grows slowly; CPU and memory
 * pressure slow the app before they stop it), so they go to chat and email.
 */
export const DATABASE_ALARMS: readonly DatabaseAlarmDefinition[] = [
  {
    key: "connections",
    metricName: METRIC.connections,
    threshold: "connectionsPercent",
    severity: "critical",
    what: "database connections in use",
    check:
      "Check the pooler mode and pool size, long-running queries and clients that do not release connections.",
  },
  {
    key: "disk",
    metricName: METRIC.disk,
    threshold: "diskPercent",
    severity: "warning",
    what: "database disk in use",
    check:
      "Check table and index bloat, WAL retention and large tables; grow the disk before it fills (Supabase goes read-only).",
  },
  {
    key: "cpu",
    metricName: METRIC.cpu,
    threshold: "cpuPercent",
    severity: "warning",
    what: "database CPU busy",
    check: "Check slow queries (pg_stat_statements) and missing indexes, or move to a larger compute size.",
  },
  {
    key: "memory",
    metricName: METRIC.memory,
    threshold: "memoryPercent",
    severity: "warning",
    what: "database memory in use",
    check: "Check work_mem and shared_buffers against the compute size, and the number of connections.",
  },
];

/**
 * ALERT-04: 4 of 5 one-minute datapoints above the threshold. Missing data is breaching: a dead
 * collector must not look like a healthy database; 4 of 5 tolerates the one minute without a CPU
 * value after a cold start.
 */
export function databaseAlarmSpecs(
  projectRef: pulumi.Input<string>,
  thresholds: AlarmThresholds,
): { key: DatabaseAlarmKey; spec: AlarmSpec }[] {
  return DATABASE_ALARMS.map((alarm) => ({
    key: alarm.key,
    spec: {
      severity: alarm.severity,
      description: `${alarm.what} above ${thresholds[alarm.threshold]}% for 4 of 5 minutes (ALERT-04), or the metrics collector stopped reporting. ${alarm.check}`,
      namespace: DATABASE_NAMESPACE,
      metricName: alarm.metricName,
      dimensions: { [DATABASE_DIMENSION]: projectRef },
      statistic: "Maximum",
      threshold: thresholds[alarm.threshold],
      comparison: "GreaterThanThreshold",
      periodSeconds: 60,
      evaluationPeriods: 5,
      datapointsToAlarm: 4,
      treatMissingData: "breaching",
      unit: "Percent",
    },
  }));
}

/**
 * ALERT-03: the share of 5xx answers above the threshold for 3 minutes in a row. Each datapoint is
 * already a 5-minute rolling window. Missing data is not breaching: below the minimum of requests
 * no rate is published, and a quiet night is not an outage.
 */
export function errorRateAlarmSpec(hostname: string, errorRatePercent: number): AlarmSpec {
  return {
    severity: "critical",
    description: `More than ${errorRatePercent}% of requests to ${hostname} were answered 5xx at the edge, for 3 minutes (ALERT-03). Check the app's logs and the latest deploy.`,
    namespace: APP_NAMESPACE,
    metricName: METRIC.errorRate,
    dimensions: { [APP_DIMENSION]: hostname },
    statistic: "Maximum",
    threshold: errorRatePercent,
    comparison: "GreaterThanThreshold",
    periodSeconds: 60,
    evaluationPeriods: 3,
    treatMissingData: "notBreaching",
    unit: "Percent",
  };
}

/**
 * ALERT-02: the p95 time to first byte of visitors' requests at Cloudflare's edge above the
 * threshold. Each datapoint is already a p95 (Cloudflare's quantile over the 5-minute window, of at
 * least the minimum of requests), so the alarm takes its Maximum per period: a percentile of
 * percentiles would mean nothing, and Route 53's checker latency cannot give a p95 at all (Average,
 * Minimum and Maximum only). Missing data is not breaching: below the minimum of requests no p95
 * is published.
 */
export function latencyAlarmSpec(
  hostname: string,
  latency: {
    readonly p95Seconds: number;
    readonly periodSeconds: number;
    readonly evaluationPeriods: number;
  },
): AlarmSpec {
  return {
    severity: "warning",
    description: `p95 time to first byte of visitors' requests to ${hostname} at the edge is above ${latency.p95Seconds} s for ${latency.evaluationPeriods} periods of ${latency.periodSeconds / 60} min (ALERT-02). Compare ${METRIC.originP95}: a slow origin means the app or the database; check slow queries and the latest deploy.`,
    namespace: APP_NAMESPACE,
    metricName: METRIC.edgeTtfbP95,
    dimensions: { [APP_DIMENSION]: hostname },
    statistic: "Maximum",
    threshold: Math.round(latency.p95Seconds * 1000),
    comparison: "GreaterThanThreshold",
    periodSeconds: latency.periodSeconds,
    evaluationPeriods: latency.evaluationPeriods,
    treatMissingData: "notBreaching",
    unit: "Milliseconds",
  };
}

/** The collector failing to read a source: the database alarms then breach too, this one says why. */
export function collectorErrorAlarmSpec(functionName: string): AlarmSpec {
  return {
    severity: "warning",
    description: `The metrics collector ${functionName} failed for 3 of 5 minutes: database and error-rate metrics are missing. Its log names the source it could not read.`,
    namespace: "AWS/Lambda",
    metricName: "Errors",
    dimensions: { FunctionName: functionName },
    statistic: "Sum",
    threshold: 0,
    comparison: "GreaterThanThreshold",
    periodSeconds: 60,
    evaluationPeriods: 5,
    datapointsToAlarm: 3,
    treatMissingData: "notBreaching",
  };
}

/** The collector not running at all (rule disabled, function deleted, throttled). */
export function collectorMissingAlarmSpec(functionName: string): AlarmSpec {
  return {
    severity: "warning",
    description: `The metrics collector ${functionName} did not run for 5 minutes: check its EventBridge rule and the function.`,
    namespace: "AWS/Lambda",
    metricName: "Invocations",
    dimensions: { FunctionName: functionName },
    statistic: "Sum",
    threshold: 1,
    comparison: "LessThanThreshold",
    periodSeconds: 300,
    evaluationPeriods: 1,
    treatMissingData: "breaching",
  };
}

/** The collector may write its own logs and nothing else; reading the secret is granted apart. */
export function collectorPolicy(logGroupArn: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [ownLogsStatement("OwnLogs", logGroupArn)],
  };
}

export interface CollectorEnvironmentInputs {
  readonly secretArn: pulumi.Input<string>;
  /** Where the secret stores the Supabase secret API key (`sb_secret_…`), the documented credential. */
  readonly secretKeyName?: string;
  /** Where the secret stores the legacy service role key: the fallback, when configured. */
  readonly serviceRoleKeyName?: string;
  readonly projectRef: pulumi.Input<string>;
  /** Absent: the collector reads no error rate. */
  readonly analytics?: {
    readonly tokenSecretName: string;
    readonly zoneId: pulumi.Input<string>;
    readonly hostname: string;
    readonly minRequests: number;
  };
}

/** The function's environment variables (names in lambda/metrics-collector/names.ts). */
export function collectorEnvironment(
  inputs: CollectorEnvironmentInputs,
): Record<string, pulumi.Input<string>> {
  if (inputs.secretKeyName === undefined && inputs.serviceRoleKeyName === undefined) {
    throw new Error(
      "the metrics collector needs a Supabase secret API key or a service role key to read metrics",
    );
  }
  return {
    [ENV.secretId]: inputs.secretArn,
    ...(inputs.secretKeyName !== undefined ? { [ENV.secretKeyName]: inputs.secretKeyName } : {}),
    ...(inputs.serviceRoleKeyName !== undefined
      ? { [ENV.serviceRoleKeyName]: inputs.serviceRoleKeyName }
      : {}),
    [ENV.projectRef]: inputs.projectRef,
    ...(inputs.analytics
      ? {
          [ENV.analyticsTokenName]: inputs.analytics.tokenSecretName,
          [ENV.zoneId]: inputs.analytics.zoneId,
          [ENV.hostname]: inputs.analytics.hostname,
          [ENV.minRequests]: String(inputs.analytics.minRequests),
        }
      : {}),
  };
}
