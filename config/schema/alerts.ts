/**
 * `golive:alerts`: where alarms go (email, PagerDuty, Slack through AWS Chatbot), the uptime and
 * latency targets, and log retention. Routing by severity is fixed (ALERT-05); config gives the
 * endpoints.
 */
import { AUDIT_RETENTION_MIN_DAYS, DEBUG_RETENTION_MIN_DAYS } from "../../lib/limits";
import { z } from "zod";
import type { AreaRuleIssue } from "./cdn";
import { isPlaceholder } from "../../lib/placeholders";
import { email, envVarName, example } from "./common";

/** Retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Regions Route 53 health checkers run from. */
export const HEALTH_CHECK_REGIONS = [
  "us-east-1",
  "us-west-1",
  "us-west-2",
  "eu-west-1",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-northeast-1",
  "sa-east-1",
] as const;

/** Regions that serve the AWS Chatbot API (it has no us-east-1 endpoint). */
export const CHATBOT_API_REGIONS = ["us-east-2", "us-west-2", "eu-west-1", "ap-southeast-1"] as const;

const retention = (fallback: number) =>
  example(
    z.literal(LOG_RETENTION_DAYS, {
      error: `must be one of the retention periods CloudWatch accepts: ${LOG_RETENTION_DAYS.join(", ")}`,
    }),
    String(fallback),
  ).default(fallback as (typeof LOG_RETENTION_DAYS)[number]);

const emailSchema = z.strictObject({
  /** Who is emailed for critical alarms; `golive:app.owner` when absent. */
  critical: z.array(email).optional(),
  /** Who is emailed for warnings; `golive:app.owner` when absent. */
  warning: z.array(email).optional(),
});

const pagerDutySchema = z.strictObject({
  /**
   * The name of an operator secret (declared in `golive:secrets.provided`, value in
   * `golive:providedSecrets`) holding PagerDuty's CloudWatch integration URL, so the URL stays a
   * Pulumi secret from the stack file to the SNS subscription.
   */
  integrationUrlSecret: envVarName,
});

const slackSchema = z.strictObject({
  /** The Slack workspace id, as authorised in the AWS Chatbot console (T…). */
  teamId: example(
    z.string().regex(/^T[A-Z0-9]{8,}$/, "must be a Slack team id such as T07EA123LEP"),
    "T07EA123LEP",
  ),
  /** The channel id (C… or G…), not its name. */
  channelId: example(
    z.string().regex(/^[CG][A-Z0-9]{8,}$/, "must be a Slack channel id such as C07EZ1ABC23 (not #name)"),
    "C07EZ1ABC23",
  ),
  /** Where the Chatbot configuration is managed. */
  apiRegion: example(z.enum(CHATBOT_API_REGIONS), "us-east-2").default("us-east-2"),
});

const uptimeSchema = z.strictObject({
  /**
   * The uptime objective over 30 days (ALERT-01): its error budget is `100 - target` percent of the
   * time; burn-rate alarms page when an hour spends 2% of it and warn when 6 hours spend 5%.
   */
  targetPercent: example(
    z.number().gt(0, "must be above 0").lt(100, "must be below 100: a 100% target alarms on any blip"),
    "99.9",
  ).default(99.9),
  /** Seconds between checks from each checker: 10 (fast, billed extra) or 30. */
  requestIntervalSeconds: example(z.literal([10, 30], { error: "must be 10 or 30" }), "30").default(30),
  failureThreshold: z.number().int().min(1).max(10).default(3),
  /** Checker regions; Route 53's default set when absent (at least 3 when listed). */
  regions: z
    .array(z.enum(HEALTH_CHECK_REGIONS))
    .min(3, "Route 53 needs at least 3 checker regions")
    .optional(),
});

const latencySchema = z.strictObject({
  /**
   * Alarm when the p95 time to first byte of visitors' requests at Cloudflare's edge is above this
   * (ALERT-02), read by the metrics collector (needs errorRate.analyticsTokenSecretName).
   */
  p95Seconds: example(z.number().positive("must be above 0").max(60), "2").default(2),
  periodSeconds: example(z.literal([60, 300], { error: "must be 60 or 300" }), "300").default(300),
  evaluationPeriods: z.number().int().min(1).max(24).default(3),
});

const logGroupSchema = z.strictObject({
  /** Short name: the group is `/<app>/<environment>/<name>`, audit groups end in `/audit`. */
  name: example(
    z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, "must be a lowercase name (a-z, 0-9, '-')"),
    "app",
  ),
  class: example(z.enum(["debug", "audit"], { error: "must be debug or audit" }), "debug"),
});

