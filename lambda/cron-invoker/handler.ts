/**
 * Cron invoker Lambda (Node.js 20): EventBridge Scheduler → this function → the app's job endpoint.
 *
 * Per invocation it reads the cron secret from Secrets Manager (cached per secret for a while, so
 * rotation is picked up), calls the job URL with `Authorization: Bearer <secret>` and an
 * `Idempotency-Key` of job name and scheduled time, enforces the job's timeout, and prints one
 * CloudWatch Embedded Metric Format line (namespace `golive/cron`, dimension `Job`, metrics
 * `Success`, `Failure`, `Duration`). Anything but a 2xx answer within the timeout throws, so the
 * asynchronous-invocation retries and the failure destination take over.
 *
 * The event is described in ./event.ts. The secret value never appears in logs or errors.
 */
import { CRON_FAILURE_METRIC, CRON_METRIC_NAMESPACE } from "../../lib/metric-names";
import { getSecretFromSecretsManager } from "../shared/secrets-manager";
import { CronInvokerEventError, idempotencyKey, parseCronInvokerEvent, type CronInvokerEvent } from "./event";

/** Re-exported from lib/metric-names.ts: the pack (CRON-04) and the alarms read the same name. */
export const METRIC_NAMESPACE = CRON_METRIC_NAMESPACE;
export const USER_AGENT = "golive-cron-invoker/1";
/** How long a secret read from Secrets Manager is reused before it is read again. */
export const DEFAULT_SECRET_TTL_MS = 5 * 60_000;
/** Time kept back from the Lambda's own deadline so the failure is reported, not cut off. */
export const LAMBDA_DEADLINE_MARGIN_MS = 500;
/** How much of an error response body is quoted in the error message. */
const ERROR_BODY_LIMIT = 512;

export interface CronInvokerDeps {
  /** Returns the secret's string value (a JSON object of server secrets). */
  getSecret(secretId: string): Promise<string>;
  fetch?: typeof fetch;
  now?: () => Date;
  /** Receives each log line; the default writes it to stdout, where CloudWatch reads EMF. */
  log?: (line: string) => void;
  /** Fallbacks `CRON_SECRET_ID` / `CRON_SECRET_KEY`; default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  secretTtlMs?: number;
}

/** The part of the Lambda context the invoker uses. */
export interface CronInvokerContext {
  getRemainingTimeInMillis(): number;
}

export interface CronInvokerResult {
  readonly job: string;
  readonly status: number;
  readonly durationMs: number;
  readonly idempotencyKey: string;
}

export type CronInvokerHandler = (event: unknown, context?: CronInvokerContext) => Promise<CronInvokerResult>;

interface CachedSecrets {
  readonly values: Readonly<Record<string, unknown>>;
  readonly readAt: number;
}

interface Outcome {
  readonly job: string;
  readonly success: boolean;
  readonly durationMs: number;
  readonly status?: number;
  readonly error?: string;
  readonly event?: CronInvokerEvent;
}

/** A failure whose message is already complete and free of secrets. */
class JobFailure extends Error {
  override readonly name = "CronJobFailure";
  /** HTTP status of the endpoint's answer, when there was one. */
  readonly status: number | undefined;

  constructor(message: string, status?: number) {
    super(message);
    this.status = status;
  }
}

function redact(text: string, secret: string | undefined): string {
  return secret === undefined || secret === "" ? text : text.split(secret).join("[redacted]");
}

/** Origin and path only: a query string may carry tokens of its own. */
function safeUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

function metricLine(outcome: Outcome, timestamp: number): string {
  return JSON.stringify({
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [
        {
          Namespace: METRIC_NAMESPACE,
          Dimensions: [["Job"]],
          Metrics: [
            { Name: "Success", Unit: "Count" },
            { Name: CRON_FAILURE_METRIC, Unit: "Count" },
            { Name: "Duration", Unit: "Milliseconds" },
          ],
        },
      ],
    },
    Job: outcome.job,
    Success: outcome.success ? 1 : 0,
    [CRON_FAILURE_METRIC]: outcome.success ? 0 : 1,
    Duration: outcome.durationMs,
    outcome: outcome.success ? "success" : "failure",
    ...(outcome.status !== undefined ? { status: outcome.status } : {}),
    ...(outcome.event !== undefined
      ? {
          url: safeUrl(outcome.event.url),
          method: outcome.event.method,
          scheduledTime: outcome.event.scheduledTime,
          ...(outcome.event.executionId !== undefined ? { executionId: outcome.event.executionId } : {}),
          ...(outcome.event.attemptNumber !== undefined
            ? { attemptNumber: outcome.event.attemptNumber }
            : {}),
        }
      : {}),
    ...(outcome.error !== undefined ? { error: outcome.error } : {}),
  });
}

