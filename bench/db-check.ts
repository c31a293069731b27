/**
 * `npm run bench:db`: how `golive db check` scales with the size of the migrations. For each size it
 * writes one realistic migration (bench/sql-migration.ts: tables, RLS policies, functions, triggers,
 * views, inserts) to a temporary folder and runs the check as the CLI does (runDbCheck), one size per
 * fresh Node.js process so no size inherits another's heap. Prints Markdown (docs/performance.md,
 * "Database check" section). Timings only: nothing asserts on them.
 *
 * Options: --sizes 1,4,16 (MiB), --timeout S (per size, default 900).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { generateMigration } from "./sql-migration";

interface SizeResult {
  readonly mib: number;
  readonly bytes: number;
  readonly statements: number;
  readonly tables: number;
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
  /** Reading and parsing the files and the static RLS replay, before Postgres starts. */
  readonly parseSeconds: number;
  readonly databaseSeconds: number;
  readonly migrationsSeconds: number;
  readonly checksSeconds: number;
  readonly ok: boolean;
}

const CHILD_FLAG = "--child";

/** In the child: generate, check, print one JSON line. */
async function child(mib: number): Promise<void> {
  const { runDbCheck } = await import("../tooling/db-check/index.js");
  const { parseSqlFile } = await import("../lib/sql/parser.js");
  const dir = mkdtempSync(path.join(tmpdir(), "golive-bench-db-"));
  try {
    const sql = generateMigration(mib * 2 ** 20);
    writeFileSync(path.join(dir, "20250101000000_bench.sql"), sql);
    const statements = (await parseSqlFile({ name: "count.sql", sql })).length;
    const cpuStart = process.cpuUsage();
    const started = performance.now();
    const result = await runDbCheck({ migrationsDir: dir, environment: "prod" });
    const wallSeconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    const { database, migrations, checks } = result.timingsMs;
    const line: SizeResult = {
      mib,
      bytes: Buffer.byteLength(sql, "utf8"),
      statements,
      tables: result.coverage.tables,
      wallSeconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      parseSeconds: wallSeconds - (database + migrations + checks) / 1000,
      databaseSeconds: database / 1000,
      migrationsSeconds: migrations / 1000,
      checksSeconds: checks / 1000,
      ok: result.ok,
    };
    console.log(JSON.stringify(line));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function measure(mib: number, timeoutSeconds: number): SizeResult | string {
  const loader = pathToFileURL(require.resolve("tsx")).href;
  const result = spawnSync(process.execPath, ["--import", loader, __filename, CHILD_FLAG, String(mib)], {
    encoding: "utf8",
    timeout: timeoutSeconds * 1000,
    maxBuffer: 1 << 24,
  });
  if (result.error || result.status !== 0) {
    return result.signal === "SIGTERM"
      ? `not done in ${timeoutSeconds} s`
      : `failed: ${(result.error?.message ?? result.stderr).trim().split("\n").slice(-3).join(" ")}`;
  }
  const last = result.stdout.trim().split("\n").at(-1) ?? "";
  return JSON.parse(last) as SizeResult;
}

function fixed(value: number, digits = 1): string {
  return value.toFixed(digits);
}

function main(): void {
  const { values } = parseArgs({
    options: { sizes: { type: "string", default: "1,4,16" }, timeout: { type: "string", default: "900" } },
  });
  const sizes = (values.sizes ?? "1,4,16").split(",").map(Number);
  const timeout = Number(values.timeout);
  if (sizes.some((size) => !(size > 0)) || !(timeout > 0)) {
    console.error("usage: npm run bench:db -- [--sizes 1,4,16] [--timeout 900]");
    process.exit(2);
  }
  const cpu = cpus();
  console.log(
    `Machine: ${cpu.length} × ${cpu[0]?.model ?? "unknown CPU"}, ${Math.round(totalmem() / 2 ** 30)} GiB, ` +
      `Node ${process.version}, load average ${loadavg()
        .map((load) => load.toFixed(2))
        .join(", ")} at start\n`,
  );
  console.log(
    "| Migration | Statements | Tables | Wall (s) | CPU (s) | Parse (s) | Start Postgres (s) | Apply (s) | Checks (s) | CPU µs per byte |",
  );
  console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
  for (const mib of sizes) {
    console.error(`db check of ${mib} MiB...`);
    const result = measure(mib, timeout);
    if (typeof result === "string") {
      console.log(`| ${mib} MiB | | | ${result} | | | | | | |`);
      continue;
    }
    console.log(
      `| ${mib} MiB | ${result.statements} | ${result.tables} | ${fixed(result.wallSeconds)} | ` +
        `${fixed(result.cpuSeconds)} | ${fixed(result.parseSeconds)} | ${fixed(result.databaseSeconds)} | ` +
        `${fixed(result.migrationsSeconds)} | ${fixed(result.checksSeconds)} | ` +
        `${fixed((result.cpuSeconds * 1e6) / result.bytes, 2)} |`,
    );
  }
}

if (process.argv[2] === CHILD_FLAG) {
  child(Number(process.argv[3])).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  });
} else {
  main();
}
