import { describe, expect, it } from "vitest";
import { Alerts } from "../components/alerts";
import { MetricsCollector } from "../components/metrics";
import { Secrets } from "../components/secrets";
import { parseStackConfig } from "../config/load";
import { CHECKLIST_THRESHOLDS, checkAlertsRules, type AlertsConfig } from "../config/schema/alerts";
import { APP_NAMESPACE, ENV, METRIC } from "../lambda/metrics-collector/names";
import { type collectorPolicy, databaseAlarmSpecs, errorRateAlarmSpec } from "../lib/metrics";
import { findResource, recordProgram, type RecordedResource, type Recording } from "../tooling/engine/record";
import { isSecret, isUnknown } from "../tooling/engine/wire";
import { stackConfig } from "./support/stacks";

const config = parseStackConfig(stackConfig("prod"));
const identity = { app: "dirt-free-crm", environment: "prod" };
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";

function program(alerts: AlertsConfig) {
  return () => {
    const alerting = new Alerts("alerts", {
      identity,
      config: alerts,
      owner: "dev@dirtfree.com",
      hostname: "app.dirtfree.com",
      healthPath: "/api/health",
      accountId: "123456789012",
      region: "us-east-1",
      allowedAccountIds: ["123456789012"],
      tags: { app: "dirt-free-crm", environment: "prod", owner: "dev@dirtfree.com", costCenter: "crm" },
      pagerDutyUrl: "https://events.pagerduty.com/integration/abc/enqueue",
      protect: true,
    });
    const secrets = new Secrets("secrets", {
      identity,
      config: { ...config.secrets, provided: [], public: {} },
      protect: true,
      providedValues: {},
      derivedValues: { SUPABASE_SERVICE_ROLE_KEY: "service-role" },
      projectRef: "abcdefghijklmnopqrst",
      publicSources: {
        supabaseUrl: "u",
        supabasePublishableKey: "p",
        supabaseAnonKey: "a",
        appUrl: "https://app.dirtfree.com",
      },
    });
    const metrics = new MetricsCollector("metrics-collector", {
      identity,
      config: alerts,
      alerts: alerting,
      secrets,
      serviceRoleKeyName: "SUPABASE_SERVICE_ROLE_KEY",
      projectRef: "abcdefghijklmnopqrst",
      hostname: "app.dirtfree.com",
      zoneId: "023e105f4ecef8ad9ca31a8372d0c353",
    });
    return { alarmKeys: metrics.alarmKeys };
  };
}

function record(preview: boolean, alerts: AlertsConfig = config.alerts): Promise<Recording> {
  return recordProgram({ program: program(alerts), project: "golive", stack: "prod", preview });
}

function alarm(rec: Recording, key: string): RecordedResource {
  return findResource(rec, ALARM, `alerts-alarm-${key}`);
}

/** The topic an alarm notifies, by the topic resource it depends on. */
function notifiedTopic(rec: Recording, resource: RecordedResource): string {
  const topics = rec.resources.filter((r) => r.type === "aws:sns/topic:Topic");
  const deps = resource.options.propertyDependencies?.alarmActions ?? [];
  const topic = topics.find((candidate) => deps.includes(candidate.urn));
  if (!topic) throw new Error(`alarm ${resource.name} notifies no topic of this program`);
  return topic.name;
}

