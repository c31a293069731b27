/**
 * Every seed system as a working example (examples/<system>/): both stack files parse, the
 * migrations pass the static RLS check and the database check on a real Postgres (PGlite), staging
 * seed data never reaches prod, the jobs and thresholds are the ones the seeds give, the golive
 * program builds each stack offline under the recording engine, and each prod plan passes the
 * policy pack (as `golive plan --config examples/<system>/Pulumi.prod.yaml` runs it).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseStackConfig, type RawConfig, type StackConfig } from "../config/load";
import { resolveCronJobs, type ResolvedCronJob } from "../config/schema/cron";
import {
  checkDatabase,
  checkSeedNotInProd,
  createSupabaseTemplate,
  formatDbCheckReport,
  runDbCheck,
  type DbCheckResult,
  type SupabaseDatabaseTemplate,
} from "../tooling/db-check";
import { nextRuns } from "../lib/cron";
import { readMigrationFiles } from "../lib/sql/migrations";
import { checkRlsInMigrations } from "../lib/sql/rls";
import type { Recording } from "../tooling/engine/record";
import { readProject } from "../tooling/plan/project";
import { planStacks, type PlannedStack } from "../tooling/plan/run";
import { isSecret, type RecordedValue } from "../tooling/engine/wire";
import { PLACEHOLDER_MARK, readStackFile, withPlaceholderSecrets } from "../tooling/stack-files";
import { REPO_ROOT } from "./support/stacks";

const EXAMPLES = ["budgetzen-notifications", "piggybong", "bee-mvp", "alaska-pay", "dirt-free-crm"] as const;
type Example = (typeof EXAMPLES)[number];
const ENVIRONMENTS = ["staging", "prod"] as const;
type Environment = (typeof ENVIRONMENTS)[number];

const CASES = EXAMPLES.flatMap((example) => ENVIRONMENTS.map((environment) => ({ example, environment })));

function exampleDir(example: Example): string {
  return path.join(REPO_ROOT, "examples", example);
}

function stackFile(example: Example, environment: Environment): string {
  return path.join(exampleDir(example), `Pulumi.${environment}.yaml`);
}

const configs = new Map<string, StackConfig>();

/** The example's stack file as an offline plan reads it: operator secrets filled by placeholders. */
function exampleRawConfig(example: Example, environment: Environment): RawConfig {
  return withPlaceholderSecrets(readStackFile(stackFile(example, environment), environment)).config;
}

function exampleConfig(example: Example, environment: Environment): StackConfig {
  const key = `${example}/${environment}`;
  let config = configs.get(key);
  if (!config) {
    config = parseStackConfig(exampleRawConfig(example, environment));
    configs.set(key, config);
  }
  return config;
}

function migrationsDirOf(config: StackConfig): string {
  return path.resolve(REPO_ROOT, config.database.migrationsDir);
}

function jobsOf(config: StackConfig): ResolvedCronJob[] {
  return resolveCronJobs(config.cron);
}

/** Seed 004, "Cron Jobs to Configure in Vercel": 18 jobs, each at /api/cron/execute/<job>. */
const SEED_004_JOBS: Readonly<Record<string, string>> = {
  "process-opportunity-offers": "0 8 * * *",
  "check-stale-opportunities": "0 9 * * *",
  "process-promotion-deliveries": "*/30 * * * *",
  "schedule-birthday-promotions": "0 6 * * *",
  "schedule-anniversary-promotions": "0 6 * * *",
  "send-review-requests": "0 */6 * * *",
  "sync-google-reviews": "0 2 * * *",
  "process-loyalty-tier-upgrades": "0 3 * * *",
  "award-birthday-points": "0 0 * * *",
  "award-anniversary-points": "0 0 * * *",
  "calculate-daily-metrics": "0 1 * * *",
  "generate-weekly-report": "0 4 * * 1",
  "check-system-health": "*/15 * * * *",
  "cleanup-old-notifications": "0 2 * * 0",
  "cleanup-old-logs": "0 3 * * 0",
  "cleanup-expired-sessions": "0 4 * * *",
  "archive-old-opportunities": "0 5 * * 0",
  "generate-scheduled-reports": "0 6 * * *",
};

