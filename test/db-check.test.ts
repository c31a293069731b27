import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import {
  checkDatabase,
  checkSeedNotInProd,
  createSupabaseTemplate,
  formatDbCheckReport,
  MigrationError,
  runDbCheck,
  SqlSyntaxError,
  type DbCheckResult,
  type DbFinding,
  type SupabaseDatabaseTemplate,
} from "../tooling/db-check";

const fixtures = path.join(__dirname, "fixtures", "migrations");
const fixture = (name: string): string => path.join(fixtures, name);

// One bootstrapped image for the file; each migration set gets a fresh database loaded from it.
let template: SupabaseDatabaseTemplate;
beforeAll(async () => {
  template = await createSupabaseTemplate();
}, 180_000);

const TIMEOUT = 120_000;

function check(name: string, environment: "prod" | "staging" = "prod"): Promise<DbCheckResult> {
  return runDbCheck({ migrationsDir: fixture(name), environment, template });
}

function of(result: DbCheckResult, kind: DbFinding["kind"]): DbFinding[] {
  return result.findings.filter((finding) => finding.kind === kind);
}

function leaks(result: DbCheckResult, table: string): string[] {
  return of(result, "isolation-leak")
    .filter((finding) => finding.table === table)
    .map((finding) => `${finding.actor ?? "?"}:${finding.operation ?? "?"}`)
    .sort();
}

async function rejection(run: () => Promise<unknown>): Promise<unknown> {
  return run().then(
    () => undefined,
    (caught: unknown) => caught,
  );
}

