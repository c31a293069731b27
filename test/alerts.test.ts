import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { Alerts, type AlertsArgs } from "../components/alerts";
import { ALERTS_TYPE } from "../lib/component-types";
import { parseStackConfig, type StackConfig } from "../config/load";
import { alertsSchema } from "../config/schema/alerts";
import {
  AlarmSpecError,
  mathAlarmInputs,
  PUBLISHING_SERVICES,
  SEVERITY_CHANNELS,
  alertKeyPolicy,
  alertTopicPolicy,
  logGroupName,
  metricAlarmInputs,
  routeSubscriptions,
  uptimeBurnRateAlarms,
  type AlarmSpec,
} from "../lib/alerts";
import { findResource, recordProgram, type RecordedResource, type Recording } from "../tooling/engine/record";
import { isSecret, isUnknown, revealSecrets, type RecordedValue } from "../tooling/engine/wire";
import { stackConfig } from "./support/stacks";

const prod = parseStackConfig(stackConfig("prod"));
const staging = parseStackConfig(stackConfig("staging"));
const PAGER_URL = "https://events.pagerduty.com/integration/0123456789abcdef0123456789abcdef/enqueue";

function alertsArgs(config: StackConfig, overrides: Partial<AlertsArgs> = {}): AlertsArgs {
  return {
    identity: { app: config.app.name, environment: config.environment },
    config: config.alerts,
    owner: config.app.owner,
    hostname: config.app.hostname,
    healthPath: config.app.healthPath,
    detailedHealthPath: config.app.detailedHealthPath,
    accountId: config.app.awsAccounts[config.environment],
    region: config.aws.region,
    allowedAccountIds: config.aws.allowedAccountIds,
    tags: {
      app: config.app.name,
      environment: config.environment,
      owner: config.app.owner,
      costCenter: config.app.costCenter,
    },
    ...(config.alerts.pagerDuty ? { pagerDutyUrl: pulumi.secret(PAGER_URL) } : {}),
    protect: config.environment === "prod",
    ...overrides,
  };
}

const EXTRA_ALARM: AlarmSpec = {
  severity: "critical",
  description: "The nightly job failed",
  namespace: "AWS/Lambda",
  metricName: "Errors",
  dimensions: { FunctionName: "nightly" },
  statistic: "Sum",
  threshold: 0,
  comparison: "GreaterThanThreshold",
  periodSeconds: 300,
  evaluationPeriods: 1,
};

function record(args: AlertsArgs, preview: boolean): Promise<Recording> {
  return recordProgram({
    project: "golive",
    stack: args.identity.environment,
    preview,
    config: { "aws:region": args.region },
    program: () => {
      const alerts = new Alerts("alerts", args);
      // How another component adds an alarm.
      alerts.addAlarm("cron-nightly-failed", EXTRA_ALARM);
      return { critical: alerts.topicArns.critical, warning: alerts.topicArns.warning };
    },
  });
}

const ofType = (rec: Recording, type: string) => rec.resources.filter((resource) => resource.type === type);
const str = (value: RecordedValue | undefined) => (typeof value === "string" ? value : undefined);

/** The topic a recorded ARN input points to, matched through the topic's own (recorded) ARN. */
function topicOf(rec: Recording, arn: RecordedValue | undefined): RecordedResource {
  const topics = ofType(rec, "aws:sns/topic:Topic");
  if (rec.preview) {
    // In a preview a new topic's ARN is unknown: every ARN input must be unknown too.
    expect(isUnknown(arn)).toBe(true);
    throw new Error("topicOf is for up mode");
  }
  const found = topics.find((topic) => topic.outputs.arn === arn);
  if (!found) throw new Error(`no topic with ARN ${JSON.stringify(arn)}`);
  return found;
}

