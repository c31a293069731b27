/**
 * The estimate's context from a stack's config, as the engine passes it (`namespace:key` → value,
 * objects JSON-encoded) or already decoded (the pack): the region, `golive:billing` (budget and
 * assumptions) and the Cloudflare plan. Tolerant: the program validates config with clear errors
 * before anything is estimated, so a value that does not parse here falls back to its default and
 * the estimate says so.
 */
import { decodeConfigValue } from "../config-values";
import { billingAssumptionsSchema, DEFAULT_ASSUMPTIONS, type AssumptionKey } from "./assumptions";
import type { CostContext } from "./model";

function decoded(value: unknown): unknown {
  return typeof value === "string" ? decodeConfigValue(value) : value;
}

function record(value: unknown): Record<string, unknown> | undefined {
  const found = decoded(value);
  return found !== null && typeof found === "object" && !Array.isArray(found)
    ? (found as Record<string, unknown>)
    : undefined;
}

export interface ContextFromConfig {
  readonly context: CostContext;
  /** Why the assumptions were not read, when they did not parse. */
  readonly problem?: string;
}

/** `config`: `namespace:key` → value (string or decoded), as a plan or the pack sees it. */
export function costContextFromConfig(config: Readonly<Record<string, unknown>>): ContextFromConfig {
  const billing = record(config["golive:billing"]);
  const cdn = record(config["golive:cdn"]);
  const rawAssumptions = billing?.assumptions;
  const parsed = billingAssumptionsSchema.safeParse(rawAssumptions ?? {});
  const configured = new Set<AssumptionKey>(
    parsed.success && rawAssumptions !== null && typeof rawAssumptions === "object"
      ? (Object.keys(rawAssumptions) as AssumptionKey[])
      : [],
  );
  const region = decoded(config["aws:region"]);
  const budget = billing?.monthlyBudgetUsd;
  const plan = record(cdn?.zone)?.plan;
  const context: CostContext = {
    assumptions: parsed.success ? parsed.data : DEFAULT_ASSUMPTIONS,
    configured,
    ...(typeof region === "string" ? { region } : {}),
    ...(typeof budget === "number" ? { monthlyBudgetUsd: budget } : {}),
    ...(typeof plan === "string" ? { cloudflarePlan: plan } : {}),
  };
  if (parsed.success) return { context };
  const issue = parsed.error.issues[0];
  return {
    context,
    problem: `golive:billing.assumptions${issue?.path.length ? `.${issue.path.join(".")}` : ""}: ${issue?.message ?? "invalid"}; the defaults were used`,
  };
}
