/**
 * What each priced type is charged, from its inputs and from the rest of the stack (a function's
 * invocations come from the schedules and rules that target it; a secret's reads from the
 * functions that name it). One pricer per priced type of the catalogue; pure.
 */
import { MANAGEMENT_SETTING_TYPE } from "../component-types";
import { INSTANCE_SIZES } from "../database-source";
import { PITR_ADDON_VARIANTS } from "../limits";
import type { AssumptionKey, BillingAssumptions } from "./assumptions";
import { bool, field, jsonObject, list, num, str, strings } from "./read";
import type { CostBasis, CostContext, CostResource } from "./model";
import { HOURS_PER_MONTH, scheduleRunsPerMonth } from "./usage";

/** One charge of a resource before pricing: the price to apply and how many units. */
export interface Charge {
  readonly item: string;
  readonly priceId: string;
  readonly quantity: number;
  readonly basis: CostBasis;
  readonly usage?: string;
}

export type PricerResult = readonly Charge[] | { readonly notPriced: string };

export interface PricingEnv {
  readonly context: CostContext;
  readonly stack: StackUsage;
  /** Reads an assumption and records that the estimate used it. */
  assume<K extends AssumptionKey>(key: K): BillingAssumptions[K];
  /** Records a note about how the estimate was made (listed once). */
  note(text: string): void;
}

export type Pricer = (resource: CostResource, env: PricingEnv) => PricerResult;

const MILLION = 1_000_000;

function round(value: number, digits = 2): string {
  return value.toLocaleString("en-US", { maximumFractionDigits: digits });
}

/** Who triggers something and how often: a schedule or rule, with its runs a month. */
export interface Trigger {
  readonly source: string;
  readonly runsPerMonth: number;
  readonly how: string;
}

/** Usage the stack determines, indexed once per estimate. */
export class StackUsage {
  readonly byType = new Map<string, CostResource[]>();
  readonly byUrn = new Map<string, CostResource>();
  /** Function URN → what invokes it. */
  readonly functionTriggers = new Map<string, Trigger[]>();
  /** Task definition URN → scheduled runs. */
  readonly taskTriggers = new Map<string, Trigger[]>();
  /** Schedules whose expression could not be counted, with why. */
  readonly uncounted: string[] = [];
  /** Targets that are unknown until apply (preview), by schedule name. */
  readonly unknownTargets: string[] = [];
  /** Custom metric → the first alarm (by URN) watching it, which carries its price. */
  private readonly metricOwners = new Map<string, string>();

  constructor(resources: readonly CostResource[]) {
    for (const resource of resources) {
      this.byUrn.set(resource.urn, resource);
      const group = this.byType.get(resource.type) ?? [];
      group.push(resource);
      this.byType.set(resource.type, group);
    }
    this.indexSchedules();
    this.indexRules();
    const alarms = [...this.of("aws:cloudwatch/metricAlarm:MetricAlarm")].sort((a, b) =>
      a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0,
    );
    for (const alarm of alarms) {
      for (const metric of customMetricsOf(alarm))
        if (!this.metricOwners.has(metric)) this.metricOwners.set(metric, alarm.urn);
    }
  }

  customMetricOwner(metric: string): string | undefined {
    return this.metricOwners.get(metric);
  }

  /** Distinct custom metrics the stack's alarms watch. */
  get customMetrics(): number {
    return this.metricOwners.size;
  }

  of(type: string): CostResource[] {
    return this.byType.get(type) ?? [];
  }

  private functionByArn(arn: string | undefined): CostResource | undefined {
    if (arn === undefined) return undefined;
    const name = /:function:([^:]+)(?::[^:]+)?$/.exec(arn)?.[1] ?? arn;
    return this.of("aws:lambda/function:Function").find((fn) => str(fn.inputs, "name") === name);
  }

  private taskDefinitionByArn(arn: string | undefined): CostResource | undefined {
    if (arn === undefined) return undefined;
    const family = /:task-definition\/([^:]+)(?::\d+)?$/.exec(arn)?.[1] ?? arn;
    return this.of("aws:ecs/taskDefinition:TaskDefinition").find(
      (task) => str(task.inputs, "family") === family,
    );
  }

