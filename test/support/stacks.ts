import path from "node:path";
import type { RawConfig } from "../../config/load";
import { readStackFile, withPlaceholderSecrets } from "../../tooling/stack-files";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");

/** A committed stack file's config with operator secrets filled by placeholders, as an offline plan runs it. */
export function stackConfig(stack: "staging" | "prod"): RawConfig {
  return withPlaceholderSecrets(readStackFile(path.join(REPO_ROOT, `Pulumi.${stack}.yaml`), stack)).config;
}

/** Change one golive object key of a raw config (the value is a JSON string, as the engine passes it). */
export function editKey(
  raw: RawConfig,
  key: string,
  edit: (value: Record<string, unknown>) => void,
): RawConfig {
  const value = JSON.parse(raw.values[key] ?? "{}") as Record<string, unknown>;
  edit(value);
  return { ...raw, values: { ...raw.values, [key]: JSON.stringify(value) } };
}
