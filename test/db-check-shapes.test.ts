/**
 * Speed without blind spots: `golive db check` applies runs of code-free statements in one call and
 * tests user isolation once per table shape (tables alike up to their name). Each verdict must still
 * land on the right table, and a table that differs in anything that matters is tested on its own.
 */
import { beforeAll, describe, expect, it } from "vitest";
import {
  checkDatabase,
  createSupabaseTemplate,
  MigrationError,
  type DbCheckResult,
  type SupabaseDatabaseTemplate,
} from "../tooling/db-check";
import { checkUserIsolation } from "../tooling/db-check/isolation";

let template: SupabaseDatabaseTemplate;
beforeAll(async () => {
  template = await createSupabaseTemplate();
}, 180_000);

const TIMEOUT = 120_000;

function leakedTables(result: DbCheckResult): string[] {
  return [
    ...new Set(
      result.findings
        .filter((finding) => finding.kind === "isolation-leak")
        .map((finding) => `${finding.table ?? "?"}:${finding.actor ?? "?"}:${finding.operation ?? "?"}`),
    ),
  ].sort();
}

/** A user-owned table; `read` is its select policy's expression. */
function ownedTable(name: string, read: string): string {
  return `
create table public.${name} (id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id), body text not null default '');
alter table public.${name} enable row level security;
create policy "${name}: read" on public.${name} for select to authenticated using (${read});
create policy "${name}: write" on public.${name} for insert to authenticated with check ((select auth.uid()) = user_id);
`;
}

describe("isolation per shape: every table of a shape gets the verdict", () => {
  it(
    "a leak in tables of one shared shape is reported for each of them, by name",
    async () => {
      const sql = ["notes", "todos", "tasks"].map((name) => ownedTable(name, "true")).join("\n");
      const result = await checkDatabase([{ name: "m/1_tables.sql", sql }], {
        environment: "prod",
        template,
      });
      expect(leakedTables(result)).toEqual([
        "notes:authenticated:select",
        "tasks:authenticated:select",
        "todos:authenticated:select",
      ]);
      expect(result.coverage.isolationTested.map((table) => table.table).sort()).toEqual([
        "notes",
        "tasks",
        "todos",
      ]);
      // The finding names the table's own file and table, not the one that was tested for the shape.
      const todos = result.findings.find(
        (finding) => finding.kind === "isolation-leak" && finding.table === "todos",
      );
      expect(todos?.message).toContain("todos");
    },
    TIMEOUT,
  );

  it(
    "tables of one shape are exercised once: the test rows go into the first of them only",
    async () => {
      const names = ["t1", "t2", "t3", "t4"];
      const sql = names.map((name) => ownedTable(name, "(select auth.uid()) = user_id")).join("\n");
      const inserts = new Map<string, number>();
      const counting: SupabaseDatabaseTemplate = {
        open: async () => {
          const db = await template.open();
          const query = db.query.bind(db);
          db.query = ((text: string, params?: unknown[]) => {
            const target = /^insert into "public"\."(\w+)"/.exec(text)?.[1];
            if (target !== undefined) inserts.set(target, (inserts.get(target) ?? 0) + 1);
            return query(text, params);
          }) as typeof db.query;
          return db;
        },
      };
      const result = await checkDatabase([{ name: "m/1_tables.sql", sql }], {
        environment: "prod",
        template: counting,
      });
      expect(result.ok).toBe(true);
      expect(result.coverage.isolationTested.map((table) => table.table)).toEqual(names);
      expect([...inserts.keys()]).toEqual(["t1"]);
    },
    TIMEOUT,
  );

  it(
    "a table that differs only in one policy expression is tested on its own: only it is reported",
    async () => {
      const safe = "(select auth.uid()) = user_id";
      const sql = [ownedTable("alpha", safe), ownedTable("beta", "true"), ownedTable("gamma", safe)].join(
        "\n",
      );
      const result = await checkDatabase([{ name: "m/1_tables.sql", sql }], {
        environment: "prod",
        template,
      });
      expect(leakedTables(result)).toEqual(["beta:authenticated:select"]);
    },
    TIMEOUT,
  );

  it(
    "tables alike except for a look-alike table their policy reads are different shapes",
    async () => {
      // notes reads notes_members (open), todos reads todos_members (RLS, no policy: empty to users).
      const member = (name: string) =>
        `create table public.${name}_members (user_id uuid not null);
         grant select on public.${name}_members to authenticated;`;
      const read = (name: string) =>
        `exists (select 1 from public.${name}_members m where m.user_id is not null)`;
      const sql = `
${member("notes")}
insert into public.notes_members values ('00000000-0000-4000-8000-000000000000');
${member("todos")}
alter table public.todos_members enable row level security;
${ownedTable("notes", read("notes"))}
${ownedTable("todos", read("todos"))}
`;
      const result = await checkDatabase([{ name: "m/1_tables.sql", sql }], {
        environment: "prod",
        template,
      });
      expect(leakedTables(result)).toContain("notes:authenticated:select");
      expect(leakedTables(result)).not.toContain("todos:authenticated:select");
    },
    TIMEOUT,
  );

  it(
    "allowCrossUser on one table of a shape leaves the others reported",
    async () => {
      const sql = ["profiles", "posts"].map((name) => ownedTable(name, "true")).join("\n");
      const result = await checkDatabase([{ name: "m/1_tables.sql", sql }], {
        environment: "prod",
        template,
        allowCrossUser: { profiles: ["select"] },
      });
      expect(leakedTables(result)).toEqual(["posts:authenticated:select"]);
    },
    TIMEOUT,
  );
});