  private add(map: Map<string, Trigger[]>, urn: string, trigger: Trigger): void {
    const triggers = map.get(urn) ?? [];
    triggers.push(trigger);
    map.set(urn, triggers);
  }

  /** The one resource of a type among a resource's dependencies (a target unknown until apply). */
  private dependencyOfType(resource: CostResource, type: string): CostResource | undefined {
    const found = (resource.dependencies ?? [])
      .map((urn) => this.byUrn.get(urn))
      .filter((dependency): dependency is CostResource => dependency?.type === type);
    return found.length === 1 ? found[0] : undefined;
  }

  private indexSchedules(): void {
    for (const schedule of this.of("aws:scheduler/schedule:Schedule")) {
      const runs = runsOfSchedule(schedule);
      if (!runs.ok) {
        this.uncounted.push(`${schedule.name}: ${runs.reason}`);
        continue;
      }
      const trigger = { source: `schedule ${schedule.name}`, runsPerMonth: runs.runsPerMonth, how: runs.how };
      const arn = str(schedule.inputs, "target", "arn");
      // In a preview the target's ARN is unknown; the schedule still depends on the function.
      const fn =
        this.functionByArn(arn) ??
        (arn === undefined ? this.dependencyOfType(schedule, "aws:lambda/function:Function") : undefined);
      if (fn !== undefined) this.add(this.functionTriggers, fn.urn, trigger);
      const taskArn = str(schedule.inputs, "target", "ecsParameters", "taskDefinitionArn");
      const task =
        this.taskDefinitionByArn(taskArn) ??
        (taskArn === undefined && field(schedule.inputs, "target", "ecsParameters") !== undefined
          ? this.dependencyOfType(schedule, "aws:ecs/taskDefinition:TaskDefinition")
          : undefined);
      if (task !== undefined) this.add(this.taskTriggers, task.urn, trigger);
      if (
        fn === undefined &&
        task === undefined &&
        (arn === undefined ||
          (field(schedule.inputs, "target", "ecsParameters") !== undefined && taskArn === undefined))
      ) {
        this.unknownTargets.push(schedule.name);
      }
    }
  }

  private indexRules(): void {
    const rules = new Map<string, CostResource>();
    for (const rule of this.of("aws:cloudwatch/eventRule:EventRule")) {
      const name = str(rule.inputs, "name");
      if (name !== undefined) rules.set(name, rule);
    }
    for (const target of this.of("aws:cloudwatch/eventTarget:EventTarget")) {
      const rule = rules.get(str(target.inputs, "rule") ?? "");
      const expression = rule !== undefined ? str(rule.inputs, "scheduleExpression") : undefined;
      if (rule === undefined || expression === undefined) continue;
      if (str(rule.inputs, "state") === "DISABLED") continue;
      const runs = scheduleRunsPerMonth(expression, "UTC");
      if (!runs.ok) {
        this.uncounted.push(`${rule.name}: ${runs.reason}`);
        continue;
      }
      const trigger = { source: `rule ${rule.name}`, runsPerMonth: runs.runsPerMonth, how: runs.how };
      const targetArn = str(target.inputs, "arn");
      const fn =
        this.functionByArn(targetArn) ??
        (targetArn === undefined ? this.dependencyOfType(target, "aws:lambda/function:Function") : undefined);
      if (fn !== undefined) this.add(this.functionTriggers, fn.urn, trigger);
      else this.unknownTargets.push(rule.name);
    }
  }

