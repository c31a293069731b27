/**
 * Edge function failures and latency in the alerts (ALERT-02, ALERT-03): a Lambda, run every five
 * minutes, reads each deployed function's `functions.combined-stats` from the Supabase Management
 * API (with an access token kept in the environment's secret) and publishes its 5xx rate and slowest
 * invocation as CloudWatch metrics; alarms on them go through the alerts component.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { bundleFunctionMetrics } from "../lambda/function-metrics/bundle";
import {
  FUNCTION_METRICS_SCHEDULE,
  functionErrorRateAlarmSpec,
  functionLatencyAlarmSpec,
  functionMetricsErrorAlarmSpec,
} from "../lib/function-metrics";
import { assumeRolePolicy } from "../lib/iam";
import { collectorPolicy } from "../lib/metrics";
import { limitedName, physicalName, type EnvironmentIdentity } from "../lib/naming";
import type { MetricsAlertSink } from "./metrics";
import { scheduleLambda } from "./scheduling";
import type { Secrets } from "./secrets";
import { FUNCTION_METRICS_TYPE } from "../lib/component-types";

export interface FunctionMetricsArgs {
  readonly identity: EnvironmentIdentity;
  readonly alerts: MetricsAlertSink;
  readonly secrets: Secrets;
  /** Name of the Supabase access token inside the environment's secret. */
  readonly tokenSecretName: string;
  readonly projectRef: pulumi.Input<string>;
  /** slug → the deployed function's id (the provider's EdgeFunction id). */
  readonly functions: Readonly<Record<string, pulumi.Input<string>>>;
  readonly endpoint: string;
  readonly errorRatePercent: number;
  readonly p95Seconds: number;
}

export class FunctionMetrics extends pulumi.ComponentResource {
  readonly functionName: string;
  readonly alarmKeys: string[] = [];

  constructor(name: string, args: FunctionMetricsArgs, opts?: pulumi.ComponentResourceOptions) {
    super(FUNCTION_METRICS_TYPE, name, {}, opts);
    const child = { parent: this };
    this.functionName = limitedName(physicalName(args.identity, "function-metrics"), 64);
    const logGroup = args.alerts.addLogGroup(name, "debug", child);
    const role = new aws.iam.Role(
      `${name}-role`,
      {
        description:
          "Edge function metrics collector: writes its own logs and reads the environment's secret",
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
    const slugs = Object.keys(args.functions).sort();
    const bundle = bundleFunctionMetrics();
    const fn = new aws.lambda.Function(
      `${name}-function`,
      {
        name: this.functionName,
        description: "Publishes the edge functions' 5xx rate and slowest invocation as CloudWatch metrics",
        runtime: "nodejs20.x",
        handler: "index.handler",
        code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(bundle.code) }),
        sourceCodeHash: Buffer.from(bundle.sha256, "hex").toString("base64"),
        role: role.arn,
        timeout: 60,
        memorySize: 256,
        loggingConfig: { logFormat: "Text", logGroup: logGroup.name },
        environment: {
          variables: {
            SECRET_ID: args.secrets.secretArn,
            TOKEN_KEY: args.tokenSecretName,
            PROJECT_REF: args.projectRef,
            API_ENDPOINT: args.endpoint,
            FUNCTIONS: pulumi
              .all(slugs.map((slug) => args.functions[slug]!))
              .apply((ids) => JSON.stringify(slugs.map((slug, index) => ({ slug, id: ids[index] })))),
          },
        },
      },
      { parent: this, dependsOn: [logGroup, secretRead] },
    );
    // A missed run needs no retry: the next one reports its own five minutes.
    scheduleLambda(
      name,
      fn,
      {
        ruleName: this.functionName,
        description: "Runs the edge function metrics collector every five minutes",
        expression: FUNCTION_METRICS_SCHEDULE,
        maxEventAgeSeconds: 300,
      },
      child,
    );

    const alarm = (key: string, spec: Parameters<MetricsAlertSink["addAlarm"]>[1]) => {
      args.alerts.addAlarm(key, spec, child);
      this.alarmKeys.push(key);
    };
    for (const slug of slugs) {
      alarm(`function-${slug}-errors`, functionErrorRateAlarmSpec(slug, args.errorRatePercent));
      alarm(`function-${slug}-latency`, functionLatencyAlarmSpec(slug, args.p95Seconds));
    }
    alarm("function-metrics-errors", functionMetricsErrorAlarmSpec(this.functionName));
    this.registerOutputs({ functionName: this.functionName, alarmKeys: this.alarmKeys });
  }
}
