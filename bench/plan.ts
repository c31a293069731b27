/**
 * Wall time of `golive plan` for every stack (program, policy pack, files) against the floor of
 * importing the SDKs alone, both as fresh Node.js processes started the same way, in the same run.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

const REPO_ROOT = path.resolve(__dirname, "..");
const TSX_LOADER = pathToFileURL(require.resolve("tsx")).href;

export interface Timed {
  readonly seconds: number;
  /** What the child printed on stdout (only when asked for). */
  readonly stdout: string;
  /** True when the child was stopped at its time limit. */
  readonly timedOut: boolean;
  /** CPU time (user + system) of the child and everything it waited for; undefined off Linux. */
  readonly cpuSeconds: number | undefined;
  readonly exitCode: number | null;
}

/**
 * CPU time of this process's waited-for children (`cutime` + `cstime` in /proc/self/stat), which
 * includes their own children (the policy packs). On a shared machine it shows the work done,
 * whatever else competes for the cores.
 */
function childrenCpuSeconds(): number | undefined {
  let stat: string;
  try {
    stat = readFileSync("/proc/self/stat", "utf8");
  } catch {
    return undefined;
  }
  // Fields after the command name (which may hold spaces) start at field 3.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticksPerSecond = 100;
  return (Number(fields[13]) + Number(fields[14])) / ticksPerSecond;
}

/** Runs a TypeScript file in a fresh Node.js process (under tsx, as bin/golive does) and times it. */
export function timeNode(
  script: string,
  args: readonly string[],
  options: { timeoutSeconds?: number; captureStdout?: boolean } = {},
): Timed {
  const cpuBefore = childrenCpuSeconds();
  const started = performance.now();
  const result = spawnSync(process.execPath, ["--import", TSX_LOADER, script, ...args], {
    cwd: REPO_ROOT,
    stdio: ["ignore", options.captureStdout ? "pipe" : "ignore", "pipe"],
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    ...(options.timeoutSeconds !== undefined
      ? { timeout: options.timeoutSeconds * 1000, killSignal: "SIGKILL" }
      : {}),
  });
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = childrenCpuSeconds();
  const timedOut = result.signal === "SIGKILL" && options.timeoutSeconds !== undefined;
  if (result.error && !timedOut) throw result.error;
  const cpuSeconds = cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore;
  if (!timedOut && result.status !== 0 && result.status !== 1) {
    throw new Error(`${path.relative(REPO_ROOT, script)} exited ${result.status}: ${result.stderr.trim()}`);
  }
  return { seconds, cpuSeconds, exitCode: result.status, stdout: result.stdout ?? "", timedOut };
}

export function importFloor(): Timed {
  return timeNode(path.join(__dirname, "import-floor.ts"), []);
}

export function planAllStacks(): Timed {
  const out = mkdtempSync(path.join(tmpdir(), "golive-bench-plans-"));
  const timed = timeNode(path.join(REPO_ROOT, "tooling", "cli", "golive.ts"), [
    "plan",
    "--stack",
    "all",
    "--out",
    out,
  ]);
  // Exit 1 is a plan with mandatory violations: still a complete plan (other codes throw above).
  return timed;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * One test tier (a vitest project: `fast` is `npm test`, `e2e` is `npm run test:e2e`) in a fresh
 * process, with its CPU time. A failing run still counts as a timing, but is reported as such.
 */
export function testSuite(project: "fast" | "e2e"): Timed & { readonly passed: boolean } {
  const vitest = path.join(REPO_ROOT, "node_modules", "vitest", "vitest.mjs");
  const cpuBefore = childrenCpuSeconds();
  const started = performance.now();
  const result = spawnSync(process.execPath, [vitest, "run", "--project", project, "--reporter=dot"], {
    cwd: REPO_ROOT,
    stdio: ["ignore", "ignore", "pipe"],
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = childrenCpuSeconds();
  if (result.error) throw result.error;
  return {
    seconds,
    cpuSeconds: cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore,
    exitCode: result.status,
    stdout: "",
    timedOut: false,
    passed: result.status === 0,
  };
}
