import type { RawConfig } from "../../config/load";
import { goliveProgram } from "../../program";
import { recordProgram, type Recording } from "../../tooling/engine/record";
import { REPO_ROOT, stackConfig } from "./stacks";

/** Run the golive program for a stack under the recording engine, as `pulumi up` or `pulumi preview` would. */
export function recordStack(
  stack: "staging" | "prod",
  opts: { preview: boolean; config?: RawConfig },
): Promise<Recording> {
  const raw = opts.config ?? stackConfig(stack);
  return recordProgram({
    program: goliveProgram,
    project: "golive",
    stack,
    config: raw.values,
    secretKeys: [...raw.secretKeys],
    preview: opts.preview,
    rootDirectory: REPO_ROOT,
  });
}
