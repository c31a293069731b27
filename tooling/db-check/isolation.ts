/**
 * User isolation on a migrated database: for every table with an owner column, rows are made for two
 * users A and B with the service role, then user A (role `authenticated`, JWT claim sub=A, as
 * PostgREST sets them) tries to read, update and delete B's rows and to create a row owned by B. Each
 * success is a leak. Everything runs in one transaction that is rolled back.
 */
import { randomUUID } from "node:crypto";
import { type SqlSession } from "./session";
import { asPostgresError, type PostgresErrorFields } from "./apply";
import { type IsolationOperation } from "./findings";

export const USER_A = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa";
export const USER_B = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb";

/** Column names that hold the owning user's id, when no configured column or reference says otherwise. */
export const DEFAULT_OWNER_COLUMN_NAMES: readonly string[] = ["user_id", "owner_id", "profile_id"];

export interface IsolationOptions {
  readonly exposedSchemas: readonly string[];
  /** Names that mark an owner column. Default DEFAULT_OWNER_COLUMN_NAMES. */
  readonly ownerColumnNames?: readonly string[];
  /** The owner column per table, keyed `schema.table` or `table`; wins over detection. */
  readonly ownerColumns?: Readonly<Record<string, string>>;
  /** Cross-user access that is intended (e.g. public profiles), keyed `schema.table` or `table`. */
  readonly allowCrossUser?: Readonly<Record<string, readonly IsolationOperation[]>>;
}

export interface IsolationLeak {
  readonly schema: string;
  readonly table: string;
  readonly ownerColumn: string;
  readonly operation: IsolationOperation;
  /** The role the request ran as: `authenticated` (user A's session) or `anon` (no session). */
  readonly actor: "authenticated" | "anon";
  readonly detail: string;
}

export interface IsolationTable {
  readonly schema: string;
  readonly table: string;
}

export interface IsolationResult {
  readonly leaks: readonly IsolationLeak[];
  readonly tested: readonly (IsolationTable & { readonly ownerColumn: string })[];
  /** Tables not tested. `hasOwner` tells whether the table has an owner column (then it is a gap). */
  readonly skipped: readonly (IsolationTable & { readonly reason: string; readonly hasOwner: boolean })[];
}

interface ColumnInfo {
  readonly num: number;
  readonly name: string;
  readonly notNull: boolean;
  readonly hasDefault: boolean;
  readonly auto: boolean;
  readonly typeSql: string;
  readonly baseType: string;
  readonly category: string;
  readonly enumLabels: readonly string[] | null;
  readonly maxLength: number | null;
  readonly uniqueAlone: boolean;
}

interface ForeignKeyInfo {
  readonly columns: readonly string[];
  readonly refColumns: readonly string[];
  readonly refOid: number;
  readonly refSchema: string;
  readonly refTable: string;
}

interface CheckInfo {
  readonly name: string;
  readonly definition: string;
  readonly columns: readonly string[];
}

interface TableMeta extends IsolationTable {
  readonly oid: number;
  readonly columns: readonly ColumnInfo[];
  readonly foreignKeys: readonly ForeignKeyInfo[];
  readonly checks: readonly CheckInfo[];
  /** The column holding the owning user's id, if the table has one. */
  readonly owner: { readonly column: string } | undefined;
}

/** Who tries to reach user B's rows: user A signed in, and a request with only the anon key. */
type Probe = "user_a" | "anon";
const PROBES: readonly Probe[] = ["user_a", "anon"];
type Actor = "service_role" | "superuser" | Probe;

/** A value for one column: fixed, or a list of candidates tried in turn (check constraints). */
interface ValueSlot {
  readonly column: ColumnInfo;
  readonly fixed?: string;
  readonly candidates: readonly ((sequence: number) => string)[];
  index: number;
}

type RowPlan = Map<string, ValueSlot>;

class CannotMakeRow extends Error {}

const MAX_PARENT_DEPTH = 4;
const MAX_INSERT_ATTEMPTS = 12;

export async function checkUserIsolation(
  db: SqlSession,
  options: IsolationOptions,
): Promise<IsolationResult> {
  const run = new IsolationRun(db, options);
  await db.exec("begin");
  try {
    return await run.run();
  } finally {
    await db.exec("rollback");
  }
}

class IsolationRun {
  private readonly metas = new Map<number, TableMeta>();
  private readonly ownerNames: readonly string[];
  private sequence = 0;
  private savepoint = 0;
  private usersTable: number | undefined;

  constructor(
    private readonly db: SqlSession,
    private readonly options: IsolationOptions,
  ) {
    this.ownerNames = options.ownerColumnNames ?? DEFAULT_OWNER_COLUMN_NAMES;
  }

