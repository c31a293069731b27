/**
 * What the Backup component builds, as pure functions: the object key layout and lifecycle of the
 * off-site bucket, the task containers (official images, pinned), the IAM documents, the
 * failed-task event pattern and the alarms (DB-03). The scripts the containers run are in
 * backup-task/; their contract (environment variables, metric names) is mirrored here.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { AlarmSpec } from "./alerts";
import type { BackupPostgresMajor, BackupSource } from "./database-source";
import { freshnessLimitHours } from "./backup-schedule";
import { CRON_METRIC_NAMESPACE } from "./metric-names";
import { ownLogsStatement, type PolicyDocument } from "./iam";

/** CloudWatch namespace of the backup and drill metrics (dimension Database=<app>-<environment>). */
export const BACKUP_METRIC_NAMESPACE = "golive/Backups";

/**
 * Official images, pinned by exact tag, from the ECR Public mirror of Docker Hub's official images
 * (no Docker Hub pull limits from a NAT address shared by nothing else). Bump deliberately.
 */
export const POSTGRES_IMAGES: Readonly<Record<BackupPostgresMajor, string>> = {
  "15": "public.ecr.aws/docker/library/postgres:15.14-bookworm",
  "16": "public.ecr.aws/docker/library/postgres:16.10-bookworm",
  "17": "public.ecr.aws/docker/library/postgres:17.6-bookworm",
};
export const AWS_CLI_IMAGE = "public.ecr.aws/aws-cli/aws-cli:2.31.10";

/** Where the task's containers share files (an ephemeral task volume). */
export const WORKDIR = "/backup";
const VOLUME = "backup-work";

/** Tier prefixes of the bucket: each has its own expiry (lifecycle rules below). */
export const BACKUP_TIERS = ["daily", "weekly", "monthly", "manual"] as const;
export type BackupTier = (typeof BACKUP_TIERS)[number];

/**
 * The keys a backup taken at `at` is stored under, as backup-task/backup.sh names them:
 * `<tier>/YYYY/MM/DD/<name>-<YYYYMMDDTHHMMSSZ>.dump`. A scheduled backup is daily, and also weekly
 * on `weeklyDay` (UTC) and monthly on the 1st; an on-demand one (before a deploy) is manual only.
 */
export function backupKeys(
  name: string,
  at: Date,
  kind: "scheduled" | "manual",
  weeklyDay: number,
): string[] {
  const iso = at.toISOString();
  const day = `${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}`;
  const stamp = `${iso.slice(0, 19).replace(/[-:]/g, "")}Z`;
  const file = `${day}/${name}-${stamp}.dump`;
  if (kind === "manual") return [`manual/${file}`];
  const keys = [`daily/${file}`];
  if (at.getUTCDay() === weeklyDay) keys.push(`weekly/${file}`);
  if (at.getUTCDate() === 1) keys.push(`monthly/${file}`);
  return keys;
}

/** Days each tier is kept: daily and manual copies follow offsite.retentionDays. */
export function tierRetentionDays(config: BackupSource): Record<BackupTier, number> {
  const { retentionDays } = config.backups.offsite;
  const { weeks, months } = config.backups.retention;
  return {
    daily: retentionDays,
    manual: retentionDays,
    // Never shorter than the daily copies: a weekly copy is one of them.
    weekly: Math.max(retentionDays, weeks * 7),
    monthly: Math.max(retentionDays, months * 31),
  };
}

/**
 * Lifecycle of the off-site bucket (DB-03): one rule per tier prefix (archive, then expire), and for
 * the whole bucket: old versions expire, incomplete uploads are cleaned up.
 */
export function tieredLifecycleRules(config: BackupSource) {
  const { archiveAfterDays, retentionDays } = config.backups.offsite;
  const days = tierRetentionDays(config);
  return [
    ...BACKUP_TIERS.map((tier) => ({
      id: `expire-${tier}`,
      status: "Enabled",
      filter: { prefix: `${tier}/` },
      transitions:
        archiveAfterDays !== undefined && archiveAfterDays < days[tier]
          ? [{ days: archiveAfterDays, storageClass: "GLACIER_IR" }]
          : [],
      expiration: { days: days[tier] },
    })),
    {
      id: "old-versions-and-uploads",
      status: "Enabled",
      filter: { prefix: "" },
      noncurrentVersionExpiration: { noncurrentDays: Math.min(30, retentionDays) },
      abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
    },
  ];
}

