/**
 * Backups that run and restores that are proven (DB-03). Two components:
 *
 * - BackupNetwork: a small VPC whose private subnet reaches the internet through one NAT gateway
 *   with an Elastic IP. That address is the backup runner's only egress, so the Database component
 *   admits it in the Supabase network restrictions (DB-05) and a backup never fails on a firewall
 *   the stack itself set. Made before the Database, which needs the address.
 * - Backup: an ECS Fargate cluster and two task definitions from the official postgres image of the
 *   project's major (pg_dump; a throwaway server for the drill) with an aws-cli sidecar (upload,
 *   metrics), scheduled by EventBridge Scheduler with retries and a dead-letter queue like the cron
 *   jobs; a rule that sends failed tasks to the queue; and the alarms: freshness (critical, missing
 *   data breaching), each job's failed run (the drill's verification included), task failed, dead
 *   letters.
 *
 * Fargate, not Lambda: a dump of a real database outlives Lambda's 15 minutes and its 10 GB disk.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { DatabaseConfig } from "../config/schema/database";
import type { AlarmSpec } from "../lib/alerts";
import {
  backupContainers,
  backupSchedulerPolicy,
  backupTaskPolicy,
  drillContainers,
  drillTaskPolicy,
  executionPolicy,
  failedTaskPattern,
  freshnessAlarm,
  TASK_VOLUME,
  taskFailedAlarm,
  type ContainerDefinition,
  type TaskContext,
} from "../lib/backup";
import { parseCronSchedule } from "../lib/cron";
import { deadLetterAlarm, jobFailureAlarm } from "../lib/cron-jobs";
import { assumeRolePolicy } from "../lib/iam";
import { limitedName, physicalName, type EnvironmentIdentity } from "../lib/naming";
import { schedulerRole } from "./scheduling";
import type { Secrets } from "./secrets";
import { BACKUP_NETWORK_TYPE, BACKUP_TYPE } from "../lib/component-types";

/** The VPC's range: private, small (two /26 subnets), never peered. */
const VPC_CIDR = "10.64.0.0/24";

export interface BackupNetworkArgs {
  readonly identity: EnvironmentIdentity;
}

export class BackupNetwork extends pulumi.ComponentResource {
  /** The NAT gateway's Elastic IP as a /32: every backup connection comes from it. */
  readonly egressCidr: pulumi.Output<string>;
  readonly privateSubnetId: pulumi.Output<string>;
  readonly securityGroupId: pulumi.Output<string>;

  constructor(name: string, args: BackupNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super(BACKUP_NETWORK_TYPE, name, {}, opts);
    const child = { parent: this };
    const label = (part: string) => ({ Name: physicalName(args.identity, "backup", part) });
    const zone = aws.getAvailabilityZonesOutput({ state: "available" }, child).names[0]!;

    const vpc = new aws.ec2.Vpc(
      `${name}-vpc`,
      { cidrBlock: VPC_CIDR, enableDnsHostnames: true, enableDnsSupport: true, tags: label("vpc") },
      child,
    );
    const gateway = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags: label("igw") }, child);
    const publicSubnet = new aws.ec2.Subnet(
      `${name}-public`,
      { vpcId: vpc.id, cidrBlock: "10.64.0.0/26", availabilityZone: zone, tags: label("public") },
      child,
    );
    const privateSubnet = new aws.ec2.Subnet(
      `${name}-private`,
      { vpcId: vpc.id, cidrBlock: "10.64.0.64/26", availabilityZone: zone, tags: label("private") },
      child,
    );
    const publicRoutes = new aws.ec2.RouteTable(
      `${name}-public-routes`,
      { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: gateway.id }], tags: label("public") },
      child,
    );
    new aws.ec2.RouteTableAssociation(
      `${name}-public-routes`,
      { subnetId: publicSubnet.id, routeTableId: publicRoutes.id },
      child,
    );
    const address = new aws.ec2.Eip(`${name}-egress`, { domain: "vpc", tags: label("egress") }, child);
    const nat = new aws.ec2.NatGateway(
      `${name}-nat`,
      { allocationId: address.allocationId, subnetId: publicSubnet.id, tags: label("nat") },
      { parent: this, dependsOn: [gateway] },
    );
    const privateRoutes = new aws.ec2.RouteTable(
      `${name}-private-routes`,
      { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nat.id }], tags: label("private") },
      child,
    );
    new aws.ec2.RouteTableAssociation(
      `${name}-private-routes`,
      { subnetId: privateSubnet.id, routeTableId: privateRoutes.id },
      child,
    );
    // Outbound only: the tasks connect to Postgres (5432), S3, Secrets Manager and CloudWatch (443).
    const group = new aws.ec2.SecurityGroup(
      `${name}-tasks`,
      {
        vpcId: vpc.id,
        description: "Backup tasks: outbound Postgres and HTTPS only, nothing inbound",
        egress: [
          {
            protocol: "tcp",
            fromPort: 5432,
            toPort: 5432,
            cidrBlocks: ["0.0.0.0/0"],
            description: "Supabase Postgres",
          },
          {
            protocol: "tcp",
            fromPort: 443,
            toPort: 443,
            cidrBlocks: ["0.0.0.0/0"],
            description: "AWS APIs, images",
          },
        ],
        tags: label("tasks"),
      },
      child,
    );
    this.egressCidr = address.publicIp.apply((ip) => `${ip}/32`);
    this.privateSubnetId = privateSubnet.id;
    this.securityGroupId = group.id;
    this.registerOutputs({ egressCidr: this.egressCidr });
  }
}

