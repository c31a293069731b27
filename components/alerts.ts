/**
 * Alerting for one environment (ALERT-01, -05, -06, -07): an encrypted SNS topic per severity
 * with the subscriptions its severity routes to (email, PagerDuty, Slack through AWS Chatbot), the
 * uptime checks of the app with burn-rate alarms on the uptime objective, log groups with their retention, and `addAlarm`, through
 * which every other component gets alarms that notify their severity's topic by construction.
 *
 * CloudWatch alarms can only notify topics in their own region, and Route 53 publishes its health
 * metrics in us-east-1 only. So the uptime alarms are made with an explicit us-east-1 provider, and
 * when the stack lives elsewhere the topics are made there too, with the same subscriptions.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { alertEmails, type AlertsConfig } from "../config/schema/alerts";
import {
  CHATBOT_GUARDRAIL_POLICY_ARN,
  SEVERITIES,
  alertKeyPolicy,
  alertTopicPolicy,
  chatbotAssumeRolePolicy,
  chatbotReadPolicy,
  compositeAlarmRule,
  logGroupName,
  logRetentionDays,
  mathAlarmInputs,
  metricAlarmInputs,
  routeSubscriptions,
  uptimeBurnRateAlarms,
  type AlarmSpec,
  type CompositeAlarmSpec,
  type MathAlarmSpec,
  type LogClass,
  type MetricRegion,
  type Severity,
} from "../lib/alerts";
import {
  limitedName,
  physicalName,
  requiredTags,
  type CostTags,
  type EnvironmentIdentity,
} from "../lib/naming";
import { ALERTS_TYPE } from "../lib/component-types";

const GLOBAL_METRICS_REGION = "us-east-1";

export interface AlertsArgs {
  readonly identity: EnvironmentIdentity;
  readonly config: AlertsConfig;
  /** `golive:app.owner`: the email recipient when config lists none. */
  readonly owner: string;
  /** The app's hostname and health paths, checked from Route 53 (ALERT-01). */
  readonly hostname: string;
  readonly healthPath: string;
  readonly detailedHealthPath?: string;
  /** The stack's AWS account and region, and `aws:allowedAccountIds` for the us-east-1 provider. */
  readonly accountId: string;
  readonly region: string;
  readonly allowedAccountIds: readonly string[];
  /** The default tags of the us-east-1 provider, as the stack's own resources carry (ENV-03). */
  readonly tags: CostTags;
  /** `aws:profile`, when the stack authenticates with one: an explicit provider does not read it. */
  readonly awsProfile?: string;
  /** The PagerDuty integration URL (the operator secret named by `config.pagerDuty`). */
  readonly pagerDutyUrl?: pulumi.Input<string>;
  /** Protect the key and the audit log groups from deletion (prod). */
  readonly protect: boolean;
}

/** The alert key and one topic per severity, in one region. */
interface TopicSet {
  readonly key: aws.kms.Key;
  readonly topics: Record<Severity, aws.sns.Topic>;
}

export class Alerts extends pulumi.ComponentResource {
  /** The topics of the stack's region, by severity. */
  readonly topicArns: Record<Severity, pulumi.Output<string>>;
  readonly kmsKeyArn: pulumi.Output<string>;
  /** The provider for us-east-1 metrics (Route 53, billing). */
  readonly usEast1Provider: aws.Provider;
  readonly healthCheckIds: pulumi.Output<string>[];
  readonly logGroupNames: string[];

  private readonly baseName: string;
  private readonly identity: EnvironmentIdentity;
  private readonly args: AlertsArgs;
  private readonly topicSets: Record<MetricRegion, TopicSet>;
  private readonly alarmNames = new Set<string>();
  private readonly logGroups = new Set<string>();

