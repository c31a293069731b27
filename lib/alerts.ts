/**
 * Pure rules of alerting: which channels each severity reaches (ALERT-05), what a CloudWatch alarm
 * looks like given a spec (every alarm gets its severity's topic as alarm and OK action, by
 * construction), the KMS key and topic policies that let AWS services publish to encrypted topics
 * (ALERT-06), log group names and retention (ALERT-07), and the budget and anomaly alerts that
 * go to the same topics (BILL-01, BILL-02).
 */
import type * as pulumi from "@pulumi/pulumi";
import { BURN_RATE_TIERS, burnRateExpression, burnRateThreshold, type BurnRateTier } from "./slo";

export const SEVERITIES = ["critical", "warning"] as const;
export type Severity = (typeof SEVERITIES)[number];

export type ChannelKind = "pager" | "chat" | "email";

/** ALERT-05: critical pages, chats and emails; a warning chats and emails. */
export const SEVERITY_CHANNELS: Readonly<Record<Severity, readonly ChannelKind[]>> = {
  critical: ["pager", "chat", "email"],
  warning: ["chat", "email"],
};

export type Subscription =
  | { readonly kind: "email"; readonly address: string }
  | { readonly kind: "pager" }
  | { readonly kind: "chat" };

export interface ChannelEndpoints {
  readonly emails: Readonly<Record<Severity, readonly string[]>>;
  /** A PagerDuty integration is configured. */
  readonly pager: boolean;
  /** A Slack channel (through AWS Chatbot) is configured. */
  readonly chat: boolean;
}

/** The subscriptions of each severity's topic, following {@link SEVERITY_CHANNELS}. */
export function routeSubscriptions(endpoints: ChannelEndpoints): Record<Severity, Subscription[]> {
  const route = (severity: Severity): Subscription[] => {
    const subscriptions: Subscription[] = [];
    for (const kind of SEVERITY_CHANNELS[severity]) {
      if (kind === "pager" && endpoints.pager) subscriptions.push({ kind: "pager" });
      if (kind === "chat" && endpoints.chat) subscriptions.push({ kind: "chat" });
      if (kind === "email") {
        for (const address of [...new Set(endpoints.emails[severity])].sort()) {
          subscriptions.push({ kind: "email", address });
        }
      }
    }
    return subscriptions;
  };
  return { critical: route("critical"), warning: route("warning") };
}

// ---------------------------------------------------------------------------------------------
// Alarms

export const COMPARISONS = [
  "GreaterThanThreshold",
  "GreaterThanOrEqualToThreshold",
  "LessThanThreshold",
  "LessThanOrEqualToThreshold",
] as const;
export type Comparison = (typeof COMPARISONS)[number];

export type Statistic = "Average" | "Sum" | "Minimum" | "Maximum" | "SampleCount";
export type TreatMissingData = "missing" | "ignore" | "breaching" | "notBreaching";

/** Where the metric lives: the stack's region, or us-east-1 for global services (Route 53, billing). */
export type MetricRegion = "stack" | "us-east-1";

/** What another component says to get an alarm; actions come from the severity. */
export interface AlarmSpec {
  readonly severity: Severity;
  /** Shown in the notification: what happened and what to look at. */
  readonly description: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions?: Readonly<Record<string, pulumi.Input<string>>>;
  /** Exactly one of `statistic` and `extendedStatistic` (a percentile such as `p95`). */
  readonly statistic?: Statistic;
  readonly extendedStatistic?: string;
  readonly threshold: number;
  readonly comparison: Comparison;
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
  /** M of N alarming; all `evaluationPeriods` when absent. */
  readonly datapointsToAlarm?: number;
  /** Missing data is not breaching unless said otherwise: a quiet metric is not an outage. */
  readonly treatMissingData?: TreatMissingData;
  readonly unit?: string;
  readonly region?: MetricRegion;
}

export class AlarmSpecError extends Error {
  constructor(alarm: string, detail: string) {
    super(`alarm "${alarm}": ${detail}`);
    this.name = "AlarmSpecError";
  }
}

/** The MetricAlarm inputs golive sets; a subset of `aws.cloudwatch.MetricAlarmArgs`. */
export interface MetricAlarmInputs {
  readonly name: string;
  readonly alarmDescription: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions?: Record<string, pulumi.Input<string>>;
  readonly statistic?: Statistic;
  readonly extendedStatistic?: string;
  readonly threshold: number;
  readonly comparisonOperator: Comparison;
  readonly period: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly treatMissingData: TreatMissingData;
  readonly unit?: string;
  readonly actionsEnabled: true;
  readonly alarmActions: pulumi.Input<string>[];
  readonly okActions: pulumi.Input<string>[];
}

