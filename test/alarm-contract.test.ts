/**
 * Producer/consumer contract: every alarm of both stacks and of the five examples watches a metric
 * that a component of the same stack produces, with the same namespace, name, exact dimensions and
 * unit, and a statistic the producer supports. So an alarm can never watch a metric nobody emits.
 *
 * Producers are:
 * - the EMF lines the stack's own Lambdas print: the metrics collector and the cron invoker are run
 *   here with the environment the stack recorded for them (against local stand-ins of Supabase's
 *   endpoint, fed Supabase's published sample, and of Cloudflare's GraphQL API), and what they print
 *   is read as CloudWatch reads EMF;
 * - AWS service metrics of the stack's resources, from a small catalogue below that names the
 *   documentation each entry comes from.
 *
 * Another component's new alarm needs its producer here (a handler run or a catalogue entry).
 */
import { readdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHandler as createCollector } from "../lambda/metrics-collector/handler";
import { createHandler as createInvoker } from "../lambda/cron-invoker/handler";
import { SCHEDULER_CONTEXT } from "../lambda/cron-invoker/event";
import { SUPABASE_METRICS_PATH } from "../lambda/metrics-collector/handler";
import { healthEmfLine } from "../lambda/function-metrics/stats";
import type { RecordedResource, Recording } from "../tooling/engine/record";
import { readStackFile, withPlaceholderSecrets } from "../tooling/stack-files";
import { recordStack } from "./support/record-stack";
import { REPO_ROOT } from "./support/stacks";
import { readSupabaseSample, withSampleValues } from "./support/supabase-metrics";

// ---------------------------------------------------------------------------------------------
// The catalogue of AWS service metrics golive's alarms may watch

interface ServiceMetric {
  readonly namespace: string;
  readonly metricName: string;
  /** The resource type whose instances publish it, and how their dimension values are read. */
  readonly resourceType: string;
  readonly dimensions: (resource: RecordedResource) => Record<string, string> | undefined;
  readonly statistics: readonly string[];
  readonly unit?: string;
  readonly source: string;
}

const known = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
const byFunctionName = (fn: RecordedResource) => {
  const name = known(fn.inputs.name);
  return name ? { FunctionName: name } : undefined;
};
const ALL_STATISTICS = ["Average", "Sum", "Minimum", "Maximum", "SampleCount", "p*"];

export const SERVICE_METRICS: readonly ServiceMetric[] = [
  ...["Invocations", "Errors", "Throttles"].map((metricName) => ({
    namespace: "AWS/Lambda",
    metricName,
    resourceType: "aws:lambda/function:Function",
    dimensions: byFunctionName,
    statistics: ALL_STATISTICS,
    unit: "Count",
    source:
      "AWS Lambda Developer Guide, Types of metrics for Lambda functions (invocation metrics, dimension FunctionName)",
  })),
  {
    namespace: "AWS/SQS",
    metricName: "ApproximateNumberOfMessagesVisible",
    resourceType: "aws:sqs/queue:Queue",
    dimensions: (queue) => {
      const name = known(queue.inputs.name);
      return name ? { QueueName: name } : undefined;
    },
    statistics: ["Average", "Minimum", "Maximum", "Sum", "SampleCount"],
    unit: "Count",
    source: "Amazon SQS Developer Guide, Available CloudWatch metrics for Amazon SQS (dimension QueueName)",
  },
  {
    namespace: "AWS/Events",
    metricName: "TriggeredRules",
    resourceType: "aws:cloudwatch/eventRule:EventRule",
    dimensions: (rule) => {
      const name = known(rule.inputs.name);
      return name ? { RuleName: name } : undefined;
    },
    statistics: ["Sum", "Average", "Minimum", "Maximum", "SampleCount"],
    unit: "Count",
    source:
      "Amazon EventBridge User Guide, Monitoring Amazon EventBridge (metric TriggeredRules, dimension RuleName)",
  },
  ...[
    "HealthCheckPercentageHealthy",
    "HealthCheckStatus",
    "TimeToFirstByte",
    "ConnectionTime",
    "SSLHandshakeTime",
  ].map((metricName) => ({
    namespace: "AWS/Route53",
    metricName,
    resourceType: "aws:route53/healthCheck:HealthCheck",
    dimensions: (check: RecordedResource) => {
      const id = known(check.id);
      return id ? { HealthCheckId: id } : undefined;
    },
    // No percentiles: Route 53 publishes these as aggregates per checker report.
    statistics: ["Average", "Minimum", "Maximum"],
    source:
      "Amazon Route 53 Developer Guide, Monitoring health checks using CloudWatch (valid statistics Average, Minimum, Maximum; us-east-1 only)",
  })),
];

