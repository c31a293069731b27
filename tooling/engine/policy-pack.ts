/**
 * How the Pulumi CLI starts a Node.js policy pack, reproduced: the manifest it reads, the command
 * line and environment it builds, and the policy configuration it reconciles before `Configure`.
 * Pure functions; `analyzer.ts` does the process and gRPC work.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { Ajv } from "ajv";
import { parse as parseYaml } from "yaml";
import { isRecord } from "../../lib/records";

export type EnforcementLevel = "advisory" | "mandatory" | "remediate" | "disabled";
export const ENFORCEMENT_LEVELS: readonly EnforcementLevel[] = [
  "advisory",
  "mandatory",
  "remediate",
  "disabled",
];

export interface PolicyPackManifest {
  /** The runtime name (`nodejs`). */
  readonly runtime: string;
  /** Runtime options as written; the CLI passes each as `-key=value` after the pack directory. */
  readonly runtimeOptions: Readonly<Record<string, unknown>>;
  /** Overrides the version the pack reports (from its package.json) wherever the CLI shows it. */
  readonly version?: string;
  readonly description?: string;
}

/** Reads `PulumiPolicy.yaml` from a pack directory, as `workspace.LoadPolicyPack` does. */
export function readPolicyPackManifest(packDir: string): PolicyPackManifest {
  const file = path.join(packDir, "PulumiPolicy.yaml");
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new Error(
      `${file} is missing: a policy pack directory needs a PulumiPolicy.yaml with "runtime: nodejs"`,
    );
  }
  const document: unknown = parseYaml(text);
  if (!isRecord(document)) throw new Error(`${file}: expected a YAML mapping with a "runtime" key`);
  const runtime = document.runtime;
  let name: unknown;
  let options: Record<string, unknown> = {};
  if (typeof runtime === "string") {
    name = runtime;
  } else if (isRecord(runtime)) {
    name = runtime.name;
    if (runtime.options !== undefined) {
      if (!isRecord(runtime.options)) throw new Error(`${file}: "runtime.options" must be a mapping`);
      options = runtime.options;
    }
  }
  if (typeof name !== "string" || name === "") {
    throw new Error(`${file}: "runtime" must be "nodejs" or a mapping with "name: nodejs"`);
  }
  const manifest: { -readonly [K in keyof PolicyPackManifest]: PolicyPackManifest[K] } = {
    runtime: name,
    runtimeOptions: options,
  };
  const version = document.version;
  if (typeof version === "string" || typeof version === "number") manifest.version = String(version);
  else if (version !== undefined && version !== null) throw new Error(`${file}: "version" must be a string`);
  if (typeof document.description === "string") manifest.description = document.description;
  return manifest;
}

/** The stack a pack analyzes: what the engine passes in the environment and in `ConfigureStack`. */
export interface StackContext {
  readonly stack: string;
  readonly project: string;
  readonly organization?: string;
  readonly dryRun: boolean;
  /** Decrypted stack config, `namespace:key` → value (the engine passes secrets in plain text). */
  readonly config: Readonly<Record<string, string>>;
  readonly configSecretKeys?: readonly string[];
  readonly tags?: Readonly<Record<string, string>>;
}

export interface PolicyPackCommand {
  /** The Node.js executable. */
  readonly executable: string;
  /** `@pulumi/pulumi/cmd/run-policy-pack` as resolved from the pack directory. */
  readonly script: string;
  readonly args: readonly string[];
  /** The pack directory (the engine runs the pack with it as working directory). */
  readonly cwd: string;
  /** The variables the engine adds to its own environment for the pack. */
  readonly addedEnv: Readonly<Record<string, string>>;
}

/**
 * Resolves `@pulumi/pulumi/cmd/run-policy-pack` the way the CLI's `pulumi-analyzer-policy` shim does
 * (`node -e "require.resolve(...)"` in the pack directory): the pack's own node_modules first, then
 * its ancestors'.
 */
export function resolveRunPolicyPack(packDir: string): string {
  try {
    return createRequire(path.join(path.resolve(packDir), "PulumiPolicy.yaml")).resolve(
      "@pulumi/pulumi/cmd/run-policy-pack",
    );
  } catch {
    throw new Error(
      `cannot find @pulumi/pulumi/cmd/run-policy-pack from ${packDir}; install the pack's dependencies ` +
        "(the CLI reports: it looks like the policy pack's dependencies are not installed)",
    );
  }
}

