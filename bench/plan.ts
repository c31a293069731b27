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
function timeNode(script: string, args: readonly string[]): Timed {
  const cpuBefore = childrenCpuSeconds();
  const started = performance.now();
  const result = spawnSync(process.execPath, ["--import", TSX_LOADER, script, ...args], {
    cwd: REPO_ROOT,
    stdio: ["ignore", "ignore", "pipe"],
    encoding: "utf8",
  });
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = childrenCpuSeconds();
  if (result.error) throw result.error;
  const cpuSeconds = cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore;
  return { seconds, cpuSeconds, exitCode: result.status };
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
  // 1 is a plan with mandatory violations: still a complete plan. Anything else is a failure.
  if (timed.exitCode !== 0 && timed.exitCode !== 1) {
    throw new Error(`golive plan exited ${timed.exitCode}; run \`npm run plan\` to see why`);
  }
  return timed;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