/** What the Backup component needs of the alerting component. */
export interface BackupAlarmSink {
  addAlarm(name: string, spec: AlarmSpec, opts?: pulumi.CustomResourceOptions): aws.cloudwatch.MetricAlarm;
}

export interface BackupArgs {
  readonly identity: EnvironmentIdentity;
  /** Prod: the dead-letter queue holds failed runs' events, so it is protected and retained (OPS-01). */
  readonly protect?: boolean;
  readonly config: DatabaseConfig;
  readonly network: BackupNetwork;
  readonly bucketName: pulumi.Input<string>;
  readonly bucketKeyArn: pulumi.Input<string>;
  /** The environment's secret, and the name in it of the database URL. */
  readonly secrets: Secrets;
  readonly databaseUrlKey: string;
  readonly alerts: BackupAlarmSink;
  /** Retention of the task logs (debug class), in days. */
  readonly logRetentionDays: number;
}

/** How the deploy workflow runs the backup on demand (`pulumi stack output backupTask`). */
export interface OnDemandBackup {
  readonly cluster: pulumi.Output<string>;
  readonly taskDefinition: pulumi.Output<string>;
  readonly subnets: pulumi.Output<string>[];
  readonly securityGroups: pulumi.Output<string>[];
}

export class Backup extends pulumi.ComponentResource {
  readonly clusterArn: pulumi.Output<string>;
  readonly backupTaskDefinitionArn: pulumi.Output<string>;
  readonly drillTaskDefinitionArn: pulumi.Output<string> | undefined;
  readonly onDemand: OnDemandBackup;
  /** Human-readable schedules, for reviewers. */
  readonly schedules: Record<string, string>;

  constructor(name: string, args: BackupArgs, opts?: pulumi.ComponentResourceOptions) {
    super(BACKUP_TYPE, name, {}, opts);
    const { identity, config } = args;
    const child = { parent: this };
    const backups = config.backups;
    const stem = physicalName(identity);
    const region = aws.getRegionOutput({}, child).region;
    const jobName = (key: string) => limitedName(physicalName(identity, key), 64);
    const account = aws.getCallerIdentityOutput({}, child).accountId;

    const logGroupName = `/golive/${stem}/backup`;
    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      { name: logGroupName, retentionInDays: args.logRetentionDays },
      child,
    );
    const cluster = new aws.ecs.Cluster(
      `${name}-cluster`,
      {
        name: limitedName(physicalName(identity, "backup"), 255),
        settings: [{ name: "containerInsights", value: "enabled" }],
      },
      child,
    );
    this.clusterArn = cluster.arn;