  async run(): Promise<IsolationResult> {
    const leaks: IsolationLeak[] = [];
    const tested: (IsolationTable & { ownerColumn: string })[] = [];
    const skipped: (IsolationTable & { reason: string; hasOwner: boolean })[] = [];
    this.usersTable =
      (await this.db.query<{ oid: number | null }>(`select to_regclass('auth.users')::oid as oid`)).rows[0]
        ?.oid ?? undefined;

    const tables = await this.db.query<{ oid: number; schema: string; table: string; partition: boolean }>(
      `select c.oid, n.nspname as schema, c.relname as table, c.relispartition as partition
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where c.relkind in ('r', 'p') and n.nspname = any($1::text[])
        order by n.nspname, c.relname`,
      [[...this.options.exposedSchemas]],
    );

    const users = await this.attempt("superuser", true, () => this.createUsers());
    if (!users.ok) {
      const reason = `the test users could not be created in auth.users: ${users.error.message}`;
      for (const { schema, table } of tables.rows) skipped.push({ schema, table, reason, hasOwner: true });
      return { leaks, tested, skipped };
    }

    const shapes = await this.shapes();
    // Every table's columns, keys and checks in a few queries, and those of the tables they reference.
    await this.loadMetas(tables.rows.filter((row) => !row.partition).map((row) => row.oid));
    await this.loadMetas(
      [...this.metas.values()].flatMap((meta) => meta.foreignKeys.map((key) => key.refOid)),
    );
    // Tables of one shape behave the same in this test: the first is tested, the rest share its outcome.
    const outcomes = new Map<string, { readonly from: IsolationTable; readonly outcome: TableOutcome }>();

    for (const { oid, schema, table, partition } of tables.rows) {
      if (partition) {
        skipped.push({ schema, table, reason: "a partition; tested through its parent", hasOwner: false });
        continue;
      }
      const meta = await this.meta(oid);
      if (!meta.owner) {
        skipped.push({
          schema,
          table,
          reason: `no owner column (a reference to auth.users or one named ${this.ownerNames.join("/")})`,
          hasOwner: false,
        });
        continue;
      }
      const name = `${schema}.${table}`;
      const shape = shapes.get(oid);
      const key = shape === undefined ? undefined : `${schema}\n${meta.owner.column}\n${shape}`;
      const shared = key === undefined ? undefined : outcomes.get(key);
      let outcome: TableOutcome;
      if (shared !== undefined) {
        outcome = forTable(shared.outcome, shared.from, meta);
      } else {
        await this.db.exec(`savepoint golive_table`);
        try {
          // A failure outside the tries (e.g. reading a referenced table) skips this table, not the run.
          outcome = await this.testTable(meta, meta.owner.column).catch(
            (error: unknown) => `the test failed: ${asPostgresError(error).message}`,
          );
        } finally {
          await this.db.exec(`rollback to savepoint golive_table; release savepoint golive_table`);
        }
        if (key !== undefined) outcomes.set(key, { from: meta, outcome });
      }
      if (typeof outcome === "string") {
        skipped.push({ schema, table, reason: outcome, hasOwner: true });
        continue;
      }
      tested.push({ schema, table, ownerColumn: meta.owner.column });
      const allowed = this.options.allowCrossUser?.[name] ?? this.options.allowCrossUser?.[table] ?? [];
      for (const leak of outcome) {
        if (!allowed.includes(leak.operation)) leaks.push(leak);
      }
    }
    return { leaks, tested, skipped };
  }

  /**
   * Each table's shape: everything this test's outcome depends on, with the table's own name written
   * as a placeholder: RLS switches, owner and grants (table and columns), columns (types, nullability,
   * defaults, identity), constraints and indexes, policies (command, roles, expressions), triggers (by
   * what their function does, not its name), rules, inheritance, references to it, and whether it
   * holds rows. Two tables of one shape in one schema and with one owner column give the same
   * verdicts, so one is tested for all (a migration of a thousand look-alike tables tests a few).
   */
  private async shapes(): Promise<Map<number, string>> {
    // In chunks, each in a savepoint rolled back at once: reading a table locks it, and thousands of
    // locks held together exhaust Postgres's lock table ("out of shared memory").
    const oids = (
      await this.db.query<{ oid: number }>(
        `select c.oid from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where c.relkind in ('r', 'p') and n.nspname = any($1::text[])`,
        [[...this.options.exposedSchemas]],
      )
    ).rows.map((row) => row.oid);
    const rows: { oid: number; schema: string; table: string; shape: string }[] = [];
    for (let start = 0; start < oids.length; start += TABLES_PER_QUERY) {
      await this.db.exec(`savepoint golive_shapes; ${HAS_ROWS_FUNCTION_SQL}`);
      const chunk = await this.db
        .query<{ oid: number; schema: string; table: string; shape: string }>(SHAPES_SQL, [
          oids.slice(start, start + TABLES_PER_QUERY),
        ])
        .finally(() => this.db.exec(`rollback to savepoint golive_shapes; release savepoint golive_shapes`));
      rows.push(...chunk.rows);
    }
    const shapes = new Map<number, string>();
    for (const row of rows) {
      // The table itself, as Postgres prints it: qualified, or bare when its schema is on the search
      // path (public). Not a prefix (`notes` in `notes_members` is another table), not a function
      // call, not the same name in another schema.
      const table = `"?${escapeRegExp(row.table)}"?`;
      const schema = `"?${escapeRegExp(row.schema)}"?\\.`;
      const own = new RegExp(
        `(?<![\\w$."])(?:${schema})${row.schema === "public" ? "?" : ""}${table}(?![\\w$"]|\\s*\\()`,
        "g",
      );
      shapes.set(row.oid, row.shape.replace(own, "\u0000table\u0000"));
    }
    return shapes;
  }

