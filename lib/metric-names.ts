/**
 * CloudWatch names that golive's own code publishes and the pack looks for, in one place: the cron
 * invoker (lambda/cron-invoker) writes them, lib/cron-jobs.ts alarms on them, and CRON-04
 * (policies/lib/job-failure-signals.ts) accepts an alarm on them as covering a job.
 */

/** CRON-04: the namespace of the cron invoker's per-job metrics (Embedded Metric Format, dimension `Job`). */
export const CRON_METRIC_NAMESPACE = "golive/cron";
/** CRON-04: the invoker's per-run failure count ("failed cron jobs: 0"). */
export const CRON_FAILURE_METRIC = "Failure";
