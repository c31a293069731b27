/** Reading the stack file (Pulumi.<stack>.yaml) the pack checks: SEC-01 and the secret classifier's config provenance. */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";

/** The stack file (`explicit`, else Pulumi.<stack>.yaml): its `config` map, or why it cannot be read. */
export function readStackFile(
  projectDir: string | undefined,
  stack: string | undefined,
  explicit?: string,
): { ok: true; file: string; config: Record<string, unknown> } | { ok: false; reason: string } {
  let file = explicit;
  if (file === undefined) {
    if (!projectDir) {
      return { ok: false, reason: "the Pulumi project root is unknown (set GOLIVE_PROJECT_DIR)" };
    }
    if (!stack) return { ok: false, reason: "the stack name is unknown" };
    const name = stack.split("/").pop()!;
    const candidates = [`Pulumi.${name}.yaml`, `Pulumi.${name}.yml`].map((f) => path.join(projectDir, f));
    file = candidates.find((candidate) => fs.existsSync(candidate));
    if (!file)
      return { ok: false, reason: `${candidates[0]} does not exist (config may live in Pulumi ESC)` };
  } else if (!fs.existsSync(file)) {
    return { ok: false, reason: `${file} (GOLIVE_STACK_FILE) does not exist` };
  }
  let document: unknown;
  try {
    document = parseYaml(fs.readFileSync(file, "utf8"));
  } catch (error) {
    return {
      ok: false,
      reason: `${file} is not valid YAML: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  const config = (document as { config?: unknown } | null)?.config;
  if (config === undefined || config === null) return { ok: true, file, config: {} };
  if (typeof config !== "object" || Array.isArray(config))
    return { ok: false, reason: `${file}: config is not a map` };
  return { ok: true, file, config: config as Record<string, unknown> };
}