  private async createUsers(): Promise<void> {
    await this.db.query(
      `insert into auth.users (id, aud, role, email, raw_user_meta_data, raw_app_meta_data)
       values ($1, 'authenticated', 'authenticated', 'user-a@isolation.test', '{"full_name": "User A"}', '{}'),
              ($2, 'authenticated', 'authenticated', 'user-b@isolation.test', '{"full_name": "User B"}', '{}')
       on conflict (id) do nothing`,
      [USER_A, USER_B],
    );
  }

  /** The leaks found, or why the table could not be tested. */
  private async testTable(meta: TableMeta, ownerColumn: string): Promise<IsolationLeak[] | string> {
    const owner = quoteIdent(ownerColumn);
    const target = qualified(meta);
    const leak = (actor: Probe, operation: IsolationOperation, what: string): IsolationLeak => ({
      schema: meta.schema,
      table: meta.table,
      ownerColumn,
      operation,
      actor: actor === "user_a" ? "authenticated" : "anon",
      detail: `${actor === "user_a" ? "signed-in user A" : "an anonymous request"} can ${what}`,
    });
    // Start from no rows of A or B (a trigger on auth.users may have made some), so B's row is ours.
    await this.attempt("superuser", true, () =>
      this.db.query(`delete from ${target} where ${owner}::text = any($1::text[])`, [[USER_A, USER_B]]),
    );

    let plan: RowPlan;
    try {
      plan = await this.planRow(meta, USER_B, 0, new Set([meta.oid]));
    } catch (error) {
      if (error instanceof CannotMakeRow) return error.message;
      throw error;
    }
    const ownerSlot = plan.get(ownerColumn);
    if (ownerSlot?.fixed !== USER_B) {
      return `${ownerColumn} takes its value from another table's row, not a user id; set ownerColumns for it`;
    }

    // Find values the constraints accept, then forget the row: A's insert must not collide with it.
    const calibration = await this.insertFixture(meta, plan, false);
    if (!calibration.ok) return `no test row could be inserted: ${calibration.error.message}`;

    const leaks: IsolationLeak[] = [];
    for (const actor of PROBES) {
      const insert = await this.insertRow(meta, plan, actor, false);
      if (insert.ok) leaks.push(leak(actor, "insert", "create a row owned by user B"));
    }

    const fixture = await this.insertFixture(meta, plan, true);
    if (!fixture.ok) return `no test row could be inserted: ${fixture.error.message}`;

    for (const actor of PROBES) {
      const read = await this.attempt(actor, false, () =>
        this.db.query<{ n: number }>(`select count(*)::int as n from ${target} where ${owner}::text = $1`, [
          USER_B,
        ]),
      );
      if (read.ok && (read.value.rows[0]?.n ?? 0) > 0)
        leaks.push(leak(actor, "select", "read user B's rows"));
      // A no-op update of a column the role may update: it reaches the row only if a policy lets it.
      const column = await this.updatableColumn(
        meta,
        ownerColumn,
        actor === "user_a" ? "authenticated" : "anon",
      );
      if (column !== undefined) {
        const set = quoteIdent(column);
        const update = await this.attempt(actor, false, () =>
          this.db.query(`update ${target} set ${set} = ${set} where ${owner}::text = $1`, [USER_B]),
        );
        if (update.ok && (update.value.affectedRows ?? 0) > 0) {
          leaks.push(leak(actor, "update", "update user B's rows"));
        }
      }
      const remove = await this.attempt(actor, false, () =>
        this.db.query(`delete from ${target} where ${owner}::text = $1`, [USER_B]),
      );
      if (remove.ok && (remove.value.affectedRows ?? 0) > 0) {
        leaks.push(leak(actor, "delete", "delete user B's rows"));
      }
    }
    return leaks;
  }

