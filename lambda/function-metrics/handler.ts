/**
 * Publishes each edge function's request count, 5xx rate and slowest execution as CloudWatch
 * metrics (EMF lines on stdout), read from the Management API's `functions.combined-stats`. Runs
 * every five minutes; reads the Supabase access token from the environment's secret.
 *
 * Environment: SECRET_ID, TOKEN_KEY (the token's name in the secret), PROJECT_REF,
 * FUNCTIONS (JSON [{slug, id}]), API_ENDPOINT.
 */
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { healthEmfLine, statsRows, summarize } from "./stats";

/** The window each run reports: its own five minutes, from the API's per-minute buckets of the last 15. */
const WINDOW_MS = 5 * 60_000;

function need(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set in the function's environment`);
  return value;
}

export async function handler(): Promise<{ functions: number }> {
  const secretId = need("SECRET_ID");
  const secret = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: secretId }));
  const values = JSON.parse(secret.SecretString ?? "{}") as Record<string, unknown>;
  const token = values[need("TOKEN_KEY")];
  if (typeof token !== "string" || token === "")
    throw new Error(`secret ${secretId} has no ${need("TOKEN_KEY")}`);
  const functions = JSON.parse(need("FUNCTIONS")) as { slug: string; id: string }[];
  const base = `${need("API_ENDPOINT")}/v1/projects/${need("PROJECT_REF")}/analytics/endpoints/functions.combined-stats`;
  const now = Date.now();
  for (const fn of functions) {
    const url = `${base}?interval=15min&function_id=${encodeURIComponent(fn.id)}`;
    const response = await fetch(url, {
      headers: { authorization: `Bearer ${token}`, accept: "application/json" },
      signal: AbortSignal.timeout(20_000),
    });
    if (!response.ok) {
      // Never log the token; the status and the start of the body say what went wrong.
      throw new Error(
        `combined-stats of ${fn.slug}: ${response.status} ${(await response.text()).slice(0, 300)}`,
      );
    }
    console.log(healthEmfLine(fn.slug, summarize(statsRows(await response.json()), now, WINDOW_MS), now));
  }
  return { functions: functions.length };
}
