/**
 * `golive db check` on migrations that misbehave or are large: a statement that never ends stops at
 * the per-statement limit with a message naming file, line and limit; the work per statement stays
 * constant, so the check scales linearly (counted here; the times are in bench/db-check.ts).
 */
import { PGlite } from "@electric-sql/pglite";
import * as libpgQuery from "libpg-query";
import { describe, expect, it, vi } from "vitest";
import { generateMigration } from "../bench/sql-migration";
import { LineIndex, parseSqlFile } from "../lib/sql/parser";
import { runGolive } from "../tooling/cli/golive";
import { memoryIo } from "../tooling/cli/io";
import {
  checkDatabase,
  MigrationTimeoutError,
  StatementTimeoutError,
  type SqlSession,
} from "../tooling/db-check";
import { applyStatements, BATCH_SIZE, isBatchable } from "../tooling/db-check/apply";

vi.mock("libpg-query", async (importOriginal) => {
  const original = await importOriginal<typeof libpgQuery>();
  return { ...original, parseSync: vi.fn(original.parseSync) };
});

const TIMEOUT = 180_000;

async function rejection(run: () => Promise<unknown>): Promise<unknown> {
  return run().then(
    () => undefined,
    (caught: unknown) => caught,
  );
}

describe("a time limit per statement", () => {
  it("PGlite in process ignores statement_timeout: the reason the check's database runs in a worker", async () => {
    const db = await PGlite.create();
    try {
      await db.exec("set statement_timeout = '50ms'");
      // On a real Postgres this fails with "canceling statement due to statement timeout".
      await expect(db.query("select pg_sleep(0.5)")).resolves.toMatchObject({ rows: [{}] });
    } finally {
      await db.close();
    }
  }, 60_000);

  it(
    "an endless loop in a migration stops at the limit, naming the file, the line and the limit",
    async () => {
      const files = [
        {
          name: "supabase/migrations/20250101000000_notes.sql",
          // A statement under the limit runs: only the one past it is stopped.
          sql: "create table public.notes (id int primary key);\nselect pg_sleep(0.2);\n",
        },
        {
          name: "supabase/migrations/20250102000000_spin.sql",
          sql: "-- waits for a flag that is never set\n\nDO $$ BEGIN LOOP END LOOP; END $$;\n",
        },
      ];
      const error = await rejection(() =>
        checkDatabase(files, { environment: "prod", statementTimeoutMs: 2_000 }),
      );
      expect(error).toBeInstanceOf(MigrationTimeoutError);
      expect(error).toMatchObject({ file: files[1]!.name, line: 3, limitMs: 2_000 });
      expect((error as Error).message).toContain(
        "supabase/migrations/20250102000000_spin.sql:3: the statement did not finish within 2 s, the " +
          "limit per statement: DO $$ BEGIN LOOP END LOOP; END $$",
      );
      expect((error as Error).message).toContain("--statement-timeout 5m (or GOLIVE_STATEMENT_TIMEOUT=5m)");
    },
    TIMEOUT,
  );

  it(
    "pg_sleep(1e6) stops at the limit too",
    async () => {
      const files = [{ name: "m/1_sleep.sql", sql: "select 1;\nselect pg_sleep(1e6);\n" }];
      const error = await rejection(() =>
        checkDatabase(files, { environment: "prod", statementTimeoutMs: 1_500 }),
      );
      expect(error).toMatchObject({ name: "MigrationTimeoutError", file: "m/1_sleep.sql", line: 2 });
      expect((error as Error).message).toContain("within 1500 ms");
    },
    TIMEOUT,
  );

  it(
    "a policy that loops stops the check's own query at the limit (the isolation test runs policies)",
    async () => {
      const sql = `
create function public.spin() returns boolean language plpgsql as $$ begin loop end loop; end $$;
create table public.notes (id uuid primary key, user_id uuid not null references auth.users (id), body text);
alter table public.notes enable row level security;
create policy "notes: owner reads" on public.notes for select to authenticated using (public.spin());
`;
      const error = await rejection(() =>
        checkDatabase([{ name: "m/1_notes.sql", sql }], { environment: "prod", statementTimeoutMs: 2_000 }),
      );
      expect(error).toBeInstanceOf(StatementTimeoutError);
      expect((error as Error).message).toMatch(/^a statement did not finish within 2 s: /);
    },
    TIMEOUT,
  );

  it(
    "the command line: exit 2 with the file and line; the limit from the flag or the environment",
    async () => {
      const run = async (args: string[], env: Record<string, string> = {}) => {
        const io = memoryIo({ cwd: process.cwd(), env: { ...process.env, ...env } });
        const code = await runGolive(args, io);
        return { code, stderr: io.err.join("") };
      };
      const bad = await run([
        "db",
        "check",
        "examples/bee-mvp/supabase/migrations",
        "--statement-timeout",
        "soon",
      ]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('--statement-timeout: "soon" is not a duration');
      const badEnv = await run(["db", "check", "examples/bee-mvp/supabase/migrations"], {
        GOLIVE_STATEMENT_TIMEOUT: "2d",
      });
      expect(badEnv.code).toBe(2);
      expect(badEnv.stderr).toContain("GOLIVE_STATEMENT_TIMEOUT:");
      expect(badEnv.stderr).toContain("a day at most");

      const dir = "test/fixtures/migrations-endless-loop";
      const looped = await run(["db", "check", dir], { GOLIVE_STATEMENT_TIMEOUT: "2s" });
      expect(looped.code).toBe(2);
      expect(looped.stderr).toContain(
        "20250101000100_backfill.sql:6: the statement did not finish within 2 s, the limit per statement",
      );
      expect(looped.stderr).not.toMatch(/^\s+at /m);
    },
    TIMEOUT,
  );
});

describe("the work per statement is constant (linear in the size of the migrations)", () => {
  it("line numbers: the file is read once, each lookup reads nothing", () => {
    const text = Buffer.from(generateMigration(64 * 1024), "utf8");
    let reads = 0;
    const counted = new Proxy(text, {
      get(target, key) {
        if (typeof key === "string" && /^\d+$/.test(key)) reads += 1;
        return Reflect.get(target, key) as unknown;
      },
    });
    const lines = new LineIndex(counted);
    expect(reads).toBe(text.length);
    const newlineOffsets = [...text.keys()].filter((offset) => text[offset] === 0x0a);
    for (const [index, offset] of newlineOffsets.entries()) {
      // The newline itself is on its line; the byte after it starts the next.
      expect(lines.lineAt(offset)).toBe(index + 1);
      expect(lines.lineAt(offset + 1)).toBe(index + 2);
    }
    expect(reads).toBe(text.length);
  });

  it("the Postgres parser runs once per file, whatever the number of statements", async () => {
    const parseSync = vi.mocked(libpgQuery.parseSync);
    parseSync.mockClear();
    const sql = generateMigration(256 * 1024);
    const statements = await parseSqlFile({ name: "big.sql", sql });
    expect(statements.length).toBeGreaterThan(1_000);
    expect(parseSync).toHaveBeenCalledTimes(1);
    // Statements are slices of the file: together no larger than it.
    const total = statements.reduce((sum, statement) => sum + Buffer.byteLength(statement.text, "utf8"), 0);
    expect(total).toBeLessThanOrEqual(Buffer.byteLength(sql, "utf8"));
    expect(statements.at(-1)?.line).toBe(sql.slice(0, sql.lastIndexOf("insert into")).split("\n").length);
  });

  it("applying runs one database call per run of code-free statements (or per other statement), each statement sent once", async () => {
    const statements = await parseSqlFile({ name: "big.sql", sql: generateMigration(128 * 1024) });
    const calls = { exec: 0, query: 0 };
    const sent: string[] = [];
    const session: SqlSession = {
      query: <T>() => {
        calls.query += 1;
        return Promise.resolve({ rows: [{ name: "pgcrypto" }] as T[] });
      },
      exec: (sql: string) => {
        calls.exec += 1;
        sent.push(sql);
        return Promise.resolve([]);
      },
      isInTransaction: () => false,
      close: () => Promise.resolve(),
    };
    await applyStatements(session, [statements]);
    // The expected calls: every run of batchable statements, cut at BATCH_SIZE, is one call.
    let expected = 0;
    let run = 0;
    for (const statement of statements) {
      if (isBatchable(statement)) {
        if (run === 0) expected += 1;
        run = (run + 1) % BATCH_SIZE;
      } else {
        run = 0;
        expected += 1;
      }
    }
    expect(calls).toEqual({ exec: expected, query: 1 });
    expect(calls.exec).toBeLessThan(statements.length / 4);
    // Every statement's text is sent once, in order.
    const all = sent.join("\n");
    let from = 0;
    for (const statement of statements) {
      const at = all.indexOf(statement.text, from);
      expect(at).toBeGreaterThanOrEqual(from);
      from = at + statement.text.length;
    }
    expect(all.length).toBeLessThan(
      statements.reduce((sum, statement) => sum + statement.text.length + 3, 0),
    );
  });
});
