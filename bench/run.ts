/**
 * `npm run bench`: plan time against the SDK import floor, and the policy evaluation rate on
 * synthetic stacks of 100, 1,000 and 10,000 resources, in-process and over gRPC. Prints Markdown
 * (the numbers in docs/performance.md come from here). Timings only: nothing asserts on them.
 *
 * Options: --runs N (plan and floor repetitions, default 3), --sizes 100,1000,10000,
 * --timeout S (limit per rate measurement, default 600), --skip-plan, --skip-grpc, --skip-rate,
 * --suite (also time both test tiers), --suite-runs N (default 1).
 */
import { cpus, loadavg, totalmem } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { importFloor, median, planAllStacks, testSuite, timeNode, type Timed } from "./plan";
import type { RateResult } from "./policy";

function fixed(value: number, digits = 2): string {
  return value.toFixed(digits);
}

function machine(): string {
  const cpu = cpus();
  const load = loadavg()
    .map((value) => value.toFixed(2))
    .join(", ");
  return (
    `${cpu.length} × ${cpu[0]?.model ?? "unknown CPU"}, ${Math.round(totalmem() / 2 ** 30)} GiB, ` +
    `Node ${process.version}, load average ${load} at start`
  );
}

function planSection(runs: number): void {
  const floors: Timed[] = [];
  const plans: Timed[] = [];
  // Alternated, so a change in machine load affects both series alike.
  for (let run = 0; run < runs; run += 1) {
    floors.push(importFloor());
    plans.push(planAllStacks());
    console.error(
      `run ${run + 1}/${runs}: floor ${fixed(floors.at(-1)!.seconds)} s, plan ${fixed(plans.at(-1)!.seconds)} s`,
    );
  }
  const wall = (series: Timed[]) => median(series.map((entry) => entry.seconds));
  const cpu = (series: Timed[]) =>
    series.every((entry) => entry.cpuSeconds !== undefined)
      ? median(series.map((entry) => entry.cpuSeconds!))
      : undefined;
  const row = (label: string, series: Timed[]) => {
    const cpuMedian = cpu(series);
    return (
      `| ${label} | ${fixed(wall(series))} | ${cpuMedian === undefined ? "—" : fixed(cpuMedian)} | ` +
      `${series.map((entry) => fixed(entry.seconds)).join(", ")} |`
    );
  };
  console.log("## Plan of both stacks against the SDK import floor\n");
  console.log(
    "| Measure | Wall, median (s) | CPU, median (s) | Wall, each run (s) |\n| --- | --- | --- | --- |",
  );
  console.log(row("Import the six SDKs in one process", floors));
  console.log(row("`golive plan --stack all`", plans));
  const floorCpu = cpu(floors);
  const planCpu = cpu(plans);
  console.log(
    `\nRatio plan / floor, wall: **${fixed(wall(plans) / wall(floors))}×** (target: at most 2.5×)` +
      (floorCpu !== undefined && planCpu !== undefined ? `; CPU: ${fixed(planCpu / floorCpu)}×` : "") +
      "\n",
  );
}

type Mode = "in-process" | "grpc";

interface Measured {
  readonly mode: Mode;
  readonly size: number;
  readonly result?: RateResult & { readonly baseResources?: number };
  /** Set when the run hit its time limit; `resourceSeconds` if the per-resource phase had finished. */
  readonly timedOut?: { readonly after: number; readonly resourceSeconds?: number };
}

function measure(mode: Mode, size: number, timeoutSeconds: number): Measured {
  const timed = timeNode(path.join(__dirname, "rate.ts"), ["--mode", mode, "--size", String(size)], {
    timeoutSeconds,
    captureStdout: true,
  });
  const lines = timed.stdout
    .trim()
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as RateResult & { readonly partial?: boolean });
  if (timed.timedOut) {
    const partial = lines.find((line) => line.partial === true);
    return {
      mode,
      size,
      timedOut: {
        after: timeoutSeconds,
        ...(partial !== undefined ? { resourceSeconds: partial.resourceSeconds } : {}),
      },
    };
  }
  const result = lines.find((line) => line.partial !== true);
  if (result === undefined) throw new Error(`bench/rate.ts printed no result for ${mode} ${size}`);
  return { mode, size, result };
}

function microsPerResource(seconds: number, resources: number): string {
  return fixed((seconds / resources) * 1e6, 0);
}