    const executionRole = new aws.iam.Role(
      `${name}-execution-role`,
      {
        description: "ECS pulls the backup images, writes their logs and injects the database URL",
        assumeRolePolicy: JSON.stringify(assumeRolePolicy("ecs-tasks.amazonaws.com")),
      },
      child,
    );
    new aws.iam.RolePolicy(
      `${name}-execution-policy`,
      { role: executionRole.id, policy: logGroup.arn.apply((arn) => JSON.stringify(executionPolicy(arn))) },
      { parent: executionRole },
    );
    const secretRead = args.secrets.grantRead(`${name}-execution-reads-secret`, executionRole);
    const bucketArn = pulumi.output(args.bucketName).apply((bucket) => `arn:aws:s3:::${bucket}`);

    const context = pulumi
      .all([args.bucketName, region, args.secrets.secretArn])
      .apply(([bucket, regionName, secretArn]): TaskContext => ({
        name: stem,
        bucket,
        logGroup: logGroupName,
        region: regionName,
        secretArn,
        databaseUrlKey: args.databaseUrlKey,
        backupJob: jobName("backup"),
        drillJob: jobName("restore-drill"),
      }));

    const task = (
      key: string,
      description: string,
      policy: (bucket: string, keyArn: string) => object,
      containers: (ctx: TaskContext) => ContainerDefinition[],
      size: { cpu: string; memory: string; storageGiB: number },
    ) => {
      const role = new aws.iam.Role(
        `${name}-${key}-role`,
        { description, assumeRolePolicy: JSON.stringify(assumeRolePolicy("ecs-tasks.amazonaws.com")) },
        child,
      );
      new aws.iam.RolePolicy(
        `${name}-${key}-policy`,
        {
          role: role.id,
          policy: pulumi.all([bucketArn, args.bucketKeyArn]).apply(([b, k]) => JSON.stringify(policy(b, k))),
        },
        { parent: role },
      );
      const definition = new aws.ecs.TaskDefinition(
        `${name}-${key}`,
        {
          family: limitedName(physicalName(identity, key), 255),
          requiresCompatibilities: ["FARGATE"],
          networkMode: "awsvpc",
          cpu: size.cpu,
          memory: size.memory,
          ephemeralStorage: { sizeInGib: size.storageGiB },
          runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
          executionRoleArn: executionRole.arn,
          taskRoleArn: role.arn,
          volumes: [{ name: TASK_VOLUME }],
          containerDefinitions: context.apply((ctx) => JSON.stringify(containers(ctx))),
        },
        { parent: this, dependsOn: [secretRead] },
      );
      return { role, definition };
    };

    const backupTask = task(
      "backup",
      "Backup task: writes dumps to the off-site bucket and publishes backup metrics",
      backupTaskPolicy,
      (ctx) => backupContainers(config, ctx),
      { cpu: "1024", memory: "4096", storageGiB: 100 },
    );
    this.backupTaskDefinitionArn = backupTask.definition.arn;
    const drillTask = backups.drill.enabled
      ? task(
          "restore-drill",
          "Restore drill: reads the newest backup, restores it into a throwaway Postgres, publishes the result",
          drillTaskPolicy,
          (ctx) => drillContainers(config, ctx),
          { cpu: "2048", memory: "8192", storageGiB: 200 },
        )
      : undefined;
    this.drillTaskDefinitionArn = drillTask?.definition.arn;
    const tasks = [backupTask, ...(drillTask ? [drillTask] : [])];

    // Runs that cannot start (Scheduler) or that fail (the rule below) end in one queue, as cron jobs do.
    const deadLetterName = limitedName(physicalName(identity, "backup-dead-letter"), 80);
    const deadLetter = new aws.sqs.Queue(
      `${name}-dead-letter`,
      { name: deadLetterName, messageRetentionSeconds: 14 * 24 * 3600, sqsManagedSseEnabled: true },
      { ...child, protect: args.protect === true, retainOnDelete: args.protect === true },
    );

