/**
 * Database and error-rate metrics for one environment (ALERT-03, ALERT-04): a Lambda, run every
 * minute, that scrapes the Supabase project's Prometheus endpoint and asks Cloudflare's analytics
 * for the app's 5xx share, publishing percentages as CloudWatch metrics; alarms on them and on the
 * collector itself, through the alerts component.
 *
 * The schedule is an EventBridge rule, not EventBridge Scheduler: Scheduler schedules are the app's
 * cron jobs here (CRON-01..04 ask each for retries, a dead-letter queue and a per-job failure
 * alarm), while a missed minute of metrics needs none of that: the next minute supersedes it, and
 * the database alarms treat missing data as breaching. The rule invokes the function through a
 * resource policy limited to that rule, so no role is needed.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as supabase from "@pulumi/supabase";
import type { AlertsConfig } from "../config/schema/alerts";
import type { AlarmSpec, LogClass } from "../lib/alerts";
import {
  COLLECTOR_SCHEDULE,
  COLLECTOR_TIMEOUT_SECONDS,
  collectorEnvironment,
  collectorErrorAlarmSpec,
  collectorMissingAlarmSpec,
  collectorPolicy,
  databaseAlarmSpecs,
  errorRateAlarmSpec,
  latencyAlarmSpec,
} from "../lib/metrics";
import { assumeRolePolicy } from "../lib/iam";
import { limitedName, physicalName, type EnvironmentIdentity } from "../lib/naming";
import { bundleMetricsCollector } from "../lambda/metrics-collector/bundle";
import { scheduleLambda } from "./scheduling";
import type { Secrets } from "./secrets";
import { METRICS_COLLECTOR_TYPE } from "../lib/component-types";

/** Where the environment's secret stores the collector's own Supabase secret API key. */
export const METRICS_SECRET_KEY_NAME = "SUPABASE_METRICS_SECRET_KEY";

/**
 * The collector's own Supabase secret API key (`sb_secret_…`): the credential Supabase documents for
 * its Metrics API. A key of its own can be revoked without touching the app's keys. Made before the
 * environment's secret, which stores it under {@link METRICS_SECRET_KEY_NAME}.
 */
export function metricsSecretKey(
  name: string,
  args: { readonly identity: EnvironmentIdentity; readonly projectRef: pulumi.Input<string> },
  opts?: pulumi.CustomResourceOptions,
): pulumi.Output<string> {
  const key = new supabase.Apikey(
    name,
    {
      projectRef: args.projectRef,
      name: limitedName(physicalName(args.identity, "metrics").replace(/-/g, "_"), 64),
      description: "Reads the Metrics API for the golive metrics collector",
    },
    opts,
  );
  return pulumi.secret(key.apiKey);
}

/** What the collector needs of the alerting component (the Alerts component has both). */
export interface MetricsAlertSink {
  addAlarm(name: string, spec: AlarmSpec, opts?: pulumi.CustomResourceOptions): aws.cloudwatch.MetricAlarm;
  addLogGroup(name: string, logClass: LogClass, opts?: pulumi.CustomResourceOptions): aws.cloudwatch.LogGroup;
}

export interface MetricsCollectorArgs {
  readonly identity: EnvironmentIdentity;
  /** `golive:alerts`: thresholds and the error-rate source. */
  readonly config: Pick<AlertsConfig, "thresholds" | "errorRate" | "latency">;
  readonly alerts: MetricsAlertSink;
  /** The environment's secret: holds the Supabase key and the analytics token. */
  readonly secrets: Secrets;
  /** Name of the Supabase secret API key (`sb_secret_…`) inside the secret: the documented credential. */
  readonly secretKeyName?: string;
  /** Name of the legacy service role key inside the secret: used when the secret API key is absent. */
  readonly serviceRoleKeyName?: string;
  readonly projectRef: pulumi.Input<string>;
  /** The app's hostname and its Cloudflare zone. */
  readonly hostname: string;
  readonly zoneId: pulumi.Input<string>;
}