/** Seed 004, "Migration Files to Run (in order)". */
const SEED_004_MIGRATIONS = [
  "20251024000000_initial_schema.sql",
  "20251024010000_portal_enhancements.sql",
  "20251024020000_opportunities.sql",
  "20251024030000_promotions.sql",
  "20251024040000_reviews.sql",
  "20251024050000_loyalty.sql",
  "20251024060000_referrals.sql",
  "20251024070000_chatbot.sql",
  "20251024080000_analytics.sql",
  "20251024090000_monitoring.sql",
  "20251024100000_audit_logs.sql",
  "20251024110000_portal_activity.sql",
  "20251024120000_vehicle_board.sql",
  "20251024130000_cron_job_logs.sql",
  "20251024140000_scheduled_reports.sql",
];

/** Seed 000, step 3: the four edge functions deployed. */
const SEED_000_FUNCTIONS = [
  "send-notification",
  "schedule-daily-jobs",
  "process-queue",
  "schedule-weekly-jobs",
];

// A fixed Monday, so run times do not depend on when the test runs.
const FROM = new Date("2026-03-02T00:00:00Z");
const MINUTE = 60_000;

function gapsInMinutes(runs: readonly Date[]): number[] {
  return runs.slice(1).map((run, index) => (run.getTime() - (runs[index]?.getTime() ?? 0)) / MINUTE);
}

/** HH:MM in UTC of every run of the jobs within the next `days` days. */
function utcTimesOfDay(jobs: readonly ResolvedCronJob[], days: number): string[] {
  const until = FROM.getTime() + days * 24 * 60 * MINUTE;
  return jobs
    .flatMap((job) => nextRuns(job.schedule.expression, job.schedule.timeZone, FROM, 100))
    .filter((run) => run.getTime() < until)
    .map((run) => run.toISOString().slice(11, 16))
    .sort();
}

function functionOf(job: ResolvedCronJob): string | undefined {
  const url = new URL(job.endpoint);
  return /^\/functions\/v1\/([a-z0-9-]+)$/.exec(url.pathname)?.[1];
}

/** Tuesday 10:00 UTC, inside the default prod change window (ENV-04), as offline plans pin it. */
const PACK_CLOCK = "2026-03-03T10:00:00Z";
/**
 * Policy packs started at once. Each compiles the pack on one core; one at a time leaves the other
 * core to the database checks, which run meanwhile (see the beforeAll below).
 */
const PACKS_AT_ONCE = 1;

const examplePlans = new Map<Environment, Promise<ReadonlyMap<Example, PlannedStack>>>();

/**
 * `golive plan --config examples/<system>/Pulumi.<environment>.yaml` for every example: the program
 * under the recording engine, then the policy pack launched as the Pulumi CLI launches it and run
 * over what the program would deploy.
 */
function planExamples(environment: Environment): Promise<ReadonlyMap<Example, PlannedStack>> {
  let plans = examplePlans.get(environment);
  if (plans === undefined) {
    plans = (async () => {
      const project = readProject(REPO_ROOT);
      const planned = new Map<Example, PlannedStack>();
      for (let start = 0; start < EXAMPLES.length; start += PACKS_AT_ONCE) {
        const batch = EXAMPLES.slice(start, start + PACKS_AT_ONCE);
        const results = await planStacks({
          project,
          targets: batch.map((example) => ({
            stack: environment,
            configFile: stackFile(example, environment),
          })),
          preview: false,
          clock: PACK_CLOCK,
        });
        batch.forEach((example, index) => planned.set(example, results[index]!));
      }
      return planned;
    })();
    examplePlans.set(environment, plans);
  }
  return plans;
}

// The plans take longest: start them first (prod, then staging), so they run while the other
// checks do. Their failures are reported by the tests that await them.
beforeAll(() => {
  planExamples("prod")
    .then(() => planExamples("staging"))
    .catch(() => undefined);
});

