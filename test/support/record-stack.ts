import type { RawConfig } from "../../config/load";
import { goliveProgram } from "../../program";
import type { Recording } from "../../tooling/engine/record";
import { sharedRecording } from "./shared-recordings";
import { REPO_ROOT, stackConfig } from "./stacks";

/**
 * Run the golive program for a stack under the recording engine, as `pulumi up` or `pulumi preview`
 * would. The same stack, config and mode is recorded once per test run (see ./shared-recordings.ts).
 */
export function recordStack(
  stack: "staging" | "prod",
  opts: { preview: boolean; config?: RawConfig },
): Promise<Recording> {
  const raw = opts.config ?? stackConfig(stack);
  return sharedRecording({
    programName: "goliveProgram",
    program: goliveProgram,
    project: "golive",
    stack,
    config: raw.values,
    secretKeys: [...raw.secretKeys],
    preview: opts.preview,
    rootDirectory: REPO_ROOT,
  });
}
