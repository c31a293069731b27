import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  checkRlsInMigrations,
  checkRlsInSqlFiles,
  MigrationsDirError,
  parseSearchPath,
  SqlSyntaxError,
  type RlsCheckResult,
} from "../lib/sql/rls";
import { parseSqlFile } from "../lib/sql/parser";

const fixtures = path.join(__dirname, "fixtures", "migrations");
const fixture = (name: string): string => path.join(fixtures, name);

function names(tables: RlsCheckResult["tablesWithoutRls"]): string[] {
  return tables.map((table) => `${table.schema}.${table.table}`);
}

async function syntaxError(run: () => Promise<unknown>): Promise<SqlSyntaxError> {
  const error: unknown = await run().then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(SqlSyntaxError);
  return error as SqlSyntaxError;
}

describe("checkRlsInMigrations on fixture directories", () => {
  it("passes the good set: every public table has RLS and a policy; private tables are not checked", async () => {
    const result = await checkRlsInMigrations(fixture("good"));
    expect(result.tablesWithoutRls).toEqual([]);
    expect(result.tablesWithoutPolicies).toEqual([]);
    expect(result.unanalyzed).toEqual([]);
    const all = result.tables.map((table) => `${table.schema}.${table.table}`);
    expect(all).toEqual([
      "public.profiles",
      "public.customers",
      "public.push_tokens",
      "public.notification_preferences",
      "public.notification_queue",
      "public.notification_log",
      "public.engagement_events",
      "public.daily_engagement_scores",
      "public.user_fcm_tokens",
      "public.momentum_tips",
      "private.cron_job_logs",
    ]);
    const customers = result.tables.find((table) => table.table === "customers");
    expect(customers?.policies).toHaveLength(4);
    const jobs = result.tables.find((table) => table.table === "cron_job_logs");
    expect(jobs?.rlsEnabled).toBe(false);
  });

  it("reports a table left without RLS with the file and line of its CREATE statement", async () => {
    const result = await checkRlsInMigrations(fixture("missing-rls"));
    expect(result.tablesWithoutRls).toHaveLength(1);
    const [reviews] = result.tablesWithoutRls;
    expect(reviews).toMatchObject({ schema: "public", table: "reviews", line: 4 });
    expect(path.basename(reviews?.file ?? "")).toBe("20251024040000_reviews.sql");
    expect(names(result.tablesWithoutPolicies)).toEqual([]);
  });

  it("reports RLS disabled by a later migration, naming where it was disabled", async () => {
    const result = await checkRlsInMigrations(fixture("rls-disabled-later"));
    expect(names(result.tablesWithoutRls)).toEqual(["public.invoices"]);
    const [invoices] = result.tablesWithoutRls;
    expect(path.basename(invoices?.file ?? "")).toBe("20251024000000_invoices.sql");
    expect(invoices?.line).toBe(1);
    expect(path.basename(invoices?.rlsDisabledAt?.file ?? "")).toBe("20251024100000_bulk_import.sql");
    expect(invoices?.rlsDisabledAt?.line).toBe(2);
    expect(invoices?.policies).toEqual(["Users read their invoices"]);
  });

  it("follows renames and SET SCHEMA: a table moved into public without RLS is reported", async () => {
    const result = await checkRlsInMigrations(fixture("renamed"));
    expect(result.tablesWithoutRls).toHaveLength(1);
    expect(result.tablesWithoutRls[0]).toMatchObject({
      schema: "public",
      table: "notification_log",
      line: 4,
      createdAs: { schema: "staging_area", table: "notification_logs" },
    });
    const tokens = result.tables.find((table) => table.table === "device_tokens");
    expect(tokens).toMatchObject({ schema: "public", rlsEnabled: true, createdAs: { table: "push_tokens" } });
    expect(tokens?.policies).toEqual(["Users manage their push tokens"]);
    expect(result.tables.some((table) => table.table === "push_tokens")).toBe(false);
  });

  it("ignores schemas that are not exposed, and checks those listed in exposedSchemas", async () => {
    const byDefault = await checkRlsInMigrations(fixture("non-exposed-schema"));
    expect(byDefault.tablesWithoutRls).toEqual([]);
    const withApi = await checkRlsInMigrations(fixture("non-exposed-schema"), {
      exposedSchemas: ["public", "api"],
    });
    expect(names(withApi.tablesWithoutRls)).toEqual(["api.orders"]);
  });

  it("treats quoted identifiers as Postgres does: case and spaces matter, unquoted names fold", async () => {
    const result = await checkRlsInMigrations(fixture("quoted-identifiers"));
    expect(names(result.tablesWithoutRls)).toEqual(["public.Audit Log"]);
    expect(result.tablesWithoutRls[0]?.line).toBe(11);
    expect(names(result.tablesWithoutPolicies)).toEqual(["public.mixedcase"]);
    const settings = result.tables.find((table) => table.table === "UserSettings");
    expect(settings?.policies).toEqual(["Owner reads settings"]);
  });

  it("warns about RLS without any policy (the RLS block of the BEE MVP plan)", async () => {
    const result = await checkRlsInMigrations(fixture("rls-without-policy"));
    expect(result.tablesWithoutRls).toEqual([]);
    expect(names(result.tablesWithoutPolicies)).toEqual(["public.user_fcm_tokens"]);
    expect(result.tablesWithoutPolicies[0]?.line).toBe(15);
  });

  it("names the file, line and column of a syntax error, with the parser's message", async () => {
    const error = await syntaxError(() => checkRlsInMigrations(fixture("broken")));
    expect(path.basename(error.file)).toBe("20251024010000_broken.sql");
    expect(error.line).toBe(5);
    expect(error.column).toBe(22);
    expect(error.parserMessage).toBe('syntax error at or near ","');
    expect(error.message).toContain("20251024010000_broken.sql:5:22");
    expect(error.message).toContain("name text not null,,");
    expect(error.message).not.toMatch(/\n\s+at /);
  });

  it("explains a missing migrations directory", async () => {
    await expect(checkRlsInMigrations(fixture("does-not-exist"))).rejects.toThrow(MigrationsDirError);
    await expect(checkRlsInMigrations(fixture("does-not-exist"))).rejects.toThrow(/does not exist/);
  });
});

