/** What a cron error is about; lets the config layer point at the right key. */
export type CronErrorSubject = "expression" | "timeZone";

/** Machine-readable reason, stable for tests and policy code. */
export type CronErrorCode =
  /** Empty expression, or not exactly five fields. */
  | "field-count"
  /** An `@macro` that has no five-field equivalent (`@reboot`, `@secondly`, unknown names). */
  | "unsupported-macro"
  /** A character or syntax outside standard five-field cron (`?`, `L`, `W`, `#`, `H`, stray symbols). */
  | "unsupported-syntax"
  /** A value, range, step or list the field does not allow, or a schedule that never runs. */
  | "invalid-value"
  /** Day-of-month and day-of-week both restricted: cron ORs them, EventBridge cannot express that. */
  | "day-fields-conflict"
  /** Not an IANA time zone name. */
  | "invalid-time-zone";

/**
 * A problem with a cron expression or time zone. The message names what was wrong and how to fix
 * it, without a key path: callers that know where the value came from prefix their own.
 */
export class CronError extends Error {
  override readonly name = "CronError";
  readonly code: CronErrorCode;
  readonly subject: CronErrorSubject;

  constructor(code: CronErrorCode, subject: CronErrorSubject, message: string) {
    super(message);
    this.code = code;
    this.subject = subject;
  }
}
