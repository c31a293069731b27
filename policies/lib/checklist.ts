/**
 * The checklist (docs/checklist.md) as data: every item's ID, its requirement, and the facts about it
 * that change how the pack enforces it: mandatory in staging too (`both`), prod only, or critical
 * (never exemptable in prod).
 */

export const CHECKLIST_NAME = "golive-checklist";
export const CHECKLIST_VERSION = "1.0";

export const CHECKLIST_IDS = [
  "ENV-01",
  "ENV-02",
  "ENV-03",
  "ENV-04",
  "DB-01",
  "DB-02",
  "DB-03",
  "DB-04",
  "DB-05",
  "DB-06",
  "DB-07",
  "DB-08",
  "SEC-01",
  "SEC-02",
  "SEC-03",
  "SEC-04",
  "SEC-05",
  "SEC-06",
  "SEC-07",
  "EDGE-01",
  "EDGE-02",
  "EDGE-03",
  "EDGE-04",
  "EDGE-05",
  "EDGE-06",
  "EDGE-07",
  "EDGE-08",
  "EDGE-09",
  "CRON-01",
  "CRON-02",
  "CRON-03",
  "CRON-04",
  "ALERT-01",
  "ALERT-02",
  "ALERT-03",
  "ALERT-04",
  "ALERT-05",
  "ALERT-06",
  "ALERT-07",
  "BILL-01",
  "BILL-02",
  "OPS-01",
  "OPS-02",
] as const;

export type ChecklistId = (typeof CHECKLIST_IDS)[number];

export interface ChecklistItem {
  readonly id: ChecklistId;
  readonly requirement: string;
  /** Marked `both` in the checklist: mandatory in staging as well as prod. */
  readonly both: boolean;
  /** The item only exists in prod; in staging its policies report "not applicable". */
  readonly prodOnly: boolean;
  /** Critical in prod: an exemption can never waive it there. */
  readonly critical: boolean;
}

function item(
  id: ChecklistId,
  requirement: string,
  flags: { both?: boolean; prodOnly?: boolean; critical?: boolean } = {},
): ChecklistItem {
  return {
    id,
    requirement,
    both: flags.both ?? false,
    prodOnly: flags.prodOnly ?? false,
    critical: flags.critical ?? false,
  };
}

