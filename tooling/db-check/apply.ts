/** Applying migration files to a database one statement at a time, so a failure names file and line. */
import { parseSqlFile, positionAtCodePoint, type SqlFile, type SqlStatement } from "../../lib/sql/parser";
import {
  firstLine,
  formatDuration,
  type SqlSession,
  STATEMENT_TIMEOUT_ENV,
  StatementTimeoutError,
} from "./session";

/** A migration statement Postgres rejected while applying the migrations. */
export class MigrationError extends Error {
  override readonly name = "MigrationError";
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
    readonly hint?: string,
  ) {
    super(
      `${file}:${line}: migration failed: ${reason}` +
        (hint ? `\n    hint: ${hint}` : "") +
        `\nfix the statement at ${file} line ${line}; migrations are applied in file name order to a ` +
        `fresh Supabase-like Postgres 18 (see tooling/db-check/README.md for what it provides)`,
    );
  }
}

/** A migration statement that ran past the per-statement time limit (an endless loop, a long sleep). */
export class MigrationTimeoutError extends Error {
  override readonly name = "MigrationTimeoutError";
  constructor(
    readonly file: string,
    readonly line: number,
    readonly limitMs: number,
    statementText: string,
  ) {
    const limit = formatDuration(limitMs);
    super(
      `${file}:${line}: the statement did not finish within ${limit}, the limit per statement: ` +
        `${firstLine(statementText)}\nan endless loop or a long pg_sleep never finishes on a real database ` +
        `either; fix the statement at ${file} line ${line}, or allow longer with --statement-timeout 5m ` +
        `(or ${STATEMENT_TIMEOUT_ENV}=5m)`,
    );
  }
}

/** The fields of a Postgres error that PGlite passes on. */
export interface PostgresErrorFields {
  readonly message: string;
  readonly code?: string;
  readonly position?: string;
  readonly detail?: string;
  readonly hint?: string;
  readonly constraint?: string;
  readonly column?: string;
}

export function asPostgresError(error: unknown): PostgresErrorFields {
  if (error instanceof Error) {
    const fields = error as Error & Partial<Record<keyof PostgresErrorFields, unknown>>;
    const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
    return {
      message: error.message,
      code: text(fields.code),
      position: text(fields.position),
      detail: text(fields.detail),
      hint: text(fields.hint),
      constraint: text(fields.constraint),
      column: text(fields.column),
    };
  }
  return { message: String(error) };
}

/** Parses every file first (a syntax error anywhere stops before anything runs), then applies them. */
export async function parseMigrations(files: readonly SqlFile[]): Promise<SqlStatement[][]> {
  const parsed: SqlStatement[][] = [];
  for (const file of files) parsed.push(await parseSqlFile(file));
  return parsed;
}

/** A statement not run because the check's database cannot run it. */
export interface SkippedStatement {
  readonly file: string;
  readonly line: number;
  readonly reason: string;
}

// Errors that usually mean "exists on Supabase, not in the check's database".
const MISSING_OBJECT_CODES = new Set(["3F000", "42883", "42704"]);

/**
 * Statement kinds that run no code of the migration's (no function, trigger, default or check is
 * evaluated) and cannot refuse a transaction block: they are applied in runs of up to BATCH_SIZE
 * per database call. Anything else (SELECT, DO, INSERT, SET, BEGIN, CREATE INDEX CONCURRENTLY, ALTER
 * TABLE ... ADD CONSTRAINT CHECK on existing rows...) runs alone, under the exact per-statement limit.
 */
const CODE_FREE_KINDS = new Set([
  "CreateStmt",
  "CreatePolicyStmt",
  "AlterPolicyStmt",
  "CreateFunctionStmt",
  "CreateTrigStmt",
  "CommentStmt",
  "GrantStmt",
  "ViewStmt",
  "CreateSchemaStmt",
  "CreateEnumStmt",
  "CompositeTypeStmt",
  "CreateDomainStmt",
  "CreateSeqStmt",
]);

// ALTER TABLE subcommands that touch no rows.
const CODE_FREE_ALTER_TABLE = new Set([
  "AT_EnableRowSecurity",
  "AT_DisableRowSecurity",
  "AT_ForceRowSecurity",
  "AT_NoForceRowSecurity",
  "AT_ChangeOwner",
]);

/** How many code-free statements share one database call: the per-call cost shrinks, a re-run stays short. */
export const BATCH_SIZE = 100;

/** True when the statement can share a database call: it runs no migration code, so it cannot hang. */
export function isBatchable(statement: SqlStatement): boolean {
  const node = statement.node as unknown as Record<string, Record<string, unknown> | undefined>;
  const kind = Object.keys(node)[0] ?? "";
  if (CODE_FREE_KINDS.has(kind)) {
    // CREATE TABLE ... PARTITION OF / AS and views are fine; CREATE FUNCTION only compiles its body.
    return true;
  }
  if (kind === "AlterTableStmt") {
    const commands = (node[kind]?.cmds ?? []) as { AlterTableCmd?: { subtype?: string } }[];
    return commands.every((command) => CODE_FREE_ALTER_TABLE.has(command.AlterTableCmd?.subtype ?? ""));
  }
  if (kind === "IndexStmt") {
    // An index on plain columns of an existing table compares values with built-in operators only.
    const index = node[kind] ?? {};
    const params = (index.indexParams ?? []) as { IndexElem?: { expr?: unknown } }[];
    return (
      index.concurrent !== true &&
      index.whereClause === undefined &&
      params.every((param) => param.IndexElem !== undefined && param.IndexElem.expr === undefined)
    );
  }
  return false;
}

