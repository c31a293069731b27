import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { type AddressInfo } from "node:net";
import { createRequire } from "node:module";
import * as path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { bundleMetricsCollector } from "../lambda/metrics-collector/bundle";
import {
  ERROR_RATE_QUERY,
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

// ---------------------------------------------------------------------------------------------
// Fixtures: exposition text shaped like the Supabase endpoint's, with values we control.
// ---------------------------------------------------------------------------------------------

const REF = "abcdefghijklmnopqrst";
const SERVICE_ROLE_KEY = "service-role-key-that-must-never-be-logged-0123456789";
const ANALYTICS_TOKEN = "cloudflare-analytics-token-never-logged-0123456789";
const ZONE_ID = "023e105f4ecef8ad9ca31a8372d0c353";
const HOST = "app.dirtfree.com";

interface Scrape {
  backends: number[];
  maxConnections: number;
  dataSize: number;
  dataAvail: number;
  memTotal: number;
  memAvailable: number;
  /** Per CPU: [idle, iowait, user, system] cumulative seconds. */
  cpus: [number, number, number, number][];
}

const DB = `supabase_project_ref="${REF}",service_type="db"`;
const PG = `supabase_project_ref="${REF}",service_type="postgresql",server="localhost:5432"`;

function exposition(scrape: Scrape): string {
  const lines = [
    "# HELP node_memory_MemTotal_bytes Memory information field MemTotal_bytes.",
    "# TYPE node_memory_MemTotal_bytes gauge",
    `node_memory_MemTotal_bytes{${DB}} ${scrape.memTotal.toExponential()}`,
    "# HELP node_memory_MemAvailable_bytes Memory information field MemAvailable_bytes.",
    "# TYPE node_memory_MemAvailable_bytes gauge",
    `node_memory_MemAvailable_bytes{${DB}} ${scrape.memAvailable}`,
    "# HELP node_filesystem_size_bytes Filesystem size in bytes.",
    "# TYPE node_filesystem_size_bytes gauge",
    `node_filesystem_size_bytes{${DB},device="/dev/nvme0n1p2",fstype="ext4",mountpoint="/"} 1.0359754752e+10`,
    `node_filesystem_size_bytes{${DB},device="/dev/nvme1n1",fstype="ext4",mountpoint="/data"} ${scrape.dataSize}`,
    "# HELP node_filesystem_avail_bytes Filesystem space available to non-root users in bytes.",
    "# TYPE node_filesystem_avail_bytes gauge",
    `node_filesystem_avail_bytes{${DB},device="/dev/nvme0n1p2",fstype="ext4",mountpoint="/"} 100`,
    `node_filesystem_avail_bytes{${DB},device="/dev/nvme1n1",fstype="ext4",mountpoint="/data"} ${scrape.dataAvail}`,
    "# HELP node_cpu_seconds_total Seconds the CPUs spent in each mode.",
    "# TYPE node_cpu_seconds_total counter",
    ...scrape.cpus.flatMap(([idle, iowait, user, system], cpu) => [
      `node_cpu_seconds_total{${DB},cpu="${cpu}",mode="idle"} ${idle}`,
      `node_cpu_seconds_total{${DB},cpu="${cpu}",mode="iowait"} ${iowait}`,
      `node_cpu_seconds_total{${DB},cpu="${cpu}",mode="user"} ${user}`,
      `node_cpu_seconds_total{${DB},cpu="${cpu}",mode="system"} ${system}`,
    ]),
    "# HELP node_load1 1m load average.",
    "# TYPE node_load1 gauge",
    `node_load1{${DB}} 0.42`,
    "# HELP pg_stat_database_num_backends The number of active backends",
    "# TYPE pg_stat_database_num_backends gauge",
    ...scrape.backends.map((count, i) => `pg_stat_database_num_backends{${PG},datname="db${i}"} ${count}`),
    "# HELP max_connections_connection_count Max connections",
    "# TYPE max_connections_connection_count gauge",
    `max_connections_connection_count{${PG}} ${scrape.maxConnections}`,
    "# HELP go_gc_duration_seconds A summary of the pause duration of garbage collection cycles.",
    "# TYPE go_gc_duration_seconds summary",
    `go_gc_duration_seconds{${PG},quantile="0"} NaN`,
    `go_gc_duration_seconds_sum{${PG}} 0.25`,
    `go_gc_duration_seconds_count{${PG}} 12`,
    "# HELP process_runtime_go_gc_pause_ns Amount of nanoseconds in GC stop-the-world pauses",
    "# TYPE process_runtime_go_gc_pause_ns histogram",
    `process_runtime_go_gc_pause_ns_bucket{supabase_project_ref="${REF}",service_type="gotrue",le="+Inf"} 4`,
  ];
  return `${lines.join("\n")}\n`;
}

const BASE: Scrape = {
  backends: [12, 3],
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
        const expected = `Basic ${Buffer.from(`service_role:${SERVICE_ROLE_KEY}`).toString("base64")}`;
        if (supabaseMode === "auth" || request.headers.authorization !== expected) {
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
        res.writeHead(analyticsAnswer.status, { "content-type": "application/json" });
        res.end(JSON.stringify(analyticsAnswer.body));
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
});

const ENVIRONMENT = {
  [ENV.secretId]: "arn:aws:secretsmanager:us-east-1:123456789012:secret:dirt-free-crm/prod/server-AbCdEf",
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
    ['x{a="1",a="2"} 3', /label a appears twice/],
    ["x 12abc", /not a number/],
    ["x{a=1} 3", /double quotes/],
    ["ok 1\nx", /line 2: x must be followed by a space/],
    ["# TYPE x gauges\nx 1", /TYPE x must be one of/],
    ['x{a="\\t"} 1', /unknown escape/],
    ["x 1 2 3", /more than a value and a timestamp/],
  ])("rejects %j", (text, message) => {
    expect(() => parsePrometheusText(text)).toThrow(PrometheusParseError);
    expect(() => parsePrometheusText(text)).toThrow(message);
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
    expect(second.cpuPercent).toBeCloseTo(25, 6);
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
    expect(scrapeRequest?.headers.authorization).toBe(
      `Basic ${Buffer.from(`service_role:${SERVICE_ROLE_KEY}`).toString("base64")}`,
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
      expect(line).not.toContain(ANALYTICS_TOKEN);
    }
  });

  it("publishes CPU from the second run of a warm instance and reuses the cached secret", async () => {
    const h = harness();
    await h.run({});
    scrape = {
      ...BASE,
      cpus: [
        [1040, 12, 310, 98],
        [1148, 20, 262, 80],
      ],
    };
    h.clock.now = new Date("2026-11-24T10:01:30Z");
    const result = await h.run({});
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
    ["auth", /answered 401.*refused the service role key/],
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

  it("checks its environment", () => {
    expect(() => readSettings({})).toThrow(/no METRICS_PROJECT_REF/);
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
