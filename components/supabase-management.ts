/**
 * A dynamic resource for the Supabase Management API calls that provider 1.10.1 cannot make
 * (pooler settings, the PITR add-on, `verify_jwt` of an edge function). Each resource is one
 * idempotent PATCH; it runs on create and whenever the body (or its `trigger`) changes. Deleting it
 * leaves the project's setting as it was: the project, not this resource, owns the setting.
 *
 * Pulumi serializes the provider's closure into the state, so the call and its retry loop live in
 * this module with no runtime imports: everything the closure captures is defined here.
 */
import * as pulumi from "@pulumi/pulumi";
import type { ManagementRequest } from "../lib/database";
import { MANAGEMENT_SETTING_MODULE, MANAGEMENT_SETTING_NAME } from "../lib/component-types";

export const DEFAULT_MANAGEMENT_ENDPOINT = "https://api.supabase.com";

/**
 * The endpoint the provider itself uses: `supabase:endpoint`, else `SUPABASE_API_ENDPOINT`, else the
 * public Management API. Trailing slashes are dropped so paths join cleanly.
 */
export function managementEndpoint(
  configured: string | undefined,
  env: Readonly<Record<string, string | undefined>> = process.env,
): string {
  const endpoint = configured || env.SUPABASE_API_ENDPOINT || DEFAULT_MANAGEMENT_ENDPOINT;
  return endpoint.replace(/\/+$/, "");
}

/** How long and how often a call is retried on 429, 5xx and network errors. */
export interface RetryPolicy {
  /** First back-off; doubled on each retry, with jitter. */
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** Total time budget across attempts; the last error is reported when it runs out. */
  readonly totalTimeMs: number;
}

/** Settings may restart the database for a minute or two; five minutes covers it with margin. */
export const DEFAULT_RETRY: RetryPolicy = { initialDelayMs: 1000, maxDelayMs: 30_000, totalTimeMs: 300_000 };

export interface ManagementCallInputs {
  readonly projectRef: string;
  readonly method: string;
  readonly path: string;
  /** JSON text, so diffs compare exactly what is sent. */
  readonly body: string;
  readonly endpoint: string;
  /** Falls back to SUPABASE_ACCESS_TOKEN in the environment of `pulumi up`. */
  readonly accessToken?: string;
  /** Anything whose change must re-send the same body (an edge function's deployed version). */
  readonly trigger?: string;
}

/** What one call did: attempts made, for logs and tests. */
export interface ManagementCallResult {
  readonly attempts: number;
  readonly status: number;
}

/** 429 and 5xx are worth retrying; other statuses are the caller's mistake. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599);
}

/** `Retry-After` in seconds or as an HTTP date, in milliseconds; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (header === null || header.trim() === "") return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export async function callManagementApi(
  inputs: ManagementCallInputs,
  retry: RetryPolicy = DEFAULT_RETRY,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<ManagementCallResult> {
  const token = inputs.accessToken ?? env.SUPABASE_ACCESS_TOKEN;
  if (!token) {
    throw new Error(
      "no Supabase access token: set it with `pulumi config set --secret supabase:accessToken <token>` or export SUPABASE_ACCESS_TOKEN",
    );
  }
  const url = `${inputs.endpoint}/v1/projects/${inputs.projectRef}${inputs.path}`;
  const what = `${inputs.method} ${inputs.path} for project ${inputs.projectRef}`;
  const started = Date.now();
  let delay = retry.initialDelayMs;
  let attempts = 0;
  for (;;) {
    attempts += 1;
    let failure = "";
    let wait: number | undefined;
    let response: Response | undefined;
    try {
      response = await fetch(url, {
        method: inputs.method,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: inputs.body,
      });
    } catch (error) {
      // fetch rejects on network errors (connection refused or reset): retried like a 503.
      failure = `network error: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (response) {
      if (response.ok) {
        await response.body?.cancel();
        return { attempts, status: response.status };
      }
      failure = `${response.status} ${(await response.text()).slice(0, 500)}`;
      if (!isRetryableStatus(response.status)) throw new Error(`${what} failed: ${failure}`);
      wait = retryAfterMs(response.headers.get("retry-after"), Date.now());
    }
    const elapsed = Date.now() - started;
    // Jitter keeps parallel calls (several resources of one deploy) from retrying in step.
    const backoff = Math.min(retry.maxDelayMs, delay) * (0.5 + Math.random() / 2);
    const next = Math.max(wait ?? 0, backoff);
    if (elapsed + next > retry.totalTimeMs) {
      throw new Error(
        `${what} failed after ${attempts} attempts in ${Math.round(elapsed / 1000)}s (retries stop after ${Math.round(retry.totalTimeMs / 1000)}s): ${failure}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, next));
    delay = Math.min(retry.maxDelayMs, delay * 2);
  }
}

const managementProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: ManagementCallInputs) {
    await callManagementApi(inputs);
    return { id: `${inputs.projectRef}${inputs.path}`, outs: inputs };
  },
  diff(_id: string, olds: ManagementCallInputs, news: ManagementCallInputs) {
    const replaces =
      olds.projectRef !== news.projectRef || olds.path !== news.path ? ["projectRef", "path"] : [];
    // Where the call is sent (the endpoint) is not part of the setting: moving it changes nothing.
    const changes =
      replaces.length > 0 ||
      olds.body !== news.body ||
      olds.method !== news.method ||
      olds.trigger !== news.trigger;
    return Promise.resolve({ changes, replaces, deleteBeforeReplace: false });
  },
  async update(_id: string, _olds: ManagementCallInputs, news: ManagementCallInputs) {
    await callManagementApi(news);
    return { outs: news };
  },
};

export interface ManagementSettingArgs {
  readonly projectRef: pulumi.Input<string>;
  readonly request: ManagementRequest;
  /** Default: `supabase:endpoint`, else SUPABASE_API_ENDPOINT, else the public API (as the provider). */
  readonly endpoint?: pulumi.Input<string>;
  readonly accessToken?: pulumi.Input<string>;
  readonly trigger?: pulumi.Input<string>;
}

/** Registered as lib/component-types.ts MANAGEMENT_SETTING_TYPE, which the policy pack recognises. */
export class ManagementSetting extends pulumi.dynamic.Resource {
  constructor(name: string, args: ManagementSettingArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      managementProvider,
      name,
      {
        projectRef: args.projectRef,
        method: args.request.method,
        path: args.request.path,
        body: JSON.stringify(args.request.body),
        endpoint: args.endpoint ?? managementEndpoint(new pulumi.Config("supabase").get("endpoint")),
        accessToken: args.accessToken ? pulumi.secret(args.accessToken) : undefined,
        trigger: args.trigger,
      },
      { ...opts, additionalSecretOutputs: ["accessToken"] },
      MANAGEMENT_SETTING_MODULE,
      MANAGEMENT_SETTING_NAME,
    );
  }
}
