/**
 * The size limit on stack config that the Pulumi engine itself imposes on Linux.
 *
 * The engine hands a Node.js policy pack the whole stack config as JSON in one environment variable,
 * `PULUMI_CONFIG` (`constructEnv` in the engine's analyzer plugin; the Node.js language host does the
 * same for the program). `ConfigureStack` carries the config over gRPC as well, but @pulumi/policy
 * reads only the stack tags from it and the engine sets the variable regardless, so there is no other
 * route. Linux refuses to start a process with one environment string longer than MAX_ARG_STRLEN
 * (32 pages, 128 KiB, counting `NAME=` and the final NUL): `spawn E2BIG` here, the pack failing to
 * start under `pulumi preview`. Checked before any work, so the operator is told which key to move.
 */
import { StackFileError } from "../stack-files";

/** The environment variable the engine passes stack config in. */
export const CONFIG_ENV_NAME = "PULUMI_CONFIG";

/** Linux's MAX_ARG_STRLEN: 32 × 4 KiB pages, for one `NAME=value` string with its NUL. */
export const MAX_ENV_STRING_BYTES = 32 * 4096;

/** Bytes of the `PULUMI_CONFIG=<json>` string (with its NUL) the engine would build for this config. */
export function configEnvBytes(config: Readonly<Record<string, string>>): number {
  return Buffer.byteLength(`${CONFIG_ENV_NAME}=${JSON.stringify(config)}`, "utf8") + 1;
}

export interface ConfigEnvProblem {
  /** Bytes the variable would need. */
  readonly bytes: number;
  /** The largest keys whose removal brings the config under the limit, largest first, with their sizes. */
  readonly largest: readonly { readonly key: string; readonly bytes: number }[];
}

/** What is too large about a config, or undefined when it fits in one environment string. */
export function configEnvProblem(config: Readonly<Record<string, string>>): ConfigEnvProblem | undefined {
  const bytes = configEnvBytes(config);
  if (bytes <= MAX_ENV_STRING_BYTES) return undefined;
  // Each entry costs `"key":"value",` in the JSON; naming keys largest first until the rest fits
  // names the one oversized value in the usual case, and every culprit when several add up.
  const sizes = Object.entries(config)
    .map(([key, value]) => ({ key, bytes: Buffer.byteLength(JSON.stringify({ [key]: value }), "utf8") - 1 }))
    .sort((a, b) => b.bytes - a.bytes || (a.key < b.key ? -1 : 1));
  const largest: { key: string; bytes: number }[] = [];
  let remaining = bytes;
  for (const entry of sizes) {
    if (remaining <= MAX_ENV_STRING_BYTES) break;
    largest.push(entry);
    remaining -= entry.bytes;
  }
  return { bytes, largest };
}

function formatBytes(bytes: number): string {
  return `${bytes.toLocaleString("en-US")} bytes`;
}

/**
 * Throws a StackFileError (bad input, exit 2) naming the oversized keys when the stack's config
 * cannot reach a policy pack through the engine's environment variable.
 */
export function assertConfigFitsEnvironment(
  config: Readonly<Record<string, string>>,
  stackFile: string,
): void {
  const problem = configEnvProblem(config);
  if (problem === undefined) return;
  const keys = problem.largest.map(({ key, bytes }) => `"${key}" (${formatBytes(bytes)})`).join(", ");
  throw new StackFileError(
    stackFile,
    `the stack config is too large to reach the policy pack: ${problem.largest.length === 1 ? "key" : "keys"} ` +
      `${keys}. Pulumi passes the whole config to a Node.js policy pack (and program) in one environment ` +
      `variable, ${CONFIG_ENV_NAME}, which here would be ${formatBytes(problem.bytes)}; Linux allows ` +
      `${formatBytes(MAX_ENV_STRING_BYTES)} per variable, so \`pulumi preview\` could not start the pack ` +
      `either. Keep large values out of stack config: commit the content as a file and set the key to its ` +
      `path, or keep it in a secret store (AWS Secrets Manager, Pulumi ESC) and set the key to its name.`,
  );
}