// ---------------------------------------------------------------------------------------------
// What an alarm watches, and what a stack produces

interface Watched {
  readonly alarm: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Record<string, string>;
  readonly stat: string;
  readonly unit?: string;
}

interface Produced {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Record<string, string>;
  readonly statistics: readonly string[];
  readonly unit?: string;
  readonly by: string;
}

type Obj = Record<string, unknown>;

function dims(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, dimension] of Object.entries((value as Obj | undefined) ?? {}))
    out[key] = known(dimension) ?? "?";
  return out;
}

export function watchedMetrics(recording: Recording): Watched[] {
  const watched: Watched[] = [];
  for (const alarm of recording.resources.filter(
    (r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm",
  )) {
    const inputs = alarm.inputs as Obj;
    const name = known(inputs.name) ?? alarm.name;
    const queries = (inputs.metricQueries as Obj[] | undefined) ?? [];
    for (const query of queries) {
      const metric = query.metric as Obj | undefined;
      if (!metric) continue;
      watched.push({
        alarm: name,
        namespace: known(metric.namespace) ?? "",
        metricName: known(metric.metricName) ?? "",
        dimensions: dims(metric.dimensions),
        stat: known(metric.stat) ?? "",
        ...(known(metric.unit) ? { unit: known(metric.unit) } : {}),
      });
    }
    if (queries.length === 0) {
      watched.push({
        alarm: name,
        namespace: known(inputs.namespace) ?? "",
        metricName: known(inputs.metricName) ?? "",
        dimensions: dims(inputs.dimensions),
        stat: known(inputs.statistic) ?? known(inputs.extendedStatistic) ?? "",
        ...(known(inputs.unit) ? { unit: known(inputs.unit) } : {}),
      });
    }
  }
  return watched;
}

/** Reads EMF lines as CloudWatch does: one metric per name in each directive, per dimension set. */
export function emfProducts(lines: readonly string[], by: string): Produced[] {
  const produced: Produced[] = [];
  for (const line of lines) {
    let parsed: Obj;
    try {
      parsed = JSON.parse(line) as Obj;
    } catch {
      continue;
    }
    const aws = parsed._aws as
      | {
          CloudWatchMetrics?: {
            Namespace: string;
            Dimensions: string[][];
            Metrics: { Name: string; Unit?: string }[];
          }[];
        }
      | undefined;
    for (const directive of aws?.CloudWatchMetrics ?? []) {
      for (const dimensionSet of directive.Dimensions) {
        const dimensions = Object.fromEntries(
          dimensionSet.map((key) => [key, String(parsed[key] as string)]),
        );
        for (const metric of directive.Metrics) {
          if (typeof parsed[metric.Name] !== "number") continue;
          produced.push({
            namespace: directive.Namespace,
            metricName: metric.Name,
            dimensions,
            // EMF values are raw datapoints: every statistic, percentiles included.
            statistics: ALL_STATISTICS,
            ...(metric.Unit ? { unit: metric.Unit } : {}),
            by,
          });
        }
      }
    }
  }
  return produced;
}

function serviceProducts(recording: Recording): Produced[] {
  return SERVICE_METRICS.flatMap((entry) =>
    recording.resources
      .filter((resource) => resource.type === entry.resourceType)
      .flatMap((resource) => {
        const dimensions = entry.dimensions(resource);
        return dimensions
          ? [
              {
                namespace: entry.namespace,
                metricName: entry.metricName,
                dimensions,
                statistics: entry.statistics,
                ...(entry.unit ? { unit: entry.unit } : {}),
                by: `${entry.resourceType} ${resource.name} (${entry.source})`,
              },
            ]
          : [];
      }),
  );
}

function statAllowed(stat: string, statistics: readonly string[]): boolean {
  return statistics.includes(stat) || (/^p\d/.test(stat) && statistics.includes("p*"));
}

/** Why no producer matches, or undefined when one does. */
export function unmatched(watched: Watched, produced: readonly Produced[]): string | undefined {
  const sameMetric = produced.filter(
    (product) => product.namespace === watched.namespace && product.metricName === watched.metricName,
  );
  if (sameMetric.length === 0)
    return `nothing in the stack publishes ${watched.namespace} ${watched.metricName}`;
  const key = (d: Record<string, string>) => JSON.stringify(Object.entries(d).sort());
  const sameSeries = sameMetric.filter((product) => key(product.dimensions) === key(watched.dimensions));
  if (sameSeries.length === 0) {
    return `${watched.metricName} is published with ${sameMetric.map((p) => key(p.dimensions)).join(" or ")}, the alarm watches ${key(watched.dimensions)}`;
  }
  if (watched.unit !== undefined && !sameSeries.some((product) => product.unit === watched.unit)) {
    return `${watched.metricName} is published in ${sameSeries.map((p) => p.unit ?? "no unit").join(", ")}; an alarm with unit ${watched.unit} sees none of it`;
  }
  if (!sameSeries.some((product) => statAllowed(watched.stat, product.statistics))) {
    return `${watched.namespace} ${watched.metricName} has no ${watched.stat} (${sameSeries[0]!.statistics.join(", ")})`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Running the stack's own handlers with the environment the stack gives them

let server: Server;
let origin = "";

beforeAll(async () => {
  // Stand-ins for Supabase's metrics endpoint (its published sample, values set) and Cloudflare's
  // GraphQL API (answers of the documented shape). They accept any credential: auth is tested elsewhere.
  const sample = withSampleValues(readSupabaseSample("current"), (name, labels) => {
    if (name === "pg_stat_database_num_backends") return 10;
    if (name === "max_connections_connection_count") return 60;
    if (name === "node_memory_MemTotal_bytes") return 4e9;
    if (name === "node_memory_MemAvailable_bytes") return 2e9;
    if (name === "node_filesystem_size_bytes") return 8e9;
    if (name === "node_filesystem_avail_bytes") return 6e9;
    if (name === "node_cpu_seconds_total") return labels.mode === "idle" ? 1000 : 100;
    return undefined;
  });
  let scrapes = 0;
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      // Stacks are recorded between scrapes for longer than a keep-alive lasts: no reused sockets.
      res.setHeader("connection", "close");
      if (req.url?.endsWith(SUPABASE_METRICS_PATH)) {
        scrapes += 1;
        // The CPU counters advance between scrapes, so the second run publishes CPU too.
        res.end(
          scrapes % 2 === 0
            ? sample.replace(/(node_cpu_seconds_total\{[^}]*mode="user"[^}]*\}) 100/g, "$1 130")
            : sample,
        );
        return;
      }
      if (req.url === "/graphql") {
        const group = body.includes("GoliveLatency")
          ? [{ count: 5000, quantiles: { edgeTimeToFirstByteMsP95: 420, originResponseDurationMsP95: 300 } }]
          : [{ count: 5000 }];
        const zone = body.includes("GoliveLatency")
          ? { latency: group }
          : { requests: group, serverErrors: [{ count: 5 }] };
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ data: { viewer: { zones: [zone] } }, errors: null }));
        return;
      }
      res.writeHead(404);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function functionEnv(fn: RecordedResource): Record<string, string> {
  const variables = ((fn.inputs.environment as Obj | undefined)?.variables ?? {}) as Obj;
  return Object.fromEntries(
    Object.entries(variables).map(([key, value]) => [key, known(value) ?? "unknown"]),
  );
}

