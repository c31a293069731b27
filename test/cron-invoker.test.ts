import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { type AddressInfo } from "node:net";
import { createRequire } from "node:module";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { bundleCronInvoker } from "../lambda/cron-invoker/bundle";
import {
  CronInvokerEventError,
  SCHEDULER_CONTEXT,
  createSchedulerInput,
  parseCronInvokerEvent,
} from "../lambda/cron-invoker/event";
import {
  DEFAULT_SECRET_TTL_MS,
  METRIC_NAMESPACE,
  USER_AGENT,
  createHandler,
  type CronInvokerDeps,
  type CronInvokerHandler,
} from "../lambda/cron-invoker/handler";

// ---------------------------------------------------------------------------------------------
// A real HTTP server on the loopback interface standing in for the app's job endpoints.
// ---------------------------------------------------------------------------------------------

interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

const CRON_SECRET = "s3cret-value-that-is-long-enough-0123456789";
const MAX_REQUESTS = 200;
const seen: SeenRequest[] = [];
const pendingTimers = new Set<NodeJS.Timeout>();
let server: Server;
let baseUrl: string;

function route(
  request: SeenRequest,
  respond: (status: number, body: string, headers?: Record<string, string>) => void,
): void {
  switch (request.path) {
    case "/ok":
      return respond(200, '{"ok":true}', { "content-type": "application/json" });
    case "/fail":
      return respond(500, "boom: the job crashed");
    case "/slow": {
      const timer = setTimeout(() => {
        pendingTimers.delete(timer);
        respond(200, "too late");
      }, 3_000);
      pendingTimers.add(timer);
      return;
    }
    case "/auth":
      return request.headers.authorization === `Bearer ${CRON_SECRET}`
        ? respond(204, "")
        : respond(401, "unauthorized");
    case "/echo-auth":
      // A careless endpoint that repeats the header in its error page.
      return respond(500, `bad request with header ${request.headers.authorization ?? ""}`);
    case "/redirect":
      return respond(307, "", { location: `${baseUrl}/ok` });
    default:
      return respond(404, "no such job");
  }
}

beforeAll(async () => {
  server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.on("end", () => {
      const request: SeenRequest = {
        method: incoming.method ?? "",
        path: incoming.url ?? "",
        headers: incoming.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      const respond = (status: number, body: string, headers: Record<string, string> = {}) => {
        if (!outgoing.writableEnded && !outgoing.destroyed) outgoing.writeHead(status, headers).end(body);
      };
      if (seen.length >= MAX_REQUESTS) return respond(429, "test server request budget exhausted");
      seen.push(request);
      route(request, respond);
    });
  });
  server.requestTimeout = 10_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const timer of pendingTimers) clearTimeout(timer);
  server.closeAllConnections();
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
});

// ---------------------------------------------------------------------------------------------

const SCHEDULED_TIME = "2024-03-04T04:00:00Z";

function event(pathName: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    job: "generate-weekly-report",
    url: `${baseUrl}${pathName}`,
    method: "POST",
    timeoutSeconds: 5,
    secretId: "app/server-secrets",
    secretKey: "CRON_SECRET",
    scheduledTime: SCHEDULED_TIME,
    executionId: "d32c5kddcf5bb8c3",
    attemptNumber: "1",
    ...overrides,
  };
}

interface Harness {
  readonly handler: CronInvokerHandler;
  readonly lines: string[];
  readonly getSecret: ReturnType<typeof vi.fn<(secretId: string) => Promise<string>>>;
  clock: number;
}

function harness(options: { secrets?: string; overrides?: Partial<CronInvokerDeps> } = {}): Harness {
  const secrets =
    options.secrets ??
    JSON.stringify({ CRON_SECRET, SUPABASE_SERVICE_ROLE_KEY: "service-role-not-for-cron" });
  const lines: string[] = [];
  const getSecret = vi.fn<(secretId: string) => Promise<string>>(() => Promise.resolve(secrets));
  const state: Harness = {
    lines,
    getSecret,
    clock: Date.parse("2024-03-04T04:00:01Z"),
    handler: undefined as unknown as CronInvokerHandler,
  };
  const handler = createHandler({
    getSecret,
    now: () => new Date(state.clock),
    log: (line) => lines.push(line),
    env: {},
    ...options.overrides,
  });
  return Object.assign(state, { handler });
}