/** Reads at most `limit` characters of a body, then lets the rest go. */
async function bodySnippet(response: Response, limit: number): Promise<string> {
  if (response.body === null) return "";
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = "";
  try {
    while (text.length < limit) {
      const chunk = await reader.read();
      if (chunk.done) break;
      text += decoder.decode(chunk.value, { stream: true });
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return text.length > limit ? `${text.slice(0, limit)}…` : text;
}

function jobNameOf(raw: unknown): string {
  if (
    typeof raw === "object" &&
    raw !== null &&
    "job" in raw &&
    typeof raw.job === "string" &&
    raw.job !== ""
  ) {
    return raw.job.slice(0, 64);
  }
  return "unknown";
}

/**
 * Builds the invoker with its collaborators injected. The returned handler keeps the secret cache
 * in its closure, so one handler serves many invocations of a warm Lambda.
 */
export function createHandler(deps: CronInvokerDeps): CronInvokerHandler {
  const fetchImpl = deps.fetch ?? fetch;
  const now = deps.now ?? (() => new Date());
  const log = deps.log ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const env = deps.env ?? process.env;
  const secretTtlMs = deps.secretTtlMs ?? DEFAULT_SECRET_TTL_MS;
  const cache = new Map<string, CachedSecrets>();

  async function readSecrets(secretId: string): Promise<Readonly<Record<string, unknown>>> {
    const cached = cache.get(secretId);
    const at = now().getTime();
    if (cached !== undefined && at - cached.readAt < secretTtlMs) return cached.values;
    let text: string;
    try {
      text = await deps.getSecret(secretId);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new JobFailure(
        `could not read secret "${secretId}" (${reason}); check that it exists and the function's role may read it.`,
      );
    }
    let values: unknown;
    try {
      values = JSON.parse(text);
    } catch {
      // JSON.parse quotes the input in its message; never pass that on.
      throw new JobFailure(
        `secret "${secretId}" is not valid JSON; store the server secrets as a JSON object.`,
      );
    }
    if (typeof values !== "object" || values === null || Array.isArray(values)) {
      throw new JobFailure(
        `secret "${secretId}" is not a JSON object; store the server secrets as a JSON object.`,
      );
    }
    const record = values as Readonly<Record<string, unknown>>;
    cache.set(secretId, { values: record, readAt: at });
    return record;
  }

  async function cronSecret(secretId: string, secretKey: string): Promise<string> {
    const value = (await readSecrets(secretId))[secretKey];
    if (typeof value !== "string" || value === "") {
      throw new JobFailure(
        `secret "${secretId}" has no non-empty string under "${secretKey}"; add the cron secret there or fix "secretKey".`,
      );
    }
    return value;
  }

  async function call(
    event: CronInvokerEvent,
    secretId: string,
    secret: string,
    timeoutMs: number,
    limitedByLambda: boolean,
  ) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    const target = `${event.method} ${safeUrl(event.url)}`;
    try {
      const response = await fetchImpl(event.url, {
        method: event.method,
        headers: {
          authorization: `Bearer ${secret}`,
          "idempotency-key": idempotencyKey(event.job, event.scheduledTime),
          "user-agent": USER_AGENT,
          accept: "application/json, text/plain;q=0.9, */*;q=0.1",
          ...(event.method === "POST" ? { "content-type": "application/json" } : {}),
        },
        ...(event.method === "POST"
          ? { body: JSON.stringify({ job: event.job, scheduledTime: event.scheduledTime }) }
          : {}),
        // A redirect would be followed with the secret attached; refuse it instead.
        redirect: "manual",
        signal: controller.signal,
      });
      const snippet = redact(await bodySnippet(response, response.ok ? 0 : ERROR_BODY_LIMIT), secret).trim();
      if (response.status >= 300 && response.status < 400) {
        const location = response.headers.get("location") ?? "nowhere";
        throw new JobFailure(
          `${target} redirected (${response.status}) to ${redact(location, secret)}; point the job's url at the final address.`,
          response.status,
        );
      }
      if (!response.ok) {
        if (response.status === 401 || response.status === 403) {
          // Maybe rotated: read the secret afresh on the next attempt.
          cache.delete(secretId);
        }
        const hint =
          response.status === 401 || response.status === 403
            ? " The endpoint refused the cron secret: check that the app and the secret store hold the same value."
            : "";
        throw new JobFailure(
          `${target} answered ${response.status}${snippet === "" ? "" : `: ${snippet}`}.${hint}`,
          response.status,
        );
      }
      return response.status;
    } catch (error) {
      if (error instanceof JobFailure) throw error;
      if (controller.signal.aborted) {
        const limit = `${timeoutMs / 1000} s`;
        throw new JobFailure(
          limitedByLambda
            ? `${target} did not answer within ${limit} (timeout): the Lambda had no more time left; raise the function timeout above the job's timeoutSeconds.`
            : `${target} did not answer within ${limit} (timeout); make the job faster or raise its timeoutSeconds.`,
        );
      }
      const reason =
        error instanceof Error
          ? `${error.message}${error.cause instanceof Error ? ` (${error.cause.message})` : ""}`
          : String(error);
      throw new JobFailure(`${target} failed: ${redact(reason, secret)}.`);
    } finally {
      clearTimeout(timer);
    }
  }

  return async function cronInvoker(raw: unknown, context?: CronInvokerContext): Promise<CronInvokerResult> {
    const started = now().getTime();
    let event: CronInvokerEvent | undefined;
    let secret: string | undefined;
    try {
      event = parseCronInvokerEvent(raw);
      const secretId = event.secretId ?? env.CRON_SECRET_ID;
      const secretKey = event.secretKey ?? env.CRON_SECRET_KEY;
      if (secretId === undefined || secretId === "") {
        throw new JobFailure(
          'no secret to read: set "secretId" in the event or CRON_SECRET_ID in the function environment.',
        );
      }
      if (secretKey === undefined || secretKey === "") {
        throw new JobFailure(
          'no secret key: set "secretKey" in the event or CRON_SECRET_KEY in the function environment.',
        );
      }
      secret = await cronSecret(secretId, secretKey);
      let timeoutMs = event.timeoutSeconds * 1000;
      let limitedByLambda = false;
      if (context !== undefined) {
        const available = context.getRemainingTimeInMillis() - LAMBDA_DEADLINE_MARGIN_MS;
        if (available < timeoutMs) {
          timeoutMs = Math.max(available, 1);
          limitedByLambda = true;
        }
      }
      const status = await call(event, secretId, secret, timeoutMs, limitedByLambda);
      const durationMs = now().getTime() - started;
      log(metricLine({ job: event.job, success: true, durationMs, status, event }, now().getTime()));
      return {
        job: event.job,
        status,
        durationMs,
        idempotencyKey: idempotencyKey(event.job, event.scheduledTime),
      };
    } catch (error) {
      const job = event?.job ?? jobNameOf(raw);
      const message = redact(error instanceof Error ? error.message : String(error), secret);
      const full = error instanceof CronInvokerEventError ? message : `cron job "${job}": ${message}`;
      const status = error instanceof JobFailure ? error.status : undefined;
      const durationMs = now().getTime() - started;
      log(
        metricLine(
          {
            job,
            success: false,
            durationMs,
            error: full,
            ...(status !== undefined ? { status } : {}),
            ...(event !== undefined ? { event } : {}),
          },
          now().getTime(),
        ),
      );
      throw new Error(full);
    }
  };
}

/** The Lambda entry point (`index.handler` in the bundle). */
export const handler: CronInvokerHandler = createHandler({ getSecret: getSecretFromSecretsManager });