describe("the checks' database work does not grow with the number of tables", () => {
  /** The database calls checkUserIsolation makes on `count` look-alike owned tables and as many unowned ones. */
  async function isolationCalls(count: number): Promise<number> {
    const db = await template.open();
    try {
      const names = Array.from({ length: count }, (_, index) => `items_${index}`);
      await db.exec(
        names
          .map(
            (name) =>
              `${ownedTable(name, "(select auth.uid()) = user_id")}
create table public.${name}_kinds (code text primary key, label text not null check (label <> ''));
alter table public.${name}_kinds enable row level security;`,
          )
          .join("\n"),
      );
      let calls = 0;
      const counted = {
        query: <T>(sql: string, params?: unknown[]) => ((calls += 1), db.query<T>(sql, params)),
        exec: (sql: string) => ((calls += 1), db.exec(sql)),
        isInTransaction: () => db.isInTransaction(),
        close: () => db.close(),
      };
      const result = await checkUserIsolation(counted, { exposedSchemas: ["public"] });
      expect(result.tested).toHaveLength(count);
      expect(result.skipped).toHaveLength(count);
      expect(result.leaks).toEqual([]);
      return calls;
    } finally {
      await db.close();
    }
  }

  it(
    "reading columns, keys and checks takes the same queries for 3 tables as for 60",
    async () => {
      const few = await isolationCalls(3);
      const many = await isolationCalls(60);
      expect(many).toBe(few);
    },
    TIMEOUT,
  );
});

describe("runs of statements in one call", () => {
  it(
    "a failure inside a run names its own file and line",
    async () => {
      const files = [
        {
          name: "m/1_ok.sql",
          sql: "create table public.a (id int primary key);\ncomment on table public.a is 'a';\n",
        },
        {
          name: "m/2_bad.sql",
          sql:
            "create table public.b (id int primary key);\n" +
            "alter table public.b enable row level security;\n" +
            "create policy p on public.missing for select using (true);\n" +
            "create table public.c (id int);\n",
        },
      ];
      const error = await checkDatabase(files, { environment: "prod", template }).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(MigrationError);
      expect(error).toMatchObject({ file: "m/2_bad.sql", line: 3 });
      expect((error as Error).message).toContain('relation "public.missing" does not exist');
    },
    TIMEOUT,
  );

  it(
    "inside a migration's own transaction too, and the statements before the failure still ran",
    async () => {
      const sql =
        "begin;\ncreate table public.d (id int primary key);\n" +
        "comment on table public.nope is 'x';\ncommit;\n";
      const error = await checkDatabase([{ name: "m/1_tx.sql", sql }], {
        environment: "prod",
        template,
      }).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toMatchObject({ name: "MigrationError", file: "m/1_tx.sql", line: 3 });
      const good = await checkDatabase(
        [
          {
            name: "m/1_tx.sql",
            sql: "begin;\ncreate table public.d (id int primary key);\ncomment on table public.d is 'x';\ncommit;\n",
          },
        ],
        { environment: "prod", template },
      );
      expect(good.coverage.tables).toBe(1);
    },
    TIMEOUT,
  );
});
