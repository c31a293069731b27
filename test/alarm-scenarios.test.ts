/**
 * Scenarios replayed against the alarms the prod stack really declares (recorded as `pulumi up`
 * would register them), through a simulator of CloudWatch alarm semantics. Each scenario states who
 * is paged (critical: pager, chat, email) and who is told (warning: chat, email), and when.
 *
 * The metrics are published the way their producers publish them: Route 53 one
 * HealthCheckPercentageHealthy value per minute (the share of ~16 checkers that see the app
 * healthy; a checker turns unhealthy after failureThreshold × requestInterval), the metrics
 * collector one EMF value per metric per minute (and AWS/Lambda Invocations/Errors for its runs),
 * the cron invoker one Failure value per run, SQS its queue depth every minute. Dimensions are
 * taken from the recorded resources (health check ids, project ref, function and queue names), not
 * from the alarms, so an alarm watching other dimensions than its producer sees nothing here too.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { APP_NAMESPACE, DATABASE_NAMESPACE, METRIC } from "../lambda/metrics-collector/names";
import { METRIC_NAMESPACE as CRON_NAMESPACE } from "../lambda/cron-invoker/handler";
import type { Recording } from "../tooling/engine/record";
import { AlarmSimulator, alarmsOf, evaluateExpression, statistic } from "./support/alarm-simulator";
import { recordStack } from "./support/record-stack";

const CHECKERS = 16;
const HOUR = 3600;
const MINUTE = 60;

interface StackIds {
  readonly healthCheckIds: Record<string, string>;
  readonly projectRef: string;
  readonly hostname: string;
  readonly collector: string;
  readonly invoker: string;
  readonly deadLetterQueue: string;
  readonly job: string;
}

let recording: Recording;
let ids: StackIds;

const prefix = "dirt-free-crm-prod";

/** A recorded value that must be a known string (up mode). */
function text(value: unknown): string {
  if (typeof value !== "string") throw new Error(`expected a known string, got ${JSON.stringify(value)}`);
  return value;
}

function idsOf(rec: Recording): StackIds {
  const of = (type: string) => rec.resources.filter((resource) => resource.type === type);
  const checks = of("aws:route53/healthCheck:HealthCheck");
  const functions = of("aws:lambda/function:Function").map((fn) => text(fn.inputs.name));
  const project = of("supabase:index/project:Project")[0]!;
  // The cron jobs' queue and alarms: the backup task has a dead-letter queue and job alarms of its own.
  const queue = of("aws:sqs/queue:Queue").find((q) => text(q.inputs.name).includes("cron-dead-letter"))!;
  const jobAlarm = of("aws:cloudwatch/metricAlarm:MetricAlarm").find((alarm) =>
    new RegExp(`^${prefix}-cron-.*-failed$`).test(text(alarm.inputs.name)),
  )!;
  return {
    healthCheckIds: Object.fromEntries(
      checks.map((check) => [text(check.inputs.resourcePath), text(check.id)]),
    ),
    projectRef: text(project.id),
    hostname: text(checks[0]!.inputs.fqdn),
    collector: functions.find((name) => name.endsWith("metrics-collector"))!,
    invoker: functions.find((name) => name.includes("cron"))!,
    deadLetterQueue: text(queue.inputs.name),
    job: text(jobAlarm.inputs.name)
      .replace(`${prefix}-cron-`, "")
      .replace(/-failed$/, ""),
  };
}

beforeAll(async () => {
  recording = await recordStack("prod", { preview: false });
  ids = idsOf(recording);
}, 120_000);

interface World {
  /** Checkers that see the app unhealthy, per health path. */
  unhealthyCheckers: (path: string, at: number) => number;
  /** The collector ran and could read the Supabase endpoint. */
  collector: (at: number) => "ok" | "source-down" | "not-running";
  database: (at: number) => { connections: number; disk: number; cpu: number; memory: number };
  errorRatePercent: (at: number) => number;
  edgeP95Ms: (at: number) => number;
  /** Cron runs this minute: true = success, false = failure. */
  cronRuns: (at: number) => boolean[];
  deadLetters: (at: number) => number;
}

const HEALTHY: World = {
  unhealthyCheckers: () => 0,
  collector: () => "ok",
  database: () => ({ connections: 30, disk: 40, cpu: 20, memory: 50 }),
  errorRatePercent: () => 0.1,
  edgeP95Ms: () => 350,
  cronRuns: (at) => (at % HOUR === 0 ? [true] : []),
  deadLetters: () => 0,
};

