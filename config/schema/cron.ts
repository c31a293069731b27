import { z } from "zod";
import { parseCronSchedule } from "../../lib/cron";
import { checkTimeZone } from "../../lib/cron/schedule";
import { MAX_JOB_TIMEOUT_SECONDS, RUNNER_MAX_SECONDS, type ResolvedCronJob } from "../../lib/cron/job";
import { example, urlPath } from "./common";

// The runner's limits and the resolved job's shape live in lib/ (pure rules read them too).
export { MAX_JOB_TIMEOUT_SECONDS, RUNNER_MAX_SECONDS, type ResolvedCronJob };

const jobName = example(
  z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9-]{0,47}$/,
      "must be a lowercase job name: a-z, 0-9 and '-', at most 48 characters",
    ),
  "send-review-requests",
);

function isHttpsUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "https:" && url.hostname.length > 0;
  } catch {
    return false;
  }
}

/** A path on the app host, or a full https URL (for example a Supabase edge function). */
const endpoint = example(
  z.string({ error: "must be a path such as /api/cron/run or an https:// URL" }).superRefine((value, ctx) => {
    if (value.startsWith("/")) {
      if (!urlPath.safeParse(value).success) {
        ctx.addIssue({
          code: "custom",
          message: "must be a URL path: '/' then letters, digits and -._~!$&'()*+,;=:@%/",
        });
      }
      return;
    }
    if (/^http:\/\//i.test(value)) {
      ctx.addIssue({
        code: "custom",
        message:
          "must use https://, not http://: the job's secret would cross the network in clear text (CRON-02)",
      });
    } else if (!isHttpsUrl(value)) {
      ctx.addIssue({ code: "custom", message: "must be a path such as /api/cron/run or an https:// URL" });
    }
  }),
  "/api/cron/execute/my-job",
);

const jobSchema = z.strictObject({
  name: jobName,
  /** Standard 5-field cron, evaluated in `timeZone`. */
  schedule: example(z.string().min(1), "0 6 * * *"),
  timeZone: example(z.string().min(1), "UTC").optional(),
  /** Defaults to the registry's endpointTemplate with `{name}` replaced. */
  endpoint: endpoint.optional(),
  method: z.enum(["GET", "POST"]).default("POST"),
  timeoutSeconds: example(
    z
      .number()
      .int()
      .min(1)
      .max(
        MAX_JOB_TIMEOUT_SECONDS,
        `must be at most ${MAX_JOB_TIMEOUT_SECONDS} s: the runner (Lambda) stops at ${RUNNER_MAX_SECONDS} s`,
      ),
    "60",
  ).optional(),
  /** Scheduler retries after the first attempt (EventBridge allows 0 to 185). */
  retries: z.number().int().min(0).max(185).optional(),
  enabled: z.boolean().default(true),
  description: z.string().optional(),
});

/** `golive:cron`: the app's scheduled jobs, run by EventBridge Scheduler through the invoker Lambda. */
export const cronSchema = z
  .strictObject({
    timeZone: example(z.string().min(1), "UTC").default("UTC"),
    /** Where jobs are called when they name no endpoint; `{name}` is the job name. */
    endpointTemplate: example(
      z.string().regex(/^\/.*\{name\}/, "must be a path containing {name}"),
      "/api/cron/execute/{name}",
    ).default("/api/cron/execute/{name}"),
    defaultTimeoutSeconds: z.number().int().min(1).max(MAX_JOB_TIMEOUT_SECONDS).default(60),
    defaultRetries: z.number().int().min(0).max(185).default(3),
    /** Name of the generated secret jobs authenticate with (CRON-02). */
    secretName: example(z.string().regex(/^[A-Z][A-Z0-9_]*$/), "CRON_SECRET").default("CRON_SECRET"),
    jobs: z.array(jobSchema).default([]),
  })
  .superRefine((cron, ctx) => {
    const first = new Map<string, number>();
    const inheritsBadZone: string[] = [];
    cron.jobs.forEach((job, index) => {
      const previous = first.get(job.name);
      if (previous !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["jobs", index, "name"],
          message: `"${job.name}" is also the name of jobs[${previous}]; job names must be unique (CRON-01)`,
        });
      } else {
        first.set(job.name, index);
      }
      const result = parseCronSchedule(job.schedule, job.timeZone ?? cron.timeZone);
      if (!result.ok) {
        if (result.error.subject === "timeZone" && !job.timeZone) {
          // The registry's time zone: one problem, naming the jobs that use it (below).
          inheritsBadZone.push(job.name);
          return;
        }
        const field = result.error.subject === "timeZone" ? "timeZone" : "schedule";
        ctx.addIssue({ code: "custom", path: ["jobs", index, field], message: result.error.message });
      }
    });
    const zoneProblem = checkTimeZone(cron.timeZone);
    if (zoneProblem !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["timeZone"],
        message:
          inheritsBadZone.length > 0
            ? `${zoneProblem.message}; jobs using it: ${inheritsBadZone.join(", ")}`
            : zoneProblem.message,
      });
    }
  });

export type CronConfig = z.infer<typeof cronSchema>;

/** Apply the registry's defaults; the schema has already validated every schedule. */
export function resolveCronJobs(cron: CronConfig): ResolvedCronJob[] {
  return cron.jobs.map((job) => {
    const parsed = parseCronSchedule(job.schedule, job.timeZone ?? cron.timeZone);
    if (!parsed.ok) throw parsed.error;
    return {
      name: job.name,
      schedule: parsed.schedule,
      endpoint: job.endpoint ?? cron.endpointTemplate.replace("{name}", job.name),
      method: job.method,
      timeoutSeconds: job.timeoutSeconds ?? cron.defaultTimeoutSeconds,
      retries: job.retries ?? cron.defaultRetries,
      enabled: job.enabled,
      ...(job.description !== undefined ? { description: job.description } : {}),
    };
  });
}