interface MetricLine {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: Array<{
      Namespace: string;
      Dimensions: string[][];
      Metrics: Array<{ Name: string; Unit: string }>;
    }>;
  };
  Job: string;
  Success: number;
  Failure: number;
  Duration: number;
  [property: string]: unknown;
}

function metricLines(lines: readonly string[]): MetricLine[] {
  return lines.map((line) => JSON.parse(line) as MetricLine);
}

function expectEmf(line: MetricLine, job: string, success: boolean): void {
  expect(line._aws.Timestamp).toBeTypeOf("number");
  expect(line._aws.CloudWatchMetrics).toEqual([
    {
      Namespace: "golive/cron",
      Dimensions: [["Job"]],
      Metrics: [
        { Name: "Success", Unit: "Count" },
        { Name: "Failure", Unit: "Count" },
        { Name: "Duration", Unit: "Milliseconds" },
      ],
    },
  ]);
  expect(line.Job).toBe(job);
  expect(line.Success).toBe(success ? 1 : 0);
  expect(line.Failure).toBe(success ? 0 : 1);
  expect(line.Duration).toBeGreaterThanOrEqual(0);
}

function requestsTo(pathName: string): SeenRequest[] {
  return seen.filter((request) => request.path === pathName);
}

describe("cron invoker handler", () => {
  it("calls the endpoint with the secret, idempotency key and user agent, and reports success", async () => {
    const h = harness();
    const before = requestsTo("/ok").length;
    const result = await h.handler(event("/ok"));
    expect(result).toEqual({
      job: "generate-weekly-report",
      status: 200,
      durationMs: 0,
      idempotencyKey: `generate-weekly-report:${SCHEDULED_TIME}`,
    });
    const requests = requestsTo("/ok");
    expect(requests).toHaveLength(before + 1);
    const request = requests.at(-1)!;
    expect(request.method).toBe("POST");
    expect(request.headers.authorization).toBe(`Bearer ${CRON_SECRET}`);
    expect(request.headers["idempotency-key"]).toBe(`generate-weekly-report:${SCHEDULED_TIME}`);
    expect(request.headers["user-agent"]).toBe(USER_AGENT);
    expect(request.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(request.body)).toEqual({
      job: "generate-weekly-report",
      scheduledTime: SCHEDULED_TIME,
    });
    expect(h.getSecret).toHaveBeenCalledWith("app/server-secrets");

    const [line, ...rest] = metricLines(h.lines);
    expect(rest).toEqual([]);
    expectEmf(line!, "generate-weekly-report", true);
    expect(line).toMatchObject({
      status: 200,
      scheduledTime: SCHEDULED_TIME,
      attemptNumber: "1",
      executionId: "d32c5kddcf5bb8c3",
    });
    expect(METRIC_NAMESPACE).toBe("golive/cron");
    expect(h.lines.join("\n")).not.toContain(CRON_SECRET);
  });

  it("sends GET without a body", async () => {
    const h = harness();
    await h.handler(event("/ok", { method: "GET" }));
    const request = requestsTo("/ok").at(-1)!;
    expect(request.method).toBe("GET");
    expect(request.body).toBe("");
    expect(request.headers["content-type"]).toBeUndefined();
  });

  it("throws on a 500 answer and reports a failure", async () => {
    const h = harness();
    await expect(h.handler(event("/fail"))).rejects.toThrow(
      /^cron job "generate-weekly-report": POST http:\/\/127\.0\.0\.1:\d+\/fail answered 500: boom: the job crashed\.$/,
    );
    const [line] = metricLines(h.lines);
    expectEmf(line!, "generate-weekly-report", false);
    expect(line).toMatchObject({ status: 500, outcome: "failure" });
    expect(String(line!.error)).toContain("answered 500");
  });

  it("throws with a timeout message when the endpoint is slower than the job's timeout", async () => {
    const h = harness({ overrides: { now: () => new Date() } });
    const started = Date.now();
    await expect(h.handler(event("/slow", { timeoutSeconds: 0.3 }))).rejects.toThrow(
      /did not answer within 0\.3 s \(timeout\)/,
    );
    expect(Date.now() - started).toBeLessThan(2_000);
    const [line] = metricLines(h.lines);
    expectEmf(line!, "generate-weekly-report", false);
    expect(line!.Duration).toBeGreaterThanOrEqual(250);
  });

  it("stops before the Lambda's own deadline and says so", async () => {
    const h = harness();
    const context = { getRemainingTimeInMillis: () => 800 };
    await expect(h.handler(event("/slow", { timeoutSeconds: 60 }), context)).rejects.toThrow(
      /raise the function timeout/,
    );
  });

  it("throws on 401 for a wrong secret, and reads the secret again next time", async () => {
    const h = harness({
      secrets: JSON.stringify({ CRON_SECRET: "an-old-rotated-away-secret-value-000000" }),
    });
    await expect(h.handler(event("/auth"))).rejects.toThrow(
      /answered 401: unauthorized\. The endpoint refused the cron secret/,
    );
    expect(h.getSecret).toHaveBeenCalledTimes(1);
    await expect(h.handler(event("/auth"))).rejects.toThrow(/401/);
    expect(h.getSecret).toHaveBeenCalledTimes(2);
    expect(metricLines(h.lines).map((line) => line.Failure)).toEqual([1, 1]);
  });

  it("caches the secret between invocations until the TTL runs out", async () => {
    const h = harness();
    await h.handler(event("/auth"));
    h.clock += 60_000;
    await h.handler(event("/auth"));
    expect(h.getSecret).toHaveBeenCalledTimes(1);
    h.clock += DEFAULT_SECRET_TTL_MS;
    await h.handler(event("/auth"));
    expect(h.getSecret).toHaveBeenCalledTimes(2);
    await h.handler(event("/auth", { secretId: "other/app-secrets" }));
    expect(h.getSecret).toHaveBeenCalledTimes(3);
    expect(h.getSecret).toHaveBeenLastCalledWith("other/app-secrets");
  });

  it("never lets the secret into errors or logs, even when the endpoint echoes it", async () => {
    const h = harness();
    const error = await h.handler(event("/echo-auth")).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain("Bearer [redacted]");
    expect((error as Error).message).not.toContain(CRON_SECRET);
    expect(h.lines.join("\n")).not.toContain(CRON_SECRET);
  });

  it("refuses to follow a redirect with the secret attached", async () => {
    const h = harness();
    const before = requestsTo("/ok").length;
    await expect(h.handler(event("/redirect"))).rejects.toThrow(
      /redirected \(307\) to http:\/\/127\.0\.0\.1:\d+\/ok/,
    );
    expect(requestsTo("/ok")).toHaveLength(before);
  });

  it("reports an unreachable endpoint", async () => {
    const h = harness();
    // Port 9 (discard) on loopback: nothing listens there in the test environment.
    await expect(h.handler(event("/ok", { url: "http://127.0.0.1:9/ok" }))).rejects.toThrow(
      /POST http:\/\/127\.0\.0\.1:9\/ok failed: /,
    );
  });

  it.each([
    [{ job: "" }, /"job" must be a non-empty string/],
    [{ job: "has spaces" }, /"job" "has spaces" must be 1-64 characters/],
    [{ url: "not a url" }, /"url" is not an absolute URL/],
    [{ url: "http://app.example.com/api/cron" }, /"url" must use https/],
    [{ url: "https://user:pw@app.example.com/cron" }, /"url" must not contain a user name/],
    [{ method: "DELETE" }, /"method" must be "GET" or "POST"/],
    [{ timeoutSeconds: 0 }, /"timeoutSeconds" must be a number of seconds above 0/],
    [{ timeoutSeconds: "60" }, /"timeoutSeconds" must be a number/],
    [{ timeoutSeconds: 901 }, /at most 900/],
    [{ scheduledTime: undefined }, /"scheduledTime" must be a non-empty string/],
    [{ scheduledTime: SCHEDULER_CONTEXT.scheduledTime }, /still holds the Scheduler placeholder/],
    [{ scheduledTime: "yesterday" }, /"scheduledTime" must be an ISO 8601 time/],
  ])("rejects the event %j without calling anything", async (overrides, message) => {
    const h = harness();
    const before = seen.length;
    await expect(h.handler(event("/ok", overrides))).rejects.toThrow(message);
    expect(h.getSecret).not.toHaveBeenCalled();
    expect(seen).toHaveLength(before);
    expect(metricLines(h.lines)[0]!.Failure).toBe(1);
  });

  it("rejects a non-object event", async () => {
    const h = harness();
    await expect(h.handler("run please")).rejects.toThrow(/must be a JSON object/);
    expect(metricLines(h.lines)[0]!.Job).toBe("unknown");
  });

  it("takes the secret id and key from the environment when the event has none", async () => {
    const h = harness({
      overrides: { env: { CRON_SECRET_ID: "env/secrets", CRON_SECRET_KEY: "CRON_SECRET" } },
    });
    await h.handler(event("/auth", { secretId: undefined, secretKey: undefined }));
    expect(h.getSecret).toHaveBeenCalledWith("env/secrets");
    const bare = harness();
    await expect(bare.handler(event("/auth", { secretId: undefined }))).rejects.toThrow(/CRON_SECRET_ID/);
    await expect(bare.handler(event("/auth", { secretKey: undefined }))).rejects.toThrow(/CRON_SECRET_KEY/);
  });

  it.each([
    ["not json at all: hunter2", /is not valid JSON/],
    ['["a list"]', /is not a JSON object/],
    [JSON.stringify({ OTHER: "x" }), /has no non-empty string under "CRON_SECRET"/],
  ])("explains a malformed secret without quoting it (%s)", async (secrets, message) => {
    const h = harness({ secrets });
    const error = (await h.handler(event("/ok")).catch((caught: unknown) => caught)) as Error;
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain("hunter2");
    expect(h.lines.join("\n")).not.toContain("hunter2");
  });

  it("explains a secret that cannot be read", async () => {
    const h = harness({ overrides: { getSecret: () => Promise.reject(new Error("AccessDeniedException")) } });
    await expect(h.handler(event("/ok"))).rejects.toThrow(
      /could not read secret "app\/server-secrets" \(AccessDeniedException\); check that it exists and the function's role may read it/,
    );
  });
});

