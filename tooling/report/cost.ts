/**
 * The report's monthly cost section: per stack, the change in the estimated monthly cost of the
 * resources the change touches (lib/cost), e.g. `+$4.20/month: 2 new alarms, 1 health check`.
 * From a preview, the cost before is priced from the old states and after from the new ones,
 * with the stack's config as the preview reports it.
 */
import { coverageOf, priceCatalogue } from "../../lib/cost/catalogue";
import { costContextFromConfig } from "../../lib/cost/context";
import { costChange, type CostChange } from "../../lib/cost/diff";
import { estimateCost } from "../../lib/cost/estimate";
import { formatUsd } from "../../lib/cost/format";
import type { CostResource } from "../../lib/cost/model";
import type { StackReportInput } from "./model";
import type { RawResourceState, RawStep } from "./steps";
import { codeSpan, escapeMarkdown, table } from "./text";
import { UNKNOWN_VALUE } from "./values";

const BEFORE_OPS = new Set([
  "same",
  "update",
  "replace",
  "delete",
  "delete-replaced",
  "refresh",
  "discard",
  "read",
]);
const AFTER_OPS = new Set(["same", "update", "replace", "create", "create-replacement", "import", "read"]);

/** The type chain of a URN: `urn:pulumi:s::p::parent$child::name` → [parent, child]. */
function typeChain(urn: string): string[] {
  const parts = urn.split("::");
  return parts.length >= 4 ? parts[2]!.split("$") : [];
}

function nameOf(urn: string): string {
  return urn.slice(urn.lastIndexOf("::") + 2);
}

/** Values as the estimate reads them: Pulumi's unknown sentinel becomes the plan's marker. */
function plain(value: unknown): unknown {
  if (value === UNKNOWN_VALUE) return "[unknown]";
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([key, inner]) => [key, plain(inner)]),
    );
  }
  return value;
}

function asCostResource(step: RawStep, state: RawResourceState): CostResource | undefined {
  const type = state.type ?? step.type;
  if (type === undefined || type.startsWith("pulumi:")) return undefined;
  return {
    urn: step.urn,
    type,
    name: nameOf(step.urn),
    component: "",
    inputs: plain(state.inputs ?? state.outputs ?? {}) as Record<string, unknown>,
  };
}

/**
 * The cost change of a preview's steps. `config` is the preview's `config` (`namespace:key` →
 * value); without it the estimate uses golive's default assumptions.
 */
export function costChangeOfSteps(
  steps: readonly RawStep[],
  config: Readonly<Record<string, unknown>> = {},
): CostChange {
  const before: CostResource[] = [];
  const after: CostResource[] = [];
  // Components parent other resources (their type is in the children's URN type chain) and cost
  // nothing themselves; the report's states do not say which resources are custom.
  const parentTypes = new Set(steps.flatMap((step) => typeChain(step.urn).slice(0, -1)));
  const catalogue = priceCatalogue();
  const isComponent = (type: string): boolean =>
    parentTypes.has(type) && coverageOf(catalogue, type).kind === "unknown";
  for (const step of steps) {
    if (isComponent(step.new?.type ?? step.old?.type ?? step.type ?? "")) continue;
    if (BEFORE_OPS.has(step.op) && step.old !== undefined) {
      const resource = asCostResource(step, step.old);
      if (resource !== undefined) before.push(resource);
    }
    if (AFTER_OPS.has(step.op) && step.new !== undefined) {
      const resource = asCostResource(step, step.new);
      if (resource !== undefined) after.push(resource);
    }
  }
  const { context } = costContextFromConfig(config);
  return costChange(estimateCost(before, context), estimateCost(after, context));
}

/** The report chunk: one row per stack whose cost changes (none when no stack's does). */
export function costChunk(stacks: readonly StackReportInput[]): string | undefined {
  // Stacks whose change moves no priced resource say nothing here, so unrelated reports stay short.
  const priced = stacks.filter(
    (stack): stack is StackReportInput & { cost: CostChange } =>
      stack.cost !== undefined &&
      (stack.cost.resources.length > 0 ||
        stack.cost.budgetWarning !== undefined ||
        stack.cost.newlyUnpriced.length > 0),
  );
  if (priced.length === 0) return undefined;
  const rows = priced.map(({ name, cost }) => [
    codeSpan(name),
    escapeMarkdown(cost.summary),
    cost.beforeUsd !== undefined ? formatUsd(cost.beforeUsd) : "—",
    cost.afterUsd !== undefined ? formatUsd(cost.afterUsd) : "—",
  ]);
  const lines = ["### Monthly cost", "", table(["Stack", "Change", "Before", "After"], rows)];
  const notes: string[] = [];
  for (const { name, cost } of priced) {
    if (cost.budgetWarning !== undefined)
      notes.push(`⚠️ ${codeSpan(name)}: ${escapeMarkdown(cost.budgetWarning)} (BILL-01)`);
    if (cost.newlyUnpriced.length > 0) {
      notes.push(
        `${codeSpan(name)}: not priced: ${cost.newlyUnpriced.map((type) => codeSpan(type)).join(", ")}`,
      );
    }
  }
  if (notes.length > 0) lines.push("", ...notes.map((note) => `- ${note}`));
  lines.push(
    "",
    `<sub>Estimated from lib/cost/prices.json; see each plan's cost section for its assumptions.</sub>`,
  );
  return lines.join("\n");
}