  /** The owner column if the role may update it, else the first column it may update (column grants). */
  private async updatableColumn(
    meta: TableMeta,
    ownerColumn: string,
    role: string,
  ): Promise<string | undefined> {
    const ordered = [
      ownerColumn,
      ...meta.columns.map((column) => column.name).filter((name) => name !== ownerColumn),
    ];
    const result = await this.db.query<{ name: string }>(
      `select name from unnest($2::text[]) with ordinality as c(name, position)
        where has_column_privilege($1, $3::oid, name, 'UPDATE') order by position limit 1`,
      [role, ordered, meta.oid],
    );
    return result.rows[0]?.name;
  }

  /** Values for a row owned by `user`, making the rows it references first. */
  private async planRow(meta: TableMeta, user: string, depth: number, visiting: Set<number>) {
    const plan: RowPlan = new Map();
    const column = (name: string): ColumnInfo => {
      const found = meta.columns.find((candidate) => candidate.name === name);
      if (!found) throw new CannotMakeRow(`column ${name} does not exist in ${qualifiedName(meta)}`);
      return found;
    };
    // Every reference to auth.users points at the user, so the row is the user's in every sense.
    if (meta.owner) plan.set(meta.owner.column, fixedSlot(column(meta.owner.column), user));
    for (const key of meta.foreignKeys) {
      if (key.refOid === this.usersTable && key.columns.length === 1 && key.columns[0] !== undefined) {
        plan.set(key.columns[0], fixedSlot(column(key.columns[0]), user));
      }
    }
    for (const key of meta.foreignKeys) {
      if (key.refOid === this.usersTable) continue;
      const needed = key.columns.some((name) => {
        const info = column(name);
        return isRequired(info) || name === meta.owner?.column;
      });
      if (!needed) continue;
      if (visiting.has(key.refOid) || depth >= MAX_PARENT_DEPTH) {
        throw new CannotMakeRow(
          `${qualifiedName(meta)} needs a row in ${key.refSchema}.${key.refTable} that references it back`,
        );
      }
      const parent = await this.findOrCreate(key, user, depth + 1, new Set([...visiting, key.refOid]));
      key.columns.forEach((name, index) => {
        const value = parent[key.refColumns[index] ?? ""];
        if (value !== undefined) plan.set(name, fixedSlot(column(name), value));
      });
    }
    for (const info of meta.columns) {
      if (plan.has(info.name) || !isRequired(info)) continue;
      plan.set(info.name, candidateSlot(info, meta.checks));
    }
    return plan;
  }

  /** A row of the referenced table owned by `user` (any row, when it has no owner), as text. */
  private async findOrCreate(
    key: ForeignKeyInfo,
    user: string,
    depth: number,
    visiting: Set<number>,
  ): Promise<Record<string, string>> {
    const parent = await this.meta(key.refOid);
    const columns = key.refColumns
      .map((name, index) => `${quoteIdent(name)}::text as "c${index}"`)
      .join(", ");
    const ownedBy = parent.owner?.column;
    const existing = await this.db.query<Record<string, string | null>>(
      ownedBy
        ? `select ${columns} from ${qualified(parent)} where ${quoteIdent(ownedBy)}::text = $1 limit 1`
        : `select ${columns} from ${qualified(parent)} limit 1`,
      ownedBy ? [user] : [],
    );
    const row = existing.rows[0];
    if (row) return byRefColumns(key, row);
    const plan = await this.planRow(parent, user, depth, visiting);
    const inserted = await this.insertFixture(parent, plan, true, key.refColumns);
    if (!inserted.ok) {
      throw new CannotMakeRow(
        `the referenced row in ${qualifiedName(parent)} could not be made: ${inserted.error.message}`,
      );
    }
    return byRefColumns(key, inserted.value);
  }

  /** A test row, inserted as service_role, or as the migrations' owner where service_role has no grant. */
  private async insertFixture(
    meta: TableMeta,
    plan: RowPlan,
    keep: boolean,
    returning: readonly string[] = [],
  ): Promise<Attempt<Record<string, string | null>>> {
    const inserted = await this.insertRow(meta, plan, "service_role", keep, returning);
    if (inserted.ok || inserted.error.code !== "42501") return inserted;
    return this.insertRow(meta, plan, "superuser", keep, returning);
  }

