/**
 * The resource type tokens of golive's own components (`golive:<area>:<Name>`) and of its dynamic
 * resource, in one place: each component registers under its constant and the pack, the plan and
 * the tests recognise golive's resources by the same constant. The area is the component's file and
 * config key (docs/design.md, "One name per area"); changing a token changes every URN under it, so
 * a rename keeps the old token as a Pulumi alias on the component.
 */

/** The root component: one environment (prod or staging); ENV-01/ENV-02 read its name. */
export const ENVIRONMENT_TYPE = "golive:environment:Environment";
/** Supabase project, settings, pooler and PITR (DB-01 to DB-08): components/database.ts. */
export const DATABASE_TYPE = "golive:database:Database";
/** The off-site backup's network (DB-03): components/backup.ts. */
export const BACKUP_NETWORK_TYPE = "golive:database:BackupNetwork";
/** The scheduled off-site backup and restore drill (DB-03): components/backup.ts. */
export const BACKUP_TYPE = "golive:database:Backup";
/** KMS key, secrets and their rotation (SEC-xx): components/secrets.ts. */
export const SECRETS_TYPE = "golive:secrets:Secrets";
/** Cloudflare zone settings, DNS and rulesets (EDGE-xx): components/cdn.ts, config key golive:cdn. */
export const CDN_TYPE = "golive:cdn:Cdn";
/** CDN_TYPE before the area took its config key's name; kept as an alias so deployed stacks are not replaced. */
export const CDN_TYPE_ALIASES = ["golive:edge:Cdn"] as const;
/** SNS topics, health checks and alarms (ALERT-xx): components/alerts.ts. */
export const ALERTS_TYPE = "golive:monitoring:Alerts";
/** The metrics CloudWatch lacks (database, error rate, latency) and their alarms: components/metrics.ts. */
export const METRICS_COLLECTOR_TYPE = "golive:monitoring:MetricsCollector";
/** Edge function failure and latency metrics: components/function-metrics.ts. */
export const FUNCTION_METRICS_TYPE = "golive:monitoring:FunctionMetrics";
/** Budget and cost anomaly detection (BILL-xx): components/billing.ts. */
export const BILLING_TYPE = "golive:billing:Billing";
/** Scheduled jobs, their invoker, dead-letter queue and alarms (CRON-xx): components/cron.ts. */
export const CRON_TYPE = "golive:cron:Cron";
/** Supabase edge functions and their secrets (SEC-06): components/edge-functions.ts. */
export const EDGE_FUNCTIONS_TYPE = "golive:functions:EdgeFunctions";
/** The app's hosting project and its environment variables: components/hosting.ts. */
export const HOSTING_TYPE = "golive:hosting:Hosting";

/** The module and name a `pulumi.dynamic.Resource` registers under for Management API calls. */
export const MANAGEMENT_SETTING_MODULE = "supabase";
export const MANAGEMENT_SETTING_NAME = "ManagementSetting";
/**
 * The type Pulumi gives that dynamic resource (`pulumi-nodejs:dynamic/<module>:<name>`): the Supabase
 * Management API calls provider 1.10.1 cannot make (pooler, PITR add-on, edge function JWT setting).
 */
export const MANAGEMENT_SETTING_TYPE = `pulumi-nodejs:dynamic/${MANAGEMENT_SETTING_MODULE}:${MANAGEMENT_SETTING_NAME}`;