/** The environment the engine adds for a Node.js pack (`constructEnv` in the engine's analyzer plugin). */
export function policyPackEnv(stack: StackContext | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  const maybe = (key: string, value: string | undefined): void => {
    if (value !== undefined && value !== "") env[key] = value;
  };
  if (stack === undefined) return env;
  maybe("PULUMI_CONFIG", JSON.stringify(stack.config));
  maybe("PULUMI_NODEJS_ORGANIZATION", stack.organization);
  maybe("PULUMI_NODEJS_PROJECT", stack.project);
  maybe("PULUMI_NODEJS_STACK", stack.stack);
  maybe("PULUMI_NODEJS_DRY_RUN", String(stack.dryRun));
  maybe("PULUMI_ORGANIZATION", stack.organization);
  maybe("PULUMI_PROJECT", stack.project);
  maybe("PULUMI_STACK", stack.stack);
  maybe("PULUMI_DRY_RUN", String(stack.dryRun));
  return env;
}

/**
 * The command line the CLI runs: `node <run-policy-pack> <engine address> . -<option>=<value>...`.
 * The shim passes its arguments on unquoted (`$@`), so an option value with spaces is split into
 * several arguments; that is reproduced. Option order is sorted (the engine's is map order).
 */
export function policyPackCommand(
  packDir: string,
  engineAddress: string,
  manifest: PolicyPackManifest,
  stack: StackContext | undefined,
): PolicyPackCommand {
  if (manifest.runtime !== "nodejs") {
    throw new Error(
      `${path.join(packDir, "PulumiPolicy.yaml")}: runtime "${manifest.runtime}" is not supported here; golive runs nodejs packs`,
    );
  }
  const optionArgs: string[] = [];
  for (const key of Object.keys(manifest.runtimeOptions).sort()) {
    const value = manifest.runtimeOptions[key];
    // The engine formats each option with Go's %v; scalars are what PulumiPolicy.yaml can hold here.
    const text =
      typeof value === "string" || typeof value === "number" || typeof value === "boolean"
        ? String(value)
        : "";
    if (text !== "") optionArgs.push(...`-${key}=${text}`.split(/\s+/).filter((word) => word !== ""));
  }
  return {
    executable: process.execPath,
    script: resolveRunPolicyPack(packDir),
    args: [engineAddress, ".", ...optionArgs],
    cwd: path.resolve(packDir),
    addedEnv: policyPackEnv(stack),
  };
}

export interface PolicyConfig {
  readonly enforcementLevel: EnforcementLevel;
  readonly properties?: Readonly<Record<string, unknown>>;
}

interface ParsedPolicyConfig {
  readonly enforcementLevel?: EnforcementLevel;
  readonly properties?: Record<string, unknown>;
}

function isEnforcementLevel(value: unknown): value is EnforcementLevel {
  return typeof value === "string" && (ENFORCEMENT_LEVELS as readonly string[]).includes(value);
}

/**
 * Parses a `--policy-pack-config` document (keyed by policy name or `all`), with the CLI's rules and
 * error messages: a value is an enforcement level or an object; empty entries are dropped.
 */
export function parsePolicyPackConfig(
  document: unknown,
  source = "policy pack config",
): Record<string, ParsedPolicyConfig> {
  if (!isRecord(document)) throw new Error(`${source}: expected a JSON object keyed by policy name or "all"`);
  const result: Record<string, ParsedPolicyConfig> = {};
  for (const [name, value] of Object.entries(document)) {
    if (typeof value === "string") {
      if (!isEnforcementLevel(value)) {
        throw new Error(
          `${source}: parsing enforcement level for "${name}": "${value}" is not a valid enforcement level`,
        );
      }
      result[name] = { enforcementLevel: value };
      continue;
    }
    if (!isRecord(value)) {
      throw new Error(
        `${source}: parsing "${name}": ${JSON.stringify(value)} is not a valid value; must be a string or object`,
      );
    }
    const { enforcementLevel, ...properties } = value;
    if (enforcementLevel !== undefined && !isEnforcementLevel(enforcementLevel)) {
      throw new Error(
        `${source}: parsing enforcement level for "${name}": ${JSON.stringify(enforcementLevel)} is not a valid enforcement level`,
      );
    }
    const hasProperties = Object.keys(properties).length > 0;
    if (enforcementLevel === undefined && !hasProperties) continue;
    result[name] = {
      ...(enforcementLevel !== undefined ? { enforcementLevel } : {}),
      ...(hasProperties ? { properties } : {}),
    };
  }
  return result;
}