/** Whether the scheduled backup runs: on in prod unless turned off, off in staging unless turned on. */
export function backupEnabled(config: BackupSource, environment: string): boolean {
  return config.backups.enabled ?? environment === "prod";
}

/** Schemas the drill checks for RLS: the ones the Data API exposes (DB-01), as golive db check does. */
export function drillExposedSchemas(config: BackupSource): string[] {
  return config.api.schemas.filter((schema) => schema !== "graphql_public");
}

export type TaskScript = "backup.sh" | "upload.sh" | "fetch.sh" | "drill.sh" | "report.sh";

/** The text of a task script; the aws-cli scripts get backup-task/lib.sh prepended. */
export function taskScript(script: TaskScript, root = path.join(__dirname, "..", "backup-task")): string {
  const body = fs.readFileSync(path.join(root, script), "utf8");
  if (script === "backup.sh" || script === "drill.sh") return body;
  return `${fs.readFileSync(path.join(root, "lib.sh"), "utf8")}\n${body}`;
}

export interface ContainerDefinition {
  readonly name: string;
  readonly image: string;
  readonly essential: boolean;
  readonly entryPoint?: string[];
  readonly command?: string[];
  readonly environment?: { name: string; value: string }[];
  readonly secrets?: { name: string; valueFrom: string }[];
  readonly dependsOn?: { containerName: string; condition: "START" | "COMPLETE" | "SUCCESS" | "HEALTHY" }[];
  readonly mountPoints: { sourceVolume: string; containerPath: string }[];
  readonly logConfiguration: { logDriver: "awslogs"; options: Record<string, string> };
  readonly healthCheck?: {
    command: string[];
    interval: number;
    timeout: number;
    retries: number;
    startPeriod: number;
  };
  readonly stopTimeout?: number;
  readonly readonlyRootFilesystem?: boolean;
}

export interface TaskContext {
  /** `<app>-<environment>`: object names and the metric dimension. */
  readonly name: string;
  readonly bucket: string;
  readonly logGroup: string;
  readonly region: string;
  /** The environment's secret and the key in it holding the database URL. */
  readonly secretArn: string;
  readonly databaseUrlKey: string;
  /** Schedule names of the backup and the drill: the Job dimension of their Failure metric (CRON-04). */
  readonly backupJob: string;
  readonly drillJob: string;
}

function bash(script: TaskScript): Pick<ContainerDefinition, "entryPoint" | "command"> {
  return { entryPoint: ["bash", "-c"], command: [taskScript(script)] };
}

function env(values: Record<string, string>): { name: string; value: string }[] {
  return Object.entries(values).map(([name, value]) => ({ name, value }));
}

function logs(ctx: TaskContext, prefix: string): ContainerDefinition["logConfiguration"] {
  return {
    logDriver: "awslogs",
    options: { "awslogs-group": ctx.logGroup, "awslogs-region": ctx.region, "awslogs-stream-prefix": prefix },
  };
}

const mount = [{ sourceVolume: VOLUME, containerPath: WORKDIR }];
export const TASK_VOLUME = VOLUME;

/**
 * The backup task: `dump` (postgres image: pg_dump, table list, checksum) then `upload` (aws-cli
 * image: to the bucket, then the success metric). The database URL comes from Secrets Manager
 * through ECS `secrets`, so it is never in the task definition.
 */
