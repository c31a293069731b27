/**
 * Reading the stack config: the raw values Pulumi passes to the program, validated in one pass.
 * Parsing is pure (`parseStackConfig`); `loadStackConfig` reads through the Pulumi runtime.
 */
import * as pulumi from "@pulumi/pulumi";
import * as runtimeConfig from "@pulumi/pulumi/runtime/config";
import { decodeConfigValue } from "../lib/config-values";
import {
  ConfigError,
  mergeRepeatedProblems,
  problemsFromZod,
  setCommand,
  type ConfigProblem,
} from "./errors";
import { embeddedSecrets } from "./secret-text";
import {
  CONFIG_NAMESPACE,
  checkConfigRules,
  deferredValueChecks,
  goliveConfigSchema,
  type DeferredCheck,
  type GoliveConfig,
} from "./schema";

/** Config exactly as the engine hands it to a program: `ns:key` → string (objects JSON-encoded). */
export interface RawConfig {
  readonly values: Readonly<Record<string, string>>;
  readonly secretKeys: ReadonlySet<string>;
  readonly stack?: string;
}

export interface StackConfig extends GoliveConfig {
  readonly aws: { readonly region: string; readonly allowedAccountIds: readonly string[] };
}

/** Keys whose values are secrets whatever the stack file says. */
const ALWAYS_SECRET_TOP_KEYS = new Set(["providedSecrets"]);

function decodeAccountIds(raw: string | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  const decoded = decodeConfigValue(raw);
  if (Array.isArray(decoded)) return decoded.map((value) => String(value));
  return [String(decoded)];
}

/** Validate every golive key and the provider keys golive depends on; throw one ConfigError listing all problems. */
export function parseStackConfig(raw: RawConfig): StackConfig {
  const prefix = `${CONFIG_NAMESPACE}:`;
  const input: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw.values)) {
    if (key.startsWith(prefix)) input[key.slice(prefix.length)] = decodeConfigValue(value);
  }

  // SEC-01: secrets typed into plain values, reported with every other problem.
  const secretProblems = (reported: ReadonlySet<string>): ConfigProblem[] =>
    embeddedSecrets(raw.values, raw.secretKeys)
      .filter((found) => !reported.has(found.key))
      .map((found) => ({
        key: found.key,
        message: `holds what looks like ${found.kind} in plain text in the stack file (SEC-01); the value is not shown`,
        fix: `remove it from ${found.key}; a secret the app needs goes in golive:providedSecrets: pulumi config set --secret --path 'golive:providedSecrets.<NAME>' <value>`,
      }));

  const parsed = goliveConfigSchema.safeParse(input, { reportInput: true });
  if (!parsed.success) {
    const problems = problemsFromZod(
      goliveConfigSchema,
      parsed.error.issues,
      CONFIG_NAMESPACE,
      raw.stack,
      ALWAYS_SECRET_TOP_KEYS,
    );
    throw new ConfigError(
      [...problems, ...secretProblems(new Set(problems.map((problem) => problem.key)))],
      raw.stack,
    );
  }

  const awsRegion = raw.values["aws:region"];
  const awsAllowedAccountIds = decodeAccountIds(raw.values["aws:allowedAccountIds"]);
  const ruleIssues = checkConfigRules(
    parsed.data,
    { awsRegion, awsAllowedAccountIds, presentKeys: new Set(Object.keys(raw.values)) },
    raw.secretKeys,
  );
  const ruleProblems: ConfigProblem[] = ruleIssues.map((issue) => ({
    key: issue.key,
    message: issue.message,
    fix: issue.fix ?? setCommand(issue.key, "<value>", { stack: raw.stack }),
  }));
  const problems = mergeRepeatedProblems([
    ...ruleProblems,
    ...secretProblems(new Set(ruleProblems.map((problem) => problem.key))),
  ]);
  if (problems.length > 0) throw new ConfigError(problems, raw.stack);
  return { ...parsed.data, aws: { region: awsRegion!, allowedAccountIds: awsAllowedAccountIds! } };
}

/**
 * The value checks an offline plan leaves to the deploy-time run (placeholders stand in for values
 * it cannot know). Empty when the config is not valid: the program reports that.
 */
export function deferredChecksOf(raw: RawConfig): DeferredCheck[] {
  const prefix = `${CONFIG_NAMESPACE}:`;
  const input: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw.values)) {
    if (key.startsWith(prefix)) input[key.slice(prefix.length)] = decodeConfigValue(value);
  }
  const parsed = goliveConfigSchema.safeParse(input);
  return parsed.success ? deferredValueChecks(parsed.data) : [];
}

/**
 * Which keys the engine marked secret. The SDK exports this at runtime but hides it from its typings;
 * `pulumi.Config` only exposes it asynchronously, and validation must finish before any resource exists.
 */
function isConfigSecret(key: string): boolean {
  return (runtimeConfig as unknown as { isConfigSecret: (k: string) => boolean }).isConfigSecret(key);
}

/** The config of the running stack, as the engine passed it. */
export function readRawConfig(): RawConfig {
  const values = pulumi.runtime.allConfig();
  const secretKeys = new Set(Object.keys(values).filter((key) => isConfigSecret(key)));
  return { values, secretKeys, stack: pulumi.getStack() };
}

export function loadStackConfig(): StackConfig {
  return parseStackConfig(readRawConfig());
}