  /** Invocations a month of a function, from its triggers. */
  invocations(fn: CostResource): { count: number; how: string } {
    const triggers = this.functionTriggers.get(fn.urn) ?? [];
    const count = triggers.reduce((sum, trigger) => sum + trigger.runsPerMonth, 0);
    const how =
      triggers.length === 0
        ? "no schedule or rule in the stack invokes it"
        : triggers.length <= 2
          ? triggers.map((trigger) => `${round(trigger.runsPerMonth)} from ${trigger.how}`).join("; ")
          : `${triggers.length} schedules and rules: ${triggers
              .map(
                (trigger) =>
                  `${trigger.source.replace(/^(schedule|rule) /, "")} ${round(trigger.runsPerMonth)}`,
              )
              .join(", ")}`;
    return { count, how };
  }
}

function runsOfSchedule(schedule: CostResource): ReturnType<typeof scheduleRunsPerMonth> {
  if (str(schedule.inputs, "state") === "DISABLED") {
    return { ok: true, runsPerMonth: 0, how: "disabled" };
  }
  const expression = str(schedule.inputs, "scheduleExpression");
  if (expression === undefined) return { ok: false, reason: "its expression is not known until apply" };
  return scheduleRunsPerMonth(expression, str(schedule.inputs, "scheduleExpressionTimezone") ?? "UTC");
}

const fixed = (item: string, priceId: string, quantity = 1, usage?: string): Charge => ({
  item,
  priceId,
  quantity,
  basis: "fixed",
  ...(usage !== undefined ? { usage } : {}),
});

const used = (item: string, priceId: string, quantity: number, usage: string): Charge => ({
  item,
  priceId,
  quantity,
  basis: "usage",
  usage,
});

/** The custom metric behind an alarm (namespaces outside `AWS/` are published by someone and billed). */
export function customMetricsOf(alarm: CostResource): string[] {
  const metrics: Array<{ namespace?: string; metricName?: string; dimensions?: unknown }> = [];
  if (str(alarm.inputs, "namespace") !== undefined) {
    metrics.push({
      namespace: str(alarm.inputs, "namespace"),
      metricName: str(alarm.inputs, "metricName"),
      dimensions: field(alarm.inputs, "dimensions"),
    });
  }
  for (const query of list(alarm.inputs, "metricQueries")) {
    const metric = field(query, "metric");
    if (metric === undefined) continue;
    metrics.push({
      namespace: str(metric, "namespace"),
      metricName: str(metric, "metricName"),
      dimensions: field(metric, "dimensions"),
    });
  }
  return metrics
    .filter((metric) => metric.namespace !== undefined && !metric.namespace.startsWith("AWS/"))
    .map(
      (metric) => `${metric.namespace}/${metric.metricName ?? "?"} ${stableJson(metric.dimensions ?? {})}`,
    );
}

function stableJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  return `{${entries.map(([key, inner]) => `${JSON.stringify(key)}:${stableJson(inner)}`).join(",")}}`;
}

const metricAlarm: Pricer = (alarm, env) => {
  const queries = list(alarm.inputs, "metricQueries");
  const anomaly = queries.some((query) => /ANOMALY_DETECTION_BAND/i.test(str(query, "expression") ?? ""));
  const metricCount =
    queries.length > 0 ? queries.filter((query) => field(query, "metric") !== undefined).length : 1;
  const periods = [
    num(alarm.inputs, "period"),
    ...queries.map((query) => num(query, "metric", "period")),
  ].filter((period): period is number => period !== undefined);
  const highResolution = periods.some((period) => period < 60);
  const charges: Charge[] = [];
  if (anomaly) {
    charges.push(
      fixed(
        "anomaly detection alarm metric (3 metrics each)",
        "aws.cloudwatch.alarm.anomalyDetection",
        Math.max(1, metricCount),
      ),
    );
  } else if (highResolution) {
    charges.push(
      fixed("high-resolution alarm metric", "aws.cloudwatch.alarm.highResolution", Math.max(1, metricCount)),
    );
  } else {
    charges.push(fixed("standard alarm metric", "aws.cloudwatch.alarm.standard", Math.max(1, metricCount)));
  }
  // Each custom metric is billed once, however many alarms watch it: charged at its first alarm.
  const owned = customMetricsOf(alarm).filter((metric) => env.stack.customMetricOwner(metric) === alarm.urn);
  if (owned.length > 0) {
    charges.push(
      fixed(
        owned.length === 1 ? "custom metric it watches" : "custom metrics it watches",
        "aws.cloudwatch.metric.custom",
        owned.length,
        `published by the stack's code: ${owned.map((metric) => metric.split(" ")[0]).join(", ")}`,
      ),
    );
  }
  return charges;
};

