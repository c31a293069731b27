/**
 * `npm run bench:db`: how `golive db check` scales with the size of the migrations. For each size it
 * writes one realistic migration (bench/sql-migration.ts: tables, RLS policies, functions, triggers,
 * views, inserts) to a temporary folder and runs the check as the CLI does (runDbCheck), one size per
 * fresh Node.js process so no size inherits another's heap. Then, as the floor, the same database
 * runs the same statements with no golive work between them: a few big `exec` calls (one per 2 MiB).
 * Before the sizes, Postgres is started twice in a fresh cache directory: cold (initdb, bootstrap,
 * saving the image) and warm (from the image); the sizes then start warm, as every run but the first
 * does. Prints Markdown (docs/performance.md, "Database check" section). Timings only: nothing
 * asserts on them.
 *
 * Options: --sizes 1,4,16 (MiB), --timeout S (per size, default 900), --shape schema|data (the
 * schema-heavy migration of feature blocks, the default, or a data-heavy one: a few tables, then
 * multi-row INSERTs of reference data).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { CACHE_DIR_ENV } from "../tooling/cache-dir";
import { generateDataMigration, generateMigration } from "./sql-migration";

const SHAPES = { schema: generateMigration, data: generateDataMigration } as const;
type Shape = keyof typeof SHAPES;

function isShape(value: string): value is Shape {
  return value in SHAPES;
}

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
  /** The same statements in one exec call per FLOOR_BYTES on a fresh database: Postgres's own cost. */
  readonly floorSeconds: number;
  readonly ok: boolean;
}

interface StartResult {
  readonly cold: Timing & { readonly origin: string };
  readonly warm: Timing & { readonly origin: string };
}

interface Timing {
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
}

const CHILD_FLAG = "--child";
const START_FLAG = "--start";
const FLOOR_BYTES = 2 * 2 ** 20;

