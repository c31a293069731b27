/**
 * The database check (DB-01, DB-08) on a real Postgres: the app's migrations are applied in order to
 * a fresh Supabase-like database in PGlite, then
 *  (a) every table in an exposed schema must have RLS enabled (an error) and a policy (a warning),
 *  (b) user A, signed in, must not read, update, delete or create user B's rows,
 *  (c) no seed/test data file may be in the prod migration set.
 */
import { type EnvironmentName } from "../../config/schema/common";
import { readMigrationFiles } from "../../lib/sql/migrations";
import { type SqlFile } from "../../lib/sql/parser";
import {
  checkRlsInStatements,
  DEFAULT_EXPOSED_SCHEMAS,
  sortMigrationFiles,
  type TableAfterMigrations,
} from "../../lib/sql/rls";
import { applyStatements, parseMigrations, type SkippedStatement } from "./apply";
import { openLimitedSupabaseDatabase, type SupabaseDatabaseTemplate } from "./bootstrap";
import { type DbFinding, type IsolationOperation } from "./findings";
import { checkUserIsolation, type IsolationResult } from "./isolation";
import { checkSeedNotInProd } from "./seed";
import { DEFAULT_STATEMENT_TIMEOUT_MS, type SqlSession } from "./session";

// The API of the check: what the CLI, the benchmark and the tests use. The modules export more
// (bootstrap SQL, isolation users, defaults) for each other; import those from the module itself.
export { MigrationError, MigrationTimeoutError, type SkippedStatement } from "./apply";
export { StatementTimeoutError, type SqlSession } from "./session";
export { createSupabaseTemplate, type SupabaseDatabaseTemplate } from "./bootstrap";
export type { DbFinding, IsolationOperation } from "./findings";
export type { IsolationResult } from "./isolation";
export { formatDbCheckReport } from "./report";
export { checkSeedNotInProd } from "./seed";
export { SqlSyntaxError, type SqlFile } from "../../lib/sql/parser";

export interface DbCheckOptions {
  readonly environment: EnvironmentName;
  /** Schemas exposed through the Data API. Default `["public"]`. */
  readonly exposedSchemas?: readonly string[];
  /** What marks a seed file (see checkSeedNotInProd). Default DEFAULT_SEED_PATTERNS. */
  readonly seedPatterns?: readonly (string | RegExp)[];
  /** Column names that hold the owning user's id. Default DEFAULT_OWNER_COLUMN_NAMES. */
  readonly ownerColumnNames?: readonly string[];
  /** The owner column per table (`schema.table` or `table`), where detection gets it wrong. */
  readonly ownerColumns?: Readonly<Record<string, string>>;
  /** Intended cross-user access per table (`schema.table` or `table`), e.g. `{ profiles: ["select"] }`. */
  readonly allowCrossUser?: Readonly<Record<string, readonly IsolationOperation[]>>;
  /**
   * SQL run after the bootstrap, for what the migrations need beyond it (e.g. a `vault` stand-in).
   * With `template`, pass it to createSupabaseTemplate() instead; here it is then not used.
   */
  readonly extraBootstrapSql?: string;
  /** A template from createSupabaseTemplate() to start from (faster when checking several sets). */
  readonly template?: SupabaseDatabaseTemplate;
  /**
   * The limit per statement (migrations and the checks' own queries), default
   * DEFAULT_STATEMENT_TIMEOUT_MS. The database then runs in a worker thread that is ended at the
   * limit. A `template` database runs in process, without it (for tests of trusted SQL).
   */
  readonly statementTimeoutMs?: number;
}

export interface RunDbCheckOptions extends DbCheckOptions {
  /** The folder of `*.sql` migrations, applied in file name order. */
  readonly migrationsDir: string;
}

export interface DbCheckCoverage {
  /** Tables in exposed schemas after the migrations. */
  readonly tables: number;
  readonly isolationTested: IsolationResult["tested"];
  readonly isolationSkipped: IsolationResult["skipped"];
}

