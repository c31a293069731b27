/**
 * One policy-rate measurement in its own process (bench/run.ts starts it with a time limit, so a
 * size that takes too long is reported as such instead of stalling the benchmark). Prints one JSON
 * line: the RateResult (preceded by a `{"partial": ...}` line once the per-resource phase is done).
 *
 *   tsx bench/rate.ts --mode in-process|grpc --size N
 */
import { writeSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { recordProgram } from "../tooling/engine/record";
import { DEFAULT_POLICY_CLOCK } from "../tooling/plan/settings";
import { readStackFile, withPlaceholderSecrets } from "../tooling/stack-files";
import { grpcRate, inProcessRate } from "./policy";
import { syntheticRecording } from "./synthetic";

const REPO_ROOT = path.resolve(__dirname, "..");

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
    options: { mode: { type: "string", default: "in-process" }, size: { type: "string", default: "1000" } },
  });
  const size = Number(values.size);
  const base = await prodRecording();
  const recording = syntheticRecording(base, size);
  const environment = { projectDir: REPO_ROOT, clock: DEFAULT_POLICY_CLOCK };
  // Written synchronously: the stack phase can block the event loop until the time limit kills
  // this process, and a buffered write to the pipe would then be lost.
  const partial = (resources: number, resourceSeconds: number): void => {
    writeSync(1, `${JSON.stringify({ partial: true, resources, resourceSeconds })}\n`);
  };
  if (values.mode === "grpc") {
    const packDir = path.join(REPO_ROOT, "policies");
    console.log(JSON.stringify(await grpcRate(recording, { ...environment, packDir }, partial)));
    return;
  }
  // A warm-up on a small stack, so the measurement does not pay for the JIT and the first
  // migrations parse.
  await inProcessRate(syntheticRecording(base, Math.min(size, 100)), environment);
  const result = await inProcessRate(recording, environment, partial);
  console.log(JSON.stringify({ ...result, baseResources: base.resources.length }));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
