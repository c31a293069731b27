/**
 * Requests and 5xx answers of one hostname from Cloudflare's GraphQL Analytics API
 * (`httpRequestsAdaptiveGroups`, filtered by `clientRequestHTTPHost` and time; visitors' requests
 * only, `requestSource: "eyeball"`), and the error rate they give. The token needs the zone's
 * Analytics Read permission and nothing else.
 */

export const CLOUDFLARE_GRAPHQL_URL = "https://api.cloudflare.com/client/v4/graphql";

/** Two aggregates over the same window: all requests, and those answered 500-599 at the edge. */
export const ERROR_RATE_QUERY = `query GoliveErrorRate($zoneTag: string, $host: string, $since: Time, $until: Time) {
  viewer {
    zones(filter: { zoneTag: $zoneTag }) {
      requests: httpRequestsAdaptiveGroups(
        limit: 1
        filter: { clientRequestHTTPHost: $host, requestSource: "eyeball", datetime_geq: $since, datetime_lt: $until }
      ) {
        count
      }
      serverErrors: httpRequestsAdaptiveGroups(
        limit: 1
        filter: {
          clientRequestHTTPHost: $host
          requestSource: "eyeball"
          datetime_geq: $since
          datetime_lt: $until
          edgeResponseStatus_geq: 500
          edgeResponseStatus_lt: 600
        }
      ) {
        count
      }
    }
  }
}`;

export interface ErrorRateWindow {
  readonly since: Date;
  readonly until: Date;
}

/** Whole minutes: `[now - lag - window, now - lag)`, so late analytics data is not undercounted. */
export function errorRateWindow(now: Date, windowMinutes: number, lagMinutes: number): ErrorRateWindow {
  const minute = 60_000;
  const until = Math.floor(now.getTime() / minute) * minute - lagMinutes * minute;
  return { since: new Date(until - windowMinutes * minute), until: new Date(until) };
}

export function errorRateRequestBody(zoneId: string, hostname: string, window: ErrorRateWindow): string {
  return JSON.stringify({
    query: ERROR_RATE_QUERY,
    variables: {
      zoneTag: zoneId,
      host: hostname,
      since: window.since.toISOString().replace(/\.\d{3}Z$/, "Z"),
      until: window.until.toISOString().replace(/\.\d{3}Z$/, "Z"),
    },
  });
}

export class AnalyticsResponseError extends Error {
  override readonly name = "AnalyticsResponseError";
}

export interface RequestCounts {
  readonly requests: number;
  readonly serverErrors: number;
}

function countOf(groups: unknown, alias: string): number {
  if (!Array.isArray(groups)) {
    throw new AnalyticsResponseError(`the analytics answer has no "${alias}" list`);
  }
  // No requests in the window: Cloudflare returns no group at all.
  if (groups.length === 0) return 0;
  const count = (groups[0] as { count?: unknown } | null)?.count;
  if (typeof count !== "number" || !Number.isInteger(count) || count < 0) {
    throw new AnalyticsResponseError(`"${alias}" has no whole count`);
  }
  return count;
}

/**
 * The counts in a GraphQL answer.
 * @throws {AnalyticsResponseError} on GraphQL errors (quoted) or an answer of another shape.
 */
export function parseErrorRateResponse(body: unknown, zoneId: string): RequestCounts {
  if (typeof body !== "object" || body === null) {
    throw new AnalyticsResponseError("the analytics answer is not a JSON object");
  }
  const { data, errors } = body as { data?: unknown; errors?: unknown };
  if (Array.isArray(errors) && errors.length > 0) {
    const messages = errors
      .map((error) => (error as { message?: unknown } | null)?.message)
      .map((message) => (typeof message === "string" ? message : "unnamed error"));
    throw new AnalyticsResponseError(`Cloudflare analytics refused the query: ${messages.join("; ")}`);
  }
  const zones = (data as { viewer?: { zones?: unknown } } | null | undefined)?.viewer?.zones;
  if (!Array.isArray(zones) || zones.length === 0) {
    throw new AnalyticsResponseError(
      `the analytics answer has no zone ${zoneId}; check the zone id and that the token may read its analytics`,
    );
  }
  const zone = zones[0] as { requests?: unknown; serverErrors?: unknown };
  const requests = countOf(zone.requests, "requests");
  const serverErrors = countOf(zone.serverErrors, "serverErrors");
  if (serverErrors > requests) {
    throw new AnalyticsResponseError(`more 5xx answers (${serverErrors}) than requests (${requests})`);
  }
  return { requests, serverErrors };
}

