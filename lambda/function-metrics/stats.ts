/**
 * Edge function health from the Management API's `functions.combined-stats` (the endpoint Supabase
 * Studio charts): one row per time bucket with `success_count`, `redirect_count`,
 * `client_err_count`, `server_err_count`, `requests_count`, `avg_execution_time` and
 * `max_execution_time` (milliseconds). Pure, so it is tested on the rows the API returns.
 */

export interface FunctionHealth {
  readonly requests: number;
  /** 5xx answers and crashes: what the function did wrong, not its callers. */
  readonly serverErrors: number;
  /** serverErrors / requests in percent; undefined without requests (no data is not 0 %). */
  readonly errorRatePercent: number | undefined;
  /** Slowest invocation in the window, in milliseconds; undefined without requests. */
  readonly maxExecutionMs: number | undefined;
}

function count(row: Record<string, unknown>, key: string): number {
  const raw = row[key];
  const value = typeof raw === "string" ? Number(raw) : raw;
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : 0;
}

/** The rows of a combined-stats answer (`{result: [...]}`); an `error` in the body is thrown. */
export function statsRows(body: unknown): Record<string, unknown>[] {
  if (typeof body !== "object" || body === null)
    throw new Error("combined-stats answered something other than an object");
  const { result, error } = body as { result?: unknown; error?: unknown };
  if (error !== undefined && error !== null) {
    throw new Error(
      `combined-stats answered an error: ${typeof error === "string" ? error : JSON.stringify(error)}`,
    );
  }
  if (!Array.isArray(result)) throw new Error("combined-stats answered no result list");
  return result.filter((row): row is Record<string, unknown> => typeof row === "object" && row !== null);
}

/** Rows whose bucket started within `windowMs` before `nowMs` (timestamps in µs, ms or ISO text). */
function inWindow(row: Record<string, unknown>, nowMs: number, windowMs: number): boolean {
  const raw = row.timestamp;
  let ms: number;
  if (typeof raw === "number") ms = raw > 1e14 ? raw / 1000 : raw;
  else if (typeof raw === "string")
    ms = /^\d+$/.test(raw) ? Number(raw) / (raw.length > 14 ? 1000 : 1) : Date.parse(raw);
  else return true;
  return Number.isFinite(ms) ? ms > nowMs - windowMs && ms <= nowMs : true;
}

export function summarize(
  rows: readonly Record<string, unknown>[],
  nowMs: number,
  windowMs: number,
): FunctionHealth {
  const recent = rows.filter((row) => inWindow(row, nowMs, windowMs));
  let requests = 0;
  let serverErrors = 0;
  let maxExecutionMs: number | undefined;
  for (const row of recent) {
    const classified =
      count(row, "success_count") +
      count(row, "redirect_count") +
      count(row, "client_err_count") +
      count(row, "server_err_count");
    requests += Math.max(count(row, "requests_count"), classified);
    serverErrors += count(row, "server_err_count");
    if (row.max_execution_time !== undefined && row.max_execution_time !== null) {
      maxExecutionMs = Math.max(maxExecutionMs ?? 0, count(row, "max_execution_time"));
    }
  }
  return {
    requests,
    serverErrors,
    errorRatePercent: requests > 0 ? (serverErrors / requests) * 100 : undefined,
    maxExecutionMs: requests > 0 ? maxExecutionMs : undefined,
  };
}

export const NAMESPACE = "golive/EdgeFunctions";
export const DIMENSION = "Function";
export const METRICS = {
  errorRate: "ErrorRate",
  serverErrors: "ServerErrors",
  requests: "Requests",
  maxExecutionTime: "MaxExecutionTime",
} as const;

/** One CloudWatch Embedded Metric Format line for a function (no PutMetricData permission needed). */
export function healthEmfLine(slug: string, health: FunctionHealth, timestampMs: number): string {
  const metrics: { Name: string; Unit: string; value: number | undefined }[] = [
    { Name: METRICS.requests, Unit: "Count", value: health.requests },
    { Name: METRICS.serverErrors, Unit: "Count", value: health.serverErrors },
    { Name: METRICS.errorRate, Unit: "Percent", value: health.errorRatePercent },
    { Name: METRICS.maxExecutionTime, Unit: "Milliseconds", value: health.maxExecutionMs },
  ];
  const present = metrics.filter((metric) => metric.value !== undefined);
  return JSON.stringify({
    _aws: {
      Timestamp: timestampMs,
      CloudWatchMetrics: [
        {
          Namespace: NAMESPACE,
          Dimensions: [[DIMENSION]],
          Metrics: present.map(({ Name, Unit }) => ({ Name, Unit })),
        },
      ],
    },
    [DIMENSION]: slug,
    ...Object.fromEntries(present.map((metric) => [metric.Name, Math.round(metric.value! * 1000) / 1000])),
  });
}
