/**
 * Metrics collector Lambda (Node.js 20), run every minute by an EventBridge rule.
 *
 * 1. Reads the environment's secret (cached for a while, so rotation is picked up): the Supabase
 *    secret API key (`sb_secret_…`; the legacy service role key when only that is configured) and,
 *    when configured, the Cloudflare analytics token.
 * 2. Scrapes `https://<ref>.supabase.co/customer/v1/privileged/metrics` with basic auth
 *    `service_role:<key>`, as Supabase documents for its Metrics API, and publishes connections, disk, CPU and memory use in percent
 *    (namespace `golive/database`, dimension `ProjectRef`).
 * 3. Asks Cloudflare's GraphQL Analytics API for the hostname's requests and 5xx answers over the
 *    last minutes and publishes the counts and, above a minimum of requests, the error rate in
 *    percent (namespace `golive/app`, dimension `Hostname`).
 *
 * Metrics are EMF lines on stdout. When a source cannot be read, the other is still published, then
 * the invocation throws, so the function's Errors alarm fires. Secrets never appear in logs.
 */
import { getSecretFromSecretsManager } from "../shared/secrets-manager";
import {
  CLOUDFLARE_GRAPHQL_URL,
  errorRatePercent,
  errorRateRequestBody,
  errorRateWindow,
  latencyRequestBody,
  parseErrorRateResponse,
  parseLatencyResponse,
  type LatencyQuantiles,
  type RequestCounts,
} from "./cloudflare";
import { databaseMetrics, type CpuSample, type DatabaseMetrics } from "./database";
import { emfLine } from "./emf";
import {
  ANALYTICS_LAG_MINUTES,
  APP_DIMENSION,
  APP_NAMESPACE,
  DATABASE_DIMENSION,
  DATABASE_NAMESPACE,
  ENV,
  ERROR_RATE_WINDOW_MINUTES,
  METRIC,
} from "./names";
import { parsePrometheusText } from "./prometheus";

export const USER_AGENT = "golive-metrics-collector/1";
export const DEFAULT_SECRET_TTL_MS = 5 * 60_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
export const DEFAULT_MIN_REQUESTS = 100;
export const SUPABASE_METRICS_PATH = "/customer/v1/privileged/metrics";
const ERROR_BODY_LIMIT = 300;

export interface MetricsCollectorDeps {
  /** Returns the secret's string value (a JSON object of server secrets). */
  getSecret(secretId: string): Promise<string>;
  fetch?: typeof fetch;
  now?: () => Date;
  /** Receives each log line; the default writes it to stdout, where CloudWatch reads EMF. */
  log?: (line: string) => void;
  /** Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** The project's API origin; default `https://<ref>.supabase.co`. */
  supabaseBaseUrl?: (projectRef: string) => string;
  /** Default {@link CLOUDFLARE_GRAPHQL_URL}. */
  cloudflareGraphqlUrl?: string;
  secretTtlMs?: number;
  requestTimeoutMs?: number;
}

export interface MetricsCollectorResult {
  readonly database?: Omit<DatabaseMetrics, "cpu">;
  readonly app?: RequestCounts & { readonly errorRatePercent?: number };
  readonly latency?: LatencyQuantiles;
}

export type MetricsCollectorHandler = (event?: unknown) => Promise<MetricsCollectorResult>;

/** Settings read from the function's environment. */
export interface CollectorSettings {
  readonly secretId: string;
  /** Where the secret API key is stored in the secret; preferred. */
  readonly secretKeyName?: string;
  /** Where the legacy service role key is stored; the fallback. */
  readonly serviceRoleKeyName?: string;
  readonly projectRef: string;
  readonly analytics?: {
    readonly tokenName: string;
    readonly zoneId: string;
    readonly hostname: string;
    readonly minRequests: number;
  };
}

export class CollectorConfigError extends Error {
  override readonly name = "CollectorConfigError";
}