describe("checkRlsInSqlFiles on in-memory SQL", () => {
  it("applies files in lexical order of their base names, whatever order they are given in", async () => {
    const result = await checkRlsInSqlFiles([
      { name: "db/002_rls.sql", sql: "alter table notes enable row level security;" },
      { name: "db/001_create.sql", sql: "create table notes (id int);" },
    ]);
    expect(result.tablesWithoutRls).toEqual([]);
    expect(names(result.tablesWithoutPolicies)).toEqual(["public.notes"]);
  });

  it("counts policies through CREATE, DROP and RENAME of policies and tables", async () => {
    const result = await checkRlsInSqlFiles([
      {
        name: "001.sql",
        sql: `
          create table a (id int); alter table a enable row level security;
          create policy p1 on a using (true);
          create policy p2 on public.a using (true);
          drop policy p1 on a;
          alter policy p2 on a rename to p3;
          create table b (id int); alter table b enable row level security;
          create policy only_one on b using (true);
          drop policy if exists only_one on public.b;
          create table c (id int);
          drop table if exists c, missing cascade;
        `,
      },
    ]);
    expect(result.tables.map((table) => [table.table, table.policies])).toEqual([
      ["a", ["p3"]],
      ["b", []],
    ]);
    expect(names(result.tablesWithoutPolicies)).toEqual(["public.b"]);
  });

  it("creates unqualified tables in the first schema of search_path, reset for each file", async () => {
    const result = await checkRlsInSqlFiles([
      {
        name: "001.sql",
        sql: "set search_path = app, public;\ncreate table orders (id int);\nreset search_path;\ncreate table t (id int);",
      },
      { name: "002.sql", sql: "create table u (id int);" },
      {
        name: "003_dump.sql",
        sql: "SELECT pg_catalog.set_config('search_path', 'billing', false);\nCREATE TABLE invoices (id int);",
      },
    ]);
    expect(result.tables.map((table) => `${table.schema}.${table.table}`)).toEqual([
      "app.orders",
      "public.t",
      "public.u",
      "billing.invoices",
    ]);
    expect(parseSearchPath(`"$user", Public, "My Schema"`)).toEqual(["public", "My Schema"]);
  });

  it("resolves unqualified names through the search_path when enabling RLS", async () => {
    const result = await checkRlsInSqlFiles([
      {
        name: "001.sql",
        sql: "create schema app; create table app.orders (id int);\nset search_path to app, public;\nalter table orders enable row level security;",
      },
    ]);
    expect(result.tables[0]).toMatchObject({ schema: "app", table: "orders", rlsEnabled: true });
  });

  it("handles CREATE TABLE AS, SELECT INTO, partitions, IF NOT EXISTS and temporary tables", async () => {
    const result = await checkRlsInSqlFiles([
      {
        name: "001.sql",
        sql: `create table copy as select 1 as id;
select 1 as id into archived;
create table events (id int, at date) partition by range (at);
create table events_2025 partition of events for values from ('2025-01-01') to ('2026-01-01');
alter table events enable row level security;
create table if not exists events (id int);
create temporary table scratch (id int);
create materialized view totals as select 1;`,
      },
    ]);
    expect(names(result.tablesWithoutRls)).toEqual(["public.copy", "public.archived", "public.events_2025"]);
    expect(result.tables.find((table) => table.table === "events")?.line).toBe(3);
  });

  it("notes DO blocks it cannot see into", async () => {
    const result = await checkRlsInSqlFiles([
      {
        name: "001.sql",
        sql: "create table t (id int);\n\ndo $$ begin execute 'alter table t enable row level security'; end $$;",
      },
    ]);
    expect(result.unanalyzed).toEqual([
      { file: "001.sql", line: 3, reason: "DO block: its statements run dynamically" },
    ]);
    expect(names(result.tablesWithoutRls)).toEqual(["public.t"]);
  });

  it("handles RLS toggled several times, FORCE and a schema rename or drop", async () => {
    const result = await checkRlsInSqlFiles([
      {
        name: "001.sql",
        sql: `create schema stage; create table stage.a (id int); create table stage.b (id int);
alter table stage.a enable row level security, force row level security;
alter table stage.a disable row level security;
alter table stage.a enable row level security;
alter schema stage rename to public2;
create schema gone; create table gone.c (id int); drop schema gone cascade;`,
      },
    ]);
    expect(result.tables.map((table) => `${table.schema}.${table.table}`)).toEqual([
      "public2.a",
      "public2.b",
    ]);
    const a = result.tables[0];
    expect(a).toMatchObject({ rlsEnabled: true, rlsForced: true });
    const withPublic2 = await checkRlsInSqlFiles(
      [{ name: "x.sql", sql: "create table public2.z (id int);" }],
      {
        exposedSchemas: ["public2"],
      },
    );
    expect(names(withPublic2.tablesWithoutRls)).toEqual(["public2.z"]);
  });

  it("reports lines past leading comments and multi-byte characters", async () => {
    const sql =
      '-- Übersicht 🎉 der Tabellen\n/* block\n   comment */\n\ncreate table größe (id int);\n-- next\n\ncreate table "naïve" (id int);';
    const result = await checkRlsInSqlFiles([{ name: "utf8.sql", sql }]);
    expect(result.tablesWithoutRls.map((table) => [table.table, table.line])).toEqual([
      ["größe", 5],
      ["naïve", 8],
    ]);
  });

  it("reports the line of a syntax error after multi-byte characters", async () => {
    const sql = "-- 🎉🎉 emoji\ncreate table ok (id int);\ncreate table bad (\n  id int\n  name text\n);";
    const error = await syntaxError(() => checkRlsInSqlFiles([{ name: "emoji.sql", sql }]));
    expect(error.file).toBe("emoji.sql");
    expect(error.line).toBe(5);
    expect(error.sourceLine).toBe("  name text");
  });

  it("accepts empty and comment-only files", async () => {
    const result = await checkRlsInSqlFiles([
      { name: "000_empty.sql", sql: "" },
      { name: "001_comment.sql", sql: "-- nothing yet\n" },
    ]);
    expect(result.tables).toEqual([]);
    expect(await parseSqlFile({ name: "blank.sql", sql: "  \n\t" })).toEqual([]);
  });
});