/** Replays a world for `minutes` and returns who was notified, in minutes after the start. */
function replay(world: Partial<World>, minutes: number): AlarmSimulator {
  const w = { ...HEALTHY, ...world };
  const sim = new AlarmSimulator(alarmsOf(recording));
  // An hour of healthy history first: a new alarm whose missing data breaches fires before the
  // first datapoint (the deploy itself), which is not what these scenarios are about.
  sim.run(-HOUR, minutes * MINUTE, (at) => {
    for (const [path, id] of Object.entries(ids.healthCheckIds)) {
      const healthy = ((CHECKERS - w.unhealthyCheckers(path, at)) / CHECKERS) * 100;
      sim.publish({
        namespace: "AWS/Route53",
        metricName: "HealthCheckPercentageHealthy",
        dimensions: { HealthCheckId: id },
        at,
        value: healthy,
        unit: "Percent",
      });
    }
    const collector = w.collector(at);
    if (collector !== "not-running") {
      const lambda = {
        namespace: "AWS/Lambda",
        dimensions: { FunctionName: ids.collector },
        at,
        unit: "Count",
      };
      sim.publish({ ...lambda, metricName: "Invocations", value: 1 });
      sim.publish({ ...lambda, metricName: "Errors", value: collector === "ok" ? 0 : 1 });
    }
    if (collector === "ok") {
      const db = w.database(at);
      const dimensions = { ProjectRef: ids.projectRef };
      for (const [metric, value] of [
        [METRIC.connections, db.connections],
        [METRIC.disk, db.disk],
        [METRIC.cpu, db.cpu],
        [METRIC.memory, db.memory],
      ] as const) {
        sim.publish({
          namespace: DATABASE_NAMESPACE,
          metricName: metric,
          dimensions,
          at,
          value,
          unit: "Percent",
        });
      }
    }
    if (collector !== "not-running") {
      const app = { namespace: APP_NAMESPACE, dimensions: { Hostname: ids.hostname }, at };
      sim.publish({ ...app, metricName: METRIC.errorRate, value: w.errorRatePercent(at), unit: "Percent" });
      sim.publish({ ...app, metricName: METRIC.edgeTtfbP95, value: w.edgeP95Ms(at), unit: "Milliseconds" });
    }
    for (const success of w.cronRuns(at)) {
      const job = { namespace: CRON_NAMESPACE, dimensions: { Job: ids.job }, at, unit: "Count" };
      sim.publish({ ...job, metricName: "Success", value: success ? 1 : 0 });
      sim.publish({ ...job, metricName: "Failure", value: success ? 0 : 1 });
      const invoker = {
        namespace: "AWS/Lambda",
        dimensions: { FunctionName: ids.invoker },
        at,
        unit: "Count",
      };
      sim.publish({ ...invoker, metricName: "Invocations", value: 1 });
      sim.publish({ ...invoker, metricName: "Errors", value: success ? 0 : 1 });
    }
    sim.publish({
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: ids.deadLetterQueue },
      at,
      value: w.deadLetters(at),
      unit: "Count",
    });
  });
  return sim;
}

const names = (list: { alarm: string }[]) =>
  [...new Set(list.map((entry) => entry.alarm.replace(`${prefix}-`, "")))].sort();
const first = (list: { alarm: string; minute: number }[], alarm: string) =>
  list.find((entry) => entry.alarm === `${prefix}-${alarm}`)?.minute;

describe("the simulator's own semantics", () => {
  it("computes statistics, percentiles from raw values and metric math", () => {
    expect(statistic([1, 2, 3, 4], "Average")).toBe(2.5);
    expect(statistic([], "Maximum")).toBeUndefined();
    expect(
      statistic(
        Array.from({ length: 100 }, (_, i) => i + 1),
        "p95",
      ),
    ).toBe(95);
    expect(evaluateExpression("(100 - healthy) / 0.1", { healthy: 99.5 })).toBeCloseTo(5, 9);
    expect(evaluateExpression("100 * e / r", { e: undefined, r: 3 })).toBeUndefined();
  });
});