/**
 * A spec and its severity's topic → MetricAlarm inputs. Alarm and OK actions are the topic, so an
 * alarm without an action (ALERT-05) cannot be built. Throws {@link AlarmSpecError} on a bad spec.
 */
export function metricAlarmInputs(
  alarmName: string,
  spec: AlarmSpec,
  topicArn: pulumi.Input<string>,
): MetricAlarmInputs {
  const fail = (detail: string): never => {
    throw new AlarmSpecError(alarmName, detail);
  };
  if (!alarmName || alarmName.length > 255) fail("the name must be 1 to 255 characters");
  if (!spec.description.trim()) fail("needs a description saying what happened and what to check");
  if ((spec.statistic === undefined) === (spec.extendedStatistic === undefined)) {
    fail("set exactly one of statistic and extendedStatistic");
  }
  if (spec.extendedStatistic !== undefined && !/^p(\d{1,2}(\.\d+)?|100)$/.test(spec.extendedStatistic)) {
    fail(`extendedStatistic "${spec.extendedStatistic}" must be a percentile such as p95`);
  }
  if (!Number.isFinite(spec.threshold)) fail("the threshold must be a number");
  if (!validPeriod(spec.periodSeconds))
    fail(`period ${spec.periodSeconds} s must be 10, 20, 30 or a multiple of 60`);
  if (!Number.isInteger(spec.evaluationPeriods) || spec.evaluationPeriods < 1) {
    fail("evaluationPeriods must be a whole number of at least 1");
  }
  const datapoints = spec.datapointsToAlarm ?? spec.evaluationPeriods;
  if (!Number.isInteger(datapoints) || datapoints < 1 || datapoints > spec.evaluationPeriods) {
    fail(`datapointsToAlarm must be between 1 and evaluationPeriods (${spec.evaluationPeriods})`);
  }
  if (spec.periodSeconds * spec.evaluationPeriods > 86_400 * 7)
    fail("the evaluation window must be at most 7 days");

  return {
    name: alarmName,
    alarmDescription: `[${spec.severity}] ${spec.description}`,
    namespace: spec.namespace,
    metricName: spec.metricName,
    ...(spec.dimensions ? { dimensions: { ...spec.dimensions } } : {}),
    ...(spec.statistic ? { statistic: spec.statistic } : {}),
    ...(spec.extendedStatistic ? { extendedStatistic: spec.extendedStatistic } : {}),
    threshold: spec.threshold,
    comparisonOperator: spec.comparison,
    period: spec.periodSeconds,
    evaluationPeriods: spec.evaluationPeriods,
    datapointsToAlarm: datapoints,
    treatMissingData: spec.treatMissingData ?? "notBreaching",
    ...(spec.unit ? { unit: spec.unit } : {}),
    actionsEnabled: true,
    alarmActions: [topicArn],
    okActions: [topicArn],
  };
}

// ---------------------------------------------------------------------------------------------
// Metric math alarms and composite alarms

/** One query of a metric math alarm: a metric (not returned) or the expression the alarm watches. */
export interface MetricQuerySpec {
  readonly id: string;
  readonly label?: string;
  readonly expression?: string;
  readonly metric?: {
    readonly namespace: string;
    readonly metricName: string;
    readonly dimensions?: Readonly<Record<string, pulumi.Input<string>>>;
    readonly periodSeconds: number;
    /** `Average`, `Sum`, `Minimum`, `Maximum`, `SampleCount` or a percentile such as `p95`. */
    readonly stat: string;
    readonly unit?: string;
  };
}

/**
 * A metric math alarm. Without `severity` it has no actions: it is an input of a composite alarm
 * (see {@link CompositeAlarmSpec}), which notifies.
 */
export interface MathAlarmSpec {
  readonly severity?: Severity;
  readonly description: string;
  readonly queries: readonly MetricQuerySpec[];
  /** The query whose value is compared with the threshold (its `returnData` is true). */
  readonly returnId: string;
  readonly threshold: number;
  readonly comparison: Comparison;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm?: number;
  readonly treatMissingData?: TreatMissingData;
  readonly region?: MetricRegion;
}

