/**
 * Static row level security check of a Supabase migrations directory (checklist DB-01).
 *
 * Every file is parsed by the real Postgres parser and the effect of each statement on tables is
 * replayed in order: which tables exist in which schema, whether RLS is enabled, which policies they
 * have. Nothing is executed. SQL run dynamically (DO blocks, EXECUTE, functions) is invisible here; the
 * database check in tooling/db-check applies the migrations to a real Postgres and sees those too.
 */
import { type Node, type RangeVar, type RenameStmt } from "libpg-query";
import { readMigrationFiles, compareBytes } from "./migrations";
import { loadSqlParser, parseSqlFileSync, type SqlFile, type SqlStatement } from "./parser";

export { SqlSyntaxError, type SqlFile } from "./parser";
export { MigrationsDirError } from "./migrations";

/** The schemas PostgREST serves by default in a Supabase project. */
export const DEFAULT_EXPOSED_SCHEMAS: readonly string[] = ["public"];

export interface RlsCheckOptions {
  /** Schemas exposed through the Data API; tables elsewhere are not checked. Default `["public"]`. */
  readonly exposedSchemas?: readonly string[];
}

export interface SourceLocation {
  readonly file: string;
  /** 1-based line of the statement's first keyword. */
  readonly line: number;
}

export interface QualifiedName {
  readonly schema: string;
  readonly table: string;
}

/** A table as it stands after the last migration. */
export interface TableAfterMigrations extends SourceLocation, QualifiedName {
  // file and line locate the CREATE statement; schema and table are the name after the last migration.
  /** The name it was created with, when a later rename or SET SCHEMA changed it. */
  readonly createdAs?: QualifiedName;
  readonly rlsEnabled: boolean;
  readonly rlsForced: boolean;
  /** The last statement that disabled RLS, when it was disabled after being enabled or created. */
  readonly rlsDisabledAt?: SourceLocation;
  /** Names of the policies on the table. */
  readonly policies: readonly string[];
}

/** A statement whose effect on tables cannot be known without running it. */
export interface UnanalyzedStatement extends SourceLocation {
  readonly reason: string;
}

export interface RlsCheckResult {
  /** Tables in exposed schemas without RLS after the last migration (DB-01 violations). */
  readonly tablesWithoutRls: readonly TableAfterMigrations[];
  /** Tables in exposed schemas with RLS enabled and no policy: nobody but service_role can use them. */
  readonly tablesWithoutPolicies: readonly TableAfterMigrations[];
  /** Every table the migrations leave behind, in every schema, in creation order. */
  readonly tables: readonly TableAfterMigrations[];
  readonly unanalyzed: readonly UnanalyzedStatement[];
}

/** Reads `dir/*.sql` in lexical order and checks them. Throws SqlSyntaxError naming file and line. */
export async function checkRlsInMigrations(
  dir: string,
  options: RlsCheckOptions = {},
): Promise<RlsCheckResult> {
  return checkRlsInSqlFiles(await readMigrationFiles(dir), options);
}

/**
 * Checks in-memory migration files, applied in lexical order of their base names (as the Supabase
 * CLI does). Throws SqlSyntaxError naming file and line.
 */
export async function checkRlsInSqlFiles(
  files: readonly SqlFile[],
  options: RlsCheckOptions = {},
): Promise<RlsCheckResult> {
  await loadSqlParser();
  return checkRlsInSqlFilesSync(files, options);
}

/** Synchronous form of checkRlsInSqlFiles, for callers that awaited loadSqlParser() already. */
export function checkRlsInSqlFilesSync(
  files: readonly SqlFile[],
  options: RlsCheckOptions = {},
): RlsCheckResult {
  const statements = sortMigrationFiles(files).flatMap((file) => parseSqlFileSync(file));
  return checkRlsInStatements(statements, options);
}

/** The files in the order the Supabase CLI applies them: by base name, byte-wise. */
export function sortMigrationFiles<T extends SqlFile>(files: readonly T[]): T[] {
  return [...files].sort(
    (a, b) => compareBytes(baseName(a.name), baseName(b.name)) || compareBytes(a.name, b.name),
  );
}

function baseName(name: string): string {
  return name.slice(Math.max(name.lastIndexOf("/"), name.lastIndexOf("\\")) + 1);
}

/** Replays already-parsed statements (in order). Pure. */
export function checkRlsInStatements(
  statements: readonly SqlStatement[],
  options: RlsCheckOptions = {},
): RlsCheckResult {
  const exposed = new Set(options.exposedSchemas ?? DEFAULT_EXPOSED_SCHEMAS);
  const catalog = new Catalog();
  let currentFile: string | undefined;
  for (const statement of statements) {
    // Each migration file starts with Supabase's default search_path.
    if (statement.file !== currentFile) {
      currentFile = statement.file;
      catalog.resetSearchPath();
    }
    catalog.apply(statement);
  }
  const tables = catalog.tablesAfterMigrations();
  const inExposed = tables.filter((table) => exposed.has(table.schema));
  return {
    tablesWithoutRls: inExposed.filter((table) => !table.rlsEnabled),
    tablesWithoutPolicies: inExposed.filter((table) => table.rlsEnabled && table.policies.length === 0),
    tables,
    unanalyzed: catalog.unanalyzed,
  };
}

