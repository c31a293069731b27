/**
 * Why a plan failed. Kept apart from the planning code so the CLI can tell bad input from a broken
 * pack without loading the Pulumi SDK.
 */

/** Bad input to `golive plan`: names the file or key and how to fix it; shown without a stack trace. */
export class PlanInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PlanInputError";
  }
}

/** The program threw (or the engine refused what it registered); the message says what. */
export class ProgramError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ProgramError";
  }
}

/** The policy pack could not start or answer. */
export class PolicyPackError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "PolicyPackError";
  }
}

/** A stack's plan failed; `failure` is a ConfigError, StackFileError, ProgramError or PolicyPackError. */
export class StackPlanError extends Error {
  constructor(
    readonly stackName: string,
    readonly configFile: string,
    readonly failure: Error,
  ) {
    super(`stack "${stackName}": ${failure.message}`, { cause: failure });
    this.name = "StackPlanError";
  }
}

/** How long a program may run before golive stops it, unless `GOLIVE_PROGRAM_TIMEOUT` says otherwise. */
export const DEFAULT_PROGRAM_TIMEOUT_MS = 300_000;

/** The environment variable that sets the program time limit (a duration: `90s`, `10m`). */
export const PROGRAM_TIMEOUT_ENV = "GOLIVE_PROGRAM_TIMEOUT";