async function collectorLines(fn: RecordedResource): Promise<string[]> {
  const env = functionEnv(fn);
  const secret: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (key.endsWith("_NAME"))
      secret[value] = value.includes("SECRET_KEY") ? "sb_secret_contractTestKey000000" : "token-0000";
  }
  const lines: string[] = [];
  const handler = createCollector({
    getSecret: () => Promise.resolve(JSON.stringify(secret)),
    env,
    log: (line) => lines.push(line),
    supabaseBaseUrl: () => origin,
    cloudflareGraphqlUrl: `${origin}/graphql`,
    now: (() => {
      let minute = 0;
      return () => new Date(Date.UTC(2026, 10, 24, 10, minute++));
    })(),
  });
  await handler({});
  await handler({});
  return lines;
}

async function invokerLines(fn: RecordedResource, recording: Recording): Promise<string[]> {
  const env = functionEnv(fn);
  const lines: string[] = [];
  const invoker = createInvoker({
    getSecret: () => Promise.resolve(JSON.stringify(new Proxy({}, { get: () => "cron-secret-0000" }))),
    env,
    log: (line) => lines.push(line),
    // The app answers every job; what the invoker prints does not depend on the answer's body.
    fetch: () => Promise.resolve(new Response("{}", { status: 200 })),
  });
  const schedules = recording.resources.filter((r) => r.type === "aws:scheduler/schedule:Schedule");
  for (const schedule of schedules) {
    const target = schedule.inputs.target as Obj;
    const input = (known(target.input) ?? "{}")
      .replace(SCHEDULER_CONTEXT.scheduledTime, "2026-11-24T10:00:00Z")
      .replace(SCHEDULER_CONTEXT.executionId, "contract-execution")
      .replace(SCHEDULER_CONTEXT.attemptNumber, "1");
    await invoker(JSON.parse(input), { getRemainingTimeInMillis: () => 60_000 }).catch(() => undefined);
  }
  return lines;
}

