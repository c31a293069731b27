/**
 * Everything the pack knows before the first resource arrives: the environment, the clock, the stack
 * config and the exemptions. Built once per pack process (from its environment variables) or per
 * test (from explicit options).
 */
import * as path from "node:path";
import type { ChecklistId } from "./checklist";
import { clockFromEnv, type Clock } from "./clock";
import {
  configString,
  ENV_CONFIG,
  ENV_DRY_RUN,
  ENV_STACK,
  ENV_STACK_FILE,
  findProjectDir,
  parseConfigEnv,
  type Env,
  type RawStackConfig,
} from "./config";
import {
  enforcedEnvironment,
  resolveEnvironment,
  type EnvironmentName,
  type EnvironmentResolution,
} from "./environment";
import { ENV_SCOPE, parseScope, type PackScope } from "./scope";
import { ENV_EXEMPTIONS_FILE, loadExemptions, parseExemptions, type ExemptionSet } from "./exemptions";

export interface PackContext {
  readonly environment: EnvironmentResolution;
  /** The environment whose levels apply (prod when undecided). */
  readonly enforced: EnvironmentName;
  readonly clock: Clock;
  readonly config: RawStackConfig;
  readonly configError: string | undefined;
  readonly exemptions: ExemptionSet;
  /** The pack's directory (policies/). */
  readonly packDir: string;
  /** The Pulumi project root, for migrations and stack files. */
  readonly projectDir: string | undefined;
  /** The stack file to check instead of `Pulumi.<stack>.yaml` (GOLIVE_STACK_FILE). */
  readonly stackFile: string | undefined;
  readonly dryRun: boolean;
  /** The scope `GOLIVE_SCOPE` sets for every policy (pack and stack config come first; lib/scope). */
  readonly scopeFromEnv: PackScope | undefined;
}

export interface PackOptions {
  /** Environment variables to read (default: process.env). */
  readonly env?: Env;
  /** The clock: a function returning "now", or a prepared Clock. Default: GOLIVE_POLICY_CLOCK or the wall clock. */
  readonly clock?: Clock | (() => Date);
  /** Exemptions as file text or a parsed set. Default: GOLIVE_EXEMPTIONS_FILE or policies/exemptions.json. */
  readonly exemptions?: ExemptionSet | string;
  readonly packDir?: string;
}

export const DEFAULT_PACK_DIR = path.resolve(__dirname, "..");

export function createContext(
  options: PackOptions,
  policyNames: ReadonlyMap<string, ChecklistId>,
): PackContext {
  const env = options.env ?? process.env;
  const packDir = options.packDir ?? DEFAULT_PACK_DIR;
  const { config, error: configError } = parseConfigEnv(env[ENV_CONFIG]);
  const environment = resolveEnvironment(env[ENV_STACK], configString(config, "golive:environment"));

  let clock: Clock;
  if (typeof options.clock === "function") {
    const now = options.clock;
    clock = { now, pinnedBy: "the caller's clock", error: undefined };
  } else {
    clock = options.clock ?? clockFromEnv(env);
  }

  let exemptions: ExemptionSet;
  if (typeof options.exemptions === "string") {
    exemptions = parseExemptions(options.exemptions, "exemptions (in memory)", policyNames);
  } else if (options.exemptions) {
    exemptions = options.exemptions;
  } else {
    const file = env[ENV_EXEMPTIONS_FILE] ?? path.join(packDir, "exemptions.json");
    exemptions = loadExemptions(path.resolve(file), policyNames);
  }

  return {
    environment,
    enforced: enforcedEnvironment(environment),
    clock,
    config,
    configError,
    exemptions,
    packDir,
    projectDir: findProjectDir(packDir, env),
    stackFile: env[ENV_STACK_FILE] ? path.resolve(env[ENV_STACK_FILE]) : undefined,
    dryRun: env[ENV_DRY_RUN] === "true",
    scopeFromEnv: parseScope(env[ENV_SCOPE]),
  };
}
