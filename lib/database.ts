/**
 * What the Database component sends to Supabase, as pure functions: the `Settings` JSON blobs and
 * the Management API calls that cover what provider 1.10.1 does not apply (pooler, PITR).
 */
import { tieredLifecycleRules } from "./backup";
import type { DatabaseSource } from "./database-source";

/** Postgres accepts `30s`/`250ms`; prefer whole seconds when exact. */
export function postgresDuration(millis: number): string {
  return millis % 1000 === 0 ? `${millis / 1000}s` : `${Math.round(millis)}ms`;
}

function withoutUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

/** The `database` blob: declared Postgres settings (DB-06). Keys are Postgres GUC names. */
export function databaseSettings(config: DatabaseSource): Record<string, unknown> {
  const pg = config.postgres;
  return withoutUndefined({
    statement_timeout: postgresDuration(pg.statementTimeout),
    shared_buffers: pg.sharedBuffers,
    effective_cache_size: pg.effectiveCacheSize,
    work_mem: pg.workMem,
    maintenance_work_mem: pg.maintenanceWorkMem,
    max_connections: pg.maxConnections,
  });
}

/** The `api` blob: what PostgREST exposes. */
export function apiSettings(config: DatabaseSource): Record<string, unknown> {
  return {
    db_schema: config.api.schemas.join(","),
    db_extra_search_path: config.api.extraSearchPath.join(","),
    max_rows: config.api.maxRows,
  };
}

/**
 * The `auth` blob: site URL, redirect allow-list (pages and mobile deep links), password rules, and
 * Auth's SMTP when declared. `smtpPassword` is the provided secret's value; the caller keeps the
 * resulting blob secret.
 */
export function authSettings(config: DatabaseSource, smtpPassword?: string): Record<string, unknown> {
  const blob: Record<string, unknown> = {
    site_url: config.auth.siteUrl,
    uri_allow_list: config.auth.redirectUrls.join(","),
    password_min_length: config.auth.passwordMinLength,
    disable_signup: config.auth.disableSignup,
    jwt_exp: config.auth.jwtExpirySeconds,
  };
  const smtp = config.auth.smtp;
  if (!smtp) return blob;
  if (smtpPassword === undefined) {
    throw new Error(
      `Auth SMTP needs the value of ${smtp.passwordSecret} (golive:database.auth.smtp.passwordSecret)`,
    );
  }
  return {
    ...blob,
    smtp_host: smtp.host,
    // The Management API takes the port as a string.
    smtp_port: String(smtp.port),
    smtp_user: smtp.user,
    smtp_pass: smtpPassword,
    smtp_admin_email: smtp.senderEmail,
    ...(smtp.senderName !== undefined ? { smtp_sender_name: smtp.senderName } : {}),
    smtp_max_frequency: smtp.maxFrequencySeconds,
  };
}

/** The `edge function` call that pins JWT verification, which provider 1.10.1 cannot set (SEC-06). */
export function functionJwtRequest(slug: string, verifyJwt: boolean): ManagementRequest {
  return { method: "PATCH", path: `/functions/${slug}`, body: { verify_jwt: verifyJwt } };
}

/**
 * The `network` blob. An empty list lifts every restriction, which only staging may do (DB-05).
 * `runnerCidrs` are addresses of the stack's own runners (the backup task's NAT address), admitted
 * alongside the configured list so the stack never firewalls itself out.
 */
export function networkSettings(
  config: DatabaseSource,
  runnerCidrs: readonly string[] = [],
): Record<string, unknown> {
  const listed = config.network.allowedCidrs;
  return {
    restrictions:
      listed.length > 0
        ? [...listed, ...runnerCidrs.filter((cidr) => !listed.includes(cidr))]
        : ["0.0.0.0/0", "::/0"],
  };
}

/** The `pooler` blob. Provider 1.10.1 accepts it without applying it; see poolerRequest. */
export function poolerSettings(config: DatabaseSource): Record<string, unknown> {
  return { default_pool_size: config.pooler.defaultPoolSize, pool_mode: config.pooler.mode };
}

/** A Management API call golive makes where the provider has a gap. */
export interface ManagementRequest {
  readonly method: "PATCH" | "POST";
  /** Path below `/v1/projects/{ref}`. */
  readonly path: string;
  readonly body: Record<string, unknown>;
}

/** DB-02: pool mode and size, applied through the Management API because provider 1.10.1 ignores them. */
export function poolerRequest(config: DatabaseSource): ManagementRequest {
  return { method: "PATCH", path: "/config/database/pooler", body: poolerSettings(config) };
}

/** DB-03: the point-in-time recovery add-on; undefined when PITR is off. */
export function pitrRequest(config: DatabaseSource): ManagementRequest | undefined {
  const variant = config.backups.pointInTimeRecovery;
  if (variant === "off") return undefined;
  return { method: "PATCH", path: "/billing/addons", body: { addon_type: "pitr", addon_variant: variant } };
}

/** The API URL of a project. */
export function projectApiUrl(projectRef: string): string {
  return `https://${projectRef}.supabase.co`;
}

/** The placeholder getPooler returns in place of the password. */
export const POOLER_PASSWORD_PLACEHOLDER = "[YOUR-PASSWORD]";

/** Fill the pooler connection string's password placeholder (URL-encoded). */
export function poolerConnectionString(template: string, password: string): string {
  if (!template.includes(POOLER_PASSWORD_PLACEHOLDER)) {
    throw new Error(`the pooler connection string has no ${POOLER_PASSWORD_PLACEHOLDER} placeholder to fill`);
  }
  return template.replace(POOLER_PASSWORD_PLACEHOLDER, encodeURIComponent(password));
}

/** Lifecycle of the off-site backup bucket (DB-03): per tier prefix (lib/backup.ts), old versions too. */
export function backupLifecycleRules(config: DatabaseSource) {
  return tieredLifecycleRules(config);
}
