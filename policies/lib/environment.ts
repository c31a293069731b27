/**
 * Which environment a stack is, from the three places that can say so, and the enforcement level
 * that follows for each checklist item.
 */
import type { EnforcementLevel } from "@pulumi/policy";
import type { ChecklistItem } from "./checklist";

export type EnvironmentName = "staging" | "prod";

/** `prod`, `production`, `*-prod`, `*-production` → prod; `staging`, `*-staging` → staging. */
export function environmentFromName(name: string | undefined): EnvironmentName | undefined {
  if (!name) return undefined;
  // Fully qualified stack names (org/project/stack) end with the stack itself.
  const stack = (name.split("/").pop() ?? "").trim().toLowerCase();
  if (
    stack === "prod" ||
    stack === "production" ||
    stack.endsWith("-prod") ||
    stack.endsWith("-production")
  ) {
    return "prod";
  }
  if (stack === "staging" || stack.endsWith("-staging")) return "staging";
  return undefined;
}

export interface EnvironmentResolution {
  /** The environment the pack enforces for; undefined when nothing says (treated as prod). */
  readonly name: EnvironmentName | undefined;
  readonly stackName: string | undefined;
  readonly fromStack: EnvironmentName | undefined;
  readonly fromConfig: EnvironmentName | undefined;
  /** The raw `golive:environment` value when it is not `staging` or `prod`. */
  readonly invalidConfigValue: string | undefined;
  /** Why the sources disagree, when they do. */
  readonly conflict: string | undefined;
}

/** Combine the stack name and `golive:environment`; the root component is checked later, by policy. */
export function resolveEnvironment(
  stackName: string | undefined,
  configValue: string | undefined,
): EnvironmentResolution {
  const fromStack = environmentFromName(stackName);
  const fromConfig = environmentFromName(configValue);
  const invalidConfigValue = configValue !== undefined && fromConfig === undefined ? configValue : undefined;
  const conflict =
    fromStack && fromConfig && fromStack !== fromConfig
      ? `the stack name "${stackName}" says ${fromStack} but golive:environment says ${fromConfig}`
      : undefined;
  // A conflict leaves the environment undecided, which the pack enforces as prod (strictest).
  const name = conflict ? undefined : (fromConfig ?? fromStack);
  return { name, stackName, fromStack, fromConfig, invalidConfigValue, conflict };
}

/** The environment whose levels apply: an undecided environment gets prod's (strictest) levels. */
export function enforcedEnvironment(resolution: EnvironmentResolution): EnvironmentName {
  return resolution.name ?? "prod";
}

/** prod: mandatory; staging: advisory unless the item is marked `both`. */
export function levelFor(item: ChecklistItem, environment: EnvironmentName): EnforcementLevel {
  if (environment === "prod" || item.both) return "mandatory";
  return "advisory";
}

/** The other environment, whose names and accounts this stack must never reference (ENV-01). */
export function otherEnvironment(environment: EnvironmentName): EnvironmentName {
  return environment === "prod" ? "staging" : "prod";
}

/** Words that name an environment in resource names and hostnames. */
export const ENVIRONMENT_WORDS: Readonly<Record<EnvironmentName, readonly string[]>> = {
  prod: ["prod", "production", "prd"],
  staging: ["staging", "stage", "stg"],
};
