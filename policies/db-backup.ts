/**
 * DB-03's off-site job (prod): a bucket alone is not a backup. Each off-site backup bucket needs
 *  - a scheduled job that writes to it at least daily: an EventBridge Scheduler schedule, or a
 *    scheduled EventBridge rule with its targets, whose runner (ECS task definition or Lambda
 *    function) has a role policy naming the bucket with a write action;
 *  - a freshness alarm: a CloudWatch alarm on a backup metric that treats missing data as breaching
 *    (no datapoint means no backup) and looks back no further than the schedule allows;
 *  - a restore drill at least weekly: another scheduled runner that reads the bucket and says what
 *    it is (restore, drill or verify in its name, family or description).
 * Runners, roles and buckets are linked by dependency (known at preview) or identifier (after apply).
 */
import type { PolicyResource } from "@pulumi/policy";
import type { Check } from "./lib/define";
import { peek, UNKNOWN } from "./lib/unknowns";
import { BUCKET_TYPES, T } from "./lib/types";
import type { StackIndex } from "./lib/props";

const TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition";
const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const RUNNER_TYPES = [TASK_DEFINITION, T.lambda];
const WRITE_ACTIONS = /^(s3:\*|s3:PutObject|\*)$/i;
const READ_ACTIONS = /^(s3:\*|s3:GetObject|s3:Get\*|\*)$/i;
const DRILL_WORDS = /restore|drill|verif/i;

/** A scheduled run: the schedule (or rule), its expression, and what it runs. */
interface ScheduledRunner {
  readonly schedule: PolicyResource;
  readonly expression: unknown;
  readonly runner: PolicyResource;
}

function scheduledRunners(index: StackIndex): ScheduledRunner[] {
  const runs: ScheduledRunner[] = [];
  for (const schedule of index.ofType(T.schedule)) {
    if (peek(schedule.props, "state") === "DISABLED") continue;
    for (const runner of index.referencedBy(schedule, "target", RUNNER_TYPES))
      runs.push({ schedule, expression: peek(schedule.props, "scheduleExpression"), runner });
  }
  for (const rule of index.ofType(T.eventRule)) {
    const expression = peek(rule.props, "scheduleExpression");
    if (expression === undefined || peek(rule.props, "state") === "DISABLED") continue;
    for (const target of index.referencing(rule, "rule", [T.eventTarget])) {
      const runners = [
        ...index.referencedBy(target, "arn", RUNNER_TYPES),
        ...index.referencedBy(target, "ecsTarget", RUNNER_TYPES),
      ];
      for (const runner of runners) runs.push({ schedule: rule, expression, runner });
    }
  }
  return runs;
}

/**
 * Longest gap between runs in hours, from an EventBridge expression: `rate(n unit)` exactly; for
 * `cron(min hour dom month dow year)`, every day (24), some days of every week (168) or less often
 * (Infinity). UNKNOWN when not known at preview, undefined when not a schedule.
 */
export function eventBridgeGapHours(expression: unknown): number | undefined | typeof UNKNOWN {
  if (expression === UNKNOWN) return UNKNOWN;
  if (typeof expression !== "string") return undefined;
  const rate = /^rate\((\d+)\s+(minutes?|hours?|days?)\)$/.exec(expression.trim());
  if (rate) {
    const n = Number(rate[1]);
    const unit = rate[2]!.replace(/s$/, "");
    return unit === "minute" ? n / 60 : unit === "hour" ? n : n * 24;
  }
  const cron = /^cron\((.+)\)$/.exec(expression.trim());
  if (!cron) return undefined;
  const [, , dom = "", month = "", dow = ""] = cron[1]!.trim().split(/\s+/);
  const any = (field: string) => field === "*" || field === "?";
  if (!any(month)) return Infinity;
  if (any(dom) && any(dow)) return 24;
  if (any(dom)) return 7 * 24;
  return Infinity;
}

/** The role policies of a runner's roles (task role, execution role, function role). */
function rolePolicies(index: StackIndex, runner: PolicyResource): PolicyResource[] {
  const roles = ["taskRoleArn", "role"].flatMap((prop) => index.referencedBy(runner, prop, [ROLE]));
  return roles.flatMap((role) => index.referencing(role, "role", [ROLE_POLICY]));
}

/** "yes" when a role policy of the runner grants `actions` on the bucket; "maybe" when the document is unknown. */
function grants(
  index: StackIndex,
  runner: PolicyResource,
  bucket: PolicyResource,
  actions: RegExp,
): "yes" | "maybe" | "no" {
  let maybe = false;
  for (const policy of rolePolicies(index, runner)) {
    if (!index.referencedBy(policy, "policy", [...BUCKET_TYPES]).includes(bucket)) continue;
    const document = peek(policy.props, "policy");
    if (typeof document !== "string") {
      maybe = true;
      continue;
    }
    try {
      const statements = (JSON.parse(document) as { Statement?: unknown }).Statement;
      for (const statement of Array.isArray(statements) ? statements : [statements]) {
        const s = statement as { Effect?: unknown; Action?: unknown };
        const list = Array.isArray(s.Action) ? s.Action : [s.Action];
        if (s.Effect === "Allow" && list.some((action) => typeof action === "string" && actions.test(action)))
          return "yes";
      }
    } catch {
      // Not JSON: not a grant this check can read.
    }
  }
  return maybe ? "maybe" : "no";
}