  constructor(name: string, args: AlertsArgs, opts?: pulumi.ComponentResourceOptions) {
    super(ALERTS_TYPE, name, {}, opts);
    this.baseName = name;
    this.identity = args.identity;
    this.args = args;
    const { config } = args;

    if (config.pagerDuty && args.pagerDutyUrl === undefined) {
      throw new Error(
        `golive:alerts.pagerDuty names ${config.pagerDuty.integrationUrlSecret}, but no value reached the Alerts component`,
      );
    }

    this.usEast1Provider = new aws.Provider(
      `${name}-${GLOBAL_METRICS_REGION}`,
      {
        region: GLOBAL_METRICS_REGION,
        allowedAccountIds: [...args.allowedAccountIds],
        defaultTags: { tags: requiredTags(args.tags) },
        ...(args.awsProfile ? { profile: args.awsProfile } : {}),
      },
      { parent: this },
    );

    const stackTopics = this.createTopicSet(`${name}`, undefined);
    const globalTopics =
      args.region === GLOBAL_METRICS_REGION
        ? stackTopics
        : this.createTopicSet(`${name}-${GLOBAL_METRICS_REGION}`, this.usEast1Provider);
    this.topicSets = { stack: stackTopics, "us-east-1": globalTopics };
    this.topicArns = { critical: stackTopics.topics.critical.arn, warning: stackTopics.topics.warning.arn };
    this.kmsKeyArn = stackTopics.key.arn;

    const distinctSets = globalTopics === stackTopics ? [stackTopics] : [stackTopics, globalTopics];
    const routes = routeSubscriptions({
      emails: alertEmails(config, args.owner),
      pager: config.pagerDuty !== undefined,
      chat: config.slack !== undefined,
    });
    for (const [setIndex, set] of distinctSets.entries()) {
      const provider = setIndex === 0 ? undefined : this.usEast1Provider;
      const prefix = setIndex === 0 ? name : `${name}-${GLOBAL_METRICS_REGION}`;
      for (const severity of SEVERITIES) {
        for (const subscription of routes[severity]) {
          if (subscription.kind === "email") {
            new aws.sns.TopicSubscription(
              `${prefix}-${severity}-email-${subscription.address.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`,
              { topic: set.topics[severity].arn, protocol: "email", endpoint: subscription.address },
              { parent: this, provider },
            );
          } else if (subscription.kind === "pager") {
            // PagerDuty confirms HTTPS subscriptions itself; the URL holds its integration key.
            new aws.sns.TopicSubscription(
              `${prefix}-${severity}-pagerduty`,
              {
                topic: set.topics[severity].arn,
                protocol: "https",
                endpoint: pulumi.secret(args.pagerDutyUrl!),
                endpointAutoConfirms: true,
              },
              { parent: this, provider, additionalSecretOutputs: ["endpoint"] },
            );
          }
        }
      }
    }

    if (config.slack) {
      // Chatbot subscribes itself to every topic it is given; its API has no us-east-1 endpoint.
      const role = new aws.iam.Role(
        `${name}-chatbot`,
        {
          name: limitedName(physicalName(args.identity, "alerts-chatbot"), 64),
          description: "Lets AWS Chatbot render alarm details in Slack (read-only CloudWatch)",
          assumeRolePolicy: JSON.stringify(chatbotAssumeRolePolicy()),
        },
        { parent: this },
      );
      new aws.iam.RolePolicy(
        `${name}-chatbot-read`,
        { role: role.id, policy: JSON.stringify(chatbotReadPolicy()) },
        { parent: this },
      );
      const chatTopics = distinctSets.flatMap((set) =>
        SEVERITIES.map((severity) => set.topics[severity].arn),
      );
      new aws.chatbot.SlackChannelConfiguration(
        `${name}-slack`,
        {
          configurationName: limitedName(physicalName(args.identity, "alerts"), 128),
          slackTeamId: config.slack.teamId,
          slackChannelId: config.slack.channelId,
          iamRoleArn: role.arn,
          guardrailPolicyArns: [CHATBOT_GUARDRAIL_POLICY_ARN],
          snsTopicArns: chatTopics,
          loggingLevel: "ERROR",
          region: config.slack.apiRegion,
        },
        { parent: this },
      );
    }

    // ALERT-01: checks from Route 53; the uptime target as an objective, alarmed on its burn rate
    // (lib/slo.ts). Latency (ALERT-02) comes from the users' requests at the edge (the metrics
    // collector): Route 53 publishes checker latency as Average/Minimum/Maximum only, so no p95.
    const checks: { key: string; path: string; severity: Severity }[] = [
      { key: "health", path: args.healthPath, severity: "critical" },
      ...(args.detailedHealthPath
        ? [{ key: "health-detailed", path: args.detailedHealthPath, severity: "warning" as const }]
        : []),
    ];
    this.healthCheckIds = [];
    for (const check of checks) {
      const url = `https://${args.hostname}${check.path}`;
      const healthCheck = new aws.route53.HealthCheck(
        `${name}-${check.key}`,
        {
          type: "HTTPS",
          fqdn: args.hostname,
          port: 443,
          resourcePath: check.path,
          enableSni: true,
          measureLatency: true,
          requestInterval: config.uptime.requestIntervalSeconds,
          failureThreshold: config.uptime.failureThreshold,
          ...(config.uptime.regions ? { regions: [...config.uptime.regions] } : {}),
          referenceName: limitedName(physicalName(args.identity, check.key), 64),
          tags: { Name: url },
        },
        { parent: this },
      );
      this.healthCheckIds.push(healthCheck.id);
      for (const tier of uptimeBurnRateAlarms({
        keyPrefix: `${check.key}-uptime`,
        severity: check.severity,
        healthCheckId: healthCheck.id,
        url,
        targetPercent: config.uptime.targetPercent,
      })) {
        const inputs = tier.windows.map((window) => this.addMathAlarm(window.key, window.spec));
        this.addCompositeAlarm(tier.composite.key, {
          ...tier.composite.spec,
          allOf: inputs.map((input) => input.physicalName),
        });
      }
    }

    for (const group of config.logs.groups) this.addLogGroup(group.name, group.class);
    this.logGroupNames = [...this.logGroups];

    this.registerOutputs({
      criticalTopicArn: this.topicArns.critical,
      warningTopicArn: this.topicArns.warning,
      kmsKeyArn: this.kmsKeyArn,
      healthCheckIds: this.healthCheckIds,
      logGroupNames: this.logGroupNames,
    });
  }