describe.each([false, true])("MetricsCollector (preview: %s)", (preview) => {
  it("alarms on database use at the configured thresholds, missing data breaching (ALERT-04)", async () => {
    const rec = await record(preview);
    const expected: Record<string, { metric: string; threshold: number; topic: string }> = {
      "database-connections": { metric: METRIC.connections, threshold: 80, topic: "alerts-critical" },
      "database-disk": { metric: METRIC.disk, threshold: 80, topic: "alerts-warning" },
      "database-cpu": { metric: METRIC.cpu, threshold: 70, topic: "alerts-warning" },
      "database-memory": { metric: METRIC.memory, threshold: 80, topic: "alerts-warning" },
    };
    for (const [key, want] of Object.entries(expected)) {
      const resource = alarm(rec, key);
      expect(resource.inputs).toMatchObject({
        name: `dirt-free-crm-prod-${key}`,
        namespace: "golive/database",
        metricName: want.metric,
        dimensions: { ProjectRef: "abcdefghijklmnopqrst" },
        threshold: want.threshold,
        comparisonOperator: "GreaterThanThreshold",
        period: 60,
        evaluationPeriods: 5,
        datapointsToAlarm: 4,
        treatMissingData: "breaching",
        actionsEnabled: true,
      });
      expect(resource.inputs.alarmActions).toHaveLength(1);
      expect(notifiedTopic(rec, resource)).toBe(want.topic);
    }
  });

  it("alarms on the edge error rate above 1%, critical, quiet nights not breaching (ALERT-03)", async () => {
    const rec = await record(preview);
    const resource = alarm(rec, "error-rate");
    expect(resource.inputs).toMatchObject({
      namespace: "golive/app",
      metricName: METRIC.errorRate,
      dimensions: { Hostname: "app.dirtfree.com" },
      threshold: 1,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
      unit: "Percent",
    });
    expect(notifiedTopic(rec, resource)).toBe("alerts-critical");
  });

  it("alarms on the edge p95 of visitors' requests above the latency target, on its Maximum (ALERT-02)", async () => {
    const rec = await record(preview);
    const resource = alarm(rec, "latency-p95");
    expect(resource.inputs).toMatchObject({
      namespace: APP_NAMESPACE,
      metricName: METRIC.edgeTtfbP95,
      dimensions: { Hostname: "app.dirtfree.com" },
      // Each datapoint already is a p95: no percentile of percentiles.
      statistic: "Maximum",
      threshold: config.alerts.latency.p95Seconds * 1000,
      unit: "Milliseconds",
      treatMissingData: "notBreaching",
    });
    expect(resource.inputs).not.toHaveProperty("extendedStatistic");
    expect(notifiedTopic(rec, resource)).toBe("alerts-warning");
  });

  it("alarms when the collector fails or stops running", async () => {
    const rec = await record(preview);
    expect(alarm(rec, "metrics-collector-errors").inputs).toMatchObject({
      namespace: "AWS/Lambda",
      metricName: "Errors",
      dimensions: { FunctionName: "dirt-free-crm-prod-metrics-collector" },
      threshold: 0,
    });
    expect(alarm(rec, "metrics-collector-not-running").inputs).toMatchObject({
      metricName: "Invocations",
      comparisonOperator: "LessThanThreshold",
      threshold: 1,
      treatMissingData: "breaching",
    });
  });

  it("runs the bundled collector every minute with least privilege and a debug log group", async () => {
    const rec = await record(preview);
    const fn = findResource(rec, "aws:lambda/function:Function", "metrics-collector-function");
    expect(fn.inputs).toMatchObject({
      name: "dirt-free-crm-prod-metrics-collector",
      runtime: "nodejs20.x",
      handler: "index.handler",
      timeout: 30,
      loggingConfig: { logFormat: "Text" },
    });
    const variables = (fn.inputs.environment as { variables: Record<string, unknown> }).variables;
    expect(variables[ENV.projectRef]).toBe("abcdefghijklmnopqrst");
    expect(variables[ENV.serviceRoleKeyName]).toBe("SUPABASE_SERVICE_ROLE_KEY");
    expect(variables[ENV.analyticsTokenName]).toBe("CLOUDFLARE_ANALYTICS_TOKEN");
    expect(variables[ENV.hostname]).toBe("app.dirtfree.com");
    expect(variables[ENV.zoneId]).toBe("023e105f4ecef8ad9ca31a8372d0c353");
    expect(variables[ENV.minRequests]).toBe("100");
    // The secret's location only, never a value.
    for (const value of Object.values(variables)) expect(isSecret(value)).toBe(false);

    const logGroup = findResource(rec, "aws:cloudwatch/logGroup:LogGroup", "alerts-logs-metrics-collector");
    expect(logGroup.inputs).toMatchObject({
      name: "/dirt-free-crm/prod/metrics-collector",
      retentionInDays: 30,
    });
    expect(fn.options.dependencies).toContain(logGroup.urn);

    const role = findResource(rec, "aws:iam/role:Role", "metrics-collector-role");
    const policy = findResource(rec, "aws:iam/rolePolicy:RolePolicy", "metrics-collector-policy");
    if (!preview) {
      const document = JSON.parse(policy.inputs.policy as string) as ReturnType<typeof collectorPolicy>;
      expect(document.Statement).toHaveLength(1);
      expect(document.Statement[0]).toMatchObject({ Action: ["logs:CreateLogStream", "logs:PutLogEvents"] });
    } else {
      expect(isUnknown(policy.inputs.policy) || typeof policy.inputs.policy === "string").toBe(true);
    }
    expect(findResource(rec, "aws:iam/rolePolicy:RolePolicy", "metrics-collector-reads-secret").parent).toBe(
      role.urn,
    );

    const rule = findResource(rec, "aws:cloudwatch/eventRule:EventRule", "metrics-collector-schedule");
    expect(rule.inputs).toMatchObject({ scheduleExpression: "rate(1 minute)", state: "ENABLED" });
    const permission = findResource(
      rec,
      "aws:lambda/permission:Permission",
      "metrics-collector-invoked-by-schedule",
    );
    expect(permission.inputs).toMatchObject({
      action: "lambda:InvokeFunction",
      principal: "events.amazonaws.com",
    });
    expect(permission.options.propertyDependencies?.sourceArn).toContain(rule.urn);
    const target = findResource(rec, "aws:cloudwatch/eventTarget:EventTarget", "metrics-collector-target");
    expect(target.inputs.retryPolicy).toEqual({ maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60 });
    expect(target.options.propertyDependencies?.arn).toContain(fn.urn);
  });
});