const logGroup: Pricer = (group, env) => {
  const name = str(group.inputs, "name") ?? group.name;
  const byGroup = env.assume("logIngestGbByLogGroup");
  const gb = byGroup[name] ?? env.assume("logIngestGbPerMonth");
  const infrequent = str(group.inputs, "logGroupClass") === "INFREQUENT_ACCESS";
  const retentionDays = num(group.inputs, "retentionInDays");
  const horizon = env.assume("storageHorizonMonths");
  const months =
    retentionDays === undefined || retentionDays === 0 ? horizon : Math.min(horizon, retentionDays / 30);
  return [
    used(
      "log ingestion",
      infrequent ? "aws.logs.ingestion.infrequentAccess" : "aws.logs.ingestion.standard",
      gb,
      `${round(gb)} GB a month (assumed)`,
    ),
    used(
      "log storage",
      "aws.logs.storage",
      gb * months,
      `${round(gb)} GB a month kept ${retentionDays ? `${retentionDays} days` : "forever"}: ${round(gb * months)} GB after ${horizon} months (uncompressed, an upper bound)`,
    ),
  ];
};

const healthCheck: Pricer = (check, env) => {
  const type = str(check.inputs, "type") ?? "HTTP";
  if (type === "CALCULATED" || type === "CLOUDWATCH_METRIC" || type === "RECOVERY_CONTROL") {
    return [fixed(`health check (${type.toLowerCase()})`, "aws.route53.healthCheck.aws")];
  }
  const where = env.assume("healthCheckEndpoint");
  const suffix = where === "aws" ? "aws" : "nonAws";
  const charges: Charge[] = [fixed(`health check (${where} endpoint)`, `aws.route53.healthCheck.${suffix}`)];
  const options: string[] = [];
  if (type.startsWith("HTTPS")) options.push("HTTPS");
  if (type.endsWith("STR_MATCH")) options.push("string matching");
  const interval = num(check.inputs, "requestInterval") ?? 30;
  if (interval < 30) options.push(`${interval} s interval`);
  if (bool(check.inputs, "measureLatency") === true) options.push("latency measurement");
  for (const option of options) {
    charges.push(fixed(`option: ${option}`, `aws.route53.healthCheck.option.${suffix}`));
  }
  return charges;
};

const lambdaFunction: Pricer = (fn, env) => {
  const { count, how } = env.stack.invocations(fn);
  if (count === 0) return [used("requests", "aws.lambda.requests", 0, how)];
  const memoryMb = num(fn.inputs, "memorySize") ?? 128;
  const arm = list(fn.inputs, "architectures").includes("arm64");
  const durationMs = env.assume("lambdaDurationMs");
  const gbSeconds = count * (durationMs / 1000) * (memoryMb / 1024);
  return [
    used("requests", "aws.lambda.requests", count / MILLION, `${round(count)} invocations a month: ${how}`),
    used(
      `duration (${memoryMb} MB, ${arm ? "arm64" : "x86_64"})`,
      arm ? "aws.lambda.duration.arm64" : "aws.lambda.duration.x86_64",
      gbSeconds,
      `${round(count)} × ${durationMs} ms × ${memoryMb} MB`,
    ),
  ];
};

const schedule: Pricer = (resource) => {
  const runs = runsOfSchedule(resource);
  if (!runs.ok) return { notPriced: `its runs could not be counted: ${runs.reason}` };
  return [
    used(
      "scheduler invocations",
      "aws.scheduler.invocations",
      runs.runsPerMonth / MILLION,
      `${round(runs.runsPerMonth)} a month: ${runs.how}`,
    ),
  ];
};