  /**
   * Inserts a row from the plan, adjusting values a check or unique constraint rejects. Returns the
   * `returning` columns as text.
   */
  private async insertRow(
    meta: TableMeta,
    plan: RowPlan,
    actor: Actor,
    keep: boolean,
    returning: readonly string[] = [],
  ): Promise<Attempt<Record<string, string | null>>> {
    const slots = [...plan.values()];
    const returningSql = returning.length
      ? ` returning ${returning.map((name, index) => `${quoteIdent(name)}::text as "c${index}"`).join(", ")}`
      : "";
    let last: Attempt<Record<string, string | null>> | undefined;
    let duplicates = 0;
    for (let attempt = 0; attempt < MAX_INSERT_ATTEMPTS; attempt += 1) {
      this.sequence += 1;
      const sequence = this.sequence;
      const values = slots.map((slot) => slot.fixed ?? slot.candidates[slot.index]?.(sequence) ?? "");
      const sql = slots.length
        ? `insert into ${qualified(meta)} (${slots.map((slot) => quoteIdent(slot.column.name)).join(", ")}) ` +
          `values (${slots.map((slot, index) => `$${index + 1}::${slot.column.typeSql}`).join(", ")})`
        : `insert into ${qualified(meta)} default values`;
      last = await this.attempt(actor, keep, async () => {
        const result = await this.db.query<Record<string, string | null>>(sql + returningSql, values);
        return result.rows[0] ?? {};
      });
      if (last.ok) return last;
      const error = last.error;
      if (error.code === "23514" && error.constraint !== undefined) {
        // A check constraint rejected a value: try the column's next candidate.
        const check = meta.checks.find((candidate) => candidate.name === error.constraint);
        const slot = slots.find(
          (candidate) =>
            check?.columns.includes(candidate.column.name) &&
            candidate.fixed === undefined &&
            candidate.index + 1 < candidate.candidates.length,
        );
        if (!slot) return last;
        slot.index += 1;
      } else if (error.code !== "23505" || (duplicates += 1) > 2) {
        // A duplicate is retried with new values; anything else is final: RLS, grants, triggers.
        return last;
      }
    }
    return last ?? { ok: false, error: { message: "no attempt made" } };
  }

  /** Runs `work` as the actor inside a savepoint; keeps its effects only when `keep` and it succeeded. */
  private async attempt<T>(actor: Actor, keep: boolean, work: () => Promise<T>): Promise<Attempt<T>> {
    this.savepoint += 1;
    const savepoint = `golive_try_${this.savepoint}`;
    try {
      // One call each side of the work: the savepoint, the role and the claims together.
      await this.db.exec(`savepoint ${savepoint}; ${becomeSql(actor)}`);
      const value = await work();
      if (keep) {
        await this.db.exec(`reset role; ${claimsSql("", "")}; release savepoint ${savepoint}`);
      } else {
        await this.db.exec(`rollback to savepoint ${savepoint}; release savepoint ${savepoint}`);
      }
      return { ok: true, value };
    } catch (error) {
      await this.db.exec(`rollback to savepoint ${savepoint}; release savepoint ${savepoint}`);
      return { ok: false, error: asPostgresError(error) };
    }
  }

  private async meta(oid: number): Promise<TableMeta> {
    if (!this.metas.has(oid)) await this.loadMetas([oid]);
    const meta = this.metas.get(oid);
    if (meta === undefined) throw new Error(`no metadata read for table ${oid}`);
    return meta;
  }

  /**
   * Reads the names, columns, foreign keys and checks of the tables not read yet: four catalogue
   * queries per TABLES_PER_QUERY tables, however many there are. Reading the catalogue locks no table.
   */
  private async loadMetas(oids: readonly number[]): Promise<void> {
    const missing = [...new Set(oids)].filter((oid) => !this.metas.has(oid));
    for (let start = 0; start < missing.length; start += TABLES_PER_QUERY) {
      const chunk = missing.slice(start, start + TABLES_PER_QUERY);
      const names = await this.db.query<{ oid: number; schema: string; table: string }>(
        `select c.oid, n.nspname as schema, c.relname as table
           from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.oid = any($1::oid[])`,
        [chunk],
      );
      const columns = byTable(await this.db.query<ColumnRow>(COLUMNS_SQL, [chunk]));
      const foreignKeys = byTable(await this.db.query<ForeignKeyRow>(FOREIGN_KEYS_SQL, [chunk]));
      const checks = byTable(await this.db.query<CheckRow>(CHECKS_SQL, [chunk]));
      const named = new Map(names.rows.map((row) => [row.oid, row]));
      for (const oid of chunk) {
        const name = named.get(oid) ?? { schema: "?", table: String(oid) };
        this.metas.set(
          oid,
          this.tableMeta(
            oid,
            name,
            columns.get(oid) ?? [],
            foreignKeys.get(oid) ?? [],
            checks.get(oid) ?? [],
          ),
        );
      }
    }
  }

