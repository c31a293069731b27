/**
 * The plan's cost section: the monthly estimate of the stack's resources (lib/cost) with its
 * assumptions, and its rendering in `plans/<stack>.md`. The section is part of the JSON so
 * `golive diff` can show the change in monthly cost between two plans.
 */
import { costContextFromConfig } from "../../lib/cost/context";
import { estimateCost } from "../../lib/cost/estimate";
import { formatUsd } from "../../lib/cost/format";
import type { CostEstimate, CostResource } from "../../lib/cost/model";
import { codeSpan, escapeMarkdown, inlineCode, table } from "../report/text";
import type { PlanResource } from "./model";

/** The component path of each component URN (`alerts › health`), from the plan's resources. */
function componentPaths(resources: readonly PlanResource[]): Map<string, string> {
  const byUrn = new Map(resources.map((resource) => [resource.urn, resource]));
  const paths = new Map<string, string>();
  const pathOf = (urn: string, seen: Set<string>): string => {
    const known = paths.get(urn);
    if (known !== undefined) return known;
    const resource = byUrn.get(urn);
    if (resource === undefined || seen.has(urn)) return "";
    seen.add(urn);
    const parent = resource.component !== undefined ? pathOf(resource.component, seen) : "";
    const path = parent === "" ? resource.name : `${parent} › ${resource.name}`;
    paths.set(urn, path);
    return path;
  };
  for (const resource of resources) if (!resource.custom) pathOf(resource.urn, new Set());
  return paths;
}

/** The plan's custom resources as the estimate reads them. */
export function costResourcesOf(resources: readonly PlanResource[]): CostResource[] {
  const paths = componentPaths(resources);
  return resources
    .filter((resource) => resource.custom && resource.origin !== "read")
    .map((resource) => ({
      urn: resource.urn,
      type: resource.type,
      name: resource.name,
      component: resource.component !== undefined ? (paths.get(resource.component) ?? "") : "",
      inputs: resource.inputs,
      ...(resource.dependencies !== undefined ? { dependencies: resource.dependencies } : {}),
    }));
}

/** The estimate of a plan's resources under the stack's config (`namespace:key` → value). */
export function planCost(
  resources: readonly PlanResource[],
  config: Readonly<Record<string, string>>,
): CostEstimate {
  const { context, problem } = costContextFromConfig(config);
  const estimate = estimateCost(costResourcesOf(resources), context);
  return problem === undefined ? estimate : { ...estimate, notes: [problem, ...estimate.notes] };
}

function quantity(value: number): string {
  return value.toLocaleString("en-US", { maximumFractionDigits: 4 });
}

/** `plans/<stack>.md`'s cost section. */
export function renderCostSection(cost: CostEstimate): string[] {
  const lines = ["## Monthly cost estimate", ""];
  lines.push(
    `**${formatUsd(cost.monthlyUsd)}/month**: ${formatUsd(cost.fixedUsd)} fixed, ${formatUsd(cost.usageUsd)} usage-driven ` +
      `(price catalogue ${cost.catalogueVersion}, lib/cost/prices.json; ${cost.freeResources} resources have no charge).`,
    "",
  );
  if (cost.budget !== undefined) {
    const { budget } = cost;
    lines.push(
      budget.exceeded
        ? `> [!WARNING]\n> The estimate is ${budget.percent}% of the monthly budget (${formatUsd(budget.monthlyBudgetUsd)}, \`golive:billing.monthlyBudgetUsd\`), above ${budget.warnPercent}%: the budget's actual-spend alert would fire every month. Raise the budget or cut the stack (BILL-01).`
        : `Within budget: ${budget.percent}% of the monthly budget (${formatUsd(budget.monthlyBudgetUsd)}); the plan warns above ${budget.warnPercent}%.`,
      "",
    );
  }
  if (cost.unpriced.length > 0) {
    lines.push("**Not priced** (not counted in the total):", "");
    for (const type of cost.unpriced) {
      lines.push(
        `- ${codeSpan(type.type)} (${type.resources.map((name) => codeSpan(name)).join(", ")}): ${escapeMarkdown(type.reason)}`,
      );
    }
    lines.push("");
  }
  if (cost.byComponent.length > 0) {
    lines.push("### By component", "");
    lines.push(
      table(
        ["Component", "Resources", "Fixed", "Usage", "Monthly"],
        cost.byComponent.map((component) => [
          component.component === "" ? "(top level)" : escapeMarkdown(component.component),
          String(component.resources),
          formatUsd(component.fixedUsd),
          formatUsd(component.usageUsd),
          `**${formatUsd(component.monthlyUsd)}**`,
        ]),
      ),
      "",
    );
  }
  if (cost.lines.length > 0) {
    lines.push("### By resource", "");
    lines.push(
      table(
        ["Resource", "Item", "Quantity", "Unit price", "Monthly", "Basis", "How"],
        cost.lines.map((line) => [
          codeSpan(line.name),
          escapeMarkdown(line.item),
          `${quantity(line.quantity)} × ${escapeMarkdown(line.unit)}`,
          `$${line.unitUsd}`,
          formatUsd(line.monthlyUsd),
          line.basis,
          escapeMarkdown(line.usage ?? ""),
        ]),
      ),
      "",
    );
  }
  if (cost.assumptions.length > 0) {
    lines.push("### Assumptions", "");
    lines.push(
      table(
        ["Key", "Value", "From", "Meaning"],
        cost.assumptions.map((assumption) => [
          inlineCode(assumption.key),
          codeSpan(JSON.stringify(assumption.value)),
          assumption.source,
          escapeMarkdown(assumption.description),
        ]),
      ),
      "",
    );
  }
  if (cost.notes.length > 0) {
    lines.push(...cost.notes.map((note) => `- ${escapeMarkdown(note)}`), "");
  }
  return lines;
}