  /**
   * A CloudWatch alarm whose alarm and OK actions are its severity's topic (in the metric's
   * region). `name` is short and unique within the environment (`cron-nightly-failed`); the alarm
   * is named `<app>-<environment>-<name>`. Parented to this component unless `opts.parent` says
   * otherwise. Throws on a spec CloudWatch would refuse.
   */
  addAlarm(name: string, spec: AlarmSpec, opts?: pulumi.CustomResourceOptions): aws.cloudwatch.MetricAlarm {
    const alarmName = this.claimAlarmName(name);
    const region = spec.region ?? "stack";
    const topic = this.topicSets[region].topics[spec.severity];
    const inputs = metricAlarmInputs(alarmName, spec, topic.arn);
    const provider = region === "us-east-1" ? this.usEast1Provider : opts?.provider;
    return new aws.cloudwatch.MetricAlarm(`${this.baseName}-alarm-${name}`, inputs, {
      parent: this,
      ...opts,
      ...(provider ? { provider } : {}),
    });
  }

  /**
   * A metric math alarm (`spec.queries`). With a severity it notifies that topic like
   * {@link addAlarm}; without one it has no actions and is meant as an input of
   * {@link addCompositeAlarm}. Returns the alarm and its physical name (for a composite's rule).
   */
  addMathAlarm(
    name: string,
    spec: MathAlarmSpec,
    opts?: pulumi.CustomResourceOptions,
  ): { alarm: aws.cloudwatch.MetricAlarm; physicalName: string } {
    const alarmName = this.claimAlarmName(name);
    const region = spec.region ?? "stack";
    const topic = spec.severity ? this.topicSets[region].topics[spec.severity].arn : undefined;
    const provider = region === "us-east-1" ? this.usEast1Provider : opts?.provider;
    const alarm = new aws.cloudwatch.MetricAlarm(
      `${this.baseName}-alarm-${name}`,
      mathAlarmInputs(alarmName, spec, topic),
      {
        parent: this,
        ...opts,
        ...(provider ? { provider } : {}),
      },
    );
    return { alarm, physicalName: alarmName };
  }