export interface DbCheckResult {
  /** False when any finding is an error. */
  readonly ok: boolean;
  readonly environment: EnvironmentName;
  readonly findings: readonly DbFinding[];
  /** Statements not run because the check's database lacks what they need (CREATE EXTENSION pg_cron). */
  readonly skippedStatements: readonly SkippedStatement[];
  readonly coverage: DbCheckCoverage;
  /** Starting the database, applying the migrations, running the checks. */
  readonly timingsMs: { readonly database: number; readonly migrations: number; readonly checks: number };
}

/**
 * Reads the migrations directory and checks it. Throws, with a message naming the file and line:
 * MigrationsDirError (folder unreadable), SqlSyntaxError (a file does not parse), MigrationError (a
 * statement fails), BootstrapError (`extraBootstrapSql` fails).
 */
export async function runDbCheck(options: RunDbCheckOptions): Promise<DbCheckResult> {
  return checkDatabase(await readMigrationFiles(options.migrationsDir), options);
}

/** checkDatabase on in-memory files, applied in the order of their base names. Throws as runDbCheck. */
export async function checkDatabase(
  files: readonly SqlFile[],
  options: DbCheckOptions,
): Promise<DbCheckResult> {
  const exposedSchemas = options.exposedSchemas ?? DEFAULT_EXPOSED_SCHEMAS;
  const ordered = sortMigrationFiles(files);
  const seedFindings = checkSeedNotInProd(
    ordered.map((file) => file.name),
    options.environment,
    options.seedPatterns ? { seedPatterns: options.seedPatterns } : {},
  );
  // Parse everything before starting Postgres: a syntax error is reported in milliseconds.
  const parsed = await parseMigrations(ordered);
  const declared = checkRlsInStatements(parsed.flat(), { exposedSchemas });

  const started = performance.now();
  const db: SqlSession = options.template
    ? await options.template.open()
    : await openLimitedSupabaseDatabase(
        options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS,
        options.extraBootstrapSql,
      );
  const opened = performance.now();
  try {
    const skippedStatements = await applyStatements(db, parsed);
    const applied = performance.now();
    // A migration may leave a role or search_path set for its session; the checks start clean.
    await db.exec(`reset role; set search_path to "$user", public, extensions;`);
    const tables = await tableSecurity(db, exposedSchemas);
    const isolation = await checkUserIsolation(db, {
      exposedSchemas,
      ...(options.ownerColumnNames ? { ownerColumnNames: options.ownerColumnNames } : {}),
      ...(options.ownerColumns ? { ownerColumns: options.ownerColumns } : {}),
      ...(options.allowCrossUser ? { allowCrossUser: options.allowCrossUser } : {}),
    });
    const findings = [
      ...tableFindings(tables, declared.tables),
      ...isolationFindings(isolation, declared.tables),
      ...seedFindings,
    ];
    return {
      ok: findings.every((finding) => finding.severity !== "error"),
      environment: options.environment,
      findings,
      skippedStatements,
      coverage: {
        tables: tables.length,
        isolationTested: isolation.tested,
        isolationSkipped: isolation.skipped,
      },
      timingsMs: {
        database: Math.round(opened - started),
        migrations: Math.round(applied - opened),
        checks: Math.round(performance.now() - applied),
      },
    };
  } finally {
    await db.close();
  }
}

interface TableSecurity {
  readonly schema: string;
  readonly table: string;
  readonly rlsEnabled: boolean;
  readonly policies: number;
}

async function tableSecurity(db: SqlSession, exposedSchemas: readonly string[]): Promise<TableSecurity[]> {
  const result = await db.query<{ schema: string; table: string; rls: boolean; policies: number }>(
    `select n.nspname as schema, c.relname as table, c.relrowsecurity as rls,
            (select count(*) from pg_policy p where p.polrelid = c.oid)::int as policies
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r', 'p') and n.nspname = any($1::text[])
      order by n.nspname, c.relname`,
    [[...exposedSchemas]],
  );
  return result.rows.map((row) => ({
    schema: row.schema,
    table: row.table,
    rlsEnabled: row.rls,
    policies: row.policies,
  }));
}

