/**
 * `golive db check <migrations dir> [--environment prod|staging]`: applies the migrations to a fresh
 * Supabase-like Postgres and checks row level security, user isolation and seed files (tooling/db-check).
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { ENVIRONMENTS, type EnvironmentName } from "../../config/schema/common";
import { EXIT, UsageError, type CommandIo } from "./io";

export const DB_USAGE = `Usage: golive db check <migrations dir> [--environment prod|staging]

Applies the migrations in file name order to a fresh Supabase-like Postgres (in memory) and checks
that every table in an exposed schema has row level security with policies, that a signed-in user
cannot reach another user's rows, and (for prod) that no seed file is in the set.

  --environment prod|staging  Which environment's rules apply (default: prod, the strictest).
  --help                      Show this help.

Exit codes: 0 passed; 1 a check failed; 2 bad usage or a migration that does not parse or apply.
`;

/** The errors tooling/db-check throws for bad migrations: their messages name the file and line. */
const DB_INPUT_ERRORS = new Set(["MigrationsDirError", "SqlSyntaxError", "MigrationError", "BootstrapError"]);

function isEnvironment(value: string): value is EnvironmentName {
  return (ENVIRONMENTS as readonly string[]).includes(value);
}

function parseDbArgs(argv: readonly string[]): { dir?: string; environment: EnvironmentName; help: boolean } {
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
  return { dir, environment, help: false };
}

/** Runs `golive db ...` (argv without "db"); resolves to the exit code. */
export async function runDbCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  let args: ReturnType<typeof parseDbArgs>;
  try {
    args = parseDbArgs(argv);
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
    });
    io.stdout(`${formatDbCheckReport(result).trimEnd()}\n`);
    return result.ok ? EXIT.ok : EXIT.failed;
  } catch (error) {
    if (error instanceof Error && DB_INPUT_ERRORS.has(error.name)) {
      io.stderr(`golive db check: ${error.message}\n`);
      return EXIT.badInput;
    }
    throw error;
  }
}