describe("example stack files", () => {
  it.each(CASES)(
    "$example $environment parses with placeholder operator secrets",
    ({ example, environment }) => {
      const config = exampleConfig(example, environment);
      expect(config.environment).toBe(environment);
      expect(config.aws.allowedAccountIds).toEqual([config.app.awsAccounts[environment]]);
      expect(config.database.migrationsDir).toBe(`examples/${example}/supabase/migrations`);
      for (const value of Object.values(config.providedSecrets)) expect(value).toContain(PLACEHOLDER_MARK);
    },
  );

  it.each(EXAMPLES)("%s: staging and prod are separate accounts and hosts of one app", (example) => {
    const staging = exampleConfig(example, "staging");
    const prod = exampleConfig(example, "prod");
    expect(staging.app.awsAccounts).toEqual(prod.app.awsAccounts);
    expect(staging.app.awsAccounts.staging).not.toBe(staging.app.awsAccounts.prod);
    expect(staging.app.hostname).not.toBe(prod.app.hostname);
    expect(staging.app.name).toBe(prod.app.name);
    expect(staging.database.migrationsDir).toBe(prod.database.migrationsDir);
  });

  it.each(CASES)("$example $environment uses keys of its own mode only", ({ example, environment }) => {
    const config = exampleConfig(example, environment);
    const wrongMode = environment === "prod" ? /_test_/ : /_live_/;
    const rightMode = environment === "prod" ? /^(sk|rk|pk)_live_/ : /^(sk|rk|pk)_test_/;
    for (const secret of config.secrets.provided.filter((declared) => declared.kind)) {
      expect(config.providedSecrets[secret.name], secret.name).toMatch(rightMode);
    }
    for (const [name, variable] of Object.entries(config.secrets.public)) {
      if (!("value" in variable)) continue;
      expect(variable.value, name).not.toMatch(wrongMode);
      if (variable.kind) expect(variable.value, name).toMatch(rightMode);
    }
  });

  it("every system has its own domain and AWS accounts", () => {
    const prods = EXAMPLES.map((example) => exampleConfig(example, "prod"));
    const domains = prods.map((config) => config.app.domain);
    const accounts = prods.flatMap((config) => [config.app.awsAccounts.staging, config.app.awsAccounts.prod]);
    expect(new Set(domains).size).toBe(EXAMPLES.length);
    expect(new Set(accounts).size).toBe(EXAMPLES.length * 2);
  });

  it("seed data is listed for staging only, and the files exist outside the migrations", () => {
    for (const example of EXAMPLES) {
      expect(exampleConfig(example, "prod").database.seedFiles, example).toEqual([]);
      const staging = exampleConfig(example, "staging");
      for (const file of staging.database.seedFiles) {
        expect(existsSync(path.resolve(REPO_ROOT, file)), file).toBe(true);
        expect(path.resolve(REPO_ROOT, file).startsWith(migrationsDirOf(staging) + path.sep), file).toBe(
          false,
        );
      }
    }
    expect(exampleConfig("dirt-free-crm", "staging").database.seedFiles).toEqual([
      "examples/dirt-free-crm/supabase/seed.sql",
    ]);
    // The DB-08 check this relies on flags that file in prod.
    const flagged = checkSeedNotInProd(["examples/dirt-free-crm/supabase/seed.sql"], "prod");
    expect(flagged.map((finding) => finding.check)).toEqual(["DB-08"]);
  });

  it.each(EXAMPLES)("%s has a README with a Gaps section", (example) => {
    const readme = readFileSync(path.join(exampleDir(example), "README.md"), "utf8");
    const gaps = readme.split(/^## Gaps\b.*$/m)[1];
    expect(gaps, `${example}/README.md needs a "## Gaps" section`).toBeDefined();
    expect(gaps?.match(/^- /gm)?.length ?? 0).toBeGreaterThan(0);
  });
});

describe("jobs and thresholds from the seeds", () => {
  it.each(ENVIRONMENTS)(
    "Dirt Free CRM (004) %s has the seed's 18 jobs at /api/cron/execute/<job>",
    (environment) => {
      const jobs = jobsOf(exampleConfig("dirt-free-crm", environment));
      expect(Object.fromEntries(jobs.map((job) => [job.name, job.schedule.expression]))).toEqual(
        SEED_004_JOBS,
      );
      for (const job of jobs) {
        expect(job.endpoint).toBe(`/api/cron/execute/${job.name}`);
        expect(job.method).toBe("POST");
        expect(job.schedule.timeZone).toBe("UTC");
      }
    },
  );

  it.each(ENVIRONMENTS)("the root %s stack is the Dirt Free CRM example", (environment) => {
    const root = readStackFile(path.join(REPO_ROOT, `Pulumi.${environment}.yaml`), environment);
    const example = readStackFile(stackFile("dirt-free-crm", environment), environment);
    expect(example.values).toEqual(root.values);
  });

  it.each(ENVIRONMENTS)("BudgetZen (000) %s schedules the seed's edge functions", (environment) => {
    const jobs = jobsOf(exampleConfig("budgetzen-notifications", environment));
    for (const job of jobs) {
      expect(job.endpoint, job.name).toMatch(/^https:\/\//);
      expect(SEED_000_FUNCTIONS, job.name).toContain(functionOf(job));
    }
    const calling = (name: string) => jobs.filter((job) => functionOf(job) === name && job.enabled);

    // "Every 5 minutes: */5 * * * *"
    const queue = calling("process-queue");
    expect(queue).toHaveLength(1);
    const queueRuns = nextRuns(queue[0]!.schedule.expression, queue[0]!.schedule.timeZone, FROM, 24);
    expect(new Set(gapsInMinutes(queueRuns))).toEqual(new Set([5]));

    // "Daily at 7 AM UTC: 0 7 * * *", "Daily at 7 PM UTC: 0 19 * * *"
    const daily = calling("schedule-daily-jobs");
    expect(utcTimesOfDay(daily, 3)).toEqual(["07:00", "07:00", "07:00", "19:00", "19:00", "19:00"]);
    for (const job of daily) expect(job.schedule.timeZone).toBe("UTC");

    // schedule-weekly-jobs: once a week (Monday 08:00 UTC, the seed's weekly slot).
    const weekly = calling("schedule-weekly-jobs");
    expect(weekly).toHaveLength(1);
    const weeklyRuns = nextRuns(weekly[0]!.schedule.expression, weekly[0]!.schedule.timeZone, FROM, 4);
    expect(new Set(gapsInMinutes(weeklyRuns))).toEqual(new Set([7 * 24 * 60]));
    expect(weeklyRuns[0]?.toISOString()).toBe("2026-03-02T08:00:00.000Z");

    // The jobs authenticate with a generated secret the edge functions receive.
    const secret = exampleConfig("budgetzen-notifications", environment).secrets.generated.find(
      (generated) => generated.name === "CRON_SECRET",
    );
    expect(secret?.edgeFunction).toBe(true);
  });

  it("BudgetZen (000): latency alarm above 5 s, earlier in prod where the checklist's 2 s applies", () => {
    expect(exampleConfig("budgetzen-notifications", "staging").alerts.latency.p95Seconds).toBe(5);
    expect(exampleConfig("budgetzen-notifications", "prod").alerts.latency.p95Seconds).toBeLessThanOrEqual(2);
  });

  it("BudgetZen (000): error rate above 5% (prod: API errors above 1%), database size above 80%", () => {
    const staging = exampleConfig("budgetzen-notifications", "staging").alerts.thresholds;
    const prod = exampleConfig("budgetzen-notifications", "prod").alerts.thresholds;
    expect(staging.errorRatePercent).toBe(5);
    expect(prod.errorRatePercent).toBe(1);
    expect(prod.diskPercent).toBe(80);
  });

  it("PiggyBong (001): budget alert at 80%, the seed's memory settings, 30/365 days of logs", () => {
    const prod = exampleConfig("piggybong", "prod");
    expect(prod.billing.actualAlertPercent).toBe(80);
    expect(exampleConfig("piggybong", "staging").billing.actualAlertPercent).toBe(80);
    expect(prod.database.postgres).toMatchObject({
      sharedBuffers: "256MB",
      effectiveCacheSize: "1GB",
      workMem: "4MB",
      maintenanceWorkMem: "64MB",
    });
    expect(prod.alerts.logs).toMatchObject({ debugRetentionDays: 30, auditRetentionDays: 365 });
    // Scaling triggers: error rate > 2%, connections > 80%, memory > 85%; prod is capped at 1% and 80%.
    expect(exampleConfig("piggybong", "staging").alerts.thresholds).toMatchObject({
      errorRatePercent: 2,
      connectionsPercent: 80,
      memoryPercent: 85,
    });
    expect(prod.alerts.thresholds).toMatchObject({
      errorRatePercent: 1,
      connectionsPercent: 80,
      memoryPercent: 80,
    });
    expect(prod.cdn.admin?.paths).toContain("/admin*");
  });

  it("BEE MVP (002): edge functions under 2 s p95, errors under 1%, 99.9% uptime", () => {
    const prod = exampleConfig("bee-mvp", "prod");
    expect(prod.alerts.thresholds.errorRatePercent).toBe(1);
    expect(prod.alerts.latency.p95Seconds).toBe(2);
    expect(prod.alerts.uptime.targetPercent).toBe(99.9);
  });

  it("Alaska Pay (003): day-1 targets of 99.9% uptime, 200 ms responses, errors under 0.1%", () => {
    const prod = exampleConfig("alaska-pay", "prod");
    expect(prod.alerts.thresholds.errorRatePercent).toBe(0.1);
    expect(prod.alerts.uptime.targetPercent).toBe(99.9);
    expect(prod.alerts.latency.p95Seconds).toBe(0.2);
  });

  it("Dirt Free CRM (004): uptime 99.9%, response time above 2 s and error rate above 1% alarm", () => {
    const prod = exampleConfig("dirt-free-crm", "prod");
    expect(prod.alerts.thresholds.errorRatePercent).toBe(1);
    expect(prod.alerts.uptime.targetPercent).toBe(99.9);
    expect(prod.alerts.latency.p95Seconds).toBe(2);
  });
});

describe("example migrations", () => {
  it("Dirt Free CRM has exactly the 15 migrations of seed 004, in order", () => {
    const names = readdirSync(migrationsDirOf(exampleConfig("dirt-free-crm", "prod")))
      .filter((name) => name.endsWith(".sql"))
      .sort();
    expect(names).toEqual(SEED_004_MIGRATIONS);
  });

  it.each(EXAMPLES)("%s: every exposed table has RLS and a policy (static check)", async (example) => {
    const config = exampleConfig(example, "prod");
    const result = await checkRlsInMigrations(migrationsDirOf(config), {
      exposedSchemas: config.database.api.schemas,
    });
    const exposed = result.tables.filter((table) => config.database.api.schemas.includes(table.schema));
    expect(exposed.length).toBeGreaterThan(0);
    expect(result.tablesWithoutRls.map((table) => table.table)).toEqual([]);
    expect(result.tablesWithoutPolicies.map((table) => table.table)).toEqual([]);
    expect(result.unanalyzed).toEqual([]);
  });

  it("BEE MVP keeps the policies seed 002 shows", async () => {
    const result = await checkRlsInMigrations(migrationsDirOf(exampleConfig("bee-mvp", "prod")));
    const policies = Object.fromEntries(result.tables.map((table) => [table.table, table.policies]));
    expect(policies.engagement_events).toContain("Users can only see their own data");
    expect(policies.daily_engagement_scores).toContain("Users can only see their own scores");
    expect(policies.user_fcm_tokens?.length).toBeGreaterThan(0);
  });

  it("BudgetZen has the tables seed 000 queries", async () => {
    const result = await checkRlsInMigrations(
      migrationsDirOf(exampleConfig("budgetzen-notifications", "prod")),
    );
    expect(result.tables.map((table) => table.table)).toEqual(
      expect.arrayContaining([
        "notification_queue",
        "notification_log",
        "push_tokens",
        "notification_preferences",
      ]),
    );
  });
});

describe("example databases (PGlite)", () => {
  // One bootstrapped image; each example and environment gets a fresh database loaded from it.
  let template: SupabaseDatabaseTemplate;
  beforeAll(async () => {
    template = await createSupabaseTemplate();
  }, 180_000);

  const runs = new Map<string, Promise<DbCheckResult>>();

  /**
   * Prod: the migrations alone. Staging: the migrations, then the staging seed files, as staging is
   * built. A staging set without seed files is the prod set; it is checked once, as prod, which adds
   * the seed-file check (the only part of the check that depends on the environment).
   */
  function checkExample(example: Example, environment: Environment): Promise<DbCheckResult> {
    const config = exampleConfig(example, environment);
    const seedFiles = config.database.seedFiles;
    const key = `${example}\u0000${seedFiles.join("\u0000")}`;
    let run = runs.get(key);
    if (!run) {
      run = runCheck(config, seedFiles.length === 0 ? "prod" : environment);
      runs.set(key, run);
    }
    return run;
  }

  async function runCheck(config: StackConfig, environment: Environment): Promise<DbCheckResult> {
    const options = { environment, exposedSchemas: config.database.api.schemas, template };
    if (config.database.seedFiles.length === 0) {
      return runDbCheck({ ...options, migrationsDir: migrationsDirOf(config) });
    }
    const seeds = config.database.seedFiles.map((file) => ({
      name: file,
      sql: readFileSync(path.resolve(REPO_ROOT, file), "utf8"),
    }));
    // Seed files sort after the timestamped migrations (base names "seed..." > "2025..."), so they run last.
    return checkDatabase([...(await readMigrationFiles(migrationsDirOf(config))), ...seeds], options);
  }

  it.each(CASES)(
    "$example $environment: RLS, policies, user isolation and no seed data in prod",
    async ({ example, environment }) => {
      const result = await checkExample(example, environment);
      expect(result.findings, formatDbCheckReport(result)).toEqual([]);
      expect(result.ok).toBe(true);
      expect(result.coverage.tables).toBeGreaterThan(0);
      expect(result.coverage.isolationTested.length).toBeGreaterThan(0);
      // Tables not tested for isolation are only those without an owner column (system tables).
      expect(result.coverage.isolationSkipped.filter((skip) => skip.hasOwner)).toEqual([]);
    },
    120_000,
  );
});

describe("example programs, offline", () => {
  function schedulesOf(recording: Recording) {
    return recording.resources.filter((resource) => resource.type === "aws:scheduler/schedule:Schedule");
  }

  function plain(value: RecordedValue | undefined): RecordedValue | undefined {
    return value !== undefined && isSecret(value) ? value.value : value;
  }

  it.each(CASES)(
    "$example $environment: the program builds the environment and one schedule per job",
    async ({ example, environment }) => {
      const config = exampleConfig(example, environment);
      const recording = (await planExamples(environment)).get(example)!.recording;
      expect(recording.logs.filter((log) => log.severity === "error")).toEqual([]);
      const projects = recording.resources.filter(
        (resource) => resource.type === "supabase:index/project:Project",
      );
      expect(projects).toHaveLength(1);
      expect(projects[0]?.options.protect).toBe(environment === "prod");

      // Each job's schedule calls the URL the config gives: a path on the app host or an edge function.
      const expected = Object.fromEntries(
        jobsOf(config).map((job) => [
          job.name,
          job.endpoint.startsWith("/") ? `https://${config.app.hostname}${job.endpoint}` : job.endpoint,
        ]),
      );
      const called = Object.fromEntries(
        schedulesOf(recording).map((schedule) => {
          const target = plain(schedule.inputs.target) as { input?: RecordedValue } | undefined;
          const input = plain(target?.input);
          const url = typeof input === "string" ? (JSON.parse(input) as { url?: string }).url : undefined;
          return [plain(schedule.inputs.name), url];
        }),
      );
      expect(called).toEqual(expected);
    },
    180_000,
  );
});

describe("example plans and the policy pack", () => {
  /** What would block `pulumi up`: the pack's mandatory diagnostics, as `policy: message`. */
  function blocking(planned: PlannedStack): string[] {
    return planned.policy.analysis.diagnostics
      .filter((diagnostic) => diagnostic.enforcementLevel === "mandatory")
      .map((diagnostic) => `${diagnostic.policyName}: ${diagnostic.message}`)
      .sort();
  }

  it.each(EXAMPLES)(
    "%s prod: the pack runs its database policies on the example's migrations and they pass",
    async (example) => {
      const planned = (await planExamples("prod")).get(example)!;
      const policies = planned.policy.info.policies.map((policy) => policy.name);
      const database = ["db-01-rls-enabled", "db-08-no-seed-data-in-prod"];
      expect(policies).toEqual(expect.arrayContaining(database));
      // They apply to the Supabase project (every other resource answers "not applicable").
      const project = planned.recording.resources.find(
        (resource) => resource.type === "supabase:index/project:Project",
      );
      expect(project).toBeDefined();
      const skipped = planned.policy.analysis.notApplicable.filter(
        (entry) => entry.urn === project?.urn && database.includes(entry.policyName),
      );
      expect(skipped).toEqual([]);
      const findings = planned.policy.analysis.diagnostics.filter((diagnostic) =>
        database.includes(diagnostic.policyName),
      );
      expect(findings.map((diagnostic) => diagnostic.message)).toEqual([]);
    },
    300_000,
  );

  it.each(CASES)(
    "$example $environment: no mandatory policy violation",
    async ({ example, environment }) => {
      const planned = (await planExamples(environment)).get(example)!;
      expect(blocking(planned)).toEqual([]);
    },
    300_000,
  );
});
