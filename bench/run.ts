/**
 * `npm run bench`: plan time against the SDK import floor, and the policy evaluation rate on
 * synthetic stacks of 100, 1,000 and 10,000 resources, in-process and over gRPC. Prints Markdown
 * tables (the numbers in docs/performance.md come from here). Timings only: nothing asserts on them.
 *
 * Options: --runs N (plan and floor repetitions, default 3), --sizes 100,1000,10000, --skip-plan,
 * --skip-grpc.
 */
import { cpus, loadavg, totalmem } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { recordProgram } from "../tooling/engine/record";
import { readStackFile, withPlaceholderSecrets } from "../tooling/stack-files";
import { DEFAULT_POLICY_CLOCK } from "../tooling/plan/settings";
import { importFloor, median, planAllStacks, type Timed } from "./plan";
import { grpcRate, inProcessRate, type RateResult } from "./policy";
import { syntheticRecording } from "./synthetic";

const REPO_ROOT = path.resolve(__dirname, "..");
const PACK_DIR = path.join(REPO_ROOT, "policies");

function fixed(value: number, digits = 2): string {
  return value.toFixed(digits);
}

function rate(result: RateResult): number {
  return result.resources / result.seconds;
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

async function prodRecording() {
  const raw = withPlaceholderSecrets(readStackFile(path.join(REPO_ROOT, "Pulumi.prod.yaml"), "prod")).config;
  const { goliveProgram } = await import("../program.js");
  return recordProgram({
    program: goliveProgram,
    project: "golive",
    stack: "prod",
    config: raw.values,
    secretKeys: [...raw.secretKeys].filter((key) => key in raw.values),
    preview: false,
    rootDirectory: REPO_ROOT,
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: "string", default: "3" },
      sizes: { type: "string", default: "100,1000,10000" },
      "skip-plan": { type: "boolean", default: false },
      "skip-grpc": { type: "boolean", default: false },
    },
  });
  const runs = Number(values.runs);
  const sizes = (values.sizes ?? "").split(",").map(Number);
  console.log(`# golive benchmark\n\nMachine: ${machine()}\n`);

  if (!values["skip-plan"]) {
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
      `\nRatio plan / floor, wall: **${fixed(wall(plans) / wall(floors))}×** (target: at most 2×)` +
        (floorCpu !== undefined && planCpu !== undefined ? `; CPU: ${fixed(planCpu / floorCpu)}×` : "") +
        "\n",
    );
  }

  const base = await prodRecording();
  const environment = { projectDir: REPO_ROOT, clock: DEFAULT_POLICY_CLOCK };
  console.log(
    `## Policy evaluation rate (synthetic stacks from prod's ${base.resources.length} resources)\n`,
  );
  console.log(
    "| Resources | In-process wall (s) | CPU (s) | resources/s | µs per resource | gRPC wall (s) | resources/s | µs per resource | Pack start (s) |",
  );
  console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
  // One warm-up so the first size does not pay for the JIT and the first migrations parse.
  await inProcessRate(syntheticRecording(base, Math.min(...sizes)), environment);
  for (const size of sizes) {
    const recording = syntheticRecording(base, size);
    const local = await inProcessRate(recording, environment);
    const remote = values["skip-grpc"]
      ? undefined
      : await grpcRate(recording, { ...environment, packDir: PACK_DIR });
    const perResource = (result: RateResult) => fixed((result.seconds / result.resources) * 1e6, 0);
    console.log(
      `| ${size} | ${fixed(local.seconds, 3)} | ${fixed(local.cpuSeconds ?? Number.NaN, 3)} | ${fixed(rate(local), 0)} | ${perResource(local)} | ` +
        (remote
          ? `${fixed(remote.seconds, 3)} | ${fixed(rate(remote), 0)} | ${perResource(remote)} | ${fixed(remote.startSeconds)} |`
          : "— | — | — | — |"),
    );
    console.error(
      `size ${size}: in-process ${local.diagnostics} diagnostics${remote ? `, gRPC ${remote.diagnostics}` : ""}`,
    );
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
