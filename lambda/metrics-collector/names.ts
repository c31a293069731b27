/**
 * The metrics the collector publishes and the environment it reads. Shared by the Lambda (bundled)
 * and the infrastructure code that makes the alarms, so both name the same metrics. No imports:
 * this file is safe to load anywhere.
 */

/** Database metrics, dimension {@link DATABASE_DIMENSION} = the Supabase project ref. */
export const DATABASE_NAMESPACE = "golive/database";
export const DATABASE_DIMENSION = "ProjectRef";

/** App metrics from the CDN, dimension {@link APP_DIMENSION} = the app's hostname. */
export const APP_NAMESPACE = "golive/app";
export const APP_DIMENSION = "Hostname";

/** Metric names, in percent (0-100) except the request counts and the latencies (milliseconds). */
export const METRIC = {
  connections: "ConnectionsUsedPercent",
  disk: "DiskUsedPercent",
  cpu: "CpuBusyPercent",
  memory: "MemoryUsedPercent",
  requests: "Requests",
  serverErrors: "ServerErrors",
  errorRate: "ErrorRatePercent",
  /** p95 time to first byte of visitors' requests at the edge over the window (Cloudflare). */
  edgeTtfbP95: "EdgeTimeToFirstByteP95",
  /** p95 time the origin took to answer, over the same requests. */
  originP95: "OriginResponseDurationP95",
} as const;

/** Environment variables of the function. */
export const ENV = {
  /** Secrets Manager secret (ARN or name) holding the environment's server secrets as JSON. */
  secretId: "METRICS_SECRET_ID",
  /**
   * Key of the project's secret API key (`sb_secret_…`) in that JSON object: what Supabase documents
   * for the metrics endpoint (basic auth `service_role:<secret key>`).
   */
  secretKeyName: "METRICS_SECRET_KEY_NAME",
  /** Key of the legacy service role key (a JWT): used only when no secret API key is configured or stored. */
  serviceRoleKeyName: "METRICS_SERVICE_ROLE_KEY_NAME",
  /** The Supabase project ref: `https://<ref>.supabase.co`. */
  projectRef: "METRICS_PROJECT_REF",
  /** Key of the Cloudflare analytics token in the secret; absent: no error rate is collected. */
  analyticsTokenName: "METRICS_ANALYTICS_TOKEN_NAME",
  /** Cloudflare zone id of the app's hostname. */
  zoneId: "METRICS_ZONE_ID",
  /** The app's hostname, as Cloudflare sees it in the Host header. */
  hostname: "METRICS_APP_HOSTNAME",
  /** Fewer requests than this in the window: no error rate is published. */
  minRequests: "METRICS_ERROR_RATE_MIN_REQUESTS",
} as const;

/** The error rate covers this many minutes, ending {@link ANALYTICS_LAG_MINUTES} ago. */
export const ERROR_RATE_WINDOW_MINUTES = 5;
/** Cloudflare's analytics trail real time by up to a few minutes; a fresher window undercounts. */
export const ANALYTICS_LAG_MINUTES = 3;