export const CHECKLIST: Readonly<Record<ChecklistId, ChecklistItem>> = {
  "ENV-01": item(
    "ENV-01",
    "staging and prod are separate: different Supabase projects, different AWS accounts, different hostnames; prod never references a staging resource",
  ),
  "ENV-02": item("ENV-02", "prod uses live third-party keys, staging uses test keys", { both: true }),
  "ENV-03": item("ENV-03", "every taggable resource carries app, environment, owner, cost-center tags"),
  "ENV-04": item(
    "ENV-04",
    "prod changes only inside the configured change window, unless a reasoned override is set",
    {
      prodOnly: true,
    },
  ),
  "DB-01": item("DB-01", "every table in an exposed schema has row level security enabled", {
    critical: true,
  }),
  "DB-02": item("DB-02", "connection pooling is configured (pool mode, pool size)"),
  "DB-03": item(
    "DB-03",
    "daily backups plus point-in-time recovery in prod; an off-site copy made by a scheduled job at least daily into an encrypted, versioned, non-public bucket with a lifecycle, a freshness alarm, and a restore drill at least weekly",
  ),
  "DB-04": item("DB-04", "the prod database and its backups cannot be deleted by a pulumi up", {
    prodOnly: true,
    critical: true,
  }),
  "DB-05": item(
    "DB-05",
    "database network access is restricted to listed CIDRs in prod, and SSL is enforced",
  ),
  "DB-06": item("DB-06", "database settings are declared, not clicked (statement timeout, memory settings)"),
  "DB-07": item("DB-07", "an audit trail for sensitive operations is enabled"),
  "DB-08": item("DB-08", "seed/test data is never applied to prod", { prodOnly: true }),
  "SEC-01": item(
    "SEC-01",
    "no secret value in plain text: not in stack files, resource inputs or stack outputs",
    {
      both: true,
      critical: true,
    },
  ),
  "SEC-02": item("SEC-02", "generated secrets are random, 32+ characters", { both: true }),
  "SEC-03": item("SEC-03", "a server secret never lands in a client-exposed variable", {
    both: true,
    critical: true,
  }),
  "SEC-04": item(
    "SEC-04",
    "secrets are stored encrypted with a customer-managed key, readable only by the roles that need them",
  ),
  "SEC-05": item("SEC-05", "generated secrets rotate at least every 90 days in prod", { prodOnly: true }),
  "SEC-06": item("SEC-06", "edge functions verify JWTs unless a function is declared public with a reason"),
  "SEC-07": item("SEC-07", "prod and staging never share a secret value"),
  "EDGE-01": item("EDGE-01", "HTTPS only: Always Use HTTPS, SSL Full (strict), minimum TLS 1.2, TLS 1.3 on", {
    both: true,
    critical: true,
  }),
  "EDGE-02": item("EDGE-02", "HSTS with max-age of at least 6 months and includeSubDomains"),
  "EDGE-03": item(
    "EDGE-03",
    "security headers: X-Frame-Options DENY, X-Content-Type-Options nosniff, Referrer-Policy strict-origin-when-cross-origin, a Permissions-Policy",
  ),
  "EDGE-04": item("EDGE-04", "rate limiting on API paths, with per-path thresholds"),
  "EDGE-05": item("EDGE-05", "admin paths reachable only from allow-listed IPs"),
  "EDGE-06": item(
    "EDGE-06",
    "static assets cached at the edge with explicit TTLs; API responses bypass the cache",
  ),
  "EDGE-07": item("EDGE-07", "compression (Brotli) on"),
  "EDGE-08": item(
    "EDGE-08",
    "app hostnames are proxied; the sending domain has SPF, DKIM and DMARC, DMARC not p=none in prod",
  ),
  "EDGE-09": item("EDGE-09", "a managed WAF ruleset is deployed where the plan allows"),
  "CRON-01": item("CRON-01", "every job has a valid schedule, a time zone, and a unique name", {
    both: true,
  }),
  "CRON-02": item(
    "CRON-02",
    "every job authenticates to its endpoint with the cron secret from the secret store",
    {
      both: true,
    },
  ),
  "CRON-03": item("CRON-03", "every job has a timeout, retries and a dead-letter queue"),
  "CRON-04": item("CRON-04", "every job's failure raises an alarm on an alert channel"),
  "ALERT-01": item(
    "ALERT-01",
    "an uptime check on the health endpoint, alarmed below the uptime target (99.9%)",
  ),
  "ALERT-02": item("ALERT-02", "a latency alarm (p95 above the configured threshold, 2 s by default)"),
  "ALERT-03": item("ALERT-03", "an error-rate alarm (above 1% by default)"),
  "ALERT-04": item("ALERT-04", "database alarms: connections > 80%, disk > 80%, CPU > 70%, memory > 80%"),
  "ALERT-05": item(
    "ALERT-05",
    "every alarm has an action, every action reaches a topic with a subscription; severities route to channels",
  ),
  "ALERT-06": item("ALERT-06", "alert topics are encrypted"),
  "ALERT-07": item("ALERT-07", "log retention is set: 30 days for debug logs, 365 days for audit logs"),
  "BILL-01": item("BILL-01", "a monthly budget per environment alerts at 80% of actual and 100% of forecast"),
  "BILL-02": item("BILL-02", "cost anomaly detection is on and routed to an alert channel"),
  "OPS-01": item("OPS-01", "stateful prod resources are protected from deletion and replacement", {
    prodOnly: true,
    critical: true,
  }),
  "OPS-02": item(
    "OPS-02",
    "a policy exemption needs a checklist ID, a reason, an owner and an expiry; expired exemptions fail; critical prod items cannot be exempted",
    { both: true },
  ),
};

export function isChecklistId(value: string): value is ChecklistId {
  return (CHECKLIST_IDS as readonly string[]).includes(value);
}

/** `docs/checklist.md#db-01`: where an item's component, policy and test are documented. */
export function checklistUrl(id: ChecklistId): string {
  return `docs/checklist.md#${id.toLowerCase()}`;
}

/** `DB` for `DB-01`. */
export function checklistArea(id: ChecklistId): string {
  return id.slice(0, id.indexOf("-"));
}