describe("scheduler input", () => {
  it("carries the target and the context placeholders, and round-trips through the handler", async () => {
    const input = createSchedulerInput({
      job: "cleanup-old-logs",
      url: `${baseUrl}/auth`,
      method: "POST",
      timeoutSeconds: 30,
      secretId: "app/server-secrets",
      secretKey: "CRON_SECRET",
    });
    expect(JSON.parse(input)).toEqual({
      job: "cleanup-old-logs",
      url: `${baseUrl}/auth`,
      method: "POST",
      timeoutSeconds: 30,
      secretId: "app/server-secrets",
      secretKey: "CRON_SECRET",
      scheduledTime: "<aws.scheduler.scheduled-time>",
      executionId: "<aws.scheduler.execution-id>",
      attemptNumber: "<aws.scheduler.attempt-number>",
    });
    // What EventBridge Scheduler does before invoking: replace the context attributes.
    const delivered = input
      .replace(SCHEDULER_CONTEXT.scheduledTime, "2024-03-03T03:00:00Z")
      .replace(SCHEDULER_CONTEXT.executionId, "abc123")
      .replace(SCHEDULER_CONTEXT.attemptNumber, "2");
    const h = harness();
    const result = await h.handler(JSON.parse(delivered));
    expect(result.idempotencyKey).toBe("cleanup-old-logs:2024-03-03T03:00:00Z");
    expect(requestsTo("/auth").at(-1)!.headers["idempotency-key"]).toBe(
      "cleanup-old-logs:2024-03-03T03:00:00Z",
    );
    expect(parseCronInvokerEvent(JSON.parse(delivered)).attemptNumber).toBe("2");
  });

  it("refuses an invalid target at deploy time", () => {
    expect(() =>
      createSchedulerInput({ job: "x", url: "http://example.com/cron", method: "POST", timeoutSeconds: 10 }),
    ).toThrow(CronInvokerEventError);
  });
});