function rateSection(sizes: readonly number[], modes: readonly Mode[], timeoutSeconds: number): void {
  const measured: Measured[] = [];
  for (const size of sizes) {
    for (const mode of modes) {
      const entry = measure(mode, size, timeoutSeconds);
      measured.push(entry);
      console.error(
        entry.result
          ? `${mode} ${size}: ${fixed(entry.result.resourceSeconds + entry.result.stackSeconds)} s, ${entry.result.diagnostics} diagnostics`
          : `${mode} ${size}: stopped after ${timeoutSeconds} s (per-resource phase: ${entry.timedOut?.resourceSeconds ?? "unfinished"})`,
      );
    }
  }
  const base = measured.find((entry) => entry.result?.baseResources !== undefined)?.result?.baseResources;
  console.log(`## Policy evaluation rate (synthetic stacks repeating prod's ${base ?? "?"} resources)\n`);
  console.log(
    "| Resources | Mode | Per-resource phase (s) | µs per resource | Stack phase (s) | µs per resource | Total resources/s | CPU (s) | Pack start (s) |",
  );
  console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
  for (const entry of measured) {
    const result = entry.result;
    if (result === undefined) {
      const resourceSeconds = entry.timedOut?.resourceSeconds;
      const resourcePhase =
        resourceSeconds === undefined
          ? "unfinished | —"
          : `${fixed(resourceSeconds, 3)} | ${microsPerResource(resourceSeconds, entry.size)}`;
      console.log(
        `| ${entry.size} | ${entry.mode} | ${resourcePhase} | not finished within the ${entry.timedOut?.after} s limit | — | — | — | — |`,
      );
      continue;
    }
    const total = result.resourceSeconds + result.stackSeconds;
    console.log(
      `| ${entry.size} | ${entry.mode} | ${fixed(result.resourceSeconds, 3)} | ${microsPerResource(result.resourceSeconds, result.resources)} | ` +
        `${fixed(result.stackSeconds, 3)} | ${microsPerResource(result.stackSeconds, result.resources)} | ` +
        `${fixed(result.resources / total, 0)} | ${result.cpuSeconds === undefined ? "—" : fixed(result.cpuSeconds, 2)} | ` +
        `${result.startSeconds === undefined ? "—" : fixed(result.startSeconds)} |`,
    );
  }
  const inProcess = measured.filter((entry) => entry.mode === "in-process" && entry.result?.policySeconds);
  if (inProcess.length > 0) {
    console.log(
      "\nOf the in-process time, the pack's own validate functions (the rest is @pulumi/policy's server:" +
        " deserializing properties once per policy, the unknown-checking proxies, not-applicable answers):\n",
    );
    console.log(
      "| Resources | Validate functions (s) | Resources/s, validate functions only |\n| --- | --- | --- |",
    );
    for (const entry of inProcess) {
      const seconds = entry.result!.policySeconds!.reduce((sum, [, value]) => sum + value, 0);
      console.log(
        `| ${entry.size} | ${fixed(seconds, 3)} | ${fixed(entry.result!.resources / seconds, 0)} |`,
      );
    }
  }
  const largest = [...measured]
    .filter((entry) => entry.mode === "in-process" && entry.result?.policySeconds !== undefined)
    .sort((a, b) => b.size - a.size)[0];
  if (largest?.result?.policySeconds) {
    console.log(
      `\nSlowest policies in-process at ${largest.size} resources (seconds in their validate functions):\n`,
    );
    console.log("| Policy | Seconds |\n| --- | --- |");
    for (const [name, seconds] of largest.result.policySeconds.slice(0, 10)) {
      console.log(`| \`${name}\` | ${fixed(seconds, 3)} |`);
    }
  }
  console.log("");
}

/** Both test tiers, each `runs` times (they are heavy: one run unless asked for more). */
function suiteSection(runs: number): void {
  const tiers = [
    { project: "fast", label: "`npm test` (fast loop)", target: "under 60 s wall" },
    { project: "e2e", label: "`npm run test:e2e`", target: "no target: CI's end-to-end tier" },
  ] as const;
  console.log("## Test suite (`vitest run --project <tier>`, as `npm test` and `npm run test:e2e`)\n");
  console.log(
    "| Tier | Wall, median (s) | CPU, median (s) | Wall, each run (s) | Passed | Target |\n| --- | --- | --- | --- | --- | --- |",
  );
  for (const tier of tiers) {
    const series = Array.from({ length: runs }, (_, run) => {
      const timed = testSuite(tier.project);
      console.error(
        `${tier.project} run ${run + 1}/${runs}: ${fixed(timed.seconds)} s${timed.passed ? "" : " (failed)"}`,
      );
      return timed;
    });
    const cpu = series.map((entry) => entry.cpuSeconds);
    console.log(
      `| ${tier.label} | ${fixed(median(series.map((entry) => entry.seconds)))} | ` +
        `${cpu.every((value) => value !== undefined) ? fixed(median(cpu)) : "—"} | ` +
        `${series.map((entry) => fixed(entry.seconds)).join(", ")} | ` +
        `${series.every((entry) => entry.passed) ? "yes" : "no"} | ${tier.target} |`,
    );
  }
  console.log(
    `\nLoad average after the suite: ${loadavg()
      .map((value) => value.toFixed(2))
      .join(", ")}\n`,
  );
}

function main(): void {
  const { values } = parseArgs({
    options: {
      runs: { type: "string", default: "3" },
      sizes: { type: "string", default: "100,1000,10000" },
      timeout: { type: "string", default: "600" },
      "skip-plan": { type: "boolean", default: false },
      "skip-grpc": { type: "boolean", default: false },
      "skip-rate": { type: "boolean", default: false },
      suite: { type: "boolean", default: false },
      "suite-runs": { type: "string", default: "1" },
    },
  });
  const sizes = (values.sizes ?? "").split(",").map(Number);
  console.log(`# golive benchmark\n\nMachine: ${machine()}\n`);
  if (!values["skip-plan"]) planSection(Number(values.runs));
  if (values.suite) suiteSection(Number(values["suite-runs"]));
  if (!values["skip-rate"]) {
    rateSection(sizes, values["skip-grpc"] ? ["in-process"] : ["in-process", "grpc"], Number(values.timeout));
  }
}

main();