export function backupContainers(config: BackupSource, ctx: TaskContext): ContainerDefinition[] {
  const shared = {
    BACKUP_WORKDIR: WORKDIR,
    BACKUP_NAME: ctx.name,
  };
  return [
    {
      name: "dump",
      image: POSTGRES_IMAGES[config.backups.postgresMajorVersion],
      essential: false,
      ...bash("backup.sh"),
      environment: env({
        ...shared,
        BACKUP_TIER: "scheduled",
        BACKUP_WEEKLY_DAY: String(config.backups.retention.weeklyDay),
        BACKUP_RETRIES: String(config.backups.retries),
      }),
      secrets: [{ name: "DATABASE_URL", valueFrom: `${ctx.secretArn}:${ctx.databaseUrlKey}::` }],
      mountPoints: mount,
      logConfiguration: logs(ctx, "dump"),
    },
    {
      name: "upload",
      image: AWS_CLI_IMAGE,
      essential: true,
      ...bash("upload.sh"),
      environment: env({
        ...shared,
        BACKUP_DESTINATION: `s3://${ctx.bucket}`,
        BACKUP_JOB: ctx.backupJob,
        BACKUP_METRICS: "cloudwatch",
        BACKUP_METRIC_NAMESPACE,
      }),
      // COMPLETE, not SUCCESS: a failed dump must still be reported as a failed run.
      dependsOn: [{ containerName: "dump", condition: "COMPLETE" }],
      mountPoints: mount,
      logConfiguration: logs(ctx, "upload"),
    },
  ];
}

/** Password of the drill's throwaway server: it listens on the task's loopback only and holds a copy for minutes. */
const DRILL_URL = "postgres://postgres@localhost:5432/postgres";

/**
 * The drill task: `restore-target` (postgres server, trust auth on the task's own loopback), `fetch`
 * (aws-cli: newest backup), `verify` (postgres image: checksum, restore, checks), `report` (aws-cli:
 * the drill metric, whatever verify's outcome).
 */
export function drillContainers(config: BackupSource, ctx: TaskContext): ContainerDefinition[] {
  const image = POSTGRES_IMAGES[config.backups.postgresMajorVersion];
  const shared = { BACKUP_WORKDIR: WORKDIR, BACKUP_NAME: ctx.name };
  return [
    {
      name: "restore-target",
      image,
      essential: false,
      environment: env({ POSTGRES_HOST_AUTH_METHOD: "trust", PGDATA: "/var/lib/postgresql/data/pgdata" }),
      command: ["postgres", "-c", "listen_addresses=localhost", "-c", "fsync=off"],
      healthCheck: {
        command: ["CMD-SHELL", "pg_isready -h localhost -U postgres"],
        interval: 10,
        timeout: 5,
        retries: 10,
        startPeriod: 10,
      },
      mountPoints: [],
      logConfiguration: logs(ctx, "restore-target"),
    },
    {
      name: "fetch",
      image: AWS_CLI_IMAGE,
      essential: false,
      ...bash("fetch.sh"),
      environment: env({ ...shared, BACKUP_DESTINATION: `s3://${ctx.bucket}` }),
      mountPoints: mount,
      logConfiguration: logs(ctx, "fetch"),
    },
    {
      name: "verify",
      image,
      essential: false,
      ...bash("drill.sh"),
      environment: env({
        ...shared,
        DRILL_DATABASE_URL: DRILL_URL,
        DRILL_EXPOSED_SCHEMAS: drillExposedSchemas(config).join(" "),
      }),
      dependsOn: [
        { containerName: "fetch", condition: "SUCCESS" },
        { containerName: "restore-target", condition: "HEALTHY" },
      ],
      mountPoints: mount,
      logConfiguration: logs(ctx, "verify"),
    },
    {
      name: "report",
      image: AWS_CLI_IMAGE,
      essential: true,
      ...bash("report.sh"),
      environment: env({
        ...shared,
        BACKUP_JOB: ctx.drillJob,
        BACKUP_METRICS: "cloudwatch",
        BACKUP_METRIC_NAMESPACE,
      }),
      dependsOn: [{ containerName: "verify", condition: "COMPLETE" }],
      mountPoints: mount,
      logConfiguration: logs(ctx, "report"),
    },
  ];
}

/** The backup task's role: put objects in the bucket (never read or delete), encrypt, publish its metrics. */
export function backupTaskPolicy(bucketArn: string, keyArn: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "WriteBackups", Effect: "Allow", Action: ["s3:PutObject"], Resource: `${bucketArn}/*` },
      {
        Sid: "EncryptBackups",
        Effect: "Allow",
        Action: ["kms:GenerateDataKey", "kms:Decrypt"],
        Resource: keyArn,
      },
      metricsStatement(),
    ],
  };
}