export class MetricsCollector extends pulumi.ComponentResource {
  readonly functionName: string;
  readonly functionArn: pulumi.Output<string>;
  /** Alarm names (short, as given to addAlarm) of what this component watches. */
  readonly alarmKeys: string[];
  /** Whether the error rate is collected (an analytics token is configured). */
  readonly collectsErrorRate: boolean;

  constructor(name: string, args: MetricsCollectorArgs, opts?: pulumi.ComponentResourceOptions) {
    super(METRICS_COLLECTOR_TYPE, name, {}, opts);
    const { identity, config } = args;
    const child = { parent: this };

    this.functionName = limitedName(physicalName(identity, "metrics-collector"), 64);
    const logGroup = args.alerts.addLogGroup(name, "debug", child);
    const role = new aws.iam.Role(
      `${name}-role`,
      {
        description: "Metrics collector: writes its own logs and reads the environment's secret",
        assumeRolePolicy: JSON.stringify(assumeRolePolicy("lambda.amazonaws.com")),
      },
      child,
    );
    new aws.iam.RolePolicy(
      `${name}-policy`,
      { role: role.id, policy: logGroup.arn.apply((arn) => JSON.stringify(collectorPolicy(arn))) },
      { parent: role },
    );
    const secretRead = args.secrets.grantRead(`${name}-reads-secret`, role);

    const tokenSecretName = config.errorRate.analyticsTokenSecretName;
    this.collectsErrorRate = tokenSecretName !== undefined;
    const bundle = bundleMetricsCollector();
    const fn = new aws.lambda.Function(
      `${name}-function`,
      {
        name: this.functionName,
        description: "Publishes Supabase database use and the app's edge error rate as CloudWatch metrics",
        runtime: "nodejs20.x",
        handler: "index.handler",
        code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(bundle.code) }),
        sourceCodeHash: Buffer.from(bundle.sha256, "hex").toString("base64"),
        role: role.arn,
        timeout: COLLECTOR_TIMEOUT_SECONDS,
        memorySize: 256,
        loggingConfig: { logFormat: "Text", logGroup: logGroup.name },
        environment: {
          variables: collectorEnvironment({
            secretArn: args.secrets.secretArn,
            ...(args.secretKeyName !== undefined ? { secretKeyName: args.secretKeyName } : {}),
            ...(args.serviceRoleKeyName !== undefined ? { serviceRoleKeyName: args.serviceRoleKeyName } : {}),
            projectRef: args.projectRef,
            ...(tokenSecretName !== undefined
              ? {
                  analytics: {
                    tokenSecretName,
                    zoneId: args.zoneId,
                    hostname: args.hostname,
                    minRequests: config.errorRate.minRequests,
                  },
                }
              : {}),
          }),
        },
      },
      { parent: this, dependsOn: [logGroup, secretRead] },
    );
    this.functionArn = fn.arn;
    // A stale minute is worth nothing: no retries, the next run replaces it.
    scheduleLambda(
      name,
      fn,
      {
        ruleName: limitedName(physicalName(identity, "metrics-collector"), 64),
        description: "Runs the metrics collector every minute",
        expression: COLLECTOR_SCHEDULE,
        maxEventAgeSeconds: 60,
      },
      child,
    );

    this.alarmKeys = [];
    const alarm = (key: string, spec: AlarmSpec) => {
      this.alarmKeys.push(key);
      args.alerts.addAlarm(key, spec, child);
    };
    for (const { key, spec } of databaseAlarmSpecs(args.projectRef, config.thresholds)) {
      alarm(`database-${key}`, spec);
    }
    if (this.collectsErrorRate) {
      alarm("error-rate", errorRateAlarmSpec(args.hostname, config.thresholds.errorRatePercent));
      alarm("latency-p95", latencyAlarmSpec(args.hostname, config.latency));
    }
    alarm(`${name}-errors`, collectorErrorAlarmSpec(this.functionName));
    alarm(`${name}-not-running`, collectorMissingAlarmSpec(this.functionName));

    this.registerOutputs({ functionArn: this.functionArn, alarmKeys: this.alarmKeys });
  }
}
