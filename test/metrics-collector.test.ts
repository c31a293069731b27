import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { type AddressInfo } from "node:net";
import { createRequire } from "node:module";
import * as path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { bundleMetricsCollector } from "../lambda/metrics-collector/bundle";
import {
  ERROR_RATE_QUERY,
  LATENCY_QUERY,
  errorRatePercent,
  errorRateWindow,
  parseErrorRateResponse,
} from "../lambda/metrics-collector/cloudflare";
import { cpuBusyPercent, databaseMetrics } from "../lambda/metrics-collector/database";
import {
  SUPABASE_METRICS_PATH,
  USER_AGENT,
  createHandler,
  readSettings,
  type MetricsCollectorDeps,
} from "../lambda/metrics-collector/handler";
import { APP_NAMESPACE, DATABASE_NAMESPACE, ENV, METRIC } from "../lambda/metrics-collector/names";
import { PrometheusParseError, parsePrometheusText } from "../lambda/metrics-collector/prometheus";
import { readSupabaseSample, withSampleValues, type SupabaseSample } from "./support/supabase-metrics";

// ---------------------------------------------------------------------------------------------
// Fixtures: Supabase's published sample of its metrics endpoint, with the values of the series the
// collector reads set by the test (Supabase published every value as 0).
// ---------------------------------------------------------------------------------------------

const REF = "abcdefghijklmnopqrst";
const SECRET_KEY = "sb_secret_metricsKeyThatMustNeverBeLogged0123";
const SERVICE_ROLE_KEY = "service-role-key-that-must-never-be-logged-0123456789";
const ANALYTICS_TOKEN = "cloudflare-analytics-token-never-logged-0123456789";
const ZONE_ID = "023e105f4ecef8ad9ca31a8372d0c353";
const HOST = "app.dirtfree.com";

interface Scrape {
  backends: number;
  maxConnections: number;
  dataSize: number;
  dataAvail: number;
  memTotal: number;
  memAvailable: number;
  /** Per CPU: [idle, iowait, user, system] cumulative seconds. */
  cpus: [number, number, number, number][];
}

const CPU_MODES = ["idle", "iowait", "user", "system"] as const;

/** The published sample with this scrape's values on the series the collector reads. */
function exposition(scrape: Scrape, sample: SupabaseSample = "current"): string {
  return withSampleValues(readSupabaseSample(sample), (name, labels) => {
    switch (name) {
      case "pg_stat_database_num_backends":
        return scrape.backends;
      case "max_connections_connection_count":
        return scrape.maxConnections;
      case "node_memory_MemTotal_bytes":
        return scrape.memTotal;
      case "node_memory_MemAvailable_bytes":
        return scrape.memAvailable;
      case "node_filesystem_size_bytes":
        return labels.mountpoint === "/data" ? scrape.dataSize : 10_359_754_752;
      case "node_filesystem_avail_bytes":
        return labels.mountpoint === "/data" ? scrape.dataAvail : 100;
      case "node_cpu_seconds_total": {
        const mode = CPU_MODES.indexOf(labels.mode as (typeof CPU_MODES)[number]);
        return mode < 0 ? undefined : scrape.cpus[Number(labels.cpu)]?.[mode];
      }
      default:
        return undefined;
    }
  });
}

const BASE: Scrape = {
  backends: 15,
  maxConnections: 60,
  dataSize: 8_000_000_000,
  dataAvail: 2_000_000_000,
  memTotal: 4_000_000_000,
  memAvailable: 1_000_000_000,
  cpus: [
    [1000, 10, 300, 90],
    [1100, 20, 250, 80],
  ],
};

// ---------------------------------------------------------------------------------------------
// Fake endpoints on 127.0.0.1
// ---------------------------------------------------------------------------------------------