/** A composite alarm: ALARM when every input alarm is in ALARM; notifies its severity's topic. */
export interface CompositeAlarmSpec {
  readonly severity: Severity;
  readonly description: string;
  /** Physical names of the input alarms (made with {@link MathAlarmSpec} and no severity). */
  readonly allOf: readonly string[];
  readonly region?: MetricRegion;
}

export interface MathAlarmInputs {
  readonly name: string;
  readonly alarmDescription: string;
  readonly metricQueries: {
    id: string;
    label?: string;
    expression?: string;
    returnData: boolean;
    metric?: {
      namespace: string;
      metricName: string;
      dimensions?: Record<string, pulumi.Input<string>>;
      period: number;
      stat: string;
      unit?: string;
    };
  }[];
  readonly threshold: number;
  readonly comparisonOperator: Comparison;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly treatMissingData: TreatMissingData;
  readonly actionsEnabled: boolean;
  readonly alarmActions?: pulumi.Input<string>[];
  readonly okActions?: pulumi.Input<string>[];
}

function validPeriod(seconds: number): boolean {
  return [10, 20, 30].includes(seconds) || (seconds >= 60 && seconds % 60 === 0);
}

/** A math alarm spec → MetricAlarm inputs; actions only when it has a severity (and so a topic). */
export function mathAlarmInputs(
  alarmName: string,
  spec: MathAlarmSpec,
  topicArn: pulumi.Input<string> | undefined,
): MathAlarmInputs {
  const fail = (detail: string): never => {
    throw new AlarmSpecError(alarmName, detail);
  };
  if (!spec.description.trim()) fail("needs a description saying what happened and what to check");
  if ((spec.severity === undefined) !== (topicArn === undefined)) {
    fail("an alarm with a severity notifies its topic; one without is the input of a composite alarm");
  }
  const ids = spec.queries.map((query) => query.id);
  if (new Set(ids).size !== ids.length) fail("query ids must be unique");
  if (!ids.includes(spec.returnId)) fail(`no query has the id ${spec.returnId}`);
  for (const query of spec.queries) {
    if (!/^[a-z][a-zA-Z0-9_]*$/.test(query.id))
      fail(`query id "${query.id}" must start with a lowercase letter`);
    if ((query.expression === undefined) === (query.metric === undefined)) {
      fail(`query ${query.id} needs exactly one of expression and metric`);
    }
    if (query.metric && !validPeriod(query.metric.periodSeconds)) {
      fail(
        `query ${query.id}: period ${query.metric.periodSeconds} s must be 10, 20, 30 or a multiple of 60`,
      );
    }
  }
  const datapoints = spec.datapointsToAlarm ?? spec.evaluationPeriods;
  if (!Number.isInteger(datapoints) || datapoints < 1 || datapoints > spec.evaluationPeriods) {
    fail(`datapointsToAlarm must be between 1 and evaluationPeriods (${spec.evaluationPeriods})`);
  }
  return {
    name: alarmName,
    alarmDescription: spec.severity ? `[${spec.severity}] ${spec.description}` : spec.description,
    metricQueries: spec.queries.map((query) => ({
      id: query.id,
      ...(query.label ? { label: query.label } : {}),
      ...(query.expression ? { expression: query.expression } : {}),
      returnData: query.id === spec.returnId,
      ...(query.metric
        ? {
            metric: {
              namespace: query.metric.namespace,
              metricName: query.metric.metricName,
              ...(query.metric.dimensions ? { dimensions: { ...query.metric.dimensions } } : {}),
              period: query.metric.periodSeconds,
              stat: query.metric.stat,
              ...(query.metric.unit ? { unit: query.metric.unit } : {}),
            },
          }
        : {}),
    })),
    threshold: spec.threshold,
    comparisonOperator: spec.comparison,
    evaluationPeriods: spec.evaluationPeriods,
    datapointsToAlarm: datapoints,
    treatMissingData: spec.treatMissingData ?? "notBreaching",
    actionsEnabled: true,
    ...(topicArn !== undefined ? { alarmActions: [topicArn], okActions: [topicArn] } : {}),
  };
}

/** `ALARM("a") AND ALARM("b")`: the composite rule of {@link CompositeAlarmSpec.allOf}. */
export function compositeAlarmRule(allOf: readonly string[]): string {
  if (allOf.length === 0) throw new AlarmSpecError("composite", "needs at least one input alarm");
  return allOf.map((name) => `ALARM(${JSON.stringify(name)})`).join(" AND ");
}