/**
 * What the backup task's containers publish: the metric names the scripts they run pass to
 * `put_metric` and `put_job_result` (backup-task/lib.sh), with the namespace and dimension values
 * the stack sets in each container's environment.
 */
function backupTaskProducts(recording: Recording): Produced[] {
  const scripts = readdirSync(path.join(REPO_ROOT, "backup-task"))
    .filter((file) => file.endsWith(".sh") && file !== "lib.sh")
    .map((file) => readFileSync(path.join(REPO_ROOT, "backup-task", file), "utf8"));
  const metricNames = new Set(
    scripts.flatMap((text) => [...text.matchAll(/\bput_metric\s+(\w+)/g)].map((m) => m[1]!)),
  );
  const publishesJobResult = scripts.some((text) => /\bput_job_result\b/.test(text));
  const products: Produced[] = [];
  for (const task of recording.resources.filter((r) => r.type === "aws:ecs/taskDefinition:TaskDefinition")) {
    const definitions = JSON.parse(known(task.inputs.containerDefinitions) ?? "[]") as {
      environment?: { name: string; value: string }[];
    }[];
    for (const container of definitions) {
      const env = Object.fromEntries((container.environment ?? []).map((entry) => [entry.name, entry.value]));
      const by = `backup task ${task.name}, container environment and backup-task/*.sh`;
      if (env.BACKUP_METRIC_NAMESPACE && env.BACKUP_NAME)
        for (const metricName of metricNames)
          products.push({
            namespace: env.BACKUP_METRIC_NAMESPACE,
            metricName,
            dimensions: { Database: env.BACKUP_NAME },
            statistics: ALL_STATISTICS,
            by,
          });
      if (publishesJobResult && env.BACKUP_JOB)
        products.push({
          namespace: "golive/cron",
          metricName: "Failure",
          dimensions: { Job: env.BACKUP_JOB },
          statistics: ALL_STATISTICS,
          unit: "Count",
          by,
        });
    }
  }
  return products;
}

/** The edge-function collector's EMF lines for the functions the stack hands it (a busy window). */
function functionMetricsLines(fn: RecordedResource): string[] {
  const functions = JSON.parse(functionEnv(fn).FUNCTIONS ?? "[]") as { slug: string }[];
  return functions.map((entry) =>
    healthEmfLine(
      entry.slug,
      { requests: 100, serverErrors: 2, errorRatePercent: 2, maxExecutionMs: 850 },
      0,
    ),
  );
}