async function timed<T>(work: () => Promise<T>): Promise<{ value: T } & Timing> {
  const cpuStart = process.cpuUsage();
  const started = performance.now();
  const value = await work();
  const cpu = process.cpuUsage(cpuStart);
  return {
    value,
    wallSeconds: (performance.now() - started) / 1000,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

/** In the child: start the check's database cold, then warm from the image the first start saved. */
async function startChild(): Promise<void> {
  const { databaseOrigin, openLimitedSupabaseDatabase } = await import("../tooling/db-check/bootstrap.js");
  const open = async () => {
    const { value: db, ...timing } = await timed(() => openLimitedSupabaseDatabase(60_000));
    await db.close();
    return { ...timing, origin: databaseOrigin(db) };
  };
  const cold = await open();
  const warm = await open();
  const line: StartResult = { cold, warm };
  console.log(JSON.stringify(line));
}

/** The floor: the same statements on the same (worker) database, a few big calls, no limit per statement. */
async function floor(statements: readonly { readonly text: string }[]): Promise<Timing> {
  const { openLimitedSupabaseDatabase } = await import("../tooling/db-check/bootstrap.js");
  const db = await openLimitedSupabaseDatabase(3_600_000);
  try {
    const calls: string[] = [];
    let call = "";
    for (const statement of statements) {
      call += `${statement.text}\n;\n`;
      if (call.length >= FLOOR_BYTES) {
        calls.push(call);
        call = "";
      }
    }
    if (call !== "") calls.push(call);
    return await timed(async () => {
      for (const sql of calls) await db.exec(sql);
    });
  } finally {
    await db.close();
  }
}

/** In the child: generate, check, print one JSON line. */
async function child(mib: number, shape: Shape): Promise<void> {
  const { runDbCheck } = await import("../tooling/db-check/index.js");
  const { parseSqlFile } = await import("../lib/sql/parser.js");
  const dir = mkdtempSync(path.join(tmpdir(), "golive-bench-db-"));
  try {
    const sql = SHAPES[shape](mib * 2 ** 20);
    writeFileSync(path.join(dir, "20250101000000_bench.sql"), sql);
    const parsed = await parseSqlFile({ name: "count.sql", sql });
    const cpuStart = process.cpuUsage();
    const started = performance.now();
    const result = await runDbCheck({ migrationsDir: dir, environment: "prod" });
    const wallSeconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    const { database, migrations, checks } = result.timingsMs;
    const floorTiming = await floor(parsed);
    const line: SizeResult = {
      mib,
      bytes: Buffer.byteLength(sql, "utf8"),
      statements: parsed.length,
      tables: result.coverage.tables,
      wallSeconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      parseSeconds: wallSeconds - (database + migrations + checks) / 1000,
      databaseSeconds: database / 1000,
      migrationsSeconds: migrations / 1000,
      checksSeconds: checks / 1000,
      floorSeconds: floorTiming.wallSeconds,
      ok: result.ok,
    };
    console.log(JSON.stringify(line));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function measure<T>(args: readonly string[], timeoutSeconds: number, env: NodeJS.ProcessEnv): T | string {
  const loader = pathToFileURL(require.resolve("tsx")).href;
  const result = spawnSync(process.execPath, ["--import", loader, __filename, ...args], {
    encoding: "utf8",
    timeout: timeoutSeconds * 1000,
    maxBuffer: 1 << 24,
    env,
  });
  if (result.error || result.status !== 0) {
    return result.signal === "SIGTERM"
      ? `not done in ${timeoutSeconds} s`
      : `failed: ${(result.error?.message ?? result.stderr).trim().split("\n").slice(-3).join(" ")}`;
  }
  const last = result.stdout.trim().split("\n").at(-1) ?? "";
  return JSON.parse(last) as T;
}

function fixed(value: number, digits = 1): string {
  return value.toFixed(digits);
}

function main(): void {
  const { values } = parseArgs({
    options: {
      sizes: { type: "string", default: "1,4,16" },
      timeout: { type: "string", default: "900" },
      shape: { type: "string", default: "schema" },
    },
  });
  const shape = values.shape ?? "schema";
  const sizes = (values.sizes ?? "1,4,16").split(",").map(Number);
  const timeout = Number(values.timeout);
  if (sizes.some((size) => !(size > 0)) || !(timeout > 0) || !isShape(shape)) {
    console.error("usage: npm run bench:db -- [--sizes 1,4,16] [--timeout 900] [--shape schema|data]");
    process.exit(2);
  }
  const cpu = cpus();
  console.log(
    `Machine: ${cpu.length} × ${cpu[0]?.model ?? "unknown CPU"}, ${Math.round(totalmem() / 2 ** 30)} GiB, ` +
      `Node ${process.version}, load average ${loadavg()
        .map((load) => load.toFixed(2))
        .join(", ")} at start; ${shape}-heavy migrations\n`,
  );
  // A cache of its own: the first start is cold whatever ran before, the sizes start warm.
  const cacheDir = mkdtempSync(path.join(tmpdir(), "golive-bench-cache-"));
  const env = { ...process.env, [CACHE_DIR_ENV]: cacheDir };
  try {
    console.error("starting Postgres cold, then warm...");
    const start = measure<StartResult>([START_FLAG], timeout, env);
    console.log(
      typeof start === "string"
        ? `Start Postgres: ${start}\n`
        : `Start Postgres: cold (initdb, bootstrap, saving the image) ${fixed(start.cold.wallSeconds)} s wall, ` +
            `${fixed(start.cold.cpuSeconds)} CPU-s; warm (${start.warm.origin}) ${fixed(start.warm.wallSeconds)} s ` +
            `wall, ${fixed(start.warm.cpuSeconds)} CPU-s\n`,
    );
    console.log(
      "| Migration | Statements | Tables | Wall (s) | CPU (s) | Parse (s) | Start Postgres (s) | Apply (s) | Floor (s) | Apply ÷ floor | Checks (s) | CPU µs per byte |",
    );
    console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for (const mib of sizes) {
      console.error(`db check of ${mib} MiB...`);
      const result = measure<SizeResult>([CHILD_FLAG, String(mib), shape], timeout, env);
      if (typeof result === "string") {
        console.log(`| ${mib} MiB | | | ${result} | | | | | | | | |`);
        continue;
      }
      console.log(
        `| ${mib} MiB | ${result.statements} | ${result.tables} | ${fixed(result.wallSeconds)} | ` +
          `${fixed(result.cpuSeconds)} | ${fixed(result.parseSeconds)} | ${fixed(result.databaseSeconds)} | ` +
          `${fixed(result.migrationsSeconds)} | ${fixed(result.floorSeconds)} | ` +
          `${fixed(result.migrationsSeconds / result.floorSeconds, 2)} | ${fixed(result.checksSeconds)} | ` +
          `${fixed((result.cpuSeconds * 1e6) / result.bytes, 2)} |`,
      );
    }
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

if (process.argv[2] === CHILD_FLAG || process.argv[2] === START_FLAG) {
  const shape = process.argv[4] ?? "schema";
  const run =
    process.argv[2] === START_FLAG
      ? startChild()
      : child(Number(process.argv[3]), isShape(shape) ? shape : "schema");
  run.catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  });
} else {
  main();
}