describe("routing and alarm specs (pure)", () => {
  it("critical pages, chats and emails; a warning chats and emails (ALERT-05)", () => {
    expect(SEVERITY_CHANNELS).toEqual({ critical: ["pager", "chat", "email"], warning: ["chat", "email"] });
    const routes = routeSubscriptions({
      emails: { critical: ["b@x.com", "a@x.com", "a@x.com"], warning: ["a@x.com"] },
      pager: true,
      chat: true,
    });
    expect(routes.critical).toEqual([
      { kind: "pager" },
      { kind: "chat" },
      { kind: "email", address: "a@x.com" },
      { kind: "email", address: "b@x.com" },
    ]);
    expect(routes.warning).toEqual([{ kind: "chat" }, { kind: "email", address: "a@x.com" }]);
    const emailOnly = routeSubscriptions({
      emails: { critical: ["a@x.com"], warning: [] },
      pager: false,
      chat: false,
    });
    expect(emailOnly).toEqual({ critical: [{ kind: "email", address: "a@x.com" }], warning: [] });
  });

  it("every alarm gets its topic as alarm and OK action", () => {
    const inputs = metricAlarmInputs("app-prod-x", EXTRA_ALARM, "arn:aws:sns:us-east-1:1:critical");
    expect(inputs.alarmActions).toEqual(["arn:aws:sns:us-east-1:1:critical"]);
    expect(inputs.okActions).toEqual(["arn:aws:sns:us-east-1:1:critical"]);
    expect(inputs.actionsEnabled).toBe(true);
    expect(inputs.alarmDescription).toBe("[critical] The nightly job failed");
    expect(inputs.datapointsToAlarm).toBe(1);
    expect(inputs.treatMissingData).toBe("notBreaching");
  });

  it("refuses specs CloudWatch would refuse, naming the alarm", () => {
    const bad = (patch: Partial<AlarmSpec>) => () =>
      metricAlarmInputs("x", { ...EXTRA_ALARM, ...patch }, "arn");
    expect(bad({ extendedStatistic: "p95" })).toThrow(AlarmSpecError);
    expect(bad({ extendedStatistic: "p95" })).toThrow(
      'alarm "x": set exactly one of statistic and extendedStatistic',
    );
    expect(bad({ statistic: undefined, extendedStatistic: "95th" })).toThrow(/must be a percentile/);
    expect(bad({ periodSeconds: 45 })).toThrow(/multiple of 60/);
    expect(bad({ evaluationPeriods: 0 })).toThrow(/evaluationPeriods/);
    expect(bad({ datapointsToAlarm: 3 })).toThrow(/datapointsToAlarm/);
    expect(bad({ description: " " })).toThrow(/description/);
  });

  it("uptime as burn-rate windows in us-east-1; a warning check never pages", () => {
    const tiers = uptimeBurnRateAlarms({
      keyPrefix: "health-uptime",
      severity: "critical",
      healthCheckId: "hc",
      url: "https://app.example.com/api/health",
      targetPercent: 99.9,
    });
    expect(tiers.map((tier) => [tier.composite.key, tier.composite.spec.severity])).toEqual([
      ["health-uptime-fast-burn", "critical"],
      ["health-uptime-slow-burn", "warning"],
    ]);
    expect(tiers[0]!.windows.map((window) => window.key)).toEqual([
      "health-uptime-fast-burn-1h",
      "health-uptime-fast-burn-5m",
    ]);
    const [long] = tiers[0]!.windows;
    expect(long!.spec.severity).toBeUndefined();
    expect(long!.spec.region).toBe("us-east-1");
    const inputs = mathAlarmInputs("x", long!.spec, undefined);
    expect(inputs.alarmActions).toBeUndefined();
    expect(inputs.metricQueries.find((query) => query.returnData)?.expression).toBe("(100 - healthy) / 0.1");
    const warningOnly = uptimeBurnRateAlarms({
      keyPrefix: "d",
      severity: "warning",
      healthCheckId: "hc",
      url: "u",
      targetPercent: 99.5,
    });
    expect(warningOnly.map((tier) => tier.composite.spec.severity)).toEqual(["warning", "warning"]);
  });

  it("key and topic policies let CloudWatch, Budgets and Cost Anomaly Detection in, for this account only", () => {
    expect(PUBLISHING_SERVICES).toEqual([
      "cloudwatch.amazonaws.com",
      "budgets.amazonaws.com",
      "costalerts.amazonaws.com",
    ]);
    const key = JSON.stringify(alertKeyPolicy("123456789012"));
    for (const service of PUBLISHING_SERVICES) expect(key).toContain(service);
    expect(key).toContain('"aws:SourceAccount":"123456789012"');
    expect(key).toContain("kms:GenerateDataKey*");
    const topic = alertTopicPolicy("arn:aws:sns:us-east-1:123456789012:t", "123456789012") as {
      Statement: { Sid: string; Effect: string; Action: unknown; Principal: unknown }[];
    };
    const publish = topic.Statement.find((s) => s.Sid === "AlertServicesPublish")!;
    expect(publish.Principal).toEqual({ Service: [...PUBLISHING_SERVICES] });
    expect(publish.Action).toBe("sns:Publish");
    expect(topic.Statement.find((s) => s.Sid === "DenyInsecureTransport")?.Effect).toBe("Deny");
  });

  it("audit log groups end in /audit", () => {
    const id = { app: "dirt-free-crm", environment: "prod" };
    expect(logGroupName(id, "app", "debug")).toBe("/dirt-free-crm/prod/app");
    expect(logGroupName(id, "app", "audit")).toBe("/dirt-free-crm/prod/app/audit");
  });
});