describe("MetricsCollector configuration", () => {
  it("follows golive:alerts.thresholds and leaves out the error rate without a token", async () => {
    const alerts: AlertsConfig = {
      ...config.alerts,
      thresholds: {
        errorRatePercent: 0.8,
        connectionsPercent: 75,
        diskPercent: 70,
        cpuPercent: 60,
        memoryPercent: 85,
      },
      errorRate: { minRequests: 10 },
    };
    const rec = await record(false, alerts);
    expect(alarm(rec, "database-connections").inputs.threshold).toBe(75);
    expect(alarm(rec, "database-disk").inputs.threshold).toBe(70);
    expect(alarm(rec, "database-cpu").inputs.threshold).toBe(60);
    expect(alarm(rec, "database-memory").inputs.threshold).toBe(85);
    expect(rec.resources.some((r) => r.name === "alerts-alarm-error-rate")).toBe(false);
    const fn = findResource(rec, "aws:lambda/function:Function", "metrics-collector-function");
    const variables = (fn.inputs.environment as { variables: Record<string, unknown> }).variables;
    expect(variables).not.toHaveProperty(ENV.analyticsTokenName);
  });

  it("builds specs from thresholds", () => {
    const specs = databaseAlarmSpecs("ref", config.alerts.thresholds);
    expect(specs.map((s) => [s.key, s.spec.threshold, s.spec.severity])).toEqual([
      ["connections", 80, "critical"],
      ["disk", 80, "warning"],
      ["cpu", 70, "warning"],
      ["memory", 80, "warning"],
    ]);
    expect(errorRateAlarmSpec("app.dirtfree.com", 1)).toMatchObject({ severity: "critical", threshold: 1 });
  });

  it("keeps prod at or below the checklist thresholds and requires the token to be declared", () => {
    const context = {
      owner: "dev@dirtfree.com",
      providedSecretNames: ["PAGERDUTY_CLOUDWATCH_URL"],
      providedValues: {},
    };
    const loose: AlertsConfig = {
      ...config.alerts,
      thresholds: { ...CHECKLIST_THRESHOLDS, errorRatePercent: 5, cpuPercent: 90 },
    };
    const prodIssues = checkAlertsRules(loose, { ...context, environment: "prod" });
    expect(prodIssues.map((issue) => issue.key)).toEqual(
      expect.arrayContaining([
        "golive:alerts.thresholds.errorRatePercent",
        "golive:alerts.thresholds.cpuPercent",
        "golive:alerts.errorRate.analyticsTokenSecretName",
      ]),
    );
    expect(prodIssues.map((issue) => issue.key)).not.toContain("golive:alerts.thresholds.diskPercent");
    const stagingIssues = checkAlertsRules(loose, { ...context, environment: "staging" });
    expect(stagingIssues.map((issue) => issue.key)).toEqual([
      "golive:alerts.errorRate.analyticsTokenSecretName",
    ]);
  });
});