    const scheduler = schedulerRole(
      name,
      account,
      pulumi
        .all([
          pulumi.all(tasks.map((t) => t.definition.arn)),
          pulumi.all([executionRole.arn, ...tasks.map((t) => t.role.arn)]),
          deadLetter.arn,
        ])
        .apply(([definitions, roles, queue]) =>
          JSON.stringify(backupSchedulerPolicy(definitions, roles, queue)),
        ),
      child,
    );
    const group = new aws.scheduler.ScheduleGroup(
      `${name}-schedules`,
      { name: limitedName(physicalName(identity, "backup"), 64) },
      child,
    );
    const networkConfiguration = {
      subnets: [args.network.privateSubnetId],
      securityGroups: [args.network.securityGroupId],
      assignPublicIp: false,
    };
    this.schedules = {};
    const schedule = (key: string, expression: string, definition: aws.ecs.TaskDefinition, what: string) => {
      const parsed = parseCronSchedule(expression, backups.timeZone);
      if (!parsed.ok) throw new Error(`golive:database.backups: ${parsed.error.message}`);
      this.schedules[key] = `${parsed.schedule.description} (${backups.timeZone})`;
      new aws.scheduler.Schedule(
        `${name}-${key}`,
        {
          name: jobName(key),
          groupName: group.name,
          description: `${what}: ${parsed.schedule.description} (${backups.timeZone})`,
          scheduleExpression: parsed.schedule.eventBridgeExpression,
          scheduleExpressionTimezone: backups.timeZone,
          flexibleTimeWindow: { mode: "OFF" },
          state: "ENABLED",
          target: {
            arn: cluster.arn,
            roleArn: scheduler.arn,
            ecsParameters: {
              taskDefinitionArn: definition.arn,
              launchType: "FARGATE",
              platformVersion: "LATEST",
              networkConfiguration,
              propagateTags: "TASK_DEFINITION",
            },
            retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 },
            deadLetterConfig: { arn: deadLetter.arn },
          },
        },
        child,
      );
      // CRON-04: the run's Failure metric, as every scheduled job has.
      args.alerts.addAlarm(`${name}-${key}-failed`, jobFailureAlarm({ name: jobName(key) }), child);
    };
    schedule("backup", backups.schedule, backupTask.definition, "Database backup to the off-site bucket");
    if (drillTask) schedule("restore-drill", backups.drill.schedule, drillTask.definition, "Restore drill");

    // A task that stopped with a failed container: into the dead-letter queue, and an alarm.
    const families = tasks.map((t) => t.definition.family);
    const rule = new aws.cloudwatch.EventRule(
      `${name}-task-failed`,
      {
        name: limitedName(physicalName(identity, "backup-task-failed"), 64),
        description: "A backup or restore-drill task stopped with a failed container",
        eventPattern: pulumi
          .all([cluster.arn, pulumi.all(families)])
          .apply(([clusterArn, names]) => JSON.stringify(failedTaskPattern(clusterArn, names))),
      },
      child,
    );
    new aws.cloudwatch.EventTarget(
      `${name}-task-failed-to-dead-letter`,
      { rule: rule.name, arn: deadLetter.arn },
      { parent: rule },
    );
    new aws.sqs.QueuePolicy(
      `${name}-dead-letter-policy`,
      {
        queueUrl: deadLetter.url,
        policy: pulumi.all([deadLetter.arn, rule.arn]).apply(([queueArn, ruleArn]) =>
          JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              {
                Sid: "FailedTaskEvents",
                Effect: "Allow",
                Principal: { Service: "events.amazonaws.com" },
                Action: "sqs:SendMessage",
                Resource: queueArn,
                Condition: { ArnEquals: { "aws:SourceArn": ruleArn } },
              },
            ],
          }),
        ),
      },
      { parent: deadLetter },
    );

    args.alerts.addAlarm(`${name}-stale`, freshnessAlarm(config, stem), child);
    args.alerts.addAlarm(
      `${name}-task-failed`,
      taskFailedAlarm(
        limitedName(physicalName(identity, "backup-task-failed"), 64),
        "backup or restore-drill",
      ),
      child,
    );
    args.alerts.addAlarm(`${name}-dead-letter-not-empty`, deadLetterAlarm(deadLetterName), child);

    this.onDemand = {
      cluster: cluster.name,
      taskDefinition: backupTask.definition.arn,
      subnets: [args.network.privateSubnetId],
      securityGroups: [args.network.securityGroupId],
    };
    this.registerOutputs({
      clusterArn: this.clusterArn,
      backupTaskDefinitionArn: this.backupTaskDefinitionArn,
      drillTaskDefinitionArn: this.drillTaskDefinitionArn,
      schedules: this.schedules,
    });
  }
}