  /** A composite alarm, in ALARM when all its inputs are; notifies its severity's topic. */
  addCompositeAlarm(
    name: string,
    spec: CompositeAlarmSpec,
    opts?: pulumi.CustomResourceOptions,
  ): aws.cloudwatch.CompositeAlarm {
    const alarmName = this.claimAlarmName(name);
    const region = spec.region ?? "stack";
    const topic = this.topicSets[region].topics[spec.severity].arn;
    const provider = region === "us-east-1" ? this.usEast1Provider : opts?.provider;
    return new aws.cloudwatch.CompositeAlarm(
      `${this.baseName}-alarm-${name}`,
      {
        alarmName,
        alarmDescription: `[${spec.severity}] ${spec.description}`,
        alarmRule: compositeAlarmRule(spec.allOf),
        actionsEnabled: true,
        alarmActions: [topic],
        okActions: [topic],
      },
      { parent: this, ...opts, ...(provider ? { provider } : {}) },
    );
  }

  private claimAlarmName(name: string): string {
    const alarmName = limitedName(physicalName(this.identity, name), 255);
    if (this.alarmNames.has(alarmName)) throw new Error(`alarm "${name}" is defined twice`);
    this.alarmNames.add(alarmName);
    return alarmName;
  }

  /** The topic ARN of a severity, in the stack's region or in us-east-1. */
  topicArn(severity: Severity, region: MetricRegion = "stack"): pulumi.Output<string> {
    return this.topicSets[region].topics[severity].arn;
  }

  /**
   * A log group with the retention of its class (ALERT-07: 30 days debug, 365 audit by default).
   * Audit groups end in `/audit`, carry `log-class=audit` and, in prod, cannot be deleted.
   */
  addLogGroup(
    name: string,
    logClass: LogClass,
    opts?: pulumi.CustomResourceOptions,
  ): aws.cloudwatch.LogGroup {
    const groupName = logGroupName(this.identity, name, logClass);
    if (this.logGroups.has(groupName)) throw new Error(`log group ${groupName} is defined twice`);
    this.logGroups.add(groupName);
    const audit = logClass === "audit";
    const protect = audit && this.args.protect;
    return new aws.cloudwatch.LogGroup(
      `${this.baseName}-logs-${name}${audit ? "-audit" : ""}`,
      {
        name: groupName,
        retentionInDays: logRetentionDays(logClass, this.args.config.logs),
        ...(protect ? { deletionProtectionEnabled: true } : {}),
        tags: { "log-class": logClass },
      },
      { parent: this, protect, retainOnDelete: protect, ...opts },
    );
  }

  private createTopicSet(prefix: string, provider: aws.Provider | undefined): TopicSet {
    const { identity, accountId, protect } = this.args;
    const regional = provider ? `-${GLOBAL_METRICS_REGION}` : "";
    const key = new aws.kms.Key(
      `${prefix}-key`,
      {
        description: `Encrypts the alert topics of ${physicalName(identity)}${provider ? ` in ${GLOBAL_METRICS_REGION}` : ""}`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: JSON.stringify(alertKeyPolicy(accountId)),
      },
      { parent: this, provider, protect, retainOnDelete: protect },
    );
    new aws.kms.Alias(
      `${prefix}-key-alias`,
      { name: `alias/${physicalName(identity, "alerts")}`, targetKeyId: key.keyId },
      { parent: this, provider },
    );
    const topics = {} as Record<Severity, aws.sns.Topic>;
    for (const severity of SEVERITIES) {
      const topic = new aws.sns.Topic(
        `${prefix}-${severity}`,
        {
          name: limitedName(physicalName(identity, "alerts", severity) + regional, 256),
          displayName: `${identity.app} ${identity.environment} ${severity}`.slice(0, 100),
          kmsMasterKeyId: key.arn,
        },
        { parent: this, provider },
      );
      new aws.sns.TopicPolicy(
        `${prefix}-${severity}-policy`,
        {
          arn: topic.arn,
          policy: topic.arn.apply((arn) => JSON.stringify(alertTopicPolicy(arn, accountId))),
        },
        { parent: this, provider },
      );
      topics[severity] = topic;
    }
    return { key, topics };
  }
}