const logsSchema = z.strictObject({
  debugRetentionDays: retention(DEBUG_RETENTION_MIN_DAYS),
  auditRetentionDays: retention(AUDIT_RETENTION_MIN_DAYS),
  groups: z.array(logGroupSchema).default([
    { name: "app", class: "debug" },
    { name: "app", class: "audit" },
  ]),
});

/** ALERT-03 and ALERT-04: the checklist's thresholds, which prod may not exceed. */
export const CHECKLIST_THRESHOLDS = {
  errorRatePercent: 1,
  connectionsPercent: 80,
  diskPercent: 80,
  cpuPercent: 70,
  memoryPercent: 80,
} as const;

const percentThreshold = (fallback: number) =>
  example(
    z.number().gt(0, "must be above 0 (a percentage)").max(100, "must be at most 100 (a percentage)"),
    String(fallback),
  ).default(fallback);

/** Alarm above these percentages (ALERT-03, ALERT-04); prod may not set them higher. */
const thresholdsSchema = z.strictObject({
  /** Share of requests answered 5xx at the edge. */
  errorRatePercent: percentThreshold(CHECKLIST_THRESHOLDS.errorRatePercent),
  /** Database connections in use, of max_connections. */
  connectionsPercent: percentThreshold(CHECKLIST_THRESHOLDS.connectionsPercent),
  /** Database volume in use. */
  diskPercent: percentThreshold(CHECKLIST_THRESHOLDS.diskPercent),
  /** Database machine CPU busy. */
  cpuPercent: percentThreshold(CHECKLIST_THRESHOLDS.cpuPercent),
  /** Database machine memory in use. */
  memoryPercent: percentThreshold(CHECKLIST_THRESHOLDS.memoryPercent),
});

const errorRateSchema = z.strictObject({
  /**
   * The name of an operator secret (declared in `golive:secrets.provided`) holding a Cloudflare API
   * token with Analytics Read on the zone. Without it no error rate is collected (ALERT-03 fails).
   */
  analyticsTokenSecretName: envVarName.optional(),
  /** Fewer requests than this in the 5-minute window publish no error rate: quiet nights do not alarm. */
  minRequests: example(z.number().int().min(1).max(1_000_000), "100").default(100),
});

/** `golive:alerts`. */
export const alertsSchema = z
  .strictObject({
    email: emailSchema.prefault({}),
    pagerDuty: pagerDutySchema.optional(),
    slack: slackSchema.optional(),
    uptime: uptimeSchema.prefault({}),
    latency: latencySchema.prefault({}),
    logs: logsSchema.prefault({}),
    thresholds: thresholdsSchema.prefault({}),
    errorRate: errorRateSchema.prefault({}),
  })
  .superRefine((alerts, ctx) => {
    const seen = new Set<string>();
    alerts.logs.groups.forEach((group, index) => {
      const id = `${group.name}/${group.class}`;
      if (seen.has(id)) {
        ctx.addIssue({
          code: "custom",
          path: ["logs", "groups", index],
          message: `the ${group.class} log group "${group.name}" is listed twice`,
        });
      }
      seen.add(id);
    });
  });

export type AlertsConfig = z.infer<typeof alertsSchema>;

/** Email recipients per severity, with the app owner as the default. */
export function alertEmails(alerts: AlertsConfig, owner: string): { critical: string[]; warning: string[] } {
  return {
    critical: alerts.email.critical ?? [owner],
    warning: alerts.email.warning ?? [owner],
  };
}

/**
 * Operator secrets that hold URLs, read from the raw `golive:alerts` value: offline plans fill them
 * with a URL-shaped placeholder, so the program builds what a real URL would give.
 */
export function urlSecretNames(rawAlerts: unknown): string[] {
  if (typeof rawAlerts !== "object" || rawAlerts === null) return [];
  const pagerDuty = (rawAlerts as { pagerDuty?: { integrationUrlSecret?: unknown } }).pagerDuty;
  const name = pagerDuty?.integrationUrlSecret;
  return typeof name === "string" ? [name] : [];
}

function isHttpsUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "https:" && url.hostname.length > 0;
  } catch {
    return false;
  }
}