interface Seen {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

const seen: Seen[] = [];
let supabaseMode: "ok" | "html" | "500" | "missing" | "auth" = "ok";
let scrape: Scrape = BASE;
let analyticsAnswer: { status: number; body: unknown } = { status: 200, body: {} };
let latencyAnswer: { status: number; body: unknown } = { status: 200, body: {} };

/** The shape of Cloudflare's answer to the latency query (aliases as the query names them). */
function latencyBody(count: number, edgeP95: number, originP95: number): unknown {
  return {
    data: {
      viewer: {
        zones: [
          {
            latency:
              count === 0
                ? []
                : [
                    {
                      count,
                      quantiles: {
                        edgeTimeToFirstByteMsP95: edgeP95,
                        originResponseDurationMsP95: originP95,
                      },
                    },
                  ],
          },
        ],
      },
    },
    errors: null,
  };
}
let server: Server;
let origin: string;

function analyticsBody(requests: number, serverErrors: number): unknown {
  return {
    data: {
      viewer: {
        zones: [
          {
            requests: requests === 0 ? [] : [{ count: requests }],
            serverErrors: serverErrors === 0 ? [] : [{ count: serverErrors }],
          },
        ],
      },
    },
    errors: null,
  };
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const request = {
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      seen.push(request);
      if (request.path === `/supabase/${REF}${SUPABASE_METRICS_PATH}`) {
        // Supabase takes the secret API key or, on projects that still have one, the legacy key.
        const accepted = [SECRET_KEY, SERVICE_ROLE_KEY].map(
          (key) => `Basic ${Buffer.from(`service_role:${key}`).toString("base64")}`,
        );
        if (supabaseMode === "auth" || !accepted.includes(request.headers.authorization ?? "")) {
          res.writeHead(401, { "content-type": "application/json" });
          res.end('{"message":"invalid credentials"}');
          return;
        }
        if (supabaseMode === "500") {
          res.writeHead(500);
          res.end("upstream exporter down");
          return;
        }
        res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
        if (supabaseMode === "html") res.end("<html><body>Maintenance</body></html>");
        else if (supabaseMode === "missing") res.end(exposition(scrape).replace(/^max_connections.*$/m, ""));
        else res.end(exposition(scrape));
        return;
      }
      if (request.path === "/graphql") {
        if (request.headers.authorization !== `Bearer ${ANALYTICS_TOKEN}`) {
          res.writeHead(403, { "content-type": "application/json" });
          res.end('{"errors":[{"message":"Authentication error"}]}');
          return;
        }
        const answer = request.body.includes("GoliveLatency") ? latencyAnswer : analyticsAnswer;
        res.writeHead(answer.status, { "content-type": "application/json" });
        res.end(JSON.stringify(answer.body));
        return;
      }
      res.writeHead(404);
      res.end("not found");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
});

beforeEach(() => {
  seen.length = 0;
  supabaseMode = "ok";
  scrape = BASE;
  analyticsAnswer = { status: 200, body: analyticsBody(1000, 25) };
  latencyAnswer = { status: 200, body: latencyBody(1000, 850, 620) };
});

const ENVIRONMENT = {
  [ENV.secretId]: "arn:aws:secretsmanager:us-east-1:123456789012:secret:dirt-free-crm/prod/server-AbCdEf",
  [ENV.secretKeyName]: "SUPABASE_METRICS_SECRET_KEY",
  [ENV.serviceRoleKeyName]: "SUPABASE_SERVICE_ROLE_KEY",
  [ENV.projectRef]: REF,
  [ENV.analyticsTokenName]: "CLOUDFLARE_ANALYTICS_TOKEN",
  [ENV.zoneId]: ZONE_ID,
  [ENV.hostname]: HOST,
  [ENV.minRequests]: "100",
};

interface Harness {
  readonly lines: string[];
  readonly secretReads: string[];
  readonly clock: { now: Date };
  readonly run: ReturnType<typeof createHandler>;
}

function harness(overrides: Partial<MetricsCollectorDeps> = {}, secret?: Record<string, unknown>): Harness {
  const lines: string[] = [];
  const secretReads: string[] = [];
  const clock = { now: new Date("2026-11-24T10:00:30Z") };
  const run = createHandler({
    getSecret: (id) => {
      secretReads.push(id);
      return Promise.resolve(
        JSON.stringify(
          secret ?? {
            SUPABASE_METRICS_SECRET_KEY: SECRET_KEY,
            SUPABASE_SERVICE_ROLE_KEY: SERVICE_ROLE_KEY,
            CLOUDFLARE_ANALYTICS_TOKEN: ANALYTICS_TOKEN,
            CRON_SECRET: "unrelated",
          },
        ),
      );
    },
    now: () => clock.now,
    log: (line) => lines.push(line),
    env: ENVIRONMENT,
    supabaseBaseUrl: (ref) => `${origin}/supabase/${ref}`,
    cloudflareGraphqlUrl: `${origin}/graphql`,
    requestTimeoutMs: 2_000,
    ...overrides,
  });
  return { lines, secretReads, clock, run };
}

function emf(lines: readonly string[], namespace: string): Record<string, unknown> | undefined {
  return lines
    .map(
      (line) =>
        JSON.parse(line) as Record<string, unknown> & {
          _aws?: { CloudWatchMetrics: { Namespace: string }[] };
        },
    )
    .find((line) => line._aws?.CloudWatchMetrics[0]?.Namespace === namespace);
}

// ---------------------------------------------------------------------------------------------

describe("parsePrometheusText", () => {
  it("reads names, labels with escapes, special values and timestamps", () => {
    const samples = parsePrometheusText(
      [
        "# HELP x A metric.",
        "# TYPE x gauge",
        'x{path="/a\\"b\\\\c\\nd",code="500",} 1.5e+03 1700000000000',
        "y -Inf",
        "z NaN",
        "no_labels 42",
      ].join("\n"),
    );
    expect(samples[0]).toEqual({
      name: "x",
      labels: { path: '/a"b\\c\nd', code: "500" },
      value: 1500,
      timestampMs: 1_700_000_000_000,
    });
    expect(samples[1]?.value).toBe(Number.NEGATIVE_INFINITY);
    expect(Number.isNaN(samples[2]?.value)).toBe(true);
    // No trailing newline: the last sample still counts.
    expect(samples[3]).toEqual({ name: "no_labels", labels: {}, value: 42 });
  });

  it.each([
    ["<html><body>Maintenance</body></html>", /line 1: .*does not start with a metric name/],
    ["", /no samples/],
    ["# only a comment", /no samples/],
    ['x{a="1" 3', /line 1: expected "," or "}"/],
    ["x 12abc", /not a number/],
    ["x{a=1} 3", /double quotes/],
    ["ok 1\nx", /line 2: x must be followed by a space/],
    ["# TYPE x gauges\nx 1", /TYPE x must be one of/],
    ['x{a="\\t"} 1', /unknown escape/],
    ["x 1 2 3", /more than a value and a timestamp/],
    ['x{a="1"} 3 # {trace_id="abc"} 1.0 1600000000 extra', /./],
  ])("rejects %j", (text, message) => {
    if (text.includes("trace_id")) {
      // An exemplar is read past, whatever follows it.
      expect(parsePrometheusText(text)).toEqual([{ name: "x", labels: { a: "1" }, value: 3 }]);
      return;
    }
    expect(() => parsePrometheusText(text)).toThrow(PrometheusParseError);
    expect(() => parsePrometheusText(text)).toThrow(message);
  });

  it("keeps every block of a family typed twice, the first of a repeated label, and skips exemplars", () => {
    const samples = parsePrometheusText(
      [
        "# HELP go_goroutines Number of goroutines.",
        "# TYPE go_goroutines gauge",
        'go_goroutines{service_type="postgresql"} 12',
        "# HELP go_goroutines Number of goroutines that currently exist.",
        "# TYPE go_goroutines gauge",
        'go_goroutines{service_type="gotrue"} 30',
        'supavisor_connections_active{supabase_project_ref="a",mode="transaction",supabase_project_ref="b"} 4',
        'http_requests_total{code="200"} 7 # {trace_id="4bf92f3577b34da6"} 1.0 1600000000.123',
        "untyped_family 1 1600000000.5",
        "# EOF",
      ].join("\n"),
    );
    expect(samples.map((sample) => [sample.name, sample.value])).toEqual([
      ["go_goroutines", 12],
      ["go_goroutines", 30],
      ["supavisor_connections_active", 4],
      ["http_requests_total", 7],
      ["untyped_family", 1],
    ]);
    expect(samples[2]?.labels).toEqual({ supabase_project_ref: "a", mode: "transaction" });
  });
});

describe("Supabase's published samples of the endpoint", () => {
  it.each([
    ["current", 431],
    ["repeatedLabel", 409],
    ["pooler", 246],
  ] as const)("parses the %s layout as published (%i samples)", (sample, count) => {
    const text = readSupabaseSample(sample);
    const samples = parsePrometheusText(text);
    expect(samples).toHaveLength(count);
    // Every line that is not a comment is a sample: nothing was dropped.
    expect(samples).toHaveLength(
      text.split("\n").filter((line) => line !== "" && !line.startsWith("#")).length,
    );
  });

  it("holds what the strict reading refused: families typed twice, a label repeated on one line", () => {
    const typeLines = (text: string) => text.split("\n").filter((line) => line.startsWith("# TYPE "));
    const twice = (text: string) => {
      const names = typeLines(text).map((line) => line.split(" ")[2]);
      return [...new Set(names.filter((name, index) => names.indexOf(name) !== index))];
    };
    expect(twice(readSupabaseSample("current"))).toContain("go_memstats_other_sys_bytes");
    expect(readSupabaseSample("repeatedLabel")).toMatch(/supabase_project_ref="[^"]*",supabase_project_ref=/);
    expect(readSupabaseSample("pooler")).toMatch(
      /^supavisor_\w+\{[^}]*supabase_project_ref="[^"]*".*supabase_project_ref=/m,
    );
    expect(readSupabaseSample("pooler")).toMatch(/^# TYPE supavisor_\w+ untyped$/m);
  });

  it.each(["current", "repeatedLabel"] as const)(
    "yields all four database percentages from the %s layout",
    (sample) => {
      const first = databaseMetrics(parsePrometheusText(exposition(BASE, sample)), undefined, 0);
      expect(first.connectionsPercent).toBeCloseTo(25, 6);
      expect(first.diskPercent).toBeCloseTo(75, 6);
      expect(first.memoryPercent).toBeCloseTo(75, 6);
      const later: Scrape = {
        ...BASE,
        cpus: [
          [1030, 20, 310, 100],
          [1130, 20, 280, 80],
        ],
      };
      const second = databaseMetrics(parsePrometheusText(exposition(later, sample)), first.cpu, 60_000);
      // 120 CPU-seconds passed; 60 idle; iowait (10) is busy.
      expect(second.cpuPercent).toBeCloseTo(50, 6);
    },
  );

  it("as published (every value 0) names why no percentage exists instead of publishing 0%", () => {
    expect(() => databaseMetrics(parsePrometheusText(readSupabaseSample("current")), undefined, 0)).toThrow(
      /connections: the total is 0/,
    );
  });

  it("the older pooler layout lacks the postgres series: the error names the missing metric", () => {
    expect(() => databaseMetrics(parsePrometheusText(readSupabaseSample("pooler")), undefined, 0)).toThrow(
      /no pg_stat_database_num_backends/,
    );
  });

  it("reads only the primary when a read replica reports under its own identifier", () => {
    const primary = readSupabaseSample("current");
    const replica = primary
      .split("\n")
      .filter((line) => line.startsWith("pg_stat_database_num_backends"))
      .map((line) =>
        line.replace(
          'supabase_identifier="abcdefghijkl"',
          'supabase_identifier="abcdefghijkl-rr-us-east-1-xyz"',
        ),
      );
    const text = exposition(BASE).replace(
      /^(pg_stat_database_num_backends.*)$/m,
      `$1\n${replica.map((line) => line.replace(/ 0$/, " 50")).join("\n")}`,
    );
    expect(databaseMetrics(parsePrometheusText(text), undefined, 0).connectionsPercent).toBeCloseTo(25, 6);
  });
});

describe("database percentages", () => {
  it("computes connections, disk and memory from one scrape, CPU from two", () => {
    const first = databaseMetrics(parsePrometheusText(exposition(BASE)), undefined, 0);
    expect(first.connectionsPercent).toBeCloseTo((15 / 60) * 100, 6);
    expect(first.diskPercent).toBeCloseTo(75, 6);
    expect(first.memoryPercent).toBeCloseTo(75, 6);
    expect(first.cpuPercent).toBeUndefined();
    expect(first.cpuSkipped).toMatch(/first scrape/);

    // 60 s later: 120 CPU-seconds passed, 30 of them busy.
    const later: Scrape = {
      ...BASE,
      cpus: [
        [1040, 12, 310, 98],
        [1148, 20, 262, 80],
      ],
    };
    const second = databaseMetrics(parsePrometheusText(exposition(later)), first.cpu, 60_000);
    // 88 of the 120 s idle; the 2 s of iowait count as busy, as on Supabase's dashboard.
    expect(second.cpuPercent).toBeCloseTo((32 / 120) * 100, 6);
  });

  it("skips CPU after a gap or a counter reset", () => {
    const a = { atMs: 0, totalSeconds: 100, idleSeconds: 50 };
    expect(cpuBusyPercent(a, { atMs: 10 * 60_000, totalSeconds: 200, idleSeconds: 60 })).toEqual({
      skipped: "the previous scrape is 600 s old",
    });
    expect(cpuBusyPercent(a, { atMs: 60_000, totalSeconds: 10, idleSeconds: 5 })).toMatchObject({
      skipped: expect.stringMatching(/did not advance/),
    });
    expect(cpuBusyPercent(a, { atMs: 60_000, totalSeconds: 200, idleSeconds: 150 })).toEqual({ percent: 0 });
  });

  it("falls back to the postgres_exporter names and the root filesystem", () => {
    const text = [
      'pg_stat_database_numbackends{datname="postgres"} 30',
      'pg_stat_database_numbackends{datname="app"} 10',
      "pg_settings_max_connections 100",
      'node_filesystem_size_bytes{mountpoint="/"} 1000',
      'node_filesystem_avail_bytes{mountpoint="/"} 900',
      "node_memory_MemTotal_bytes 100",
      "node_memory_MemAvailable_bytes 90",
      'node_cpu_seconds_total{cpu="0",mode="idle"} 5',
    ].join("\n");
    const metrics = databaseMetrics(parsePrometheusText(text), undefined, 0);
    expect(metrics.connectionsPercent).toBeCloseTo(40, 6);
    expect(metrics.diskPercent).toBeCloseTo(10, 6);
    expect(metrics.memoryPercent).toBeCloseTo(10, 6);
  });

  it("names the missing metric", () => {
    const text = exposition(BASE).replace(/^node_memory_MemAvailable_bytes\{.*$/m, "");
    expect(() => databaseMetrics(parsePrometheusText(text), undefined, 0)).toThrow(
      /no node_memory_MemAvailable_bytes/,
    );
  });
});

describe("Cloudflare error rate", () => {
  it("uses a lagged whole-minute window and the hostname filter", () => {
    const window = errorRateWindow(new Date("2026-11-24T10:00:30Z"), 5, 3);
    expect(window.since.toISOString()).toBe("2026-11-24T09:52:00.000Z");
    expect(window.until.toISOString()).toBe("2026-11-24T09:57:00.000Z");
    expect(ERROR_RATE_QUERY).toMatch(/httpRequestsAdaptiveGroups/);
    expect(ERROR_RATE_QUERY).toMatch(/clientRequestHTTPHost: \$host/);
    expect(ERROR_RATE_QUERY).toMatch(/edgeResponseStatus_geq: 500/);
  });

  it("reads counts, empty groups as zero, and refuses GraphQL errors and other shapes", () => {
    expect(parseErrorRateResponse(analyticsBody(200, 0), ZONE_ID)).toEqual({
      requests: 200,
      serverErrors: 0,
    });
    expect(() =>
      parseErrorRateResponse({ data: null, errors: [{ message: "zone not found" }] }, ZONE_ID),
    ).toThrow(/zone not found/);
    expect(() => parseErrorRateResponse({ data: { viewer: { zones: [] } } }, ZONE_ID)).toThrow(/no zone/);
    expect(() =>
      parseErrorRateResponse(
        { data: { viewer: { zones: [{ requests: [{ count: "7" }], serverErrors: [] }] } } },
        ZONE_ID,
      ),
    ).toThrow(/no whole count/);
  });

  it("is silent below the minimum of requests", () => {
    expect(errorRatePercent({ requests: 99, serverErrors: 99 }, 100)).toBeUndefined();
    expect(errorRatePercent({ requests: 0, serverErrors: 0 }, 1)).toBeUndefined();
    expect(errorRatePercent({ requests: 400, serverErrors: 6 }, 100)).toBeCloseTo(1.5, 9);
  });
});

describe("the collector against fake endpoints on 127.0.0.1", () => {
  it("scrapes with basic auth, queries with the bearer token and prints EMF lines", async () => {
    const { run, lines, secretReads } = harness();
    const result = await run({});
    expect(secretReads).toEqual([ENVIRONMENT[ENV.secretId]]);

    const scrapeRequest = seen.find((request) => request.path.endsWith(SUPABASE_METRICS_PATH));
    expect(scrapeRequest?.method).toBe("GET");
    // Supabase's documented credential for the Metrics API: user service_role, the secret API key.
    expect(scrapeRequest?.headers.authorization).toBe(
      `Basic ${Buffer.from(`service_role:${SECRET_KEY}`).toString("base64")}`,
    );
    expect(scrapeRequest?.headers["user-agent"]).toBe(USER_AGENT);

    const graphql = seen.find((request) => request.path === "/graphql");
    expect(graphql?.method).toBe("POST");
    expect(graphql?.headers.authorization).toBe(`Bearer ${ANALYTICS_TOKEN}`);
    const sent = JSON.parse(graphql!.body) as { query: string; variables: Record<string, string> };
    expect(sent.query).toBe(ERROR_RATE_QUERY);
    expect(sent.variables).toEqual({
      zoneTag: ZONE_ID,
      host: HOST,
      since: "2026-11-24T09:52:00Z",
      until: "2026-11-24T09:57:00Z",
    });

    const database = emf(lines, DATABASE_NAMESPACE);
    expect(database).toMatchObject({
      _aws: {
        Timestamp: Date.parse("2026-11-24T10:00:30Z"),
        CloudWatchMetrics: [
          {
            Namespace: DATABASE_NAMESPACE,
            Dimensions: [["ProjectRef"]],
            Metrics: [
              { Name: METRIC.connections, Unit: "Percent" },
              { Name: METRIC.disk, Unit: "Percent" },
              { Name: METRIC.memory, Unit: "Percent" },
            ],
          },
        ],
      },
      ProjectRef: REF,
      [METRIC.connections]: 25,
      [METRIC.disk]: 75,
      [METRIC.memory]: 75,
    });
    expect(database).not.toHaveProperty(METRIC.cpu);

    const app = emf(lines, APP_NAMESPACE);
    expect(app).toMatchObject({
      _aws: {
        CloudWatchMetrics: [
          {
            Namespace: APP_NAMESPACE,
            Dimensions: [["Hostname"]],
            Metrics: [
              { Name: METRIC.requests, Unit: "Count" },
              { Name: METRIC.serverErrors, Unit: "Count" },
              { Name: METRIC.errorRate, Unit: "Percent" },
            ],
          },
        ],
      },
      Hostname: HOST,
      [METRIC.requests]: 1000,
      [METRIC.serverErrors]: 25,
      [METRIC.errorRate]: 2.5,
    });
    expect(result.app?.errorRatePercent).toBeCloseTo(2.5, 9);
    for (const line of lines) {
      expect(line).not.toContain(SERVICE_ROLE_KEY);
      expect(line).not.toContain(SECRET_KEY);
      expect(line).not.toContain(ANALYTICS_TOKEN);
    }
  });

  it("publishes CPU from the second run of a warm instance and reuses the cached secret", async () => {
    const h = harness();
    await h.run({});
    scrape = {
      ...BASE,
      cpus: [
        [1040, 10, 310, 100],
        [1150, 20, 260, 80],
      ],
    };
    h.clock.now = new Date("2026-11-24T10:01:30Z");
    const result = await h.run({});
    // 120 CPU-seconds, 90 idle.
    expect(result.database?.cpuPercent).toBeCloseTo(25, 6);
    expect(emf(h.lines.slice(2), DATABASE_NAMESPACE)).toMatchObject({ [METRIC.cpu]: 25 });
    expect(h.secretReads).toHaveLength(1);
  });

  it("emits counts but no error rate on a quiet night", async () => {
    analyticsAnswer = { status: 200, body: analyticsBody(12, 3) };
    const { run, lines } = harness();
    const result = await run({});
    const app = emf(lines, APP_NAMESPACE);
    expect(app).toMatchObject({ [METRIC.requests]: 12, [METRIC.serverErrors]: 3 });
    expect(app).not.toHaveProperty(METRIC.errorRate);
    expect(result.app?.errorRatePercent).toBeUndefined();
  });

  it("publishes the edge p95 time to first byte of visitors' requests, in milliseconds", async () => {
    const { run, lines } = harness();
    const result = await run({});
    expect(result.latency).toEqual({ requests: 1000, edgeTtfbP95Ms: 850, originP95Ms: 620 });
    const line = lines
      .map((text) => JSON.parse(text) as Record<string, unknown>)
      .find((parsed) => METRIC.edgeTtfbP95 in parsed);
    expect(line).toMatchObject({
      _aws: {
        CloudWatchMetrics: [
          {
            Namespace: APP_NAMESPACE,
            Dimensions: [["Hostname"]],
            Metrics: [
              { Name: METRIC.edgeTtfbP95, Unit: "Milliseconds" },
              { Name: METRIC.originP95, Unit: "Milliseconds" },
            ],
          },
        ],
      },
      Hostname: HOST,
      [METRIC.edgeTtfbP95]: 850,
      [METRIC.originP95]: 620,
    });
    const sent = seen
      .filter((request) => request.path === "/graphql")
      .map((request) => JSON.parse(request.body) as { query: string; variables: unknown });
    expect(sent.find((body) => body.query === LATENCY_QUERY)?.variables).toEqual(
      sent.find((body) => body.query === ERROR_RATE_QUERY)?.variables,
    );
  });

  it("publishes no p95 below the minimum of requests, and keeps the error rate when the plan refuses quantiles", async () => {
    latencyAnswer = { status: 200, body: latencyBody(40, 9000, 8000) };
    const quiet = harness();
    await quiet.run({});
    expect(quiet.lines.join("\n")).not.toContain(METRIC.edgeTtfbP95);
    expect(quiet.lines.join("\n")).toContain("latencySkipped");

    latencyAnswer = {
      status: 200,
      body: {
        data: null,
        errors: [{ message: "zone does not have access to the field edgeTimeToFirstByteMsP95" }],
      },
    };
    const refused = harness();
    await expect(refused.run({})).rejects.toThrow(/refused the latency query: zone does not have access/);
    expect(emf(refused.lines, APP_NAMESPACE)).toMatchObject({ [METRIC.errorRate]: 2.5 });
    expect(emf(refused.lines, DATABASE_NAMESPACE)).toBeDefined();
  });

  it("collects only database metrics when no analytics token is configured", async () => {
    const { run, lines } = harness({ env: { ...ENVIRONMENT, [ENV.analyticsTokenName]: undefined } });
    await run({});
    expect(seen.some((request) => request.path === "/graphql")).toBe(false);
    expect(emf(lines, APP_NAMESPACE)).toBeUndefined();
    expect(emf(lines, DATABASE_NAMESPACE)).toBeDefined();
  });

  it.each([
    ["html", /does not start with a metric name/],
    ["500", /answered 500: upstream exporter down/],
    ["missing", /max_connections_connection_count/],
    ["auth", /answered 401.*refused the key: check the secret API key/],
  ] as const)(
    "throws when the metrics endpoint misbehaves (%s), after publishing the error rate",
    async (mode, message) => {
      supabaseMode = mode;
      const { run, lines } = harness();
      await expect(run({})).rejects.toThrow(message);
      expect(emf(lines, DATABASE_NAMESPACE)).toBeUndefined();
      expect(emf(lines, APP_NAMESPACE)).toBeDefined();
      expect(lines.join("\n")).not.toContain(SERVICE_ROLE_KEY);
    },
  );

  it("throws on a GraphQL error or a refused token, after publishing the database metrics", async () => {
    analyticsAnswer = {
      status: 200,
      body: { data: null, errors: [{ message: "unknown field edgeResponseStatus_geq" }] },
    };
    const first = harness();
    await expect(first.run({})).rejects.toThrow(/cloudflare: .*unknown field edgeResponseStatus_geq/);
    expect(emf(first.lines, DATABASE_NAMESPACE)).toBeDefined();

    const wrongToken = harness(
      {},
      { SUPABASE_SERVICE_ROLE_KEY: SERVICE_ROLE_KEY, CLOUDFLARE_ANALYTICS_TOKEN: "wrong" },
    );
    await expect(wrongToken.run({})).rejects.toThrow(/answered 403.*Analytics Read/);
    // A refused credential is read afresh on the next run.
    await expect(wrongToken.run({})).rejects.toThrow(/403/);
    expect(wrongToken.secretReads).toHaveLength(2);
  });

  it("fails on a missing key in the secret without quoting the secret", async () => {
    const { run } = harness({}, { SUPABASE_SERVICE_ROLE_KEY: SERVICE_ROLE_KEY });
    await expect(run({})).rejects.toThrow(/no non-empty string under "CLOUDFLARE_ANALYTICS_TOKEN"/);
    const noKey = harness({}, { CLOUDFLARE_ANALYTICS_TOKEN: ANALYTICS_TOKEN });
    await expect(noKey.run({})).rejects.toThrow(/SUPABASE_SERVICE_ROLE_KEY/);
  });

  it("fails when an endpoint does not answer in time", async () => {
    const { run } = harness({ supabaseBaseUrl: () => "http://127.0.0.1:9", requestTimeoutMs: 500 });
    await expect(run({})).rejects.toThrow(
      /supabase: GET http:\/\/127\.0\.0\.1:9\/customer\/v1\/privileged\/metrics (failed|did not answer)/,
    );
  });

  it("authenticates with the secret API key, the legacy key only as the configured fallback", async () => {
    const basic = (key: string) => `Basic ${Buffer.from(`service_role:${key}`).toString("base64")}`;
    const scrapeHeader = () =>
      seen.filter((request) => request.path.startsWith("/supabase/")).at(-1)?.headers.authorization;
    await harness().run({});
    expect(scrapeHeader()).toBe(basic(SECRET_KEY));

    await harness(
      {},
      { SUPABASE_SERVICE_ROLE_KEY: SERVICE_ROLE_KEY, CLOUDFLARE_ANALYTICS_TOKEN: ANALYTICS_TOKEN },
    ).run({});
    expect(scrapeHeader()).toBe(basic(SERVICE_ROLE_KEY));

    const onlySecretKey = { ...ENVIRONMENT, [ENV.serviceRoleKeyName]: undefined };
    await expect(
      harness(
        { env: onlySecretKey },
        { SUPABASE_SERVICE_ROLE_KEY: SERVICE_ROLE_KEY, CLOUDFLARE_ANALYTICS_TOKEN: ANALYTICS_TOKEN },
      ).run({}),
    ).rejects.toThrow(/no non-empty string under "SUPABASE_METRICS_SECRET_KEY"/);
    const wrongKind = harness(
      {},
      {
        SUPABASE_METRICS_SECRET_KEY: "eyJhbGciOiJIUzI1NiJ9.x.y",
        CLOUDFLARE_ANALYTICS_TOKEN: ANALYTICS_TOKEN,
      },
    );
    await expect(wrongKind.run({})).rejects.toThrow(/something other than a Supabase secret API key/);
    expect(wrongKind.lines.join("\n")).not.toContain("eyJhbGciOiJIUzI1NiJ9");
  });

  it("checks its environment", () => {
    expect(() => readSettings({})).toThrow(/no METRICS_PROJECT_REF/);
    expect(() =>
      readSettings({ ...ENVIRONMENT, [ENV.secretKeyName]: undefined, [ENV.serviceRoleKeyName]: undefined }),
    ).toThrow(/neither METRICS_SECRET_KEY_NAME nor METRICS_SERVICE_ROLE_KEY_NAME/);
    expect(() => readSettings({ ...ENVIRONMENT, [ENV.projectRef]: "https://x" })).toThrow(
      /not a Supabase project ref/,
    );
    expect(() => readSettings({ ...ENVIRONMENT, [ENV.minRequests]: "0" })).toThrow(/at least 1/);
    expect(() => readSettings({ ...ENVIRONMENT, [ENV.zoneId]: "" })).toThrow(/METRICS_ZONE_ID/);
    expect(readSettings(ENVIRONMENT).analytics).toEqual({
      tokenName: "CLOUDFLARE_ANALYTICS_TOKEN",
      zoneId: ZONE_ID,
      hostname: HOST,
      minRequests: 100,
    });
  });
});

describe("bundle", () => {
  it("is deterministic, keeps the AWS SDK external and exports a working handler factory", async () => {
    const first = bundleMetricsCollector();
    const second = bundleMetricsCollector();
    expect(first.sha256).toBe(second.sha256);
    expect(first.code).toBe(second.code);
    expect(first.code).toContain('require("@aws-sdk/client-secrets-manager")');
    expect(first.code).not.toMatch(/\/work\/|\/home\//);

    const loaded = { exports: {} as Record<string, unknown> };
    const requireFromRepo = createRequire(path.join(__dirname, "..", "package.json"));
    // Evaluate the bundle the way Node's CommonJS loader would.
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    const evaluate = new Function("module", "exports", "require", first.code) as (
      module: typeof loaded,
      exports: Record<string, unknown>,
      require: NodeJS.Require,
    ) => void;
    evaluate(loaded, loaded.exports, requireFromRepo);
    expect(typeof loaded.exports.handler).toBe("function");
    const factory = loaded.exports.createHandler as typeof createHandler;
    const lines: string[] = [];
    await factory({
      getSecret: () => Promise.resolve(JSON.stringify({ SUPABASE_SERVICE_ROLE_KEY: SERVICE_ROLE_KEY })),
      env: { ...ENVIRONMENT, [ENV.analyticsTokenName]: undefined },
      log: (line) => lines.push(line),
      supabaseBaseUrl: (ref) => `${origin}/supabase/${ref}`,
    })({});
    expect(emf(lines, DATABASE_NAMESPACE)).toMatchObject({ [METRIC.connections]: 25 });
  });
});