  private tableMeta(
    oid: number,
    name: { readonly schema: string; readonly table: string },
    columns: readonly ColumnRow[],
    foreignKeys: readonly ForeignKeyRow[],
    checks: readonly CheckRow[],
  ): TableMeta {
    const columnInfos = columns.map((row): ColumnInfo => ({
      num: row.num,
      name: row.name,
      notNull: row.not_null,
      hasDefault: row.has_default,
      auto: row.auto,
      typeSql: row.type_sql,
      baseType: row.base_type,
      category: row.category,
      enumLabels: row.enum_labels,
      maxLength: row.max_length,
      uniqueAlone: row.unique_alone,
    }));
    const keys = foreignKeys.map((row): ForeignKeyInfo => ({
      columns: row.columns,
      refColumns: row.ref_columns,
      refOid: row.ref_oid,
      refSchema: row.ref_schema,
      refTable: row.ref_table,
    }));
    return {
      oid,
      schema: name.schema,
      table: name.table,
      columns: columnInfos,
      foreignKeys: keys,
      checks: checks.map((row) => ({
        name: row.name,
        definition: row.definition,
        columns: row.columns,
      })),
      owner: this.ownerOf(name.schema, name.table, columnInfos, keys),
    };
  }

  /** Configured column; else a named column referencing auth.users; else a named column; else any reference. */
  private ownerOf(
    schema: string,
    table: string,
    columns: readonly ColumnInfo[],
    keys: readonly ForeignKeyInfo[],
  ): TableMeta["owner"] {
    const configured =
      this.options.ownerColumns?.[`${schema}.${table}`] ?? this.options.ownerColumns?.[table];
    const referencesUsers = new Set(
      keys
        .filter((key) => key.refOid === this.usersTable && key.columns.length === 1)
        .flatMap((key) => key.columns),
    );
    if (configured !== undefined) {
      return columns.some((column) => column.name === configured) ? { column: configured } : undefined;
    }
    const holdsUserId = (column: ColumnInfo): boolean =>
      column.baseType === "uuid" || column.category === "S";
    const named = columns.filter((column) => this.ownerNames.includes(column.name) && holdsUserId(column));
    const namedReferencing = named.find((column) => referencesUsers.has(column.name));
    if (namedReferencing) return { column: namedReferencing.name };
    if (named[0]) return { column: named[0].name };
    const referencing = columns.find((column) => referencesUsers.has(column.name));
    return referencing ? { column: referencing.name } : undefined;
  }
}

/** The role and JWT claims PostgREST would set for the actor's request, as SQL. */
function becomeSql(actor: Actor): string {
  if (actor === "superuser") return "";
  if (actor === "service_role") {
    return `set local role service_role; ${claimsSql(JSON.stringify({ role: "service_role" }), "")}`;
  }
  if (actor === "anon") return `set local role anon; ${claimsSql(JSON.stringify({ role: "anon" }), "")}`;
  const claims = { sub: USER_A, role: "authenticated", aud: "authenticated", email: "user-a@isolation.test" };
  return `set local role authenticated; ${claimsSql(JSON.stringify(claims), USER_A)}`;
}

function claimsSql(claims: string, sub: string): string {
  return (
    `select set_config('request.jwt.claims', ${quoteLiteral(claims)}, true), ` +
    `set_config('request.jwt.claim.sub', ${quoteLiteral(sub)}, true)`
  );
}

function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The leaks found, or why the table could not be tested. */
type TableOutcome = readonly IsolationLeak[] | string;

/** A shared outcome restated for another table of the same shape. */
function forTable(outcome: TableOutcome, from: IsolationTable, to: IsolationTable): TableOutcome {
  if (typeof outcome === "string") return outcome.replaceAll(qualifiedName(from), qualifiedName(to));
  return outcome.map((leak) => ({ ...leak, schema: to.schema, table: to.table }));
}

// Whether a table holds rows, read as the migrations' owner (a temporary function, gone at rollback).
const HAS_ROWS_FUNCTION_SQL = `
create function pg_temp.golive_has_rows(relation regclass) returns boolean language plpgsql as $$
declare found boolean;
begin
  execute format('select exists (select from %s)', relation) into found;
  return found;
end $$`;

