/**
 * BILL-01, the budget that cannot hold: the stack's monthly cost estimate (lib/cost, the same pure
 * code the plan uses) against `golive:billing.monthlyBudgetUsd`. Above 80% of the budget the
 * actual-spend alert would fire every month, so the pack reports it at advisory level, before the
 * first bill. The pack sees only resources and config, which is all the estimate needs.
 */
import type { PolicyResource } from "@pulumi/policy";
import { costContextFromConfig } from "../lib/cost/context";
import { BUDGET_WARN_PERCENT, estimateCost } from "../lib/cost/estimate";
import { formatUsd } from "../lib/cost/format";
import type { CostResource } from "../lib/cost/model";
import type { Check } from "./lib/define";
import { isUnknown, rawValue } from "./lib/unknowns";

/** Props as plain values; an unknown (preview) becomes the marker the estimate reads as absent. */
function plain(value: unknown): unknown {
  const raw = rawValue(value);
  if (isUnknown(raw)) return "[unknown]";
  if (Array.isArray(raw)) return raw.map(plain);
  if (raw !== null && typeof raw === "object") {
    return Object.fromEntries(
      Object.entries(raw as Record<string, unknown>).map(([key, inner]) => [key, plain(inner)]),
    );
  }
  return raw;
}

export function costResourcesOfPolicy(resources: readonly PolicyResource[]): CostResource[] {
  return resources.map((resource) => ({
    urn: resource.urn,
    type: resource.type,
    name: resource.name,
    component: "",
    inputs: (plain(resource.props) ?? {}) as Record<string, unknown>,
    dependencies: resource.dependencies.map((dependency) => dependency.urn),
  }));
}

/** Reports, at advisory level, an estimate above 80% of the declared monthly budget. */
export function reportEstimateAgainstBudget(resources: readonly PolicyResource[], check: Check): void {
  const { context } = costContextFromConfig(Object.fromEntries(check.ctx.config));
  if (context.monthlyBudgetUsd === undefined) return;
  const estimate = estimateCost(costResourcesOfPolicy(resources), context);
  const budget = estimate.budget;
  if (budget === undefined || !budget.exceeded) return;
  const top = [...estimate.byResource]
    .sort((a, b) => b.monthlyUsd - a.monthlyUsd)
    .slice(0, 3)
    .map((resource) => `${resource.name} ${formatUsd(resource.monthlyUsd)}`)
    .join(", ");
  check.notice(
    `the estimated monthly cost ${formatUsd(estimate.monthlyUsd)} is ${budget.percent}% of golive:billing.monthlyBudgetUsd (${formatUsd(budget.monthlyBudgetUsd)}), above ${BUDGET_WARN_PERCENT}%: the actual-spend alert would fire every month. Largest: ${top}. Raise the budget, cut the stack, or correct golive:billing.assumptions (see the plan's cost section)`,
  );
}