const secret: Pricer = (resource, env) => {
  const name = str(resource.inputs, "name");
  const readers = env.stack.of("aws:lambda/function:Function").filter(
    (fn) =>
      strings(field(fn.inputs, "environment")).some(
        (value) => name !== undefined && (value === name || value.includes(`:secret:${name}`)),
      ) ||
      // In a preview the secret's ARN in the environment is unknown; the function depends on it.
      (strings(field(fn.inputs, "environment")).includes("[unknown]") &&
        (fn.dependencies ?? []).includes(resource.urn)),
  );
  const reads = readers.reduce((sum, fn) => sum + env.stack.invocations(fn).count, 0);
  const charges: Charge[] = [fixed("secret", "aws.secretsmanager.secret")];
  charges.push(
    used(
      "API calls",
      "aws.secretsmanager.apiCalls",
      reads / 10_000,
      readers.length === 0
        ? "no function in the stack reads it"
        : `${round(reads)} a month: one read per run of ${readers.map((fn) => fn.name).join(", ")} (no caching, an upper bound)`,
    ),
  );
  return charges;
};

const kmsKey: Pricer = (key, env) => {
  const requests = env.assume("kmsRequestsPerKey");
  const rotation = bool(key.inputs, "enableKeyRotation") === true;
  return [
    fixed(
      "key",
      "aws.kms.key",
      1,
      rotation ? "each yearly rotation adds $1/month for the first two rotations (not counted)" : undefined,
    ),
    used("requests", "aws.kms.requests", requests / 10_000, `${round(requests)} a month (assumed)`),
  ];
};

const queue: Pricer = (resource, env) => {
  const requests = env.assume("sqsRequestsPerQueue");
  const fifo = bool(resource.inputs, "fifoQueue") === true;
  return [
    used(
      "requests",
      fifo ? "aws.sqs.requests.fifo" : "aws.sqs.requests.standard",
      requests / MILLION,
      `${round(requests)} a month (assumed)`,
    ),
  ];
};

const topic: Pricer = (_resource, env) => {
  const messages = env.assume("notificationsPerTopic");
  return [used("publishes", "aws.sns.publishes", messages / MILLION, `${round(messages)} a month (assumed)`)];
};

const subscription: Pricer = (resource, env) => {
  const protocol = (str(resource.inputs, "protocol") ?? "").toLowerCase();
  const messages = env.assume("notificationsPerTopic");
  const how = `${round(messages)} notifications a month (assumed)`;
  if (protocol === "email" || protocol === "email-json") {
    return [used("email deliveries", "aws.sns.delivery.email", messages / 100_000, how)];
  }
  if (protocol === "http" || protocol === "https") {
    return [used("HTTP/S deliveries", "aws.sns.delivery.http", messages / MILLION, how)];
  }
  if (protocol === "sqs" || protocol === "lambda" || protocol === "firehose") return [];
  if (protocol === "sms") return { notPriced: "SMS deliveries are priced per destination country" };
  if (protocol === "") return { notPriced: "its protocol is not known until apply" };
  return { notPriced: `deliveries over "${protocol}" are not in the catalogue` };
};

const STORAGE_PRICES: Record<string, string> = {
  STANDARD: "aws.s3.storage.standard",
  STANDARD_IA: "aws.s3.storage.standardIa",
  GLACIER_IR: "aws.s3.storage.glacierInstantRetrieval",
  GLACIER: "aws.s3.storage.glacierFlexibleRetrieval",
  DEEP_ARCHIVE: "aws.s3.storage.glacierDeepArchive",
};