// ---------------------------------------------------------------------------------------------
// ALERT-01: uptime as an objective

/** One tier of uptime burn-rate alarms: two window alarms and the composite that notifies. */
export interface UptimeBurnAlarms {
  readonly tier: BurnRateTier;
  readonly windows: readonly { readonly key: string; readonly spec: MathAlarmSpec }[];
  readonly composite: { readonly key: string; readonly spec: Omit<CompositeAlarmSpec, "allOf"> };
}

function windowName(seconds: number): string {
  return seconds % 3600 === 0 ? `${seconds / 3600}h` : `${seconds / 60}m`;
}

/**
 * ALERT-01 as burn-rate alarms on a Route 53 health check (us-east-1): per tier, the long and the
 * short window each compute `(100 - HealthCheckPercentageHealthy) / (100 - target)` averaged over
 * the window; the tier's composite notifies when both are above its burn rate. `severity` caps the
 * tiers (a warning check never pages). Missing data is missing, not breaching: when every checker
 * fails Route 53 publishes 0%, so no data means no report (a check deleted or disabled), not an outage.
 */
export function uptimeBurnRateAlarms(opts: {
  readonly keyPrefix: string;
  readonly severity: Severity;
  readonly healthCheckId: pulumi.Input<string>;
  readonly url: string;
  readonly targetPercent: number;
}): UptimeBurnAlarms[] {
  return BURN_RATE_TIERS.map((tier) => {
    const threshold = burnRateThreshold(tier.budgetShare, tier.longWindowSeconds);
    const severity: Severity = opts.severity === "warning" ? "warning" : tier.severity;
    const windows = [tier.longWindowSeconds, tier.shortWindowSeconds].map((seconds) => ({
      key: `${opts.keyPrefix}-${tier.key}-${windowName(seconds)}`,
      spec: {
        description: `${opts.url}: error budget of the ${opts.targetPercent}% uptime target burning at more than ${threshold}x over ${windowName(seconds)} (input of ${opts.keyPrefix}-${tier.key})`,
        queries: [
          {
            id: "healthy",
            label: "Share of Route 53 checkers that see the app healthy (%)",
            metric: {
              namespace: "AWS/Route53",
              metricName: "HealthCheckPercentageHealthy",
              dimensions: { HealthCheckId: opts.healthCheckId },
              periodSeconds: seconds,
              stat: "Average",
            },
          },
          {
            id: "burn",
            label: `Burn rate of the ${opts.targetPercent}% objective over ${windowName(seconds)}`,
            expression: burnRateExpression("healthy", opts.targetPercent),
          },
        ],
        returnId: "burn",
        threshold,
        comparison: "GreaterThanThreshold" as const,
        evaluationPeriods: 1,
        treatMissingData: "missing" as const,
        region: "us-east-1" as const,
      },
    }));
    const spent = `${Math.round(tier.budgetShare * 100)}% of the 30-day error budget`;
    return {
      tier,
      windows,
      composite: {
        key: `${opts.keyPrefix}-${tier.key}`,
        spec: {
          severity,
          description: `${opts.url} is failing Route 53 checks fast enough to spend ${spent} of the ${opts.targetPercent}% uptime target within ${windowName(tier.longWindowSeconds)}, and still is over the last ${windowName(tier.shortWindowSeconds)} (ALERT-01). Check the health endpoint, the latest deploy and the database.`,
          region: "us-east-1",
        },
      },
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Policies for encrypted topics (ALERT-06)

/** Services that publish alerts: alarms, budgets, cost anomaly detection. */
export const PUBLISHING_SERVICES = [
  "cloudwatch.amazonaws.com",
  "budgets.amazonaws.com",
  "costalerts.amazonaws.com",
] as const;

type PolicyDocument = Record<string, unknown>;

/**
 * The alert key's policy: the account administers it through IAM; the publishing services may use
 * it (only on behalf of this account) to encrypt messages for the topics. The AWS-managed
 * `alias/aws/sns` key cannot be used: its policy cannot grant these services.
 */
export function alertKeyPolicy(accountId: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AccountAdministersKeyThroughIam",
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${accountId}:root` },
        Action: "kms:*",
        Resource: "*",
      },
      {
        Sid: "AlertServicesEncryptForTopics",
        Effect: "Allow",
        Principal: { Service: [...PUBLISHING_SERVICES] },
        Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
        Resource: "*",
        Condition: { StringEquals: { "aws:SourceAccount": accountId } },
      },
    ],
  };
}

/** A topic's policy: the account manages it, the services publish (for this account), TLS only. */
export function alertTopicPolicy(topicArn: string, accountId: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AccountManagesTopic",
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${accountId}:root` },
        Action: [
          "sns:GetTopicAttributes",
          "sns:SetTopicAttributes",
          "sns:AddPermission",
          "sns:RemovePermission",
          "sns:DeleteTopic",
          "sns:Subscribe",
          "sns:ListSubscriptionsByTopic",
          "sns:Publish",
        ],
        Resource: topicArn,
      },
      {
        Sid: "AlertServicesPublish",
        Effect: "Allow",
        Principal: { Service: [...PUBLISHING_SERVICES] },
        Action: "sns:Publish",
        Resource: topicArn,
        Condition: { StringEquals: { "aws:SourceAccount": accountId } },
      },
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "sns:Publish",
        Resource: topicArn,
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ],
  };
}