/**
 * Applies each file's statements in order (not one transaction per file), so statements that refuse
 * to run in a transaction block (CREATE INDEX CONCURRENTLY) work and a migration's own BEGIN/COMMIT
 * keep their meaning. Runs of code-free statements (isBatchable) share one call: Postgres runs them as
 * one implicit transaction (or, inside the migration's own transaction, under a savepoint), so when
 * one fails none of the run is kept and the run is applied again one statement at a time, naming the
 * failing file and line exactly. Every other statement runs alone under the per-statement limit.
 * CREATE EXTENSION of an extension PGlite lacks (pg_cron, pg_net, vector...) is skipped and returned.
 * Throws MigrationError naming file and line at the first failure.
 */
export async function applyStatements(
  db: SqlSession,
  files: readonly SqlStatement[][],
): Promise<SkippedStatement[]> {
  const available = new Set(
    (await db.query<{ name: string }>(`select name from pg_available_extensions`)).rows.map(
      (row) => row.name,
    ),
  );
  const skipped: SkippedStatement[] = [];
  for (const statements of files) {
    let run: SqlStatement[] = [];
    const flush = async (): Promise<void> => {
      const batch = run;
      run = [];
      if (batch.length > 0) await applyBatch(db, batch);
    };
    for (const statement of statements) {
      const node = statement.node;
      if ("CreateExtensionStmt" in node) {
        const name = node.CreateExtensionStmt.extname ?? "";
        if (!available.has(name)) {
          skipped.push({
            file: statement.file,
            line: statement.line,
            reason: `extension ${name} is not available in the check's database; CREATE EXTENSION skipped`,
          });
          continue;
        }
      }
      if (isBatchable(statement)) {
        run.push(statement);
        if (run.length >= BATCH_SIZE) await flush();
        continue;
      }
      await flush();
      await applyOne(db, statement);
    }
    await flush();
    const last = statements.at(-1);
    if (last && db.isInTransaction()) {
      throw new MigrationError(
        last.file,
        last.line,
        "the file ends inside a transaction: a BEGIN has no COMMIT",
        "end the file with COMMIT;",
      );
    }
  }
  return skipped;
}

/** One call for the run; on any failure, the run again one statement at a time for the exact error. */
async function applyBatch(db: SqlSession, batch: readonly SqlStatement[]): Promise<void> {
  const [only] = batch;
  if (batch.length === 1 && only !== undefined) return applyOne(db, only);
  // Each statement's own text, then a newline: a trailing `-- comment` cannot swallow the `;`.
  const joined = batch.map((statement) => `${statement.text}\n;`).join("\n");
  const inTransaction = db.isInTransaction();
  try {
    const sql = inTransaction ? `savepoint golive_batch;\n${joined}\nrelease savepoint golive_batch` : joined;
    await (db.execStatements ? db.execStatements(sql, batch.length) : db.exec(sql));
  } catch (error) {
    if (error instanceof StatementTimeoutError && only !== undefined) {
      // Code-free statements cannot loop: only an overloaded machine gets here (the database is gone,
      // so the run cannot be re-run alone). Name where the run starts and the limit per statement.
      throw new MigrationTimeoutError(only.file, only.line, error.limitMs / batch.length, only.text);
    }
    // Nothing of the run was kept (the implicit transaction or the savepoint is rolled back).
    if (inTransaction) await db.exec(`rollback to savepoint golive_batch; release savepoint golive_batch`);
    for (const statement of batch) await applyOne(db, statement);
  }
}

async function applyOne(db: SqlSession, statement: SqlStatement): Promise<void> {
  try {
    await db.exec(statement.text);
  } catch (error) {
    if (error instanceof StatementTimeoutError) {
      throw new MigrationTimeoutError(statement.file, statement.line, error.limitMs, statement.text);
    }
    const pgError = asPostgresError(error);
    const stub = MISSING_OBJECT_CODES.has(pgError.code ?? "")
      ? "if it exists on Supabase but not in the check's database (an extension PGlite lacks, a " +
        "Supabase schema), create a stand-in with the extraBootstrapSql option"
      : undefined;
    throw new MigrationError(
      statement.file,
      errorLine(statement, pgError.position),
      pgError.detail ? `${pgError.message} (${pgError.detail})` : pgError.message,
      [pgError.hint, stub].filter((part) => part !== undefined).join("; ") || undefined,
    );
  }
}

/** The line Postgres points at (its position is 1-based, in characters of the statement text). */
function errorLine(statement: SqlStatement, position: string | undefined): number {
  const index = position === undefined ? Number.NaN : Number.parseInt(position, 10) - 1;
  if (!Number.isInteger(index) || index < 0) return statement.line;
  return statement.textLine + positionAtCodePoint(statement.text, index).line - 1;
}
