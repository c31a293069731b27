/**
 * The event the cron invoker Lambda receives, and the EventBridge Scheduler target `input` that
 * produces it. Shared by the Lambda (bundled) and the infrastructure code that creates schedules.
 *
 * A schedule's target input is a JSON string such as
 *
 * ```json
 * {
 *   "job": "cleanup-old-logs",
 *   "url": "https://app.example.com/api/cron/cleanup-old-logs",
 *   "method": "POST",
 *   "timeoutSeconds": 60,
 *   "secretId": "arn:aws:secretsmanager:eu-central-1:123456789012:secret:app/server-AbCdEf",
 *   "secretKey": "CRON_SECRET",
 *   "scheduledTime": "<aws.scheduler.scheduled-time>",
 *   "executionId": "<aws.scheduler.execution-id>",
 *   "attemptNumber": "<aws.scheduler.attempt-number>"
 * }
 * ```
 *
 * EventBridge Scheduler replaces the `<aws.scheduler.…>` context attributes on every invocation:
 * `scheduled-time` becomes the time the run was scheduled for in UTC (e.g. `2024-03-22T18:59:00Z`),
 * the same for every retry of that run, which makes it the right half of the idempotency key.
 * Scheduler invokes Lambda asynchronously, so a run that throws is retried by Lambda's
 * asynchronous invocation settings with the very same event (same scheduled time).
 */

/** Placeholders EventBridge Scheduler substitutes inside a target's input. */
export const SCHEDULER_CONTEXT = {
  scheduledTime: "<aws.scheduler.scheduled-time>",
  executionId: "<aws.scheduler.execution-id>",
  attemptNumber: "<aws.scheduler.attempt-number>",
} as const;

export type CronInvokerMethod = "GET" | "POST";

/** What a schedule fixes about a job; the part infrastructure code provides. */
export interface CronInvokerTarget {
  /** Job name: metric dimension, log field, first half of the idempotency key. 1-64 of `A-Za-z0-9._-`. */
  readonly job: string;
  /** Endpoint to call. `https:`; `http:` only for localhost/127.0.0.1/[::1]. No user:password part. */
  readonly url: string;
  readonly method: CronInvokerMethod;
  /** Seconds the endpoint has to answer in full, more than 0 and at most 900 (the Lambda maximum). */
  readonly timeoutSeconds: number;
  /** Secrets Manager secret (name or ARN) holding a JSON object of server secrets. Default: env `CRON_SECRET_ID`. */
  readonly secretId?: string;
  /** Key of the cron secret inside that JSON object. Default: env `CRON_SECRET_KEY`. */
  readonly secretKey?: string;
}

/** The event as the Lambda sees it, after Scheduler substituted the context attributes. */
export interface CronInvokerEvent extends CronInvokerTarget {
  /** ISO 8601 time the run was scheduled for, from `<aws.scheduler.scheduled-time>`. */
  readonly scheduledTime: string;
  /** From `<aws.scheduler.execution-id>`; logged only. */
  readonly executionId?: string;
  /** From `<aws.scheduler.attempt-number>`; logged only. */
  readonly attemptNumber?: string;
}

/** A bad event or target. The message names the field and how to fix it. */
export class CronInvokerEventError extends Error {
  override readonly name = "CronInvokerEventError";
  readonly field: string;

  constructor(field: string, message: string) {
    super(`cron invoker event: "${field}" ${message}`);
    this.field = field;
  }
}

const JOB_NAME = /^[A-Za-z0-9._-]{1,64}$/;
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);
const MAX_TIMEOUT_SECONDS = 900;

function record(raw: unknown): Record<string, unknown> {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new CronInvokerEventError(
      "(event)",
      "must be a JSON object; set the schedule target's input to the invoker event.",
    );
  }
  return raw as Record<string, unknown>;
}

function requiredString(source: Record<string, unknown>, field: string, hint: string): string {
  const value = source[field];
  if (typeof value !== "string" || value.trim() === "") {
    throw new CronInvokerEventError(field, `must be a non-empty string; ${hint}`);
  }
  return value;
}