// References to each table of the chunk, gathered in one pass (pg_constraint has no index on
// confrelid); only those to the chunk's tables, so each reference is printed once, not once a chunk.
const SHAPES_SQL = `
with inbound as (
  select con.confrelid as oid,
         json_agg(json_build_array(con.conrelid, pg_get_constraintdef(con.oid)) order by con.conrelid, con.conname) as keys
    from pg_constraint con
   where con.contype = 'f' and con.conrelid <> con.confrelid and con.confrelid = any($1::oid[])
   group by con.confrelid)
select c.oid, n.nspname as schema, c.relname as table, json_build_array(
  c.relkind, c.relrowsecurity, c.relforcerowsecurity, c.relowner, c.relacl::text, c.reloptions,
  c.reloftype, c.relpersistence, pg_temp.golive_has_rows(c.oid),
  (select json_agg(json_build_array(a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                                    a.attidentity, a.attgenerated, a.attacl::text, a.attcollation,
                                    pg_get_expr(d.adbin, d.adrelid)) order by a.attnum)
     from pg_attribute a left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
    where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped),
  (select json_agg(x order by x::text) from (
     select json_build_array(con.contype, pg_get_constraintdef(con.oid), con.condeferrable, con.condeferred) as x
       from pg_constraint con where con.conrelid = c.oid) s),
  inbound.keys,
  (select json_agg(x order by x::text) from (
     select json_build_array(i.indisunique, i.indisprimary, i.indnullsnotdistinct, i.indkey::text,
                             i.indclass::text, pg_get_expr(i.indexprs, i.indrelid),
                             pg_get_expr(i.indpred, i.indrelid)) as x
       from pg_index i where i.indrelid = c.oid) s),
  (select json_agg(x order by x::text) from (
     select json_build_array(p.polcmd, p.polpermissive, p.polroles::regrole[]::text,
                             pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid)) as x
       from pg_policy p where p.polrelid = c.oid) s),
  (select json_agg(x order by x::text) from (
     select json_build_array(t.tgtype, t.tgenabled, encode(t.tgargs, 'hex'), t.tgattr::text, t.tgqual::text,
                             t.tgoldtable, t.tgnewtable, f.prolang, f.prosrc, f.probin, f.prosecdef,
                             f.proconfig, f.proowner, f.provolatile, f.proargtypes::text, f.prorettype) as x
       from pg_trigger t join pg_proc f on f.oid = t.tgfoid
      where t.tgrelid = c.oid and not t.tgisinternal) s),
  (select json_agg(pg_get_ruledef(r.oid) order by r.rulename) from pg_rewrite r where r.ev_class = c.oid),
  (select json_agg(h.inhrelid order by h.inhrelid) from pg_inherits h where h.inhparent = c.oid),
  (select json_agg(h.inhparent order by h.inhparent) from pg_inherits h where h.inhrelid = c.oid)
)::text as shape
  from pg_class c join pg_namespace n on n.oid = c.relnamespace left join inbound on inbound.oid = c.oid
 where c.oid = any($1::oid[])`;

/** Tables whose shape or metadata is read at once: few enough locks for Postgres's lock table. */
const TABLES_PER_QUERY = 500;

type Attempt<T> = { ok: true; value: T } | { ok: false; error: PostgresErrorFields };

interface ColumnRow {
  oid: number;
  num: number;
  name: string;
  not_null: boolean;
  has_default: boolean;
  auto: boolean;
  type_sql: string;
  base_type: string;
  category: string;
  enum_labels: string[] | null;
  max_length: number | null;
  unique_alone: boolean;
}

const COLUMNS_SQL = `
select a.attrelid as oid,
       a.attnum::int as num,
       a.attname as name,
       (a.attnotnull or t.typnotnull) as not_null,
       (a.atthasdef or t.typdefault is not null or t.typdefaultbin is not null) as has_default,
       (a.attidentity <> '' or a.attgenerated <> '') as auto,
       format_type(a.atttypid, a.atttypmod) as type_sql,
       bt.typname::text as base_type,
       bt.typcategory::text as category,
       case when bt.typtype = 'e'
            then array(select e.enumlabel::text from pg_enum e where e.enumtypid = bt.oid order by e.enumsortorder)
       end as enum_labels,
       case when bt.typname in ('varchar', 'bpchar') and greatest(a.atttypmod, t.typtypmod) > 4
            then greatest(a.atttypmod, t.typtypmod) - 4
       end as max_length,
       exists (select 1 from pg_index i
                where i.indrelid = a.attrelid and i.indisunique and i.indnkeyatts = 1
                  and i.indkey[0] = a.attnum) as unique_alone
  from pg_attribute a
  join pg_type t on t.oid = a.atttypid
  join pg_type bt on bt.oid = case when t.typtype = 'd' then t.typbasetype else t.oid end
 where a.attrelid = any($1::oid[]) and a.attnum > 0 and not a.attisdropped
 order by a.attrelid, a.attnum`;

interface ForeignKeyRow {
  oid: number;
  columns: string[];
  ref_columns: string[];
  ref_oid: number;
  ref_schema: string;
  ref_table: string;
}

const FOREIGN_KEYS_SQL = `
select con.conrelid as oid,
       array(select a.attname::text from unnest(con.conkey) with ordinality k(num, ord)
               join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.num order by k.ord) as columns,
       array(select a.attname::text from unnest(con.confkey) with ordinality k(num, ord)
               join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.num order by k.ord) as ref_columns,
       con.confrelid as ref_oid,
       rn.nspname as ref_schema,
       rc.relname as ref_table
  from pg_constraint con
  join pg_class rc on rc.oid = con.confrelid
  join pg_namespace rn on rn.oid = rc.relnamespace
 where con.conrelid = any($1::oid[]) and con.contype = 'f'
 order by con.conrelid, con.conname`;