// ---------------------------------------------------------------------------------------------
// The bundle that is deployed: same bytes every time, no machine paths, and it works.
// ---------------------------------------------------------------------------------------------

describe("bundleCronInvoker", () => {
  const bundle = bundleCronInvoker();

  it("is byte-identical across builds and free of the repository's absolute path", () => {
    const again = bundleCronInvoker();
    expect(again.code).toBe(bundle.code);
    expect(again.sha256).toBe(bundle.sha256);
    expect(bundle.sha256).toMatch(/^[0-9a-f]{64}$/);
    const repoRoot = path.resolve(__dirname, "..");
    expect(bundle.code).not.toContain(repoRoot);
    expect(bundle.code).not.toContain(process.cwd());
    // The runtime provides the AWS SDK; it must stay a require, not be inlined.
    expect(bundle.code).toContain('require("@aws-sdk/client-secrets-manager")');
    expect(bundle.code).not.toContain("SecretsManagerServiceException");
  });

  it("runs one invocation against the loopback server with Secrets Manager stubbed", async () => {
    const sdkCalls: Array<{ SecretId: string }> = [];
    class GetSecretValueCommand {
      constructor(readonly input: { SecretId: string }) {}
    }
    class SecretsManagerClient {
      send(command: GetSecretValueCommand): Promise<{ SecretString: string }> {
        sdkCalls.push(command.input);
        return Promise.resolve({ SecretString: JSON.stringify({ CRON_SECRET }) });
      }
    }
    const realRequire = createRequire(path.resolve(__dirname, "..", "package.json"));
    const requireForBundle = (id: string): unknown =>
      id === "@aws-sdk/client-secrets-manager"
        ? { GetSecretValueCommand, SecretsManagerClient }
        : realRequire(id);
    const loaded = { exports: {} as Record<string, unknown> };
    // Evaluate the bundle the way Node's CommonJS loader would.
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    const evaluate = new Function("module", "exports", "require", bundle.code) as (
      module: typeof loaded,
      exports: Record<string, unknown>,
      require: typeof requireForBundle,
    ) => void;
    evaluate(loaded, loaded.exports, requireForBundle);
    const bundledHandler = loaded.exports.handler as CronInvokerHandler;
    expect(bundledHandler).toBeTypeOf("function");

    const written: string[] = [];
    const stdout = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const result = await bundledHandler(event("/auth", { job: "bundled-job" }), {
        getRemainingTimeInMillis: () => 30_000,
      });
      expect(result.status).toBe(204);
    } finally {
      stdout.mockRestore();
    }
    expect(sdkCalls).toEqual([{ SecretId: "app/server-secrets" }]);
    const request = requestsTo("/auth").at(-1)!;
    expect(request.headers["idempotency-key"]).toBe(`bundled-job:${SCHEDULED_TIME}`);
    const lines = written.join("").trim().split("\n");
    expect(lines).toHaveLength(1);
    expectEmf(JSON.parse(lines[0]!) as MetricLine, "bundled-job", true);
    expect(written.join("")).not.toContain(CRON_SECRET);
  });
});
