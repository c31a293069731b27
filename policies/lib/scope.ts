/**
 * Whether a stack is a whole app environment or one part of a system, which decides whether the
 * stack-wide presence checks (a budget, an uptime check, alarms, an audit log, backups) apply.
 *
 * A platform team attaches the pack to all its stacks; most of them hold a part (a network, a
 * queue, one service), and a part without a budget is not a defect. So, unless told otherwise, a
 * stack is an `environment` when it holds golive's root environment component or declares a
 * golive app (`golive:app`), and a `component` otherwise. Told by, strongest first: the policy's pack config `scope`, the stack config
 * `golive:scope`, the `GOLIVE_SCOPE` variable in the environment the engine runs the pack in.
 */
import type { PolicyConfigSchema, PolicyResource } from "@pulumi/policy";
import type { PackContext } from "./context";
import { T } from "./types";

export type PackScope = "environment" | "component";

export const PACK_SCOPES: readonly PackScope[] = ["environment", "component"];

/** The variable the pack reads its scope from when neither pack nor stack config sets one. */
export const ENV_SCOPE = "GOLIVE_SCOPE";

export interface ScopeDecision {
  readonly scope: PackScope;
  /** Why, in words a finding can quote. */
  readonly reason: string;
}

export const ENVIRONMENT_SCOPE: ScopeDecision = {
  scope: "environment",
  reason: "the stack is a whole environment",
};

export function parseScope(value: unknown): PackScope | undefined {
  return typeof value === "string" && (PACK_SCOPES as readonly string[]).includes(value.trim().toLowerCase())
    ? (value.trim().toLowerCase() as PackScope)
    : undefined;
}

/** Every policy accepts `scope` in its pack config, so one policy group config can set it everywhere. */
export function withScopeSchema(schema: PolicyConfigSchema | undefined): PolicyConfigSchema {
  return {
    ...(schema ?? {}),
    properties: {
      ...(schema?.properties ?? {}),
      scope: {
        type: "string",
        enum: [...PACK_SCOPES],
        description:
          "environment: the stack is a whole app environment and must hold the stack-wide controls (budget, uptime check, alarms, audit log, backups); component: it holds a part, so their absence is a notice. Default: environment when the stack has golive's root environment component, component otherwise.",
      },
    },
  };
}

function told(scope: PackScope, by: string): ScopeDecision {
  return {
    scope,
    reason:
      scope === "component"
        ? `${by} says this stack holds one part of a system (scope: component)`
        : `${by} says this stack is a whole environment (scope: environment)`,
  };
}

/** The scope of this stack for one policy's stack check. */
export function decideScope(
  resources: readonly Pick<PolicyResource, "type" | "parent">[],
  ctx: Pick<PackContext, "config" | "scopeFromEnv">,
  policyConfig: object,
): ScopeDecision {
  const fromPack = parseScope((policyConfig as { scope?: unknown }).scope);
  if (fromPack !== undefined) return told(fromPack, "the pack config");
  const fromStack = parseScope(ctx.config.get("golive:scope"));
  if (fromStack !== undefined) return told(fromStack, "golive:scope");
  if (ctx.scopeFromEnv !== undefined) return told(ctx.scopeFromEnv, ENV_SCOPE);
  const hasEnvironment = resources.some(
    (resource) => resource.type === T.environment && (!resource.parent || resource.parent.type === T.stack),
  );
  if (hasEnvironment)
    return { scope: "environment", reason: "the stack holds golive's environment component" };
  if (ctx.config.has("golive:app"))
    return { scope: "environment", reason: "the stack declares a golive app (golive:app)" };
  return {
    scope: "component",
    reason:
      "the stack has no golive:environment:Environment component and no golive:app, so it is taken to hold one part of a system; set the pack config scope: environment (or golive:scope) to require it",
  };
}