describe.each([false, true])("the Alerts component (preview: %s)", (preview) => {
  it("one KMS-encrypted topic per severity, under a customer-managed key that lets the publishers in", async () => {
    const rec = await record(alertsArgs(prod), preview);
    const topics = ofType(rec, "aws:sns/topic:Topic");
    expect(topics.map((topic) => topic.inputs.name).sort()).toEqual([
      "dirt-free-crm-prod-alerts-critical",
      "dirt-free-crm-prod-alerts-warning",
    ]);
    const key = findResource(rec, "aws:kms/key:Key", "alerts-key");
    expect(key.inputs.enableKeyRotation).toBe(true);
    expect(key.options.protect).toBe(true);
    expect(JSON.parse(str(key.inputs.policy)!)).toEqual(alertKeyPolicy("123456789012"));
    for (const topic of topics) {
      const kmsKey = topic.inputs.kmsMasterKeyId;
      if (preview) expect(isUnknown(kmsKey)).toBe(true);
      else expect(kmsKey).toBe(key.outputs.arn);
      expect(kmsKey).not.toBe("alias/aws/sns");
    }
    const policies = ofType(rec, "aws:sns/topicPolicy:TopicPolicy");
    expect(policies).toHaveLength(2);
    if (!preview) {
      for (const policy of policies) {
        const topic = topicOf(rec, policy.inputs.arn);
        expect(JSON.parse(str(policy.inputs.policy)!)).toEqual(
          alertTopicPolicy(str(topic.outputs.arn)!, "123456789012"),
        );
      }
    }
  });

  it("subscriptions per severity: critical pages and emails, warnings email; Slack gets both topics", async () => {
    const rec = await record(alertsArgs(prod), preview);
    const subscriptions = ofType(rec, "aws:sns/topicSubscription:TopicSubscription");
    const pager = subscriptions.filter((s) => s.inputs.protocol === "https");
    expect(pager.map((s) => s.name)).toEqual(["alerts-critical-pagerduty"]);
    // The integration URL holds PagerDuty's key: it stays a secret.
    expect(isSecret(pager[0]!.inputs.endpoint)).toBe(true);
    expect(revealSecrets(pager[0]!.inputs.endpoint!)).toBe(PAGER_URL);
    expect(pager[0]!.inputs.endpointAutoConfirms).toBe(true);

    const emails = subscriptions.filter((s) => s.inputs.protocol === "email");
    const bySeverity = (severity: string) =>
      emails
        .filter((s) => s.name.startsWith(`alerts-${severity}-`))
        .map((s) => s.inputs.endpoint)
        .sort();
    expect(bySeverity("critical")).toEqual(["dev@dirtfree.com", "emergency@dirtfree.com"]);
    expect(bySeverity("warning")).toEqual(["dev@dirtfree.com"]);
    if (!preview) {
      for (const subscription of subscriptions) {
        const topic = topicOf(rec, subscription.inputs.topic);
        const severity = (str(topic.inputs.name) ?? "").endsWith("critical") ? "critical" : "warning";
        expect(subscription.name.startsWith(`alerts-${severity}-`)).toBe(true);
      }
    }

    const slack = findResource(
      rec,
      "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration",
      "alerts-slack",
    );
    expect(slack.inputs.slackTeamId).toBe("T0DIRTFREE1");
    expect(slack.inputs.slackChannelId).toBe("C0PRODALERTS");
    expect(slack.inputs.region).toBe("us-east-2");
    expect(slack.inputs.guardrailPolicyArns).toEqual(["arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess"]);
    const chatTopics = slack.inputs.snsTopicArns as RecordedValue[];
    expect(chatTopics).toHaveLength(2);
    if (!preview) {
      expect(chatTopics.map((arn) => topicOf(rec, arn).inputs.name).sort()).toEqual([
        "dirt-free-crm-prod-alerts-critical",
        "dirt-free-crm-prod-alerts-warning",
      ]);
    }
  });

  it("every alarm reaches its severity's topic, directly or through the composite that names it", async () => {
    const rec = await record(alertsArgs(prod), preview);
    const alarms = ofType(rec, "aws:cloudwatch/metricAlarm:MetricAlarm");
    const composites = ofType(rec, "aws:cloudwatch/compositeAlarm:CompositeAlarm");
    expect(composites.map((alarm) => alarm.inputs.alarmName).sort()).toEqual([
      "dirt-free-crm-prod-health-detailed-uptime-fast-burn",
      "dirt-free-crm-prod-health-detailed-uptime-slow-burn",
      "dirt-free-crm-prod-health-uptime-fast-burn",
      "dirt-free-crm-prod-health-uptime-slow-burn",
    ]);
    const notifying = [...alarms.filter((alarm) => alarm.inputs.alarmActions !== undefined), ...composites];
    for (const alarm of notifying) {
      const actions = alarm.inputs.alarmActions as RecordedValue[];
      expect(actions, str(alarm.inputs.name) ?? "").toHaveLength(1);
      expect(alarm.inputs.okActions).toEqual(actions);
      expect(alarm.inputs.actionsEnabled).toBe(true);
      if (!preview) {
        const topic = topicOf(rec, actions[0]);
        const severity = (str(alarm.inputs.alarmDescription) ?? "").match(/^\[(critical|warning)\]/)![1];
        expect(topic.inputs.name).toBe(`dirt-free-crm-prod-alerts-${severity}`);
      }
    }
    // An alarm without actions is an input of a composite that notifies; nothing fires silently.
    const rules = composites.map((composite) => str(composite.inputs.alarmRule) ?? "");
    for (const alarm of alarms.filter((candidate) => candidate.inputs.alarmActions === undefined)) {
      const name = str(alarm.inputs.name)!;
      expect(
        rules.some((rule) => rule.includes(`ALARM("${name}")`)),
        name,
      ).toBe(true);
    }
    const severityOf = (name: string) =>
      (str(composites.find((c) => c.inputs.alarmName === name)?.inputs.alarmDescription) ?? "").slice(0, 10);
    expect(severityOf("dirt-free-crm-prod-health-uptime-fast-burn")).toBe("[critical]");
    expect(severityOf("dirt-free-crm-prod-health-uptime-slow-burn")).toBe("[warning] ");
    expect(severityOf("dirt-free-crm-prod-health-detailed-uptime-fast-burn")).toBe("[warning] ");
  });

  it("HTTPS health checks with latency, and the Route 53 alarms on an explicit us-east-1 provider", async () => {
    const rec = await record(alertsArgs(prod), preview);
    const checks = ofType(rec, "aws:route53/healthCheck:HealthCheck");
    expect(checks.map((check) => [check.inputs.type, check.inputs.fqdn, check.inputs.resourcePath])).toEqual([
      ["HTTPS", "app.dirtfree.com", "/api/health"],
      ["HTTPS", "app.dirtfree.com", "/api/health/detailed"],
    ]);
    for (const check of checks) {
      expect(check.inputs.measureLatency).toBe(true);
      expect(check.inputs.port).toBe(443);
    }

    const provider = findResource(rec, "pulumi:providers:aws", "alerts-us-east-1");
    expect(provider.inputs.region).toBe("us-east-1");
    expect(JSON.parse(str(provider.inputs.allowedAccountIds)!)).toEqual(["123456789012"]);
    expect(JSON.parse(str(provider.inputs.defaultTags)!)).toEqual({
      tags: {
        app: "dirt-free-crm",
        environment: "prod",
        owner: "dev@dirtfree.com",
        "cost-center": "crm-platform",
      },
    });
    const component = findResource(rec, ALERTS_TYPE, "alerts");
    expect(provider.parent).toBe(component.urn);

    const onProvider = (alarm: RecordedResource) => alarm.provider?.startsWith(`${provider.urn}::`) ?? false;
    type Query = { metric?: { namespace?: string; dimensions?: Record<string, RecordedValue> } };
    const route53Query = (alarm: RecordedResource) =>
      ((alarm.inputs.metricQueries as Query[] | undefined) ?? []).find(
        (query) => query.metric?.namespace === "AWS/Route53",
      );
    for (const alarm of ofType(rec, "aws:cloudwatch/metricAlarm:MetricAlarm")) {
      const route53 = route53Query(alarm);
      expect(onProvider(alarm), str(alarm.inputs.name) ?? "").toBe(route53 !== undefined);
      if (!preview && route53) {
        const checkIds = checks.map((check) => check.id);
        expect(checkIds).toContain(route53.metric!.dimensions!.HealthCheckId);
      }
    }
    for (const composite of ofType(rec, "aws:cloudwatch/compositeAlarm:CompositeAlarm")) {
      // A composite and its inputs share a region (us-east-1, where Route 53 publishes).
      expect(onProvider(composite)).toBe(true);
    }
  });

  it("log groups: 30 days debug, 365 days audit, audit marked and protected in prod", async () => {
    const rec = await record(alertsArgs(prod), preview);
    const groups = ofType(rec, "aws:cloudwatch/logGroup:LogGroup");
    const summary = groups.map((group) => [
      group.inputs.name,
      group.inputs.retentionInDays,
      (group.inputs.tags as Record<string, string>)["log-class"],
      group.options.protect,
    ]);
    expect(summary.sort()).toEqual([
      ["/dirt-free-crm/prod/app", 30, "debug", false],
      ["/dirt-free-crm/prod/app/audit", 365, "audit", true],
    ]);
  });

  it("parents every child to the Alerts component", async () => {
    const rec = await record(alertsArgs(prod), preview);
    const component = findResource(rec, ALERTS_TYPE, "alerts");
    const children = rec.resources.filter(
      (resource) => resource !== component && resource.urn.includes(`${ALERTS_TYPE}$`),
    );
    expect(children.length).toBeGreaterThan(15);
    for (const child of rec.resources.filter((r) => r.parent !== undefined && r !== component)) {
      if (child.type === "pulumi:pulumi:Stack") continue;
      expect(child.parent, child.name).toBe(component.urn);
    }
  });

  it("staging: email only, no pager, no chat, still one subscription per topic", async () => {
    const rec = await record(alertsArgs(staging), preview);
    expect(ofType(rec, "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration")).toHaveLength(0);
    const subscriptions = ofType(rec, "aws:sns/topicSubscription:TopicSubscription");
    expect(subscriptions.map((s) => [s.name, s.inputs.protocol, s.inputs.endpoint]).sort()).toEqual([
      ["alerts-critical-email-dev-dirtfree-com", "email", "dev@dirtfree.com"],
      ["alerts-warning-email-dev-dirtfree-com", "email", "dev@dirtfree.com"],
    ]);
    const key = findResource(rec, "aws:kms/key:Key", "alerts-key");
    expect(key.options.protect).toBe(false);
  });

  it("a stack outside us-east-1 gets a second, identical topic set there for the Route 53 alarms", async () => {
    const rec = await record(alertsArgs(prod, { region: "eu-west-1" }), preview);
    const provider = findResource(rec, "pulumi:providers:aws", "alerts-us-east-1");
    const topics = ofType(rec, "aws:sns/topic:Topic");
    expect(topics.map((topic) => topic.inputs.name).sort()).toEqual([
      "dirt-free-crm-prod-alerts-critical",
      "dirt-free-crm-prod-alerts-critical-us-east-1",
      "dirt-free-crm-prod-alerts-warning",
      "dirt-free-crm-prod-alerts-warning-us-east-1",
    ]);
    const onProvider = (resource: RecordedResource) =>
      resource.provider?.startsWith(`${provider.urn}::`) ?? false;
    for (const topic of topics)
      expect(onProvider(topic)).toBe((str(topic.inputs.name) ?? "").endsWith("-us-east-1"));
    expect(ofType(rec, "aws:kms/key:Key").filter(onProvider)).toHaveLength(1);
    const pager = ofType(rec, "aws:sns/topicSubscription:TopicSubscription").filter(
      (s) => s.inputs.protocol === "https",
    );
    expect(pager.map((s) => [s.name, onProvider(s)]).sort()).toEqual([
      ["alerts-critical-pagerduty", false],
      ["alerts-us-east-1-critical-pagerduty", true],
    ]);
    const slack = findResource(
      rec,
      "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration",
      "alerts-slack",
    );
    expect(slack.inputs.snsTopicArns as RecordedValue[]).toHaveLength(4);
    if (!preview) {
      const notifying = [
        ...ofType(rec, "aws:cloudwatch/metricAlarm:MetricAlarm"),
        ...ofType(rec, "aws:cloudwatch/compositeAlarm:CompositeAlarm"),
      ].filter((alarm) => alarm.inputs.alarmActions !== undefined);
      for (const alarm of notifying) {
        const topic = topicOf(rec, (alarm.inputs.alarmActions as RecordedValue[])[0]);
        // An alarm can only notify a topic in its own region.
        expect(onProvider(topic)).toBe(onProvider(alarm));
      }
    }
  });
});

describe("the Alerts component refuses what cannot work", () => {
  it("a PagerDuty channel without its URL", async () => {
    await expect(record(alertsArgs(prod, { pagerDutyUrl: undefined }), false)).rejects.toThrow(
      /names PAGERDUTY_CLOUDWATCH_URL, but no value reached/,
    );
  });

  it("the same alarm twice", async () => {
    const args = alertsArgs(staging, { config: alertsSchema.parse({}) });
    await expect(
      recordProgram({
        project: "golive",
        stack: "staging",
        preview: false,
        config: { "aws:region": "us-east-1" },
        program: () => {
          const alerts = new Alerts("alerts", args);
          alerts.addAlarm("x", EXTRA_ALARM);
          alerts.addAlarm("x", EXTRA_ALARM);
        },
      }),
    ).rejects.toThrow(/alarm "x" is defined twice/);
  });
});
