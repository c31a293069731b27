/**
 * One environment (staging or prod) of the app, composed from one component per concern. Its
 * resource name is the environment, so the policy pack can read the environment from the stack's
 * root component; its transformation tags every taggable AWS child (ENV-03).
 */
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../config/load";
import { resolveCronJobs } from "../config/schema/cron";
import { resolveEdgeFunctions } from "../config/schema/functions";
import type { EnvironmentIdentity } from "../lib/naming";
import { Alerts } from "./alerts";
import { backupEnabled } from "../lib/backup";
import { Backup, BackupNetwork } from "./backup";
import { Billing } from "./billing";
import { Cdn } from "./cdn";
import { Cron } from "./cron";
import { Database } from "./database";
import { EdgeFunctions } from "./edge-functions";
import { FunctionMetrics } from "./function-metrics";
import { managementEndpoint } from "./supabase-management";
import { Hosting } from "./hosting";
import { METRICS_SECRET_KEY_NAME, MetricsCollector, metricsSecretKey } from "./metrics";
import { Secrets } from "./secrets";
import { tagTransformation } from "./tagging";
import { ENVIRONMENT_TYPE } from "../lib/component-types";

export interface EnvironmentArgs {
  readonly config: StackConfig;
  /** Token for Supabase Management API calls (pooler, PITR); SUPABASE_ACCESS_TOKEN when absent. */
  readonly supabaseAccessToken?: pulumi.Input<string>;
  /** The Pulumi project root: edge function sources are read relative to it. Default: the working directory. */
  readonly projectRoot?: string;
}

export class Environment extends pulumi.ComponentResource {
  readonly database: Database;
  readonly secrets: Secrets;
  readonly alerts: Alerts;
  readonly cdn: Cdn;
  readonly billing: Billing;
  /** Absent when the registry has no jobs. */
  readonly cron: Cron | undefined;
  /** The scheduled backup and restore drill (DB-03); absent when golive:database.backups turns it off. */
  readonly backup: Backup | undefined;
  /** Database use and the edge error rate as metrics, with their alarms (ALERT-03, ALERT-04). */
  readonly metrics: MetricsCollector;
  /** Absent when golive:edgeFunctions lists none. */
  readonly edgeFunctions: EdgeFunctions | undefined;
  /** Edge function failures and latency; absent without golive:edgeFunctions.monitoring. */
  readonly functionMetrics: FunctionMetrics | undefined;
  /** Absent when golive:hosting.provider is none. */
  readonly hosting: Hosting | undefined;
  readonly appUrl: string;

