/**
 * Alarms on the edge functions' own health (ALERT-02, ALERT-03), from the metrics the function
 * metrics collector publishes (lambda/function-metrics): the 5xx share of each function and its
 * slowest invocation. Pure: the component wires them through the alerts component.
 */
import type { AlarmSpec } from "./alerts";
import { DIMENSION, METRICS, NAMESPACE } from "../lambda/function-metrics/stats";

/** Every five minutes: the API's per-minute buckets settle within a few minutes. */
export const FUNCTION_METRICS_SCHEDULE = "rate(5 minutes)";

export function functionErrorRateAlarmSpec(slug: string, errorRatePercent: number): AlarmSpec {
  return {
    severity: "critical",
    description: `More than ${errorRatePercent}% of the calls to edge function ${slug} failed (5xx) in 5 minutes (ALERT-03). Its logs are under Edge Functions → ${slug} → Logs.`,
    namespace: NAMESPACE,
    metricName: METRICS.errorRate,
    dimensions: { [DIMENSION]: slug },
    statistic: "Maximum",
    threshold: errorRatePercent,
    comparison: "GreaterThanThreshold",
    periodSeconds: 300,
    evaluationPeriods: 1,
    treatMissingData: "notBreaching",
    unit: "Percent",
  };
}

/** The slowest invocation above the latency target: stricter than a p95 on the same target. */
export function functionLatencyAlarmSpec(slug: string, p95Seconds: number): AlarmSpec {
  return {
    severity: "warning",
    description: `An invocation of edge function ${slug} took more than ${p95Seconds} s, in two 5-minute windows of three (ALERT-02).`,
    namespace: NAMESPACE,
    metricName: METRICS.maxExecutionTime,
    dimensions: { [DIMENSION]: slug },
    statistic: "Maximum",
    threshold: p95Seconds * 1000,
    comparison: "GreaterThanThreshold",
    periodSeconds: 300,
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
    treatMissingData: "notBreaching",
    unit: "Milliseconds",
  };
}

/** The collector failing (token refused, API down): the function alarms then see no data. */
export function functionMetricsErrorAlarmSpec(functionName: string): AlarmSpec {
  return {
    severity: "warning",
    description: `The edge function metrics collector ${functionName} failed twice in 15 minutes: function error and latency metrics are missing. Its log says which call failed.`,
    namespace: "AWS/Lambda",
    metricName: "Errors",
    dimensions: { FunctionName: functionName },
    statistic: "Sum",
    threshold: 0,
    comparison: "GreaterThanThreshold",
    periodSeconds: 300,
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
    treatMissingData: "notBreaching",
  };
}
