/**
 * Cron schedules for jobs: validation (cron-parser), descriptions (cronstrue), conversion to
 * EventBridge Scheduler expressions and upcoming run times. Pure: no Pulumi, no I/O.
 */
export { CronError, type CronErrorCode, type CronErrorSubject } from "./errors";
export {
  parseStandardCron,
  type CronAtom,
  type CronField,
  type CronFieldName,
  type StandardCron,
} from "./expression";
export { toEventBridgeCron } from "./eventbridge";
export {
  checkTimeZone,
  nextRuns,
  parseCronSchedule,
  type CronSchedule,
  type CronScheduleResult,
} from "./schedule";
