// The Management API calls golive makes where provider 1.10.1 has gaps, against a real HTTP server on
// loopback: what is sent, retries on 429/5xx and network errors with a bounded budget, the endpoint
// the provider would use, and the order the engine runs them in.
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import {
  callManagementApi,
  DEFAULT_MANAGEMENT_ENDPOINT,
  isRetryableStatus,
  managementEndpoint,
  retryAfterMs,
  type ManagementCallInputs,
  type RetryPolicy,
} from "../components/supabase-management";

interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
  body: string;
  at: number;
}

type Reply = { status: number; body?: string; headers?: Record<string, string> } | "drop";

let server: http.Server | undefined;

/** A loopback server answering with `replies` in turn (the last one repeats). */
async function serve(replies: Reply[]): Promise<{ endpoint: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  server = http.createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      seen.push({
        method: request.method ?? "",
        url: request.url ?? "",
        authorization: request.headers.authorization,
        body,
        at: Date.now(),
      });
      const reply = replies[Math.min(seen.length - 1, replies.length - 1)]!;
      if (reply === "drop") {
        request.socket.destroy();
        return;
      }
      response.writeHead(reply.status, { "content-type": "application/json", ...(reply.headers ?? {}) });
      response.end(reply.body ?? "{}");
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, seen };
}

afterEach(async () => {
  if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
  server = undefined;
});

const FAST: RetryPolicy = { initialDelayMs: 20, maxDelayMs: 80, totalTimeMs: 5_000 };

function call(endpoint: string, extra: Partial<ManagementCallInputs> = {}): ManagementCallInputs {
  return {
    projectRef: "abcdefghijklmnopqrst",
    method: "PATCH",
    path: "/config/database/pooler",
    body: JSON.stringify({ default_pool_size: 30, pool_mode: "transaction" }),
    endpoint,
    accessToken: "sbp_test_token",
    ...extra,
  };
}

describe("callManagementApi against a loopback server", () => {
  it("sends the PATCH to the project's path with the token and the JSON body", async () => {
    const { endpoint, seen } = await serve([{ status: 200 }]);
    const result = await callManagementApi(call(endpoint), FAST);
    expect(result).toEqual({ attempts: 1, status: 200 });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      method: "PATCH",
      url: "/v1/projects/abcdefghijklmnopqrst/config/database/pooler",
      authorization: "Bearer sbp_test_token",
      body: '{"default_pool_size":30,"pool_mode":"transaction"}',
    });
  });

  it("retries 429 and 5xx until the call succeeds, honouring Retry-After", async () => {
    const { endpoint, seen } = await serve([
      { status: 429, body: '{"message":"rate limited"}', headers: { "retry-after": "0.2" } },
      { status: 503, body: "restarting" },
      { status: 502 },
      { status: 200 },
    ]);
    const result = await callManagementApi(call(endpoint), FAST);
    expect(result.attempts).toBe(4);
    expect(seen).toHaveLength(4);
    // The second attempt waited for Retry-After (200 ms), longer than the 20 ms back-off.
    expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(190);
  });

  it("retries a dropped connection like a 503", async () => {
    const { endpoint, seen } = await serve(["drop", { status: 200 }]);
    expect((await callManagementApi(call(endpoint), FAST)).attempts).toBe(2);
    expect(seen).toHaveLength(2);
  });

  it("does not retry a client error and reports the status and body", async () => {
    const { endpoint, seen } = await serve([{ status: 400, body: '{"message":"pool_mode is invalid"}' }]);
    await expect(callManagementApi(call(endpoint), FAST)).rejects.toThrow(
      'PATCH /config/database/pooler for project abcdefghijklmnopqrst failed: 400 {"message":"pool_mode is invalid"}',
    );
    expect(seen).toHaveLength(1);
  });

  it("gives up when the time budget runs out, naming the attempts and the last error", async () => {
    const { endpoint, seen } = await serve([{ status: 503, body: "database restarting" }]);
    const started = Date.now();
    await expect(
      callManagementApi(call(endpoint), { initialDelayMs: 50, maxDelayMs: 100, totalTimeMs: 600 }),
    ).rejects.toThrow(/failed after \d+ attempts in \d+s \(retries stop after 1s\): 503 database restarting/);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(1_500);
    expect(seen.length).toBeGreaterThanOrEqual(3);
  });

  it("falls back to SUPABASE_ACCESS_TOKEN and refuses to call without any token", async () => {
    const { endpoint, seen } = await serve([{ status: 200 }]);
    const withoutToken = { ...call(endpoint), accessToken: undefined };
    await callManagementApi(withoutToken, FAST, { SUPABASE_ACCESS_TOKEN: "sbp_from_env" });
    expect(seen[0]!.authorization).toBe("Bearer sbp_from_env");
    await expect(callManagementApi(withoutToken, FAST, {})).rejects.toThrow(
      "no Supabase access token: set it with `pulumi config set --secret supabase:accessToken <token>` or export SUPABASE_ACCESS_TOKEN",
    );
    expect(seen).toHaveLength(1);
  });

  it("sends an edge function's verify_jwt to /functions/<slug>", async () => {
    const { endpoint, seen } = await serve([{ status: 200 }]);
    await callManagementApi(
      call(endpoint, { path: "/functions/process-queue", body: '{"verify_jwt":false}' }),
      FAST,
    );
    expect(seen[0]).toMatchObject({
      url: "/v1/projects/abcdefghijklmnopqrst/functions/process-queue",
      body: '{"verify_jwt":false}',
    });
  });
});

describe("the Management endpoint", () => {
  it("is supabase:endpoint, else SUPABASE_API_ENDPOINT, else the public API, as the provider resolves it", () => {
    expect(
      managementEndpoint("https://api.example.test/", { SUPABASE_API_ENDPOINT: "https://env.test" }),
    ).toBe("https://api.example.test");
    expect(managementEndpoint(undefined, { SUPABASE_API_ENDPOINT: "http://127.0.0.1:54321" })).toBe(
      "http://127.0.0.1:54321",
    );
    expect(managementEndpoint(undefined, {})).toBe(DEFAULT_MANAGEMENT_ENDPOINT);
  });

  it("reads Retry-After as seconds or a date, and retries only 429 and 5xx", () => {
    expect(retryAfterMs("3", 0)).toBe(3000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(retryAfterMs("soon", 0)).toBeUndefined();
    expect(retryAfterMs(null, 0)).toBeUndefined();
    expect([429, 500, 503, 599].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 409, 422].some(isRetryableStatus)).toBe(false);
  });
});
