/** Settings shared by the plan and its command, without loading the engine. */

/** The policy clock offline plans pin when GOLIVE_POLICY_CLOCK is not set: a Tuesday, 10:00 UTC. */
export const DEFAULT_POLICY_CLOCK = "2026-03-03T10:00:00Z";
export const POLICY_CLOCK_ENV = "GOLIVE_POLICY_CLOCK";
/** Where the pack finds the project (migrations, stack files) when it is not above the pack. */
export const PROJECT_DIR_ENV = "GOLIVE_PROJECT_DIR";
/**
 * The stack file the plan ran with. The pack reads `Pulumi.<stack>.yaml` from the project for the
 * stack-file check (SEC-01); with `--config` the file is elsewhere, and this names it.
 */
export const STACK_FILE_ENV = "GOLIVE_STACK_FILE";