describe("runDbCheck on PGlite", () => {
  it(
    "passes good migrations: RLS and policies everywhere, and no user can reach another's rows",
    async () => {
      const result = await check("good");
      expect(result.findings).toEqual([]);
      expect(result.ok).toBe(true);
      expect(result.coverage.tables).toBe(10);
      const tested = result.coverage.isolationTested.map((table) => `${table.table}.${table.ownerColumn}`);
      expect(tested).toEqual(
        expect.arrayContaining([
          "profiles.id",
          "customers.owner_id",
          "push_tokens.user_id",
          "notification_preferences.user_id",
          "notification_log.user_id",
          "daily_engagement_scores.user_id",
        ]),
      );
      expect(tested).toHaveLength(9);
      expect(result.coverage.isolationSkipped).toEqual([
        expect.objectContaining({ table: "momentum_tips", hasOwner: false }),
      ]);
    },
    TIMEOUT,
  );

  it(
    "catches a migration that leaves RLS off, naming the file and table, and the leaks it opens",
    async () => {
      const result = await check("missing-rls");
      expect(result.ok).toBe(false);
      const [off, ...more] = of(result, "rls-disabled");
      expect(more).toEqual([]);
      expect(off).toMatchObject({
        check: "DB-01",
        severity: "error",
        schema: "public",
        table: "reviews",
        line: 4,
      });
      expect(path.basename(off?.file ?? "")).toBe("20251024040000_reviews.sql");
      expect(off?.message).toContain("20251024040000_reviews.sql:4");
      // Without RLS, the default grants let anyone do anything to any review.
      expect(leaks(result, "reviews")).toEqual([
        "anon:delete",
        "anon:insert",
        "anon:select",
        "anon:update",
        "authenticated:delete",
        "authenticated:insert",
        "authenticated:select",
        "authenticated:update",
      ]);
      expect(leaks(result, "customers")).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    "catches using (true) read policies and a with check (true) insert policy",
    async () => {
      const result = await check("using-true-leak");
      expect(result.ok).toBe(false);
      expect(of(result, "rls-disabled")).toEqual([]);
      expect(leaks(result, "budgets")).toEqual(["authenticated:select"]);
      expect(leaks(result, "transactions")).toEqual(["authenticated:insert"]);
      expect(leaks(result, "savings_goals")).toEqual(["anon:select"]);
      const read = of(result, "isolation-leak").find((finding) => finding.table === "budgets");
      expect(read?.message).toContain("public.budgets");
      expect(read?.message).toContain("user_id");
      expect(path.basename(read?.file ?? "")).toBe("20251024000000_budgets.sql");
    },
    TIMEOUT,
  );

  it(
    "warns about RLS without a policy and follows a table moved into public",
    async () => {
      const noPolicy = await check("rls-without-policy");
      expect(noPolicy.ok).toBe(true);
      expect(of(noPolicy, "no-policy").map((finding) => finding.table)).toEqual(["user_fcm_tokens"]);
      expect(of(noPolicy, "no-policy")[0]?.severity).toBe("warning");

      const renamed = await check("renamed");
      const off = of(renamed, "rls-disabled");
      expect(off.map((finding) => finding.table)).toEqual(["notification_log"]);
      expect(off[0]?.message).toContain("created as staging_area.notification_logs");
      expect(leaks(renamed, "device_tokens")).toEqual([]);
    },
    TIMEOUT,
  );

  it("names the file and line of a SQL syntax error before starting a database", async () => {
    const error = await rejection(() => check("broken"));
    expect(error).toBeInstanceOf(SqlSyntaxError);
    const syntax = error as SqlSyntaxError;
    expect(path.basename(syntax.file)).toBe("20251024010000_broken.sql");
    expect(syntax.line).toBe(5);
    expect(syntax.message).toMatch(
      /20251024010000_broken\.sql:5:22: SQL syntax error: syntax error at or near ","/,
    );
  });

  it(
    "names the file and line of a statement Postgres rejects",
    async () => {
      const files = [
        { name: "migrations/001_ok.sql", sql: "create table public.notes (id int primary key);\n" },
        {
          name: "migrations/002_typo.sql",
          sql: "-- Enable RLS on the new table.\n\nalter table public.notse\n  enable row level security;\n",
        },
      ];
      const error = await rejection(() => checkDatabase(files, { environment: "prod", template }));
      expect(error).toBeInstanceOf(MigrationError);
      const failed = error as MigrationError;
      expect(failed.file).toBe("migrations/002_typo.sql");
      expect(failed.line).toBe(3);
      expect(failed.reason).toContain('relation "public.notse" does not exist');
      expect(failed.message).toContain("migrations/002_typo.sql:3: migration failed");
    },
    TIMEOUT,
  );

  it(
    "skips CREATE EXTENSION of what PGlite lacks, and hints at a stand-in for a missing schema",
    async () => {
      const cron = [
        {
          name: "m/001_jobs.sql",
          sql:
            "create extension if not exists pg_cron with schema extensions;\n" +
            "create extension if not exists pg_trgm with schema extensions;\n" +
            "select cron.schedule('purge-queue', '0 3 * * *', $$delete from public.queue$$);\n",
        },
      ];
      const result = await checkDatabase(cron, { environment: "prod", template });
      expect(result.ok).toBe(true);
      expect(result.skippedStatements).toEqual([
        { file: "m/001_jobs.sql", line: 1, reason: expect.stringContaining("extension pg_cron") as string },
      ]);

      const vault = [
        { name: "m/001_secret.sql", sql: "\nselect vault.create_secret('s3cr3t', 'webhook');\n" },
      ];
      const error = await rejection(() => checkDatabase(vault, { environment: "prod", template }));
      expect(error).toBeInstanceOf(MigrationError);
      expect((error as MigrationError).line).toBe(2);
      expect((error as MigrationError).hint).toContain("extraBootstrapSql");
    },
    TIMEOUT,
  );

  it(
    "flags a seed file in the prod migration set, and allows it in staging",
    async () => {
      const prod = await check("seed-in-prod", "prod");
      expect(prod.ok).toBe(false);
      const seeds = of(prod, "seed-in-prod");
      expect(seeds).toHaveLength(1);
      expect(seeds[0]).toMatchObject({ check: "DB-08", severity: "error" });
      expect(path.basename(seeds[0]?.file ?? "")).toBe("seed.sql");

      const staging = await check("seed-in-prod", "staging");
      expect(staging.ok).toBe(true);
      expect(of(staging, "seed-in-prod")).toEqual([]);
    },
    TIMEOUT,
  );
});

describe("checkSeedNotInProd", () => {
  const set = [
    "supabase/migrations/20251024000000_initial_schema.sql",
    "supabase/migrations/20251024050000_loyalty.sql",
    "supabase/migrations/20251024150000_seed_test_customers.sql",
    "supabase/migrations/20251024160000_proceed_with_billing.sql",
    "supabase/migrations/test_data.sql",
    "supabase/migrations/20251024170000_add_test_results.sql",
  ];

  it("finds seed and test data files by name in prod", () => {
    expect(checkSeedNotInProd(set, "prod").map((finding) => path.basename(finding.file ?? ""))).toEqual([
      "20251024150000_seed_test_customers.sql",
      "test_data.sql",
    ]);
  });

  it("allows them in staging", () => {
    expect(checkSeedNotInProd(set, "staging")).toEqual([]);
  });

  it("takes globs on the base name or the path, and regular expressions", () => {
    const files = [
      "/repo/supabase/seed.sql",
      "/repo/supabase/migrations/001_demo_users.sql",
      "/repo/other/seed.sql",
    ];
    const match = (seedPatterns: (string | RegExp)[]): string[] =>
      checkSeedNotInProd(files, "prod", { seedPatterns }).map((finding) => finding.file ?? "");
    expect(match(["*demo*.sql"])).toEqual(["/repo/supabase/migrations/001_demo_users.sql"]);
    expect(match(["supabase/seed.sql"])).toEqual(["/repo/supabase/seed.sql"]);
    expect(match([/^seed\.sql$/g])).toEqual(["/repo/supabase/seed.sql", "/repo/other/seed.sql"]);
    expect(match(["nothing-*.sql"])).toEqual([]);
  });
});

describe("formatDbCheckReport", () => {
  it("lists errors before warnings with their location, and the coverage and time", () => {
    const report = formatDbCheckReport({
      ok: false,
      environment: "prod",
      findings: [
        {
          check: "DB-01",
          kind: "no-policy",
          severity: "warning",
          schema: "public",
          table: "user_fcm_tokens",
          file: "m/001.sql",
          line: 15,
          message: "public.user_fcm_tokens has RLS enabled but no policy",
        },
        {
          check: "DB-08",
          kind: "seed-in-prod",
          severity: "error",
          file: "m/seed.sql",
          message: "m/seed.sql looks like seed/test data",
        },
      ],
      coverage: {
        tables: 3,
        isolationTested: [{ schema: "public", table: "a" }],
        isolationSkipped: [{ schema: "public", table: "b", reason: "no owner column", hasOwner: false }],
      },
      timingsMs: { database: 2100, migrations: 160, checks: 420 },
    });
    expect(report.split("\n")).toEqual([
      "Database check (prod): FAILED, 1 error, 1 warning",
      "  ERROR DB-08 m/seed.sql looks like seed/test data",
      "  WARN  DB-01 public.user_fcm_tokens has RLS enabled but no policy (m/001.sql:15)",
      "Coverage: 3 tables in exposed schemas; user isolation tested on 1, 1 without an owner column not tested",
      "Time: database start 2.1 s, migrations 0.2 s, checks 0.4 s",
    ]);
  });

  it("says passed when there is no error", () => {
    const report = formatDbCheckReport({
      ok: true,
      environment: "staging",
      findings: [],
      coverage: { tables: 0, isolationTested: [], isolationSkipped: [] },
    });
    expect(report).toBe(
      "Database check (staging): passed, 0 errors, 0 warnings\nCoverage: 0 tables in exposed schemas; user isolation tested on 0",
    );
  });
});