/** @throws {CollectorConfigError} naming the variable that is missing or wrong. */
export function readSettings(env: Readonly<Record<string, string | undefined>>): CollectorSettings {
  const need = (key: string): string => {
    const value = env[key]?.trim();
    if (!value) throw new CollectorConfigError(`the function environment has no ${key}; redeploy the stack`);
    return value;
  };
  const projectRef = need(ENV.projectRef);
  // A DNS label: the ref becomes the host name <ref>.supabase.co.
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(projectRef)) {
    throw new CollectorConfigError(`${ENV.projectRef} "${projectRef}" is not a Supabase project ref`);
  }
  const secretKeyName = env[ENV.secretKeyName]?.trim() || undefined;
  const serviceRoleKeyName = env[ENV.serviceRoleKeyName]?.trim() || undefined;
  if (secretKeyName === undefined && serviceRoleKeyName === undefined) {
    throw new CollectorConfigError(
      `the function environment has neither ${ENV.secretKeyName} nor ${ENV.serviceRoleKeyName}; redeploy the stack`,
    );
  }
  const settings = {
    secretId: need(ENV.secretId),
    ...(secretKeyName !== undefined ? { secretKeyName } : {}),
    ...(serviceRoleKeyName !== undefined ? { serviceRoleKeyName } : {}),
    projectRef,
  };
  const tokenName = env[ENV.analyticsTokenName]?.trim();
  if (!tokenName) return settings;
  const minText = env[ENV.minRequests]?.trim();
  const minRequests = minText ? Number(minText) : DEFAULT_MIN_REQUESTS;
  if (!Number.isInteger(minRequests) || minRequests < 1) {
    throw new CollectorConfigError(`${ENV.minRequests} "${minText}" must be a whole number of at least 1`);
  }
  return {
    ...settings,
    analytics: { tokenName, zoneId: need(ENV.zoneId), hostname: need(ENV.hostname), minRequests },
  };
}

class SourceError extends Error {
  constructor(
    readonly source: "secret" | "supabase" | "cloudflare",
    message: string,
    readonly authRefused = false,
  ) {
    super(message);
  }
}

function redact(text: string, secrets: readonly string[]): string {
  return secrets.reduce((out, secret) => (secret === "" ? out : out.split(secret).join("[redacted]")), text);
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? `${error.message} (${error.cause.message})` : error.message;
}

/**
 * Builds the collector with its collaborators injected. The returned handler keeps the secret
 * cache and the previous CPU sample in its closure, so a warm instance computes CPU from two scrapes.
 */