const bucket: Pricer = (resource, env) => {
  const lifecycle = env.stack
    .of("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
    .find(
      (config) =>
        (config.dependencies ?? []).includes(resource.urn) ||
        (str(config.inputs, "bucket") !== undefined &&
          str(config.inputs, "bucket") === str(resource.inputs, "bucket")),
    );
  const rule =
    lifecycle !== undefined
      ? list(lifecycle.inputs, "rules").find((r) => str(r, "status") === "Enabled")
      : undefined;
  const expiration = rule !== undefined ? num(rule, "expiration", "days") : undefined;
  if (rule === undefined || expiration === undefined) {
    const gb = env.assume("bucketStorageGb");
    return [used("storage (Standard)", "aws.s3.storage.standard", gb, `${round(gb)} GB (assumed)`)];
  }
  // Objects written regularly and expired by the lifecycle: backups. Copies kept = writes a month × months kept.
  const taskRuns = [...env.stack.taskTriggers.values()].flat();
  const writes =
    taskRuns.length > 0
      ? taskRuns.reduce((sum, trigger) => sum + trigger.runsPerMonth, 0)
      : env.assume("backupsPerMonth");
  const writesHow =
    taskRuns.length > 0
      ? `${round(writes)} backups a month from ${taskRuns.map((trigger) => trigger.source).join(", ")}`
      : `${round(writes)} backups a month (assumed)`;
  const size = env.assume("backupSizeGb");
  const horizonDays = env.assume("storageHorizonMonths") * 30;
  const keptDays = Math.min(expiration, horizonDays);
  const transitions = list(rule, "transitions")
    .map((transition) => ({
      days: num(transition, "days") ?? 0,
      storageClass: str(transition, "storageClass") ?? "STANDARD",
    }))
    .filter((transition) => transition.days < keptDays)
    .sort((a, b) => a.days - b.days);
  const stages = [{ days: 0, storageClass: "STANDARD" }, ...transitions];
  const charges: Charge[] = [];
  stages.forEach((stage, index) => {
    const end = stages[index + 1]?.days ?? keptDays;
    const gb = (writes / 30) * (end - stage.days) * size;
    const priceId = STORAGE_PRICES[stage.storageClass];
    if (priceId === undefined) {
      env.note(
        `S3 storage class ${stage.storageClass} is not in the catalogue; its share of ${resource.name} is not priced`,
      );
      return;
    }
    charges.push(
      used(
        `storage (${stage.storageClass}, days ${stage.days}-${end})`,
        priceId,
        gb,
        `${writesHow} × ${round(size)} GB, kept ${end - stage.days} days in this class`,
      ),
    );
  });
  charges.push(used("PUT requests", "aws.s3.requests.put", writes / 1000, writesHow));
  const glacierIr = transitions.filter((transition) => transition.storageClass === "GLACIER_IR").length;
  if (glacierIr > 0) {
    charges.push(
      used(
        "lifecycle transitions to Glacier Instant Retrieval",
        "aws.s3.lifecycle.transition",
        (writes * glacierIr) / 1000,
        writesHow,
      ),
    );
  }
  return charges;
};

function fargateCharges(task: CostResource, hours: number, how: string): Charge[] {
  const vcpu = (num(task.inputs, "cpu") ?? 256) / 1024;
  const memoryGb = (num(task.inputs, "memory") ?? 512) / 1024;
  const arm = str(task.inputs, "runtimePlatform", "cpuArchitecture") === "ARM64";
  const arch = arm ? "arm64" : "x86_64";
  const charges = [
    used(`Fargate vCPU (${vcpu} vCPU, ${arch})`, `aws.fargate.vcpu.${arch}`, vcpu * hours, how),
    used(`Fargate memory (${memoryGb} GB, ${arch})`, `aws.fargate.memory.${arch}`, memoryGb * hours, how),
  ];
  const storage = num(task.inputs, "ephemeralStorage", "sizeInGib");
  if (storage !== undefined && storage > 20) {
    charges.push(
      used(`ephemeral storage beyond 20 GB`, "aws.fargate.ephemeralStorage", (storage - 20) * hours, how),
    );
  }
  return charges;
}

const taskDefinition: Pricer = (task, env) => {
  const triggers = env.stack.taskTriggers.get(task.urn) ?? [];
  if (triggers.length === 0) return [];
  const runs = triggers.reduce((sum, trigger) => sum + trigger.runsPerMonth, 0);
  const minutes = env.assume("taskRunMinutes");
  const hours = (runs * minutes) / 60;
  const how = `${round(runs)} runs a month (${triggers.map((trigger) => trigger.source).join(", ")}) × ${minutes} min`;
  return fargateCharges(task, hours, how);
};

const ecsService: Pricer = (service, env) => {
  const family = str(service.inputs, "taskDefinition");
  const task = env.stack
    .of("aws:ecs/taskDefinition:TaskDefinition")
    .find(
      (candidate) =>
        family !== undefined &&
        (family === str(candidate.inputs, "family") ||
          family.includes(`:task-definition/${str(candidate.inputs, "family") ?? "\u0000"}:`)),
    );
  if (task === undefined)
    return { notPriced: "its task definition is not in the stack or not known until apply" };
  const count = num(service.inputs, "desiredCount") ?? 1;
  return fargateCharges(task, count * HOURS_PER_MONTH, `${count} task(s) all month (${HOURS_PER_MONTH} h)`);
};

const natGateway: Pricer = (_gateway, env) => {
  const gb = env.assume("natProcessedGbPerMonth");
  return [
    fixed("gateway hours", "aws.vpc.natGateway.hours", HOURS_PER_MONTH, `${HOURS_PER_MONTH} h`),
    used("data processed", "aws.vpc.natGateway.processed", gb, `${round(gb)} GB a month (assumed)`),
  ];
};

const elasticIp: Pricer = () => [
  fixed("public IPv4 address", "aws.vpc.publicIpv4", HOURS_PER_MONTH, `${HOURS_PER_MONTH} h`),
];

const vpcEndpoint: Pricer = (endpoint) => {
  const type = str(endpoint.inputs, "vpcEndpointType") ?? "Gateway";
  if (type === "Gateway") return [];
  return { notPriced: `${type} endpoints are billed per AZ-hour and GB, not in the catalogue` };
};

const simple =
  (item: string, priceId: string): Pricer =>
  () => [fixed(item, priceId)];

const COMPUTE_SIZES: ReadonlySet<string> = new Set(INSTANCE_SIZES);

const supabaseProject: Pricer = (project, env) => {
  const size = str(project.inputs, "instanceSize") ?? "micro";
  const plan = env.assume("supabasePlan");
  const share = env.assume("supabasePlanShare");
  const charges: Charge[] = [];
  const shareText =
    share === 1 ? "the whole organization's fee" : `${round(share * 100)}% of the organization's fee`;
  charges.push(fixed(`Supabase ${plan} plan`, `supabase.plan.${plan}`, share, shareText));
  if (!COMPUTE_SIZES.has(size)) {
    env.note(`Supabase instance size "${size}" is not in the catalogue; its compute is not priced`);
    return charges;
  }
  charges.push(
    fixed(`compute hours (${size})`, `supabase.compute.${size}`, HOURS_PER_MONTH, `${HOURS_PER_MONTH} h`),
  );
  if (plan !== "free") {
    charges.push(fixed("compute credits of the plan", "supabase.computeCredits", share, shareText));
  }
  return charges;
};

const PITR_VARIANTS: ReadonlySet<string> = new Set(PITR_ADDON_VARIANTS);

const managementSetting: Pricer = (setting) => {
  if (str(setting.inputs, "path") !== "/billing/addons") return [];
  const body = jsonObject(field(setting.inputs, "body"));
  const variant = typeof body?.addon_variant === "string" ? body.addon_variant : undefined;
  if (body?.addon_type !== "pitr")
    return { notPriced: `add-on ${JSON.stringify(body?.addon_type ?? "unknown")} is not in the catalogue` };
  if (variant === undefined || !PITR_VARIANTS.has(variant))
    return { notPriced: `PITR variant ${JSON.stringify(variant)} is not in the catalogue` };
  return [
    fixed(
      `point-in-time recovery (${variant.replace("pitr_", "")} days)`,
      `supabase.pitr.${variant}`,
      HOURS_PER_MONTH,
      `${HOURS_PER_MONTH} h`,
    ),
  ];
};

const INCLUDED_EDGE_INVOCATIONS = 2_000_000;

const edgeFunction: Pricer = (fn, env) => {
  const functions = env.stack.of("supabase:index/edgeFunction:EdgeFunction");
  const each = env.assume("edgeFunctionInvocationsPerMonth");
  const plan = env.assume("supabasePlan");
  const included = plan === "free" ? 500_000 : INCLUDED_EDGE_INVOCATIONS;
  const excess = Math.max(0, functions.length * each - included);
  // The plan's allowance is shared: each function carries an equal part of what lies beyond it.
  const share = excess / functions.length;
  return [
    used(
      "invocations beyond the plan's allowance",
      "supabase.edgeFunctions.invocations",
      share / MILLION,
      `${round(each)} a month each (assumed), ${functions.length} functions, ${round(included)} included in the ${plan} plan`,
    ),
  ];
};

const cloudflareZone: Pricer = (zone, env) => {
  const plan = str(zone.inputs, "plan") ?? env.context.cloudflarePlan;
  return zonePlanCharges(plan, env);
};

export function zonePlanCharges(plan: string | undefined, env: PricingEnv): PricerResult {
  if (plan === undefined) return { notPriced: "the zone's plan is not known (set golive:cdn.zone.plan)" };
  if (plan === "enterprise") return { notPriced: "Enterprise plans are priced by contract" };
  if (plan === "free") return [fixed("Cloudflare free plan", "cloudflare.plan.free.monthly")];
  const billing = env.assume("cloudflareBilling");
  return [
    fixed(
      `Cloudflare ${plan} plan (billed ${billing === "annual" ? "annually" : "monthly"})`,
      `cloudflare.plan.${plan}.${billing}`,
    ),
  ];
}

const vercelProject: Pricer = (project, env) => {
  // The team's plan is charged once, at the first project.
  const first = env.stack.of("vercel:index/project:Project")[0];
  if (first?.urn !== project.urn) return [];
  const plan = env.assume("vercelPlan");
  const members = env.assume("vercelMembers");
  return [
    fixed(
      `Vercel ${plan} plan`,
      `vercel.plan.${plan}`,
      plan === "pro" ? members : 1,
      plan === "pro" ? `${members} member(s)` : undefined,
    ),
  ];
};

export const PRICERS: Readonly<Record<string, Pricer>> = {
  "aws:secretsmanager/secret:Secret": secret,
  "aws:kms/key:Key": kmsKey,
  "aws:cloudwatch/metricAlarm:MetricAlarm": metricAlarm,
  "aws:cloudwatch/compositeAlarm:CompositeAlarm": simple("composite alarm", "aws.cloudwatch.alarm.composite"),
  "aws:cloudwatch/dashboard:Dashboard": simple("dashboard", "aws.cloudwatch.dashboard"),
  "aws:cloudwatch/logGroup:LogGroup": logGroup,
  "aws:route53/healthCheck:HealthCheck": healthCheck,
  "aws:lambda/function:Function": lambdaFunction,
  "aws:scheduler/schedule:Schedule": schedule,
  "aws:sqs/queue:Queue": queue,
  "aws:sns/topic:Topic": topic,
  "aws:sns/topicSubscription:TopicSubscription": subscription,
  "aws:s3/bucket:Bucket": bucket,
  "aws:s3/bucketV2:BucketV2": bucket,
  "aws:ecs/taskDefinition:TaskDefinition": taskDefinition,
  "aws:ecs/service:Service": ecsService,
  "aws:ec2/natGateway:NatGateway": natGateway,
  "aws:ec2/eip:Eip": elasticIp,
  "aws:ec2/vpcEndpoint:VpcEndpoint": vpcEndpoint,
  "supabase:index/project:Project": supabaseProject,
  "supabase:index/edgeFunction:EdgeFunction": edgeFunction,
  [MANAGEMENT_SETTING_TYPE]: managementSetting,
  "cloudflare:index/zone:Zone": cloudflareZone,
  "vercel:index/project:Project": vercelProject,
};