describe("scenarios against the prod stack's alarms", () => {
  it("right after a deploy, the database alarms fire until the collector's first minutes arrive", () => {
    const sim = new AlarmSimulator(alarmsOf(recording));
    sim.evaluate(MINUTE);
    expect(sim.state(`${prefix}-database-connections`)).toBe("ALARM");
  });

  it("a quiet day: nobody is notified", () => {
    const { pages, warnings } = replay({}, 8 * 60).summary();
    expect(pages).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it("the database goes down: paged within 5 minutes by the connections alarm and the uptime burn", () => {
    const down = (at: number) => at >= HOUR;
    const sim = replay(
      {
        collector: (at) => (down(at) ? "source-down" : "ok"),
        // The health endpoint checks the database: every checker fails after 3 × 30 s.
        unhealthyCheckers: (_path, at) => (at >= HOUR + 90 ? CHECKERS : 0),
        errorRatePercent: (at) => (down(at) ? 100 : 0.1),
      },
      90,
    );
    const { pages, warnings } = sim.summary();
    expect(names(pages)).toEqual(
      expect.arrayContaining(["database-connections", "error-rate", "health-uptime-fast-burn"]),
    );
    expect(first(pages, "database-connections")! - 60).toBeLessThanOrEqual(5);
    expect(first(pages, "health-uptime-fast-burn")! - 60).toBeLessThanOrEqual(5);
    expect(names(warnings)).toContain("metrics-collector-errors");
  });

  it("the collector stops running: the database alarms breach on missing data and it is named", () => {
    const { pages, warnings } = replay(
      { collector: (at) => (at >= HOUR ? "not-running" : "ok") },
      90,
    ).summary();
    // A dead collector must not look like a healthy database: connections pages, the others warn.
    expect(first(pages, "database-connections")! - 60).toBeLessThanOrEqual(6);
    expect(names(warnings)).toEqual(
      expect.arrayContaining([
        "database-cpu",
        "database-disk",
        "database-memory",
        "metrics-collector-not-running",
      ]),
    );
    expect(names(pages)).not.toContain("health-uptime-fast-burn");
  });

  it("one checker's blip, and one checker flapping for two hours: nobody is notified", () => {
    const blip = replay(
      { unhealthyCheckers: (path, at) => (path === "/api/health" && at === 2 * HOUR ? 1 : 0) },
      4 * 60,
    );
    expect(blip.summary()).toEqual({ pages: [], warnings: [] });
    const flapping = replay(
      { unhealthyCheckers: (_path, at) => (at >= HOUR && at < 3 * HOUR && (at / MINUTE) % 10 === 0 ? 1 : 0) },
      4 * 60,
    );
    expect(flapping.summary()).toEqual({ pages: [], warnings: [] });
  });

  it("a full outage pages within 4 minutes of the checkers seeing it, and stops when it is over", () => {
    const outage = (at: number) => at >= 2 * HOUR + 90 && at < 3 * HOUR;
    const sim = replay(
      {
        unhealthyCheckers: (_path, at) => (outage(at) ? CHECKERS : 0),
        errorRatePercent: (at) => (outage(at) ? 100 : 0.1),
      },
      5 * 60,
    );
    const { pages } = sim.summary();
    const paged = first(pages, "health-uptime-fast-burn")!;
    expect(paged - 120).toBeGreaterThan(0);
    expect(paged - 120).toBeLessThanOrEqual(4);
    expect(first(pages, "error-rate")! - 120).toBeLessThanOrEqual(5);
    // Back to OK once the short window stops burning, though the hour still holds the spend.
    const recovered = sim.transitions.find(
      (t) => t.alarm === `${prefix}-health-uptime-fast-burn` && t.to === "OK" && t.at > 3 * HOUR,
    );
    expect(recovered!.at / MINUTE - 180).toBeLessThanOrEqual(6);
  });

  it("slow responses: the p95 alarm warns after its evaluation periods; nobody is paged", () => {
    const { pages, warnings } = replay(
      { edgeP95Ms: (at) => (at >= HOUR && at < 2 * HOUR ? 2600 : 350) },
      3 * 60,
    ).summary();
    expect(pages).toEqual([]);
    const warned = first(warnings, "latency-p95")!;
    expect(warned - 60).toBeGreaterThanOrEqual(10);
    expect(warned - 60).toBeLessThanOrEqual(16);
    // Quick spikes under the evaluation periods stay quiet.
    const spike = replay({ edgeP95Ms: (at) => (at === HOUR ? 9000 : 350) }, 2 * 60).summary();
    expect(spike.warnings).toEqual([]);
  });

  it("a job failing once pages at the next evaluation, through its own alarm and the invoker's", () => {
    const { pages, warnings } = replay(
      { cronRuns: (at) => (at === HOUR ? [false, true] : []) },
      2 * 60,
    ).summary();
    expect(names(pages)).toEqual([`cron-${ids.job}-failed`, "cron-invoker-errors"].sort());
    expect(first(pages, `cron-${ids.job}-failed`)).toBe(61);
    expect(warnings).toEqual([]);
  });

  it("a dead-letter message pages within 5 minutes and nothing else fires", () => {
    const { pages, warnings } = replay({ deadLetters: (at) => (at >= HOUR ? 1 : 0) }, 2 * 60).summary();
    expect(names(pages)).toEqual(["cron-dead-letter-not-empty"]);
    expect(first(pages, "cron-dead-letter-not-empty")! - 60).toBeLessThanOrEqual(5);
    expect(warnings).toEqual([]);
  });
});
