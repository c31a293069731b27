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
  if (values.mode === "grpc") {
    console.log(
      JSON.stringify(
        await grpcRate(recording, { ...environment, packDir: path.join(REPO_ROOT, "policies") }),
      ),
    );
    return;
  }
  // A warm-up on a small stack, so the measurement does not pay for the JIT and the first
  // migrations parse.
  await inProcessRate(syntheticRecording(base, Math.min(size, 100)), environment);
  console.log(
    JSON.stringify({
      ...(await inProcessRate(recording, environment)),
      baseResources: base.resources.length,
    }),
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