/** The drill task's role: read the bucket and its key, publish its metric. */
export function drillTaskPolicy(bucketArn: string, keyArn: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "ReadBackups", Effect: "Allow", Action: ["s3:GetObject"], Resource: `${bucketArn}/*` },
      { Sid: "ListBackups", Effect: "Allow", Action: ["s3:ListBucket"], Resource: bucketArn },
      { Sid: "DecryptBackups", Effect: "Allow", Action: ["kms:Decrypt"], Resource: keyArn },
      metricsStatement(),
    ],
  };
}

function metricsStatement(): Record<string, unknown> {
  return {
    Sid: "PublishBackupMetrics",
    Effect: "Allow",
    Action: ["cloudwatch:PutMetricData"],
    Resource: "*",
    Condition: { StringEquals: { "cloudwatch:namespace": [BACKUP_METRIC_NAMESPACE, CRON_METRIC_NAMESPACE] } },
  };
}

/** The execution role (ECS itself): write the task's logs. Reading the secret is granted by the Secrets component. */
export function executionPolicy(logGroupArn: string): PolicyDocument {
  return { Version: "2012-10-17", Statement: [ownLogsStatement("TaskLogs", logGroupArn)] };
}

/** The scheduler may run the two task definitions, pass their roles, and dead-letter. */
export function backupSchedulerPolicy(
  taskDefinitionArns: readonly string[],
  roleArns: readonly string[],
  queueArn: string,
): PolicyDocument {
  // RunTask is authorised on the family ARN with any revision.
  const families = taskDefinitionArns.map((arn) => arn.replace(/:\d+$/, ":*"));
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "RunBackupTasks", Effect: "Allow", Action: ["ecs:RunTask"], Resource: families },
      {
        Sid: "PassTaskRoles",
        Effect: "Allow",
        Action: ["iam:PassRole"],
        Resource: [...roleArns],
        Condition: { StringLike: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
      },
      { Sid: "DeadLetter", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: queueArn },
    ],
  };
}

/** EventBridge pattern: a task of one of these families stopped with a container that exited non-zero, or never started. */
export function failedTaskPattern(clusterArn: string, families: readonly string[]): Record<string, unknown> {
  return {
    source: ["aws.ecs"],
    "detail-type": ["ECS Task State Change"],
    detail: {
      clusterArn: [clusterArn],
      lastStatus: ["STOPPED"],
      group: families.map((family) => `family:${family}`),
      // Not stopCode EssentialContainerExited: every run ends that way when its last container exits.
      // A container that never started (an unmet dependency) has no exit code; the essential
      // reporting container then exits non-zero itself.
      $or: [{ containers: { exitCode: [{ "anything-but": 0 }] } }, { stopCode: ["TaskFailedToStart"] }],
    },
  };
}

const dimensions = (name: string) => ({ Database: name });

/**
 * DB-03 freshness: no successful backup in the last `limit` hours (26 for a daily schedule). Each
 * hour with no BackupSucceeded datapoint is missing data, treated as breaching, so the alarm fires
 * when the newest backup is older than the schedule allows, whether the task failed, never
 * started, or the schedule was removed.
 */
export function freshnessAlarm(config: BackupSource, name: string): AlarmSpec {
  const limit = freshnessLimitHours(config.backups.schedule, config.backups.timeZone);
  return {
    severity: "critical",
    description: `No successful database backup of ${name} in the last ${limit} h (schedule "${config.backups.schedule}" ${config.backups.timeZone}). Check the backup task's logs and run it on demand.`,
    namespace: BACKUP_METRIC_NAMESPACE,
    metricName: "BackupSucceeded",
    dimensions: dimensions(name),
    statistic: "Sum",
    threshold: 1,
    comparison: "LessThanThreshold",
    periodSeconds: 3600,
    evaluationPeriods: limit,
    treatMissingData: "breaching",
  };
}

/** A backup or drill task that stopped with a failed container (from the EventBridge rule's matches). */
export function taskFailedAlarm(ruleName: string, what: string): AlarmSpec {
  return {
    severity: "critical",
    description: `A ${what} task failed (a container exited non-zero or the task did not start). Read its logs; the event is in the dead-letter queue.`,
    namespace: "AWS/Events",
    metricName: "TriggeredRules",
    dimensions: { RuleName: ruleName },
    statistic: "Sum",
    threshold: 0,
    comparison: "GreaterThanThreshold",
    periodSeconds: 300,
    evaluationPeriods: 1,
    treatMissingData: "notBreaching",
  };
}