/** Rules of `golive:alerts` that depend on the environment or other areas. Never prints a secret. */
export function checkAlertsRules(
  alerts: AlertsConfig,
  context: {
    readonly environment: "staging" | "prod";
    readonly owner: string;
    readonly providedSecretNames: readonly string[];
    readonly providedValues: Readonly<Record<string, string>>;
  },
): AreaRuleIssue[] {
  const issues: AreaRuleIssue[] = [];
  const push = (key: string, message: string, fix?: string) => issues.push({ key, message, fix });
  const emails = alertEmails(alerts, context.owner);

  // ALERT-05: an alarm's action must reach someone, in every environment.
  const hasChat = alerts.slack !== undefined;
  if (emails.critical.length === 0 && !hasChat && !alerts.pagerDuty) {
    push(
      "golive:alerts.email.critical",
      "critical alarms would reach nobody: list an email or configure a channel",
    );
  }
  if (emails.warning.length === 0 && !hasChat) {
    push("golive:alerts.email.warning", "warnings would reach nobody: list an email or configure Slack");
  }

  const secretName = alerts.pagerDuty?.integrationUrlSecret;
  if (secretName !== undefined) {
    const key = "golive:alerts.pagerDuty.integrationUrlSecret";
    if (!context.providedSecretNames.includes(secretName)) {
      push(
        key,
        `${secretName} is not declared in golive:secrets.provided; declare it, then set its value with --secret`,
        `pulumi config set --path 'golive:secrets.provided[${context.providedSecretNames.length}].name' ${secretName}`,
      );
    } else {
      const value = context.providedValues[secretName];
      // A placeholder (unknown offline) is checked by the deploy-time run, which sees the value.
      if (value !== undefined && !isPlaceholder(value) && !isHttpsUrl(value)) {
        push(
          `golive:providedSecrets.${secretName}`,
          "must be PagerDuty's https:// integration URL for Amazon CloudWatch (the value is not shown)",
          `pulumi config set --secret --path 'golive:providedSecrets.${secretName}' <url>`,
        );
      }
    }
  }

  const tokenSecret = alerts.errorRate.analyticsTokenSecretName;
  if (tokenSecret !== undefined && !context.providedSecretNames.includes(tokenSecret)) {
    push(
      "golive:alerts.errorRate.analyticsTokenSecretName",
      `${tokenSecret} is not declared in golive:secrets.provided; declare it, then set the Cloudflare token with --secret`,
      `pulumi config set --path 'golive:secrets.provided[${context.providedSecretNames.length}].name' ${tokenSecret}`,
    );
  }

  if (context.environment !== "prod") return issues;

  for (const [name, limit] of Object.entries(CHECKLIST_THRESHOLDS)) {
    const value = alerts.thresholds[name as keyof typeof CHECKLIST_THRESHOLDS];
    if (value > limit) {
      push(
        `golive:alerts.thresholds.${name}`,
        `prod alarms at ${limit}% at the latest (${name === "errorRatePercent" ? "ALERT-03" : "ALERT-04"}); it is ${value}`,
        `pulumi config set --path 'golive:alerts.thresholds.${name}' ${limit}`,
      );
    }
  }

  if (!alerts.pagerDuty) {
    push(
      "golive:alerts.pagerDuty",
      "prod critical alarms must page (ALERT-05): name the operator secret holding the PagerDuty integration URL",
      "pulumi config set --path 'golive:alerts.pagerDuty.integrationUrlSecret' PAGERDUTY_CLOUDWATCH_URL",
    );
  }
  if (!alerts.slack) {
    push(
      "golive:alerts.slack",
      "prod alarms go to chat (ALERT-05): set the Slack team and channel ids of the AWS Chatbot workspace",
      "pulumi config set --path 'golive:alerts.slack.teamId' T07EA123LEP, then channelId",
    );
  }
  if (emails.critical.length === 0) {
    push(
      "golive:alerts.email.critical",
      "prod critical alarms also go to email (ALERT-05); list at least one address",
    );
  }
  if (emails.warning.length === 0) {
    push(
      "golive:alerts.email.warning",
      "prod warnings also go to email (ALERT-05); list at least one address",
    );
  }
  if (alerts.logs.debugRetentionDays < DEBUG_RETENTION_MIN_DAYS) {
    push(
      "golive:alerts.logs.debugRetentionDays",
      `prod keeps debug logs ${DEBUG_RETENTION_MIN_DAYS} days (ALERT-07)`,
      `pulumi config set --path 'golive:alerts.logs.debugRetentionDays' ${DEBUG_RETENTION_MIN_DAYS}`,
    );
  }
  if (alerts.logs.auditRetentionDays < AUDIT_RETENTION_MIN_DAYS) {
    push(
      "golive:alerts.logs.auditRetentionDays",
      `prod keeps audit logs at least ${AUDIT_RETENTION_MIN_DAYS} days (ALERT-07)`,
      `pulumi config set --path 'golive:alerts.logs.auditRetentionDays' ${AUDIT_RETENTION_MIN_DAYS}`,
    );
  }
  return issues;
}
