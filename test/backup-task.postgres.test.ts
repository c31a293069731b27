/**
 * The backup task's scripts (backup-task/) against a real PostgreSQL server: a Supabase-like
 * database (golive db check's bootstrap: roles, auth schema, RLS) with an example app's migrations
 * and seed data is dumped, uploaded to a local directory standing in for the bucket, fetched,
 * restored into a fresh database and verified. Corrupted, truncated and mismatched backups and an
 * empty database fail the drill with a clear message.
 *
 * Needs GOLIVE_TEST_POSTGRES_URL (a superuser URL; `npm run test:postgres` starts a throwaway
 * server with tooling/postgres/start-test-server.sh) and pg_dump/psql on PATH. Skipped without it.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SUPABASE_BOOTSTRAP_SQL } from "../tooling/db-check/bootstrap";
import { backupKeys, taskScript, type TaskScript } from "../lib/backup";

const SERVER = process.env.GOLIVE_TEST_POSTGRES_URL;
const ROOT = path.join(__dirname, "..");
const APP = path.join(ROOT, "examples", "dirt-free-crm", "supabase");

if (!SERVER) {
  console.warn(
    "backup-task.postgres.test.ts skipped: GOLIVE_TEST_POSTGRES_URL is not set (npm run test:postgres sets it)",
  );
}

function databaseUrl(name: string): string {
  const url = new URL(SERVER!);
  url.pathname = `/${name}`;
  return url.toString();
}

function psql(url: string, sql: string): string {
  return execFileSync("psql", ["--no-psqlrc", "-qtA", "-v", "ON_ERROR_STOP=1", "--dbname", url], {
    input: sql,
    encoding: "utf8",
    // The server stops a statement after 60s (start-test-server.sh); this ends psql itself if not.
    timeout: 180_000,
  }).trim();
}

/** golive db check's Supabase bootstrap; roles are cluster-wide, so each is created once. */
function bootstrap(url: string): void {
  psql(
    url,
    SUPABASE_BOOTSTRAP_SQL.replace(
      /^create role ([a-z_]+)([^;]*);/gm,
      "do $$$$ begin create role $1$2; exception when duplicate_object then null; end $$$$;",
    ),
  );
}

let counter = 0;
function freshDatabase(prefix: string): string {
  const name = `${prefix}_${process.pid}_${counter++}`;
  psql(SERVER!, `drop database if exists ${name}; create database ${name};`);
  return databaseUrl(name);
}

interface Run {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(script: TaskScript, env: Record<string, string>): Run {
  const result = spawnSync("bash", ["-c", taskScript(script)], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env },
    encoding: "utf8",
  });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

const temp = fs.mkdtempSync(path.join(os.tmpdir(), "golive-backup-test-"));
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));

function dir(name: string): string {
  const made = path.join(temp, `${name}-${counter++}`);
  fs.mkdirSync(made, { recursive: true });
  return made;
}

/** dump → upload to a directory → fetch into a new workdir; returns what the drill needs. */
function backupAndFetch(source: string, now = "2026-03-01T03:00:00Z") {
  const work = dir("work");
  const bucket = dir("bucket");
  const metrics = path.join(bucket, "metrics.txt");
  const common = { BACKUP_WORKDIR: work, BACKUP_NAME: "crm-prod", BACKUP_DESTINATION: `file://${bucket}` };
  const dumped = run("backup.sh", { ...common, DATABASE_URL: source, BACKUP_NOW: now });
  const uploaded = run("upload.sh", {
    ...common,
    BACKUP_METRICS: `file:${metrics}`,
    BACKUP_JOB: "crm-prod-backup",
  });
  const drillWork = dir("drill");
  const fetched = run("fetch.sh", { BACKUP_WORKDIR: drillWork, BACKUP_DESTINATION: `file://${bucket}` });
  return { work, bucket, metrics, drillWork, dumped, uploaded, fetched };
}