/** Chatbot's role: assumed by the service, read-only on CloudWatch to render alarm details. */
export function chatbotAssumeRolePolicy(): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: "chatbot.amazonaws.com" },
        Action: "sts:AssumeRole",
      },
    ],
  };
}

export function chatbotReadPolicy(): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ReadAlarmsAndMetrics",
        Effect: "Allow",
        Action: ["cloudwatch:Describe*", "cloudwatch:Get*", "cloudwatch:List*"],
        Resource: "*",
      },
    ],
  };
}

/** Guardrail on what any user can do through the chat channel: read CloudWatch, nothing else. */
export const CHATBOT_GUARDRAIL_POLICY_ARN = "arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess";

// ---------------------------------------------------------------------------------------------
// Logs (ALERT-07)

export type LogClass = "debug" | "audit";

/** `/<app>/<environment>/<name>`, audit groups ending in `/audit` so they stand out everywhere. */
export function logGroupName(
  identity: { app: string; environment: string },
  name: string,
  logClass: LogClass,
): string {
  const base = `/${identity.app}/${identity.environment}/${name}`;
  return logClass === "audit" ? `${base}/audit` : base;
}

export function logRetentionDays(
  logClass: LogClass,
  retention: { readonly debugRetentionDays: number; readonly auditRetentionDays: number },
): number {
  return logClass === "audit" ? retention.auditRetentionDays : retention.debugRetentionDays;
}

// ---------------------------------------------------------------------------------------------
// Billing alerts (BILL-01, BILL-02)

export interface BudgetNotificationInputs {
  readonly notificationType: "ACTUAL" | "FORECASTED";
  readonly comparisonOperator: "GREATER_THAN";
  readonly threshold: number;
  readonly thresholdType: "PERCENTAGE";
  readonly subscriberSnsTopicArns: pulumi.Input<string>[];
}

/**
 * BILL-01: warn when actual spend passes 80% and forecast spend 100% of the budget. Both go to the
 * warning topic: money is not an outage, nobody is paged at night for a forecast.
 */
export function budgetNotifications(
  billing: { readonly actualAlertPercent: number; readonly forecastAlertPercent: number },
  topicArns: Readonly<Record<Severity, pulumi.Input<string>>>,
): BudgetNotificationInputs[] {
  return [
    {
      notificationType: "ACTUAL",
      comparisonOperator: "GREATER_THAN",
      threshold: billing.actualAlertPercent,
      thresholdType: "PERCENTAGE",
      subscriberSnsTopicArns: [topicArns.warning],
    },
    {
      notificationType: "FORECASTED",
      comparisonOperator: "GREATER_THAN",
      threshold: billing.forecastAlertPercent,
      thresholdType: "PERCENTAGE",
      subscriberSnsTopicArns: [topicArns.warning],
    },
  ];
}

/** BILL-02: only anomalies whose total impact is at least `minImpactUsd` alert. */
export function anomalySubscriptionThreshold(minImpactUsd: number) {
  return {
    dimension: {
      key: "ANOMALY_TOTAL_IMPACT_ABSOLUTE",
      matchOptions: ["GREATER_THAN_OR_EQUAL"],
      values: [String(minImpactUsd)],
    },
  };
}