function locate(
  declared: readonly TableAfterMigrations[],
  schema: string,
  table: string,
): { file?: string; line?: number; where: string; declared?: TableAfterMigrations } {
  const found = declared.find((candidate) => candidate.schema === schema && candidate.table === table);
  if (!found) return { where: "created by SQL run dynamically (no CREATE TABLE statement for it)" };
  const renamed = found.createdAs ? ` as ${found.createdAs.schema}.${found.createdAs.table}` : "";
  return {
    file: found.file,
    line: found.line,
    where: `created${renamed} at ${found.file}:${found.line}`,
    declared: found,
  };
}

function tableFindings(
  tables: readonly TableSecurity[],
  declared: readonly TableAfterMigrations[],
): DbFinding[] {
  const findings: DbFinding[] = [];
  for (const { schema, table, rlsEnabled, policies } of tables) {
    const { where, declared: source, ...at } = locate(declared, schema, table);
    const name = `${schema}.${table}`;
    if (!rlsEnabled) {
      const disabled = source?.rlsDisabledAt
        ? `; RLS is disabled at ${source.rlsDisabledAt.file}:${source.rlsDisabledAt.line}`
        : "";
      findings.push({
        check: "DB-01",
        kind: "rls-disabled",
        severity: "error",
        schema,
        table,
        ...at,
        message:
          `${name} has row level security off after the last migration (${where}${disabled}); ` +
          `add a migration with: alter table ${quoteName(schema, table)} enable row level security; and policies for it`,
      });
    } else if (policies === 0) {
      findings.push({
        check: "DB-01",
        kind: "no-policy",
        severity: "warning",
        schema,
        table,
        ...at,
        message:
          `${name} has RLS enabled but no policy (${where}): only service_role can use it; ` +
          `add policies if the app reads or writes it with a user's session`,
      });
    }
  }
  return findings;
}

const FIX_CLAUSE: Record<IsolationOperation, string> = {
  select: "using clause",
  insert: "with check clause",
  update: "using clause",
  delete: "using clause",
};

function isolationFindings(
  isolation: IsolationResult,
  declared: readonly TableAfterMigrations[],
): DbFinding[] {
  const leaks = isolation.leaks.map((leak): DbFinding => {
    const { where: _where, declared: _declared, ...at } = locate(declared, leak.schema, leak.table);
    return {
      check: "DB-01",
      kind: "isolation-leak",
      severity: "error",
      schema: leak.schema,
      table: leak.table,
      operation: leak.operation,
      actor: leak.actor,
      ...at,
      message:
        `${leak.schema}.${leak.table}: ${leak.detail} (${leak.operation} as ${leak.actor}, owner column ` +
        `${leak.ownerColumn}); make the ${leak.operation} policy's ${FIX_CLAUSE[leak.operation]} compare ` +
        `${leak.ownerColumn} with (select auth.uid())`,
    };
  });
  const untested = isolation.skipped
    .filter((skip) => skip.hasOwner)
    .map((skip): DbFinding => {
      const { where: _where, declared: _declared, ...at } = locate(declared, skip.schema, skip.table);
      return {
        check: "DB-01",
        kind: "isolation-untested",
        severity: "warning",
        schema: skip.schema,
        table: skip.table,
        ...at,
        message: `${skip.schema}.${skip.table} has an owner column but user isolation could not be tested: ${skip.reason}`,
      };
    });
  return [...leaks, ...untested];
}

function quoteName(schema: string, table: string): string {
  const quote = (name: string): string =>
    /^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`;
  return `${quote(schema)}.${quote(table)}`;
}