export interface PolicyConfigDefaults {
  readonly name: string;
  readonly enforcementLevel: EnforcementLevel;
  /** The policy's JSON schema (the `default`s of its properties seed the config). */
  readonly configSchema?: {
    readonly properties: Readonly<Record<string, unknown>>;
    readonly required?: readonly string[];
  };
}

interface ReconcilingConfig {
  enforcementLevel?: EnforcementLevel;
  properties?: Record<string, unknown>;
}

function applyConfig(
  result: Record<string, ReconcilingConfig>,
  toApply: Readonly<Record<string, ParsedPolicyConfig>>,
): void {
  const all = toApply.all;
  if (all?.enforcementLevel !== undefined) {
    for (const entry of Object.values(result)) entry.enforcementLevel = all.enforcementLevel;
  }
  // As in the engine, "all" is applied as an entry too (the pack ignores a policy it does not have).
  for (const [policy, given] of Object.entries(toApply)) {
    const entry: ReconcilingConfig = result[policy] ?? {};
    if (given.enforcementLevel !== undefined) entry.enforcementLevel = given.enforcementLevel;
    if (given.properties !== undefined)
      entry.properties = { ...(entry.properties ?? {}), ...given.properties };
    result[policy] = entry;
  }
}

/**
 * The config the engine sends with `Configure`: each policy's level and schema defaults, then the
 * pack's initial config, then the user's (`all` first, then per policy), as `ReconcilePolicyPackConfig`.
 * Then, as the engine does, each policy's properties are validated against its JSON schema; the
 * error lists every problem as `<policy>: <problem>`.
 */
export function reconcilePolicyPackConfig(
  policies: readonly PolicyConfigDefaults[],
  initialConfig: Readonly<Record<string, ParsedPolicyConfig>>,
  config: Readonly<Record<string, ParsedPolicyConfig>>,
): Record<string, PolicyConfig> {
  const result: Record<string, ReconcilingConfig> = {};
  for (const policy of policies) {
    const defaults: Record<string, unknown> = {};
    for (const [key, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
      if (isRecord(schema) && "default" in schema) defaults[key] = schema.default;
    }
    result[policy.name] = {
      enforcementLevel: policy.enforcementLevel,
      ...(Object.keys(defaults).length > 0 ? { properties: defaults } : {}),
    };
  }
  applyConfig(result, initialConfig);
  applyConfig(result, config);
  const reconciled: Record<string, PolicyConfig> = {};
  for (const [policy, entry] of Object.entries(result)) {
    // The engine refuses to send a config entry without a level ("invalid enforcement level").
    if (entry.enforcementLevel === undefined) {
      throw new Error(
        `policy pack config for "${policy}" has no enforcementLevel and the pack has no policy of that name to take it from`,
      );
    }
    reconciled[policy] = {
      enforcementLevel: entry.enforcementLevel,
      ...(entry.properties !== undefined ? { properties: entry.properties } : {}),
    };
  }
  const problems = validatePolicyPackConfig(policies, reconciled);
  if (problems.length > 0) {
    throw new Error(
      `policy pack configuration is invalid:\n${problems.map((problem) => `  ${problem}`).join("\n")}`,
    );
  }
  return reconciled;
}

/** Checks each policy's configured properties against its JSON schema (`validatePolicyPackConfig` in the engine). */
export function validatePolicyPackConfig(
  policies: readonly PolicyConfigDefaults[],
  config: Readonly<Record<string, PolicyConfig>>,
): string[] {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const problems: string[] = [];
  for (const policy of policies) {
    if (policy.configSchema === undefined) continue;
    const schema = {
      type: "object",
      ...(Object.keys(policy.configSchema.properties).length > 0
        ? { properties: policy.configSchema.properties }
        : {}),
      ...((policy.configSchema.required ?? []).length > 0 ? { required: policy.configSchema.required } : {}),
    };
    const validate = ajv.compile(schema);
    if (validate(config[policy.name]?.properties ?? {})) continue;
    for (const error of validate.errors ?? []) {
      const where = error.instancePath === "" ? "" : `${error.instancePath.slice(1).replaceAll("/", ".")}: `;
      problems.push(`${policy.name}: ${where}${error.message ?? "is invalid"}`);
    }
  }
  return problems;
}