interface CheckRow {
  oid: number;
  name: string;
  definition: string;
  columns: string[];
}

const CHECKS_SQL = `
select con.conrelid as oid,
       con.conname as name,
       pg_get_constraintdef(con.oid) as definition,
       array(select a.attname::text from unnest(con.conkey) k(num)
               join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.num) as columns
  from pg_constraint con
 where con.conrelid = any($1::oid[]) and con.contype = 'c'
 order by con.conrelid, con.conname`;

/** Rows grouped by their table's oid, in query order. */
function byTable<Row extends { oid: number }>(result: { rows: Row[] }): Map<number, Row[]> {
  const grouped = new Map<number, Row[]>();
  for (const row of result.rows) {
    const rows = grouped.get(row.oid);
    if (rows === undefined) grouped.set(row.oid, [row]);
    else rows.push(row);
  }
  return grouped;
}

function isRequired(column: ColumnInfo): boolean {
  return column.notNull && !column.hasDefault && !column.auto;
}

function fixedSlot(column: ColumnInfo, value: string): ValueSlot {
  return { column, fixed: value, candidates: [], index: 0 };
}

function candidateSlot(column: ColumnInfo, checks: readonly CheckInfo[]): ValueSlot {
  const candidates = valueCandidates(column, checks);
  if (candidates.length === 0) {
    throw new CannotMakeRow(`no test value for column ${column.name} of type ${column.typeSql}`);
  }
  return { column, candidates, index: 0 };
}

/** Values to try for a column: literals from its check constraints first, then one per type. */
function valueCandidates(column: ColumnInfo, checks: readonly CheckInfo[]): ((sequence: number) => string)[] {
  const definitions = checks
    .filter((check) => check.columns.length === 1 && check.columns[0] === column.name)
    .map((check) => check.definition);
  const literals = definitions.flatMap((definition) =>
    [...definition.matchAll(/'((?:[^']|'')*)'/g)].map((match) => (match[1] ?? "").replaceAll("''", "'")),
  );
  const numbers = definitions.flatMap((definition) =>
    [...definition.matchAll(/(?<![\w.])-?\d+(?:\.\d+)?/g)].map((match) => Number(match[0])),
  );
  const constant = (value: string) => () => value;
  const fromLiterals = literals.map(constant);
  const type = column.baseType;
  const textLike = (sequence: number): string => {
    const value = `isolation-${sequence}`;
    return column.maxLength !== null ? value.slice(-column.maxLength) : value;
  };
  if (column.enumLabels) return [...fromLiterals, ...column.enumLabels.map(constant)];
  if (column.category === "A") return [constant("{}")];
  if (type === "uuid") return [() => randomUUID()];
  if (column.category === "S") return [...fromLiterals, textLike];
  if (column.category === "N") {
    const integer = ["int2", "int4", "int8", "oid"].includes(type);
    const extra = numbers
      .flatMap((value) => [value, value + 1])
      .filter((value) => !integer || Number.isInteger(value))
      .map((value) => constant(String(value)));
    const first = column.uniqueAlone ? (sequence: number) => String(sequence) : constant("1");
    return [first, ...extra, constant("0")];
  }
  if (type === "bool") return [constant("false"), constant("true")];
  if (type === "date") return [constant("2025-01-01"), constant("2025-12-31")];
  // Later columns get later times, so checks like ends_at > starts_at hold.
  const hour = `${String(column.num % 24).padStart(2, "0")}:00`;
  if (type === "timestamptz" || type === "timestamp") {
    return [constant(`2025-01-01 ${hour}:00+00`), constant("2025-06-01 00:00:00+00")];
  }
  if (type === "time" || type === "timetz") return [constant(hour)];
  if (type === "interval") return [constant("1 day")];
  if (type === "json" || type === "jsonb") return [...fromLiterals, constant("{}"), constant("[]")];
  if (type === "inet") return [constant("10.0.0.1")];
  if (type === "cidr") return [constant("10.0.0.0/24")];
  if (type === "macaddr") return [constant("08:00:2b:01:02:03")];
  if (type === "bytea") return [constant("\\x00")];
  if (type === "tsvector") return [constant("")];
  if (type === "point") return [constant("(0,0)")];
  return fromLiterals;
}

function byRefColumns(key: ForeignKeyInfo, row: Record<string, string | null>): Record<string, string> {
  const result: Record<string, string> = {};
  key.refColumns.forEach((name, index) => {
    const value = row[`c${index}`];
    if (value !== null && value !== undefined) result[name] = value;
  });
  return result;
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function qualified(table: IsolationTable): string {
  return `${quoteIdent(table.schema)}.${quoteIdent(table.table)}`;
}

function qualifiedName(table: IsolationTable): string {
  return `${table.schema}.${table.table}`;
}