/** The share of 5xx answers in percent; undefined below `minRequests`, so a quiet night never alarms. */
export function errorRatePercent(counts: RequestCounts, minRequests: number): number | undefined {
  if (counts.requests === 0 || counts.requests < minRequests) return undefined;
  return (counts.serverErrors / counts.requests) * 100;
}

// ---------------------------------------------------------------------------------------------
// Latency (ALERT-02)

/**
 * The p95 time to first byte of visitors' requests to the hostname over the window, as Cloudflare's
 * edge measured it (`edgeTimeToFirstByteMsP95`: from the request reaching the edge to the first byte
 * sent back, origin time included), and the origin's own p95 (`originResponseDurationMsP95`) to tell
 * a slow app from a slow edge. A separate query: zones whose plan does not expose the quantiles get a
 * GraphQL error, which must not cost the error rate.
 */
export const LATENCY_QUERY = `query GoliveLatency($zoneTag: string, $host: string, $since: Time, $until: Time) {
  viewer {
    zones(filter: { zoneTag: $zoneTag }) {
      latency: httpRequestsAdaptiveGroups(
        limit: 1
        filter: { clientRequestHTTPHost: $host, requestSource: "eyeball", datetime_geq: $since, datetime_lt: $until }
      ) {
        count
        quantiles {
          edgeTimeToFirstByteMsP95
          originResponseDurationMsP95
        }
      }
    }
  }
}`;

export function latencyRequestBody(zoneId: string, hostname: string, window: ErrorRateWindow): string {
  return JSON.stringify({
    ...JSON.parse(errorRateRequestBody(zoneId, hostname, window)),
    query: LATENCY_QUERY,
  });
}

export interface LatencyQuantiles {
  readonly requests: number;
  /** Absent when the window had no request. */
  readonly edgeTtfbP95Ms?: number;
  readonly originP95Ms?: number;
}

function nonNegative(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new AnalyticsResponseError(`"${field}" is not a duration in milliseconds`);
  }
  return value;
}

/**
 * The quantiles in a GraphQL answer.
 * @throws {AnalyticsResponseError} on GraphQL errors (quoted; a plan without the quantiles says so) or another shape.
 */
export function parseLatencyResponse(body: unknown, zoneId: string): LatencyQuantiles {
  if (typeof body !== "object" || body === null) {
    throw new AnalyticsResponseError("the analytics answer is not a JSON object");
  }
  const { data, errors } = body as { data?: unknown; errors?: unknown };
  if (Array.isArray(errors) && errors.length > 0) {
    const messages = errors
      .map((error) => (error as { message?: unknown } | null)?.message)
      .map((message) => (typeof message === "string" ? message : "unnamed error"));
    throw new AnalyticsResponseError(
      `Cloudflare analytics refused the latency query: ${messages.join("; ")} (quantiles need a zone plan that exposes them)`,
    );
  }
  const zones = (data as { viewer?: { zones?: unknown } } | null | undefined)?.viewer?.zones;
  if (!Array.isArray(zones) || zones.length === 0) {
    throw new AnalyticsResponseError(`the analytics answer has no zone ${zoneId}`);
  }
  const groups = (zones[0] as { latency?: unknown }).latency;
  if (!Array.isArray(groups)) throw new AnalyticsResponseError('the analytics answer has no "latency" list');
  if (groups.length === 0) return { requests: 0 };
  const group = groups[0] as { count?: unknown; quantiles?: Record<string, unknown> } | null;
  const requests = group?.count;
  if (typeof requests !== "number" || !Number.isInteger(requests) || requests < 0) {
    throw new AnalyticsResponseError('"latency" has no whole count');
  }
  const edge = nonNegative(group?.quantiles?.edgeTimeToFirstByteMsP95, "edgeTimeToFirstByteMsP95");
  const origin = nonNegative(group?.quantiles?.originResponseDurationMsP95, "originResponseDurationMsP95");
  return {
    requests,
    ...(edge !== undefined ? { edgeTtfbP95Ms: edge } : {}),
    ...(origin !== undefined ? { originP95Ms: origin } : {}),
  };
}