function optionalString(source: Record<string, unknown>, field: string): string | undefined {
  const value = source[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  throw new CronInvokerEventError(field, "must be a string when present.");
}

function checkUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CronInvokerEventError(
      "url",
      `is not an absolute URL ("${text}"); write it like "https://app.example.com/api/cron/job".`,
    );
  }
  if (url.username !== "" || url.password !== "") {
    throw new CronInvokerEventError(
      "url",
      "must not contain a user name or password; the cron secret is sent in the Authorization header.",
    );
  }
  const loopback = LOOPBACK_HOSTS.has(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
    throw new CronInvokerEventError(
      "url",
      `must use https (got "${url.protocol}"): the cron secret must not travel in clear text.`,
    );
  }
  return text;
}

/** Validates the schedule-side fields; used for the event and for {@link createSchedulerInput}. */
export function parseCronInvokerTarget(raw: unknown): CronInvokerTarget {
  const source = record(raw);
  const job = requiredString(source, "job", "set it to the job's name.");
  if (!JOB_NAME.test(job)) {
    throw new CronInvokerEventError(
      "job",
      `"${job}" must be 1-64 characters of letters, digits, ".", "_" or "-".`,
    );
  }
  const url = checkUrl(requiredString(source, "url", "set it to the job endpoint's https URL."));
  const method = source.method;
  if (method !== "GET" && method !== "POST") {
    throw new CronInvokerEventError(
      "method",
      `must be "GET" or "POST", got ${JSON.stringify(method) ?? "nothing"}.`,
    );
  }
  const timeoutSeconds = source.timeoutSeconds;
  if (
    typeof timeoutSeconds !== "number" ||
    !Number.isFinite(timeoutSeconds) ||
    timeoutSeconds <= 0 ||
    timeoutSeconds > MAX_TIMEOUT_SECONDS
  ) {
    throw new CronInvokerEventError(
      "timeoutSeconds",
      `must be a number of seconds above 0 and at most ${MAX_TIMEOUT_SECONDS}, got ${JSON.stringify(timeoutSeconds) ?? "nothing"}.`,
    );
  }
  const secretId = optionalString(source, "secretId");
  const secretKey = optionalString(source, "secretKey");
  return {
    job,
    url,
    method,
    timeoutSeconds,
    ...(secretId !== undefined && secretId !== "" ? { secretId } : {}),
    ...(secretKey !== undefined && secretKey !== "" ? { secretKey } : {}),
  };
}

/** Validates an invocation event (see the module comment for its shape). */
export function parseCronInvokerEvent(raw: unknown): CronInvokerEvent {
  const target = parseCronInvokerTarget(raw);
  const source = record(raw);
  const scheduledTime = requiredString(
    source,
    "scheduledTime",
    `set it to "${SCHEDULER_CONTEXT.scheduledTime}" in the schedule's input (or an ISO time for a manual run).`,
  );
  if (scheduledTime === SCHEDULER_CONTEXT.scheduledTime) {
    throw new CronInvokerEventError(
      "scheduledTime",
      'still holds the Scheduler placeholder: this event did not come from EventBridge Scheduler. For a manual run put an ISO time such as "2024-01-31T04:00:00Z" there.',
    );
  }
  if (
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(scheduledTime) ||
    Number.isNaN(Date.parse(scheduledTime))
  ) {
    throw new CronInvokerEventError(
      "scheduledTime",
      `must be an ISO 8601 time like "2024-01-31T04:00:00Z", got "${scheduledTime}".`,
    );
  }
  const executionId = optionalString(source, "executionId");
  const attemptNumber = optionalString(source, "attemptNumber");
  return {
    ...target,
    scheduledTime,
    ...(executionId !== undefined ? { executionId } : {}),
    ...(attemptNumber !== undefined ? { attemptNumber } : {}),
  };
}

/**
 * The JSON string to use as an EventBridge Scheduler target's `input` for a job: the target's
 * fields plus the context-attribute placeholders Scheduler fills in per run.
 *
 * @throws {CronInvokerEventError} when the target is invalid, so mistakes surface at deploy time.
 */
export function createSchedulerInput(target: CronInvokerTarget): string {
  const checked = parseCronInvokerTarget(target);
  return JSON.stringify({
    ...checked,
    scheduledTime: SCHEDULER_CONTEXT.scheduledTime,
    executionId: SCHEDULER_CONTEXT.executionId,
    attemptNumber: SCHEDULER_CONTEXT.attemptNumber,
  });
}

/** The `Idempotency-Key` header value: stable across retries of one scheduled run. */
export function idempotencyKey(job: string, scheduledTime: string): string {
  return `${job}:${scheduledTime}`;
}