  constructor(args: EnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
    const { config } = args;
    const tags = {
      app: config.app.name,
      environment: config.environment,
      owner: config.app.owner,
      costCenter: config.app.costCenter,
    };
    super(
      ENVIRONMENT_TYPE,
      config.environment,
      {},
      {
        ...opts,
        transformations: [...(opts?.transformations ?? []), tagTransformation(tags)],
      },
    );
    const identity: EnvironmentIdentity = { app: config.app.name, environment: config.environment };
    const isProd = config.environment === "prod";
    this.appUrl = `https://${config.app.hostname}`;

    // First, so the other components can add alarms through it.
    const pagerDutySecret = config.alerts.pagerDuty?.integrationUrlSecret;
    const pagerDutyUrl = pagerDutySecret === undefined ? undefined : config.providedSecrets[pagerDutySecret];
    this.alerts = new Alerts(
      "alerts",
      {
        identity,
        config: config.alerts,
        owner: config.app.owner,
        hostname: config.app.hostname,
        healthPath: config.app.healthPath,
        detailedHealthPath: config.app.detailedHealthPath,
        accountId: config.app.awsAccounts[config.environment],
        region: config.aws.region,
        allowedAccountIds: config.aws.allowedAccountIds,
        tags,
        awsProfile: new pulumi.Config("aws").get("profile"),
        pagerDutyUrl: pagerDutyUrl === undefined ? undefined : pulumi.secret(pagerDutyUrl),
        protect: isProd,
      },
      { parent: this },
    );

    this.cdn = new Cdn(
      "cdn",
      {
        identity,
        config: config.cdn,
        domain: config.app.domain,
        hostname: config.app.hostname,
        protect: isProd,
      },
      { parent: this },
    );

    this.billing = new Billing(
      "billing",
      { identity, config: config.billing, topicArns: this.alerts.topicArns },
      { parent: this },
    );

    // Before the database: its network restrictions admit the backup runner's address (DB-05).
    const backupNetwork = backupEnabled(config.database, config.environment)
      ? new BackupNetwork("backup-network", { identity }, { parent: this })
      : undefined;

    const smtpSecret = config.database.auth.smtp?.passwordSecret;
    const smtpPassword = smtpSecret === undefined ? undefined : config.providedSecrets[smtpSecret];
    this.database = new Database(
      "database",
      {
        identity,
        config: config.database,
        protect: isProd,
        managementAccessToken: args.supabaseAccessToken,
        ...(backupNetwork ? { runnerEgressCidrs: [backupNetwork.egressCidr] } : {}),
        smtpPassword: smtpPassword === undefined ? undefined : pulumi.secret(smtpPassword),
      },
      { parent: this },
    );
    const legacyKeys = config.database.apiKeys.legacy;

    const metricsKey = metricsSecretKey(
      "metrics-collector-key",
      { identity, projectRef: this.database.projectRef },
      { parent: this },
    );
    this.secrets = new Secrets(
      "secrets",
      {
        identity,
        config: config.secrets,
        protect: isProd,
        providedValues: config.providedSecrets,
        derivedValues: {
          SUPABASE_SECRET_KEY: this.database.secretKey,
          DATABASE_URL: this.database.pooledConnectionString,
          [METRICS_SECRET_KEY_NAME]: metricsKey,
          ...(this.database.serviceRoleKey
            ? { SUPABASE_SERVICE_ROLE_KEY: this.database.serviceRoleKey }
            : {}),
        },
        projectRef: this.database.projectRef,
        publicSources: pulumi
          .all([this.database.apiUrl, this.database.publishableKey, this.database.anonKey])
          .apply(([supabaseUrl, supabasePublishableKey, supabaseAnonKey]) => ({
            supabaseUrl,
            supabasePublishableKey,
            ...(supabaseAnonKey !== undefined ? { supabaseAnonKey } : {}),
            appUrl: this.appUrl,
          })),
      },
      { parent: this },
    );

    this.backup = backupNetwork
      ? new Backup(
          "backup",
          {
            identity,
            protect: isProd,
            config: config.database,
            network: backupNetwork,
            bucketName: this.database.backupBucketName,
            bucketKeyArn: this.database.backupKeyArn,
            secrets: this.secrets,
            databaseUrlKey: "DATABASE_URL",
            alerts: this.alerts,
            logRetentionDays: config.alerts.logs.debugRetentionDays,
          },
          { parent: this },
        )
      : undefined;

    const jobs = resolveCronJobs(config.cron);
    this.cron =
      jobs.length === 0
        ? undefined
        : new Cron(
            "cron",
            {
              identity,
              protect: isProd,
              jobs,
              appHostname: config.app.hostname,
              secrets: this.secrets,
              secretName: config.cron.secretName,
              alerts: this.alerts,
              logRetentionDays: config.alerts.logs.debugRetentionDays,
            },
            { parent: this },
          );

    this.metrics = new MetricsCollector(
      "metrics-collector",
      {
        identity,
        config: config.alerts,
        alerts: this.alerts,
        secrets: this.secrets,
        secretKeyName: METRICS_SECRET_KEY_NAME,
        // The legacy service_role key is a fallback only where the stack still creates it.
        ...(legacyKeys ? { serviceRoleKeyName: "SUPABASE_SERVICE_ROLE_KEY" } : {}),
        projectRef: this.database.projectRef,
        hostname: config.app.hostname,
        zoneId: this.cdn.zoneId,
      },
      { parent: this },
    );

    const functions = resolveEdgeFunctions(config.edgeFunctions);
    this.edgeFunctions =
      functions.length === 0
        ? undefined
        : new EdgeFunctions(
            "functions",
            {
              functions,
              projectRef: this.database.projectRef,
              projectRoot: args.projectRoot ?? process.cwd(),
              // After Settings (a database restart) and the secrets the functions read at start.
              dependsOn: [this.database.settings, ...this.secrets.edgeFunctionResources],
              managementAccessToken: args.supabaseAccessToken,
              stack: pulumi.getStack(),
            },
            { parent: this },
          );

    const monitoring = config.edgeFunctions.monitoring;
    this.functionMetrics =
      this.edgeFunctions === undefined || monitoring === undefined
        ? undefined
        : new FunctionMetrics(
            "function-metrics",
            {
              identity,
              alerts: this.alerts,
              secrets: this.secrets,
              tokenSecretName: monitoring.accessTokenSecretName,
              projectRef: this.database.projectRef,
              functions: Object.fromEntries(
                Object.entries(this.edgeFunctions.deployed).map(([slug, fn]) => [slug, fn.id]),
              ),
              endpoint: managementEndpoint(new pulumi.Config("supabase").get("endpoint")),
              errorRatePercent: config.alerts.thresholds.errorRatePercent,
              p95Seconds: config.alerts.latency.p95Seconds,
            },
            // Under the metrics collector: like it, a missed run is superseded by the next (CRON-* leave it alone).
            { parent: this.metrics },
          );

    const vercelConfig = config.hosting.provider === "vercel" ? config.hosting.vercel : undefined;
    this.hosting =
      vercelConfig === undefined
        ? undefined
        : new Hosting(
            "hosting",
            {
              identity,
              config: vercelConfig,
              hostname: config.app.hostname,
              serverSecrets: Object.fromEntries(
                vercelConfig.serverSecrets.map((secretName) => [secretName, this.secrets.value(secretName)]),
              ),
              publicVariableNames: Object.keys(config.secrets.public),
              publicVariables: this.secrets.publicVariables,
              protect: isProd,
            },
            { parent: this },
          );

    this.registerOutputs({
      projectRef: this.database.projectRef,
      apiUrl: this.database.apiUrl,
      secretArn: this.secrets.secretArn,
      publicVariables: this.secrets.publicVariables,
      zoneId: this.cdn.zoneId,
      hostnames: this.cdn.hostnames,
      alertTopicArns: this.alerts.topicArns,
      budgetName: this.billing.budgetName,
      cronSchedules: this.cron?.schedules ?? {},
    });
  }
}