export function createHandler(deps: MetricsCollectorDeps): MetricsCollectorHandler {
  const fetchImpl = deps.fetch ?? fetch;
  const now = deps.now ?? (() => new Date());
  const log = deps.log ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const env = deps.env ?? process.env;
  const supabaseBaseUrl = deps.supabaseBaseUrl ?? ((ref: string) => `https://${ref}.supabase.co`);
  const graphqlUrl = deps.cloudflareGraphqlUrl ?? CLOUDFLARE_GRAPHQL_URL;
  const secretTtlMs = deps.secretTtlMs ?? DEFAULT_SECRET_TTL_MS;
  const timeoutMs = deps.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  let cachedSecret: { id: string; values: Record<string, unknown>; readAt: number } | undefined;
  let previousCpu: CpuSample | undefined;

  async function secretValues(secretId: string): Promise<Record<string, unknown>> {
    const at = now().getTime();
    if (cachedSecret?.id === secretId && at - cachedSecret.readAt < secretTtlMs) return cachedSecret.values;
    let text: string;
    try {
      text = await deps.getSecret(secretId);
    } catch (error) {
      throw new SourceError(
        "secret",
        `could not read secret "${secretId}" (${describeError(error)}); check that it exists and the function's role may read it`,
      );
    }
    let values: unknown;
    try {
      values = JSON.parse(text);
    } catch {
      // JSON.parse quotes its input; never pass that on.
      throw new SourceError("secret", `secret "${secretId}" is not valid JSON`);
    }
    if (typeof values !== "object" || values === null || Array.isArray(values)) {
      throw new SourceError("secret", `secret "${secretId}" is not a JSON object`);
    }
    cachedSecret = { id: secretId, values: values as Record<string, unknown>, readAt: at };
    return cachedSecret.values;
  }

  function secretString(values: Record<string, unknown>, secretId: string, key: string): string {
    const value = values[key];
    if (typeof value !== "string" || value === "") {
      throw new SourceError("secret", `secret "${secretId}" has no non-empty string under "${key}"`);
    }
    return value;
  }

  /**
   * The key for the metrics endpoint: the secret API key when one is configured and stored, else the
   * legacy service role key when that is configured. A value under the secret-key name that is not
   * an `sb_secret_` key is refused rather than sent.
   */
  function supabaseKey(values: Record<string, unknown>, settings: CollectorSettings): string {
    const { secretId, secretKeyName, serviceRoleKeyName } = settings;
    const stored = secretKeyName !== undefined ? values[secretKeyName] : undefined;
    if (typeof stored === "string" && stored !== "") {
      if (!stored.startsWith("sb_secret_")) {
        throw new SourceError(
          "secret",
          `secret "${secretId}" holds under "${secretKeyName}" something other than a Supabase secret API key (sb_secret_…)`,
        );
      }
      return stored;
    }
    if (serviceRoleKeyName !== undefined) return secretString(values, secretId, serviceRoleKeyName);
    return secretString(values, secretId, secretKeyName!);
  }

  async function request(
    source: "supabase" | "cloudflare",
    url: string,
    init: RequestInit,
    secret: string,
  ): Promise<Response> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    const target = `${init.method ?? "GET"} ${new URL(url).origin}${new URL(url).pathname}`;
    try {
      const response = await fetchImpl(url, { ...init, redirect: "manual", signal: controller.signal });
      if (!response.ok) {
        const body = redact((await response.text()).slice(0, ERROR_BODY_LIMIT), [secret]).trim();
        const refused = response.status === 401 || response.status === 403;
        const hint = refused
          ? source === "supabase"
            ? " The endpoint refused the key: check the secret API key (sb_secret_…) in the environment's secret."
            : " Cloudflare refused the token: it needs Analytics Read on the zone."
          : "";
        throw new SourceError(
          source,
          `${target} answered ${response.status}${body === "" ? "" : `: ${body}`}.${hint}`,
          refused,
        );
      }
      return response;
    } catch (error) {
      if (error instanceof SourceError) throw error;
      if (controller.signal.aborted) {
        throw new SourceError(source, `${target} did not answer within ${timeoutMs / 1000} s`);
      }
      throw new SourceError(source, `${target} failed: ${redact(describeError(error), [secret])}`);
    } finally {
      clearTimeout(timer);
    }
  }

  async function collectDatabase(settings: CollectorSettings, key: string, atMs: number) {
    const url = `${supabaseBaseUrl(settings.projectRef).replace(/\/+$/, "")}${SUPABASE_METRICS_PATH}`;
    const response = await request(
      "supabase",
      url,
      {
        method: "GET",
        headers: {
          authorization: `Basic ${Buffer.from(`service_role:${key}`).toString("base64")}`,
          accept: "text/plain",
          "user-agent": USER_AGENT,
        },
      },
      key,
    );
    const text = await response.text();
    try {
      const metrics = databaseMetrics(parsePrometheusText(text), previousCpu, atMs);
      previousCpu = metrics.cpu;
      return metrics;
    } catch (error) {
      throw new SourceError("supabase", `${url}: ${describeError(error)}`);
    }
  }

  async function queryAnalytics<T>(
    analytics: NonNullable<CollectorSettings["analytics"]>,
    token: string,
    body: string,
    parse: (answer: unknown, zoneId: string) => T,
  ): Promise<T> {
    const response = await request(
      "cloudflare",
      graphqlUrl,
      {
        method: "POST",
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": "application/json",
          accept: "application/json",
          "user-agent": USER_AGENT,
        },
        body,
      },
      token,
    );
    let answer: unknown;
    try {
      answer = await response.json();
    } catch {
      throw new SourceError("cloudflare", `${graphqlUrl} answered something other than JSON`);
    }
    try {
      return parse(answer, analytics.zoneId);
    } catch (error) {
      throw new SourceError("cloudflare", redact(describeError(error), [token]));
    }
  }

  function analyticsWindow(at: Date) {
    return errorRateWindow(at, ERROR_RATE_WINDOW_MINUTES, ANALYTICS_LAG_MINUTES);
  }

  return async function metricsCollector(): Promise<MetricsCollectorResult> {
    const settings = readSettings(env);
    const at = now();
    const atMs = at.getTime();
    const values = await secretValues(settings.secretId);
    const key = supabaseKey(values, settings);
    const analytics = settings.analytics;
    let token: string | undefined;
    // A missing token fails only the error rate; the database metrics are still published.
    const readToken = (): string | undefined => {
      if (!analytics) return undefined;
      token = secretString(values, settings.secretId, analytics.tokenName);
      return token;
    };
    const collectAppIfConfigured = async (): Promise<RequestCounts | undefined> => {
      const secret = readToken();
      if (!analytics || secret === undefined) return undefined;
      const body = errorRateRequestBody(analytics.zoneId, analytics.hostname, analyticsWindow(at));
      return queryAnalytics(analytics, secret, body, parseErrorRateResponse);
    };
    const collectLatencyIfConfigured = async (): Promise<LatencyQuantiles | undefined> => {
      const secret = readToken();
      if (!analytics || secret === undefined) return undefined;
      const body = latencyRequestBody(analytics.zoneId, analytics.hostname, analyticsWindow(at));
      return queryAnalytics(analytics, secret, body, parseLatencyResponse);
    };

    const [database, app, latency] = await Promise.allSettled([
      collectDatabase(settings, key, atMs),
      collectAppIfConfigured(),
      collectLatencyIfConfigured(),
    ]);

    const result: {
      database?: MetricsCollectorResult["database"];
      app?: MetricsCollectorResult["app"];
      latency?: MetricsCollectorResult["latency"];
    } = {};
    if (database.status === "fulfilled") {
      const metrics = database.value;
      log(
        emfLine({
          namespace: DATABASE_NAMESPACE,
          dimension: DATABASE_DIMENSION,
          dimensionValue: settings.projectRef,
          timestampMs: atMs,
          metrics: [
            { name: METRIC.connections, unit: "Percent", value: metrics.connectionsPercent },
            { name: METRIC.disk, unit: "Percent", value: metrics.diskPercent },
            { name: METRIC.memory, unit: "Percent", value: metrics.memoryPercent },
            ...(metrics.cpuPercent !== undefined
              ? [{ name: METRIC.cpu, unit: "Percent" as const, value: metrics.cpuPercent }]
              : []),
          ],
          properties: metrics.cpuSkipped ? { cpuSkipped: metrics.cpuSkipped } : {},
        }),
      );
      const { cpu: _cpu, ...published } = metrics;
      result.database = published;
    }
    if (app.status === "fulfilled" && app.value !== undefined && analytics) {
      const counts = app.value;
      const rate = errorRatePercent(counts, analytics.minRequests);
      log(
        emfLine({
          namespace: APP_NAMESPACE,
          dimension: APP_DIMENSION,
          dimensionValue: analytics.hostname,
          timestampMs: atMs,
          metrics: [
            { name: METRIC.requests, unit: "Count", value: counts.requests },
            { name: METRIC.serverErrors, unit: "Count", value: counts.serverErrors },
            ...(rate !== undefined
              ? [{ name: METRIC.errorRate, unit: "Percent" as const, value: rate }]
              : []),
          ],
          properties: {
            windowMinutes: ERROR_RATE_WINDOW_MINUTES,
            ...(rate === undefined
              ? { errorRateSkipped: `fewer than ${analytics.minRequests} requests` }
              : {}),
          },
        }),
      );
      result.app = { ...counts, ...(rate !== undefined ? { errorRatePercent: rate } : {}) };
    }

    if (latency.status === "fulfilled" && latency.value !== undefined && analytics) {
      const quantiles = latency.value;
      // A p95 of a handful of requests is noise: below the minimum, nothing is published.
      const enough = quantiles.requests >= analytics.minRequests;
      const metrics = [
        ...(enough && quantiles.edgeTtfbP95Ms !== undefined
          ? [{ name: METRIC.edgeTtfbP95, unit: "Milliseconds" as const, value: quantiles.edgeTtfbP95Ms }]
          : []),
        ...(enough && quantiles.originP95Ms !== undefined
          ? [{ name: METRIC.originP95, unit: "Milliseconds" as const, value: quantiles.originP95Ms }]
          : []),
      ];
      if (metrics.length > 0) {
        log(
          emfLine({
            namespace: APP_NAMESPACE,
            dimension: APP_DIMENSION,
            dimensionValue: analytics.hostname,
            timestampMs: atMs,
            metrics,
            properties: { windowMinutes: ERROR_RATE_WINDOW_MINUTES, latencyRequests: quantiles.requests },
          }),
        );
      } else {
        log(
          JSON.stringify({
            level: "info",
            latencySkipped: `${quantiles.requests} requests in the window, fewer than ${analytics.minRequests}`,
          }),
        );
      }
      result.latency = quantiles;
    }

    const failures = [database, app, latency]
      .filter((outcome): outcome is PromiseRejectedResult => outcome.status === "rejected")
      .map((outcome) => outcome.reason as unknown);
    if (failures.length > 0) {
      // A refused credential may have been rotated: read the secret afresh next minute.
      if (failures.some((failure) => failure instanceof SourceError && failure.authRefused))
        cachedSecret = undefined;
      const message = failures
        .map((failure) =>
          failure instanceof SourceError ? `${failure.source}: ${failure.message}` : describeError(failure),
        )
        .join("; ");
      const secrets = [key, ...(token !== undefined ? [token] : [])];
      log(JSON.stringify({ level: "error", message: redact(message, secrets) }));
      throw new Error(`metrics collector: ${redact(message, secrets)}`);
    }
    return result;
  };
}

/** The Lambda entry point (`index.handler` in the bundle). */
export const handler: MetricsCollectorHandler = createHandler({ getSecret: getSecretFromSecretsManager });
