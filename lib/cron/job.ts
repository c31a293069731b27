/**
 * A cron job as the Cron component builds it, and the runner's time limits. Owned by lib/ so the
 * pure rules need no config loader; config/schema/cron.ts validates against the same limits and
 * resolves each registry entry into a `ResolvedCronJob`.
 */
import { LAMBDA_MAX_TIMEOUT_SECONDS } from "../limits";
import type { CronSchedule } from "./schedule";

/** The runner is a Lambda (lib/limits.ts); the invoker needs a few seconds beyond the job's own timeout. */
export const RUNNER_MAX_SECONDS = LAMBDA_MAX_TIMEOUT_SECONDS;
export const INVOKER_MARGIN_SECONDS = 10;
export const MAX_JOB_TIMEOUT_SECONDS = RUNNER_MAX_SECONDS - INVOKER_MARGIN_SECONDS;

/** A job with every default applied and its schedule parsed. */
export interface ResolvedCronJob {
  readonly name: string;
  readonly schedule: CronSchedule;
  /** Path on the app host or full URL. */
  readonly endpoint: string;
  readonly method: "GET" | "POST";
  readonly timeoutSeconds: number;
  readonly retries: number;
  readonly enabled: boolean;
  readonly description?: string;
}