function drill(drillWork: string, metrics?: string): { drill: Run; report: Run; result: string } {
  const target = freshDatabase("drill");
  const drillRun = run("drill.sh", {
    BACKUP_WORKDIR: drillWork,
    DRILL_DATABASE_URL: target,
    DRILL_EXPOSED_SCHEMAS: "public",
  });
  const report = run("report.sh", {
    BACKUP_WORKDIR: drillWork,
    BACKUP_NAME: "crm-prod",
    BACKUP_JOB: "crm-prod-restore-drill",
    BACKUP_METRICS: metrics ? `file:${metrics}` : "off",
  });
  const result = fs.existsSync(path.join(drillWork, "drill-result"))
    ? fs.readFileSync(path.join(drillWork, "drill-result"), "utf8").trim()
    : "";
  return { drill: drillRun, report, result };
}

describe.skipIf(!SERVER)("backup and restore drill against PostgreSQL", () => {
  let app = "";

  beforeAll(() => {
    app = freshDatabase("app");
    bootstrap(app);
    const migrations = fs.readdirSync(path.join(APP, "migrations")).sort();
    for (const file of migrations) psql(app, fs.readFileSync(path.join(APP, "migrations", file), "utf8"));
    psql(app, fs.readFileSync(path.join(APP, "seed.sql"), "utf8"));
  }, 120_000);

  it("a migration that loops or sleeps is stopped by the server's statement_timeout, not hung", () => {
    expect(psql(app, "show statement_timeout")).toBe("1min");
    // The same limit, shortened for the test: the loop and the sleep of the db check's tests.
    for (const statement of ["do $$ begin loop end loop; end $$", "select pg_sleep(1e6)"]) {
      expect(() => psql(app, `set statement_timeout = '1s'; ${statement};`)).toThrow(
        /canceling statement due to statement timeout/,
      );
    }
  });

  it("dumps, uploads under dated tier keys, restores and verifies", () => {
    const { bucket, metrics, drillWork, dumped, uploaded, fetched } = backupAndFetch(app);
    expect(dumped.status, dumped.stderr).toBe(0);
    expect(uploaded.status, uploaded.stderr).toBe(0);
    expect(fetched.status, fetched.stderr).toBe(0);

    // A Sunday and the 1st: daily, weekly and monthly copies, named as lib/backup.ts names them.
    const keys = backupKeys("crm-prod", new Date("2026-03-01T03:00:00Z"), "scheduled", 0);
    expect(keys).toHaveLength(3);
    for (const key of keys) {
      expect(fs.existsSync(path.join(bucket, key))).toBe(true);
      expect(fs.readFileSync(path.join(bucket, `${key}.metadata`), "utf8")).toMatch(
        /^sha256=[0-9a-f]{64},tables=\d+,/,
      );
    }
    const manifest = JSON.parse(fs.readFileSync(path.join(bucket, "latest.json"), "utf8")) as {
      keys: string[];
      sha256: string;
      tables: string[];
      tablesWithRows: string[];
    };
    expect(manifest.keys).toEqual(keys);
    expect(manifest.tables).toEqual(
      expect.arrayContaining(["auth.users", "public.customers", "public.jobs"]),
    );
    expect(manifest.tablesWithRows).toContain("public.customers");
    expect(fs.readFileSync(metrics, "utf8")).toMatch(/^BackupSucceeded 1 Count$/m);
    expect(fs.readFileSync(metrics, "utf8")).toMatch(/^Failure 0 Count Job=crm-prod-backup$/m);

    const { drill: drillRun, report, result } = drill(drillWork, metrics);
    expect(drillRun.status, drillRun.stderr).toBe(0);
    expect(result).toMatch(
      /^ok: \d+ tables restored, \d+ with rows, RLS on every table in: public; sha256 [0-9a-f]{64}/,
    );
    expect(report.status).toBe(0);
    expect(fs.readFileSync(metrics, "utf8")).toMatch(/^RestoreDrillSucceeded 1 Count$/m);
  }, 120_000);

  it("fails the drill on a corrupted backup", () => {
    const { drillWork } = backupAndFetch(app);
    const dump = path.join(drillWork, "db.dump");
    const bytes = fs.readFileSync(dump);
    const middle = Math.floor(bytes.length / 2);
    bytes[middle] = bytes[middle]! ^ 0xff;
    fs.writeFileSync(dump, bytes);
    const { drill: drillRun, report, result } = drill(drillWork);
    expect(drillRun.status).not.toBe(0);
    expect(result).toMatch(
      /^failed: checksum mismatch: the backup's SHA-256 is [0-9a-f]{64}, its manifest says/,
    );
    expect(report.status).not.toBe(0);
    expect(report.stderr).toContain("restore drill failed: checksum mismatch");
  }, 120_000);

  it("fails the drill on a truncated backup, even when the manifest's checksum matches it", () => {
    const { drillWork } = backupAndFetch(app);
    const dump = path.join(drillWork, "db.dump");
    fs.truncateSync(dump, Math.floor(fs.statSync(dump).size / 3));
    // A manifest rewritten to match: the archive itself must still be proven readable.
    const manifestPath = path.join(drillWork, "manifest.json");
    const sha = execFileSync("sha256sum", [dump], { encoding: "utf8" }).split(" ")[0]!;
    fs.writeFileSync(
      manifestPath,
      fs.readFileSync(manifestPath, "utf8").replace(/"sha256": "[0-9a-f]{64}"/, `"sha256": "${sha}"`),
    );
    const { drill: drillRun, result } = drill(drillWork);
    expect(drillRun.status).not.toBe(0);
    expect(result).toMatch(/^failed: (pg_restore cannot read the backup|pg_restore failed)/);
  }, 120_000);

  it("fails the drill on a wrong checksum in the manifest", () => {
    const { drillWork } = backupAndFetch(app);
    const manifestPath = path.join(drillWork, "manifest.json");
    fs.writeFileSync(
      manifestPath,
      fs
        .readFileSync(manifestPath, "utf8")
        .replace(/"sha256": "[0-9a-f]{64}"/, `"sha256": "${"0".repeat(64)}"`),
    );
    const { result } = drill(drillWork);
    expect(result).toMatch(/^failed: checksum mismatch: .* its manifest says 0{64}/);
  }, 120_000);

  it("fails the drill on a backup of an empty database", () => {
    const empty = freshDatabase("empty");
    bootstrap(empty);
    psql(
      empty,
      "create table public.notes (id bigint primary key, body text); alter table public.notes enable row level security;",
    );
    const { dumped, drillWork } = backupAndFetch(empty);
    expect(dumped.status, dumped.stderr).toBe(0);
    const { drill: drillRun, result } = drill(drillWork);
    expect(drillRun.status).not.toBe(0);
    expect(result).toMatch(
      /^failed: the restore brought back no rows in any of \d+ tables: the backup is of an empty database$/,
    );
  }, 120_000);

  it("fails the backup itself when the database has no tables at all", () => {
    const bare = freshDatabase("bare");
    const { dumped } = backupAndFetch(bare);
    expect(dumped.status).not.toBe(0);
    expect(dumped.stderr).toMatch(/backup failed: the dump holds no tables/);
  }, 120_000);

  it("fails the drill when an exposed table lost row level security", () => {
    const source = freshDatabase("norls");
    bootstrap(source);
    psql(source, "create table public.leaky (id int); insert into public.leaky values (1);");
    const { drillWork } = backupAndFetch(source);
    const { result } = drill(drillWork);
    expect(result).toBe(
      "failed: row level security is off on 1 exposed tables after the restore: public.leaky",
    );
  }, 120_000);

  it("fails the drill when there is nothing to restore", () => {
    const bucket = dir("empty-bucket");
    const fetched = run("fetch.sh", { BACKUP_WORKDIR: dir("w"), BACKUP_DESTINATION: `file://${bucket}` });
    expect(fetched.status).not.toBe(0);
    expect(fetched.stderr).toContain("no latest.json");
    const { result } = drill(dir("nothing"));
    expect(result).toMatch(/^failed: no manifest to verify against/);
  }, 120_000);
});
