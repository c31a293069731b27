/**
 * Cron schedules for jobs: validation (cron-parser), descriptions (cronstrue), conversion to
 * EventBridge Scheduler expressions and upcoming run times. Pure: no Pulumi, no I/O.
 */
export { CronError, type CronErrorCode } from "./errors";
export { parseStandardCron } from "./expression";
export { toEventBridgeCron } from "./eventbridge";
export { checkTimeZone, nextRuns, parseCronSchedule } from "./schedule";