interface TableState {
  schema: string;
  table: string;
  readonly created: SourceLocation;
  readonly createdAs: QualifiedName;
  rlsEnabled: boolean;
  rlsForced: boolean;
  rlsDisabledAt?: SourceLocation;
  readonly policies: Set<string>;
}

// Supabase's default is `"$user", public, extensions`; "$user" names no schema in a project.
const DEFAULT_SEARCH_PATH: readonly string[] = ["public", "extensions"];

class Catalog {
  private readonly tables = new Map<string, TableState>();
  private searchPath: readonly string[] = DEFAULT_SEARCH_PATH;
  readonly unanalyzed: UnanalyzedStatement[] = [];

  resetSearchPath(): void {
    this.searchPath = DEFAULT_SEARCH_PATH;
  }

  tablesAfterMigrations(): TableAfterMigrations[] {
    return [...this.tables.values()].map((state) => {
      const renamed = state.schema !== state.createdAs.schema || state.table !== state.createdAs.table;
      return {
        file: state.created.file,
        line: state.created.line,
        schema: state.schema,
        table: state.table,
        ...(renamed ? { createdAs: state.createdAs } : {}),
        rlsEnabled: state.rlsEnabled,
        rlsForced: state.rlsForced,
        ...(state.rlsDisabledAt ? { rlsDisabledAt: state.rlsDisabledAt } : {}),
        policies: [...state.policies],
      };
    });
  }

  apply(statement: SqlStatement): void {
    const node = statement.node;
    const at: SourceLocation = { file: statement.file, line: statement.line };
    if ("CreateStmt" in node) {
      const create = node.CreateStmt;
      this.createTable(create.relation, at);
    } else if ("CreateTableAsStmt" in node) {
      const create = node.CreateTableAsStmt;
      // Materialized views cannot have RLS; they are not tables.
      if (create.objtype === "OBJECT_TABLE") {
        this.createTable(create.into?.rel, at);
      }
    } else if ("SelectStmt" in node) {
      const select = node.SelectStmt;
      if (select.intoClause) this.createTable(select.intoClause.rel, at);
      this.applySetConfig(select.targetList);
    } else if ("AlterTableStmt" in node) {
      const alter = node.AlterTableStmt;
      if (alter.objtype === "OBJECT_TABLE") this.alterTable(alter.relation, alter.cmds ?? [], at);
    } else if ("RenameStmt" in node) {
      this.rename(node.RenameStmt);
    } else if ("AlterObjectSchemaStmt" in node) {
      const move = node.AlterObjectSchemaStmt;
      if (move.objectType === "OBJECT_TABLE" && move.newschema !== undefined) {
        const state = this.find(move.relation);
        if (state) this.moveTable(state, move.newschema, state.table);
      }
    } else if ("DropStmt" in node) {
      this.drop(node.DropStmt.removeType, node.DropStmt.objects ?? []);
    } else if ("CreatePolicyStmt" in node) {
      const policy = node.CreatePolicyStmt;
      const state = this.find(policy.table);
      if (state && policy.policy_name !== undefined) state.policies.add(policy.policy_name);
    } else if ("VariableSetStmt" in node) {
      const set = node.VariableSetStmt;
      if (set.name === "search_path") {
        this.searchPath =
          set.kind === "VAR_SET_VALUE"
            ? (set.args ?? []).flatMap((arg) => {
                const value = constantString(arg);
                return value === undefined ? [] : [value];
              })
            : DEFAULT_SEARCH_PATH;
        this.searchPath = this.searchPath.filter((schema) => schema !== "$user");
      }
    } else if ("DoStmt" in node) {
      this.unanalyzed.push({ ...at, reason: "DO block: its statements run dynamically" });
    }
  }

  private createTable(relation: RangeVar | undefined, at: SourceLocation): void {
    if (relation?.relname === undefined) return;
    // Temporary tables live in pg_temp and are never exposed.
    if (relation.relpersistence === "t" || relation.schemaname === "pg_temp") return;
    const schema = relation.schemaname ?? this.creationSchema();
    const key = keyOf(schema, relation.relname);
    // With IF NOT EXISTS a second CREATE is a no-op; without it Postgres fails and the first stands.
    if (this.tables.has(key)) return;
    this.tables.set(key, {
      schema,
      table: relation.relname,
      created: at,
      createdAs: { schema, table: relation.relname },
      rlsEnabled: false,
      rlsForced: false,
      policies: new Set(),
    });
  }