function describes(run: ScheduledRunner): string {
  return [
    run.schedule.name,
    run.runner.name,
    peek(run.schedule.props, "name"),
    peek(run.schedule.props, "description"),
    peek(run.runner.props, "family"),
    peek(run.runner.props, "name"),
  ]
    .filter((part): part is string => typeof part === "string")
    .join(" ");
}

function metricText(alarm: PolicyResource): string {
  const dims = peek(alarm.props, "dimensions");
  const values = dims && typeof dims === "object" ? Object.values(dims as Record<string, unknown>) : [];
  return [peek(alarm.props, "namespace"), peek(alarm.props, "metricName"), ...values]
    .filter((part): part is string => typeof part === "string")
    .join(" ");
}

/** DB-03 in prod: the scheduled job, the freshness alarm and the drill for each off-site bucket. */
export function checkOffsiteBackupJob(
  index: StackIndex,
  buckets: readonly PolicyResource[],
  check: Check,
): void {
  const runs = scheduledRunners(index);
  const alarms = index.ofType(T.metricAlarm);
  for (const bucket of buckets) {
    const label = `backup bucket "${bucket.name}"`;
    // An unreadable (preview) grant counts as a write unless the runner says it is the drill.
    const writers = runs.filter((run) => {
      const write = grants(index, run.runner, bucket, WRITE_ACTIONS);
      return write === "yes" || (write === "maybe" && !DRILL_WORDS.test(describes(run)));
    });
    if (writers.length === 0) {
      check.violation(
        `${label} has no scheduled job writing to it (a schedule running a task or function whose role may s3:PutObject there); a bucket alone is not a backup`,
        bucket.urn,
      );
      continue;
    }
    const gaps = writers.map((run) => eventBridgeGapHours(run.expression));
    const daily = writers.filter((_, i) => typeof gaps[i] === "number" && gaps[i] <= 24);
    if (daily.length === 0) {
      if (gaps.includes(UNKNOWN))
        check.undeterminable(`the schedule of the job writing to ${label}`, bucket.urn);
      else
        check.violation(
          `${label} is written by ${writers.map((run) => `"${run.schedule.name}"`).join(", ")}, which run less often than daily`,
          bucket.urn,
        );
    }

    const fresh = alarms.filter(
      (alarm) =>
        /backup/i.test(metricText(alarm)) &&
        !DRILL_WORDS.test(metricText(alarm)) &&
        peek(alarm.props, "treatMissingData") === "breaching",
    );
    if (fresh.length === 0) {
      check.violation(
        `${label} has no freshness alarm: a CloudWatch alarm on a backup metric with treatMissingData "breaching" (missing backups must alarm)`,
        bucket.urn,
      );
    } else {
      const windows = fresh.map((alarm) => {
        const period = peek(alarm.props, "period");
        const periods = peek(alarm.props, "evaluationPeriods");
        return typeof period === "number" && typeof periods === "number"
          ? (period * periods) / 3600
          : UNKNOWN;
      });
      if (windows.every((hours) => typeof hours === "number" && hours > 26 + 24))
        check.violation(
          `${label}'s freshness alarms look back ${Math.min(...(windows as number[]))} h; a daily backup needs one that fires within about a day (26 h)`,
          bucket.urn,
        );
    }

    const drills = runs.filter(
      (run) =>
        !writers.some((writer) => writer.runner === run.runner) &&
        DRILL_WORDS.test(describes(run)) &&
        grants(index, run.runner, bucket, READ_ACTIONS) !== "no",
    );
    if (drills.length === 0) {
      check.violation(
        `${label} has no restore drill: a scheduled task or function, named for restore/drill/verify, that reads the bucket and verifies the newest copy at least weekly`,
        bucket.urn,
      );
      continue;
    }
    const drillGaps = drills.map((run) => eventBridgeGapHours(run.expression));
    if (!drillGaps.some((gap) => typeof gap === "number" && gap <= 7 * 24)) {
      if (drillGaps.includes(UNKNOWN))
        check.undeterminable(`the schedule of the restore drill of ${label}`, bucket.urn);
      else check.violation(`${label}'s restore drill runs less often than weekly`, bucket.urn);
    }
  }
}

/** Whether a schedule runs an ECS task definition of this stack (not an endpoint-calling function). */
export function schedulesTask(index: StackIndex, schedule: PolicyResource): boolean {
  return index.referencedBy(schedule, "target", [TASK_DEFINITION]).length > 0;
}

/**
 * `golive:database.network.allowedCidrs`, when the stack sets a non-empty list. golive's Database
 * component writes exactly that list plus the /32 of the backup runner's NAT address into the
 * Settings `network` blob; before that address exists (a first preview) the blob is unknown, and
 * DB-05 checks the configured part now and the whole list when `pulumi up` registers the Settings.
 */
export function configuredAllowedCidrs(check: Check): string[] | undefined {
  const database = check.ctx.config.get("golive:database") as
    { network?: { allowedCidrs?: unknown } } | undefined;
  const listed = database?.network?.allowedCidrs;
  if (!Array.isArray(listed) || listed.length === 0) return undefined;
  return listed.map((cidr) => String(cidr));
}