async function producedBy(recording: Recording): Promise<Produced[]> {
  const products = [...serviceProducts(recording), ...backupTaskProducts(recording)];
  for (const fn of recording.resources.filter((r) => r.type === "aws:lambda/function:Function")) {
    const name = known(fn.inputs.name) ?? fn.name;
    if (name.endsWith("metrics-collector"))
      products.push(...emfProducts(await collectorLines(fn), `the metrics collector ${name}`));
    if (name.includes("cron"))
      products.push(...emfProducts(await invokerLines(fn, recording), `the cron invoker ${name}`));
    if (functionEnv(fn).FUNCTIONS !== undefined)
      products.push(...emfProducts(functionMetricsLines(fn), `the edge-function metrics ${name}`));
  }
  return products;
}

// ---------------------------------------------------------------------------------------------

const EXAMPLES = ["budgetzen-notifications", "piggybong", "bee-mvp", "alaska-pay", "dirt-free-crm"] as const;

const CASES: { label: string; stack: "staging" | "prod"; example?: string }[] = [
  { label: "staging", stack: "staging" },
  { label: "prod", stack: "prod" },
  ...EXAMPLES.flatMap((example) =>
    (["staging", "prod"] as const).map((stack) => ({
      label: `examples/${example} (${stack})`,
      stack,
      example,
    })),
  ),
];

describe("every alarm watches a metric a component of its stack produces", () => {
  it.each(CASES)(
    "$label",
    async ({ stack, example }) => {
      const config = example
        ? withPlaceholderSecrets(
            readStackFile(path.join(REPO_ROOT, "examples", example, `Pulumi.${stack}.yaml`), stack),
          ).config
        : undefined;
      const recording = await recordStack(stack, { preview: false, ...(config ? { config } : {}) });
      const watched = watchedMetrics(recording);
      expect(watched.length).toBeGreaterThan(10);
      const produced = await producedBy(recording);
      const problems = watched
        .map((entry) => ({ alarm: entry.alarm, problem: unmatched(entry, produced) }))
        .filter((entry) => entry.problem !== undefined);
      expect(problems).toEqual([]);
      // The collector's own metrics are among them: the database, error-rate and latency alarms.
      expect(watched.map((entry) => entry.metricName)).toEqual(
        expect.arrayContaining(["ConnectionsUsedPercent", "CpuBusyPercent", "HealthCheckPercentageHealthy"]),
      );
    },
    180_000,
  );
});

describe("the contract check itself", () => {
  const watched: Watched = {
    alarm: "x",
    namespace: "AWS/Route53",
    metricName: "TimeToFirstByte",
    dimensions: { HealthCheckId: "hc" },
    stat: "p95",
  };
  const route53: Produced = {
    namespace: "AWS/Route53",
    metricName: "TimeToFirstByte",
    dimensions: { HealthCheckId: "hc" },
    statistics: ["Average", "Minimum", "Maximum"],
    by: "check",
  };

  it("refuses a percentile of a metric published without one, other dimensions and another unit", () => {
    expect(unmatched(watched, [route53])).toMatch(/has no p95/);
    expect(unmatched({ ...watched, stat: "Average" }, [route53])).toBeUndefined();
    expect(
      unmatched({ ...watched, stat: "Average", dimensions: { HealthCheckId: "other" } }, [route53]),
    ).toMatch(/published with/);
    expect(
      unmatched({ ...watched, stat: "Average", unit: "Seconds" }, [{ ...route53, unit: "Milliseconds" }]),
    ).toMatch(/sees none of it/);
    expect(unmatched({ ...watched, metricName: "Latency" }, [route53])).toMatch(
      /nothing in the stack publishes/,
    );
  });

  it("reads EMF as CloudWatch does", () => {
    const line = JSON.stringify({
      _aws: {
        Timestamp: 0,
        CloudWatchMetrics: [{ Namespace: "n", Dimensions: [["A"]], Metrics: [{ Name: "M", Unit: "Count" }] }],
      },
      A: "a",
      M: 1,
    });
    expect(emfProducts([line, "not json"], "x")).toEqual([
      {
        namespace: "n",
        metricName: "M",
        dimensions: { A: "a" },
        statistics: ALL_STATISTICS,
        unit: "Count",
        by: "x",
      },
    ]);
  });
});
