/**
 * `golive db check <migrations dir> [--environment prod|staging]`: applies the migrations to a fresh
 * Supabase-like Postgres and checks row level security, user isolation and seed files (tooling/db-check).
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { boundedDuration, ENVIRONMENTS, type EnvironmentName } from "../../config/schema/common";
import { EXIT, UsageError, type CommandIo } from "./io";

export const DB_USAGE = `Usage: golive db check <migrations dir> [--environment prod|staging] [--statement-timeout DURATION]

Applies the migrations in file name order to a fresh Supabase-like Postgres (in memory) and checks
that every table in an exposed schema has row level security with policies, that a signed-in user
cannot reach another user's rows, and (for prod) that no seed file is in the set.

  --environment prod|staging  Which environment's rules apply (default: prod, the strictest).
  --statement-timeout DURATION
                              How long one statement may run (migrations and the check's own
                              queries) before the check stops with an error: 30s, 5m... Default:
                              $GOLIVE_STATEMENT_TIMEOUT, else 60s.
  --help                      Show this help.

Exit codes: 0 passed; 1 a check failed; 2 bad usage, or a migration that does not parse, apply or
finish within the statement time limit.
`;

/** The errors tooling/db-check throws for bad migrations: their messages name the file and line. */
const DB_INPUT_ERRORS = new Set([
  "MigrationsDirError",
  "SqlSyntaxError",
  "MigrationError",
  "MigrationTimeoutError",
  "BootstrapError",
]);

/** As in tooling/db-check/session.ts (not imported here: that module loads on use). */
const STATEMENT_TIMEOUT_ENV = "GOLIVE_STATEMENT_TIMEOUT";
const DEFAULT_STATEMENT_TIMEOUT = "60s";

function isEnvironment(value: string): value is EnvironmentName {
  return (ENVIRONMENTS as readonly string[]).includes(value);
}

interface DbArgs {
  readonly dir?: string;
  readonly environment: EnvironmentName;
  /** The raw --statement-timeout value, when given. */
  readonly statementTimeout?: string;
  readonly help: boolean;
}

/** A statement time limit in ms, or a usage error naming where the value came from. */
function statementTimeoutMs(value: string, source: string): number {
  const parsed = boundedDuration(24 * 3_600_000, "a day at most").safeParse(value.trim());
  if (!parsed.success) {
    throw new UsageError(`${source}: ${parsed.error.issues[0]?.message ?? "is not a duration"}`);
  }
  return parsed.data;
}

function parseDbArgs(argv: readonly string[]): DbArgs {
  const [subcommand, ...rest] = argv;
  if (subcommand === "--help" || subcommand === "-h" || subcommand === undefined) {
    if (subcommand === undefined) throw new UsageError("give a subcommand: golive db check <migrations dir>");
    return { environment: "prod", help: true };
  }
  if (subcommand !== "check")
    throw new UsageError(`unknown subcommand "db ${subcommand}"; did you mean "db check"?`);
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: {
        environment: { type: "string", default: "prod" },
        "statement-timeout": { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (parsed.values.help === true) return { environment: "prod", help: true };
  const environment = parsed.values.environment ?? "prod";
  if (!isEnvironment(environment)) {
    throw new UsageError(`--environment must be ${ENVIRONMENTS.join(" or ")}, got "${environment}"`);
  }
  const [dir, ...extra] = parsed.positionals;
  if (dir === undefined)
    throw new UsageError("give the migrations directory: golive db check <migrations dir>");
  if (extra.length > 0)
    throw new UsageError(`one migrations directory, please (also got: ${extra.join(" ")})`);
  const statementTimeout = parsed.values["statement-timeout"];
  return { dir, environment, help: false, ...(statementTimeout === undefined ? {} : { statementTimeout }) };
}

/** Runs `golive db ...` (argv without "db"); resolves to the exit code. */
export async function runDbCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  let args: DbArgs;
  let limitMs = 0;
  try {
    args = parseDbArgs(argv);
    const fromEnv = io.env[STATEMENT_TIMEOUT_ENV]?.trim();
    limitMs = args.help
      ? 0
      : args.statementTimeout !== undefined
        ? statementTimeoutMs(args.statementTimeout, "--statement-timeout")
        : fromEnv
          ? statementTimeoutMs(fromEnv, STATEMENT_TIMEOUT_ENV)
          : statementTimeoutMs(DEFAULT_STATEMENT_TIMEOUT, "the default");
  } catch (error) {
    io.stderr(`golive db: ${(error as Error).message}\n\n${DB_USAGE}`);
    return EXIT.badInput;
  }
  if (args.help || args.dir === undefined) {
    io.stdout(DB_USAGE);
    return EXIT.ok;
  }
  try {
    // Loaded on use: it brings in Postgres (PGlite) and the SQL parser.
    const { formatDbCheckReport, runDbCheck } = await import("../db-check/index.js");
    const result = await runDbCheck({
      migrationsDir: path.resolve(io.cwd, args.dir),
      environment: args.environment,
      statementTimeoutMs: limitMs,
    });
    io.stdout(`${formatDbCheckReport(result).trimEnd()}\n`);
    return result.ok ? EXIT.ok : EXIT.failed;
  } catch (error) {
    if (error instanceof Error && DB_INPUT_ERRORS.has(error.name)) {
      io.stderr(`golive db check: ${error.message}\n`);
      return EXIT.badInput;
    }
    if (error instanceof Error && error.name === "StatementTimeoutError") {
      // Not a migration statement: one of the check's own queries, running the migrations' policies,
      // triggers and functions.
      io.stderr(
        `golive db check: the check stopped: ${error.message}\nthe query ran a policy, trigger or ` +
          `function from the migrations, which likely loops or sleeps; fix it, or allow longer with ` +
          `--statement-timeout 5m (or ${STATEMENT_TIMEOUT_ENV}=5m)\n`,
      );
      return EXIT.badInput;
    }
    throw error;
  }
}