  private alterTable(relation: RangeVar | undefined, commands: readonly Node[], at: SourceLocation): void {
    const state = this.find(relation);
    if (!state) return;
    for (const command of commands) {
      if (!("AlterTableCmd" in command)) continue;
      switch (command.AlterTableCmd.subtype) {
        case "AT_EnableRowSecurity":
          state.rlsEnabled = true;
          break;
        case "AT_DisableRowSecurity":
          state.rlsEnabled = false;
          state.rlsDisabledAt = at;
          break;
        case "AT_ForceRowSecurity":
          state.rlsForced = true;
          break;
        case "AT_NoForceRowSecurity":
          state.rlsForced = false;
          break;
        default:
          break;
      }
    }
  }

  private rename(rename: RenameStmt): void {
    const { renameType, newname } = rename;
    if (newname === undefined) return;
    if (renameType === "OBJECT_TABLE") {
      const state = this.find(rename.relation);
      if (state) this.moveTable(state, state.schema, newname);
    } else if (renameType === "OBJECT_POLICY") {
      const state = this.find(rename.relation);
      if (state && rename.subname !== undefined && state.policies.delete(rename.subname)) {
        state.policies.add(newname);
      }
    } else if (renameType === "OBJECT_SCHEMA" && rename.subname !== undefined) {
      for (const state of this.tablesIn(rename.subname)) this.moveTable(state, newname, state.table);
    }
  }

  private drop(removeType: string | undefined, objects: readonly Node[]): void {
    for (const object of objects) {
      const parts = nameParts(object);
      if (removeType === "OBJECT_TABLE") {
        const state = this.find(rangeVarOf(parts));
        if (state) this.tables.delete(keyOf(state.schema, state.table));
      } else if (removeType === "OBJECT_POLICY") {
        // DROP POLICY name ON [schema.]table parses to [schema,] table, name.
        const policyName = parts.at(-1);
        const state = this.find(rangeVarOf(parts.slice(0, -1)));
        if (state && policyName !== undefined) state.policies.delete(policyName);
      } else if (removeType === "OBJECT_SCHEMA") {
        const schema = parts[0];
        if (schema !== undefined) {
          for (const state of this.tablesIn(schema)) this.tables.delete(keyOf(state.schema, state.table));
        }
      }
    }
  }

  /** `select set_config('search_path', '...', ...)`, as pg_dump and `supabase db dump` write it. */
  private applySetConfig(targets: readonly Node[] | undefined): void {
    for (const target of targets ?? []) {
      if (!("ResTarget" in target) || target.ResTarget.val === undefined) continue;
      const value = target.ResTarget.val;
      if (!("FuncCall" in value)) continue;
      const call = value.FuncCall;
      if (nameParts({ List: { items: call.funcname ?? [] } }).at(-1) !== "set_config") continue;
      const [setting, newValue] = (call.args ?? []).map(constantString);
      if (setting === "search_path" && newValue !== undefined) {
        this.searchPath = parseSearchPath(newValue);
      }
    }
  }

  private moveTable(state: TableState, schema: string, table: string): void {
    this.tables.delete(keyOf(state.schema, state.table));
    state.schema = schema;
    state.table = table;
    this.tables.set(keyOf(schema, table), state);
  }

  private tablesIn(schema: string): TableState[] {
    return [...this.tables.values()].filter((state) => state.schema === schema);
  }

  /** Resolves a possibly unqualified name as Postgres does: the first schema on the path that has it. */
  private find(relation: RangeVar | undefined): TableState | undefined {
    if (relation?.relname === undefined) return undefined;
    if (relation.schemaname !== undefined)
      return this.tables.get(keyOf(relation.schemaname, relation.relname));
    for (const schema of this.searchPath) {
      const state = this.tables.get(keyOf(schema, relation.relname));
      if (state) return state;
    }
    return undefined;
  }

  private creationSchema(): string {
    // Postgres creates in the first schema of the path; with an empty path it would fail.
    return this.searchPath[0] ?? "public";
  }
}

function keyOf(schema: string, table: string): string {
  return JSON.stringify([schema, table]);
}

function rangeVarOf(parts: readonly string[]): RangeVar | undefined {
  const relname = parts.at(-1);
  if (relname === undefined) return undefined;
  const schemaname = parts.length >= 2 ? parts.at(-2) : undefined;
  return schemaname === undefined ? { relname } : { schemaname, relname };
}

/** `a`, `a.b`, `a.b.c` as parsed into a String or a List of Strings. */
function nameParts(node: Node): string[] {
  if ("String" in node) return node.String.sval === undefined ? [] : [node.String.sval];
  if ("List" in node) return (node.List.items ?? []).flatMap(nameParts);
  return [];
}

function constantString(node: Node): string | undefined {
  if ("A_Const" in node) return node.A_Const.sval?.sval ?? (node.A_Const.sval ? "" : undefined);
  return undefined;
}

/** A search_path value: comma-separated, identifiers optionally double-quoted. */
export function parseSearchPath(value: string): string[] {
  return value
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "")
    .map((part) =>
      part.startsWith('"') && part.endsWith('"') && part.length >= 2
        ? part.slice(1, -1).replaceAll('""', '"')
        : part.toLowerCase(),
    )
    .filter((schema) => schema !== "$user");
}
