/**
 * The checklist's limits and golive's defaults, each in one place: config/ validates against them,
 * components/ and lib/ build with them, and the pack (policies/) enforces them. Messages and
 * remediation texts interpolate these constants rather than repeat the numbers.
 */

/** EDGE-02 ("HSTS max-age of at least 6 months", checklist.md): the prod floor, 180 days. */
export const HSTS_MIN_SECONDS = 15_552_000;
/** EDGE-02: golive's default HSTS max-age, one year (golive's choice, above the floor). */
export const HSTS_DEFAULT_SECONDS = 31_536_000;
/** EDGE-02: the largest HSTS max-age golive accepts, two years (hstspreload.org's recommended value). */
export const HSTS_MAX_SECONDS = 63_072_000;

/** CRON-03: AWS Lambda's hard timeout limit (900 s, the Lambda quotas page); the cron invoker is a Lambda. */
export const LAMBDA_MAX_TIMEOUT_SECONDS = 900;

/** SEC-05 ("generated secrets rotate at least every 90 days in prod", checklist.md): the prod maximum. */
export const SECRET_ROTATION_MAX_DAYS = 90;

/** DB-03 ("point-in-time recovery in prod"): Supabase's PITR add-on variants (days of WAL kept). */
export const PITR_ADDON_VARIANTS = ["pitr_7", "pitr_14", "pitr_28"] as const;
/** DB-03: `golive:database.backups.pointInTimeRecovery`: a PITR variant, or "off" (not in prod). */
export const PITR_VARIANTS = ["off", ...PITR_ADDON_VARIANTS] as const;

/** ALERT-07 ("30 days for debug logs", checklist.md): the prod floor of debug log retention. */
export const DEBUG_RETENTION_MIN_DAYS = 30;
/** ALERT-07 ("365 days for audit logs") and DB-07's audit trail: the prod floor of audit log retention. */
export const AUDIT_RETENTION_MIN_DAYS = 365;

/** SEC-06: the shortest reason a public edge function (verify_jwt off) may give; golive's choice. */
export const PUBLIC_REASON_MIN_CHARS = 10;
