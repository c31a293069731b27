// The edge function statistics the collector reads (`functions.combined-stats`), summarised into
// the metrics the alarms watch. Rows have the columns Supabase's API returns per minute bucket
// (timestamps in microseconds), as Studio charts them.
import { describe, expect, it } from "vitest";
import { healthEmfLine, statsRows, summarize } from "../lambda/function-metrics/stats";
import { functionErrorRateAlarmSpec, functionLatencyAlarmSpec } from "../lib/function-metrics";

const NOW = Date.parse("2026-03-03T10:15:00Z");
const bucket = (minutesAgo: number, counts: Record<string, number>) => ({
  timestamp: (NOW - minutesAgo * 60_000) * 1000,
  success_count: 0,
  redirect_count: 0,
  client_err_count: 0,
  server_err_count: 0,
  avg_execution_time: 120,
  max_execution_time: 300,
  avg_cpu_time_used: 12,
  max_cpu_time_used: 40,
  avg_memory_used: 18.5,
  ...counts,
});

describe("functions.combined-stats rows", () => {
  it("sums the last five minutes: requests, 5xx, the 5xx share and the slowest invocation", () => {
    const body = {
      result: [
        bucket(12, { success_count: 500, server_err_count: 400, max_execution_time: 9000 }),
        bucket(4, { success_count: 95, client_err_count: 3, server_err_count: 2, max_execution_time: 2400 }),
        bucket(1, { success_count: 100, max_execution_time: 800 }),
      ],
    };
    const health = summarize(statsRows(body), NOW, 5 * 60_000);
    expect(health).toEqual({ requests: 200, serverErrors: 2, errorRatePercent: 1, maxExecutionMs: 2400 });
  });

  it("reports no rate and no latency without requests (a quiet function is not failing)", () => {
    expect(summarize(statsRows({ result: [] }), NOW, 300_000)).toEqual({
      requests: 0,
      serverErrors: 0,
      errorRatePercent: undefined,
      maxExecutionMs: undefined,
    });
  });

  it("throws on an error body or a body without rows", () => {
    expect(() => statsRows({ result: null, error: "function_id is required" })).toThrow(
      "combined-stats answered an error: function_id is required",
    );
    expect(() => statsRows({})).toThrow("combined-stats answered no result list");
  });

  it("writes an EMF line CloudWatch turns into metrics per function, leaving absent values out", () => {
    const line = JSON.parse(
      healthEmfLine(
        "process-queue",
        { requests: 0, serverErrors: 0, errorRatePercent: undefined, maxExecutionMs: undefined },
        NOW,
      ),
    ) as {
      _aws: { CloudWatchMetrics: { Namespace: string; Metrics: { Name: string }[] }[] };
      Function: string;
    };
    expect(line.Function).toBe("process-queue");
    expect(line._aws.CloudWatchMetrics[0]!.Namespace).toBe("golive/EdgeFunctions");
    expect(line._aws.CloudWatchMetrics[0]!.Metrics.map((metric) => metric.Name)).toEqual([
      "Requests",
      "ServerErrors",
    ]);
  });

  it("alarms at the configured error rate and the latency target in milliseconds", () => {
    expect(functionErrorRateAlarmSpec("hook", 1)).toMatchObject({
      threshold: 1,
      metricName: "ErrorRate",
      severity: "critical",
    });
    expect(functionLatencyAlarmSpec("hook", 5)).toMatchObject({ threshold: 5000, unit: "Milliseconds" });
  });
});
