/**
 * The monthly estimate of a stack: every resource priced from the catalogue by its type's pricer,
 * totals per stack, component and resource, fixed against usage-driven, the types it could not
 * price by name, and every assumption it used. Pure and deterministic: the plan, `golive cost`,
 * the diff and the policy pack all call it with the same resources and get the same numbers.
 */
import { describeAssumption, type AssumptionKey, type BillingAssumptions } from "./assumptions";
import { coverageOf, priceCatalogue, priceOf, type Catalogue } from "./catalogue";
import type {
  ComponentCost,
  CostContext,
  CostEstimate,
  CostLine,
  CostResource,
  ResourceCost,
  UnpricedType,
  UsedAssumption,
} from "./model";
import {
  PRICERS,
  StackUsage,
  zonePlanCharges,
  type Charge,
  type PricerResult,
  type PricingEnv,
} from "./pricers";
import { DAYS_PER_MONTH, HOURS_PER_MONTH } from "./usage";

/** The estimate's share of the monthly budget above which the plan and the pack warn (BILL-01). */
export const BUDGET_WARN_PERCENT = 80;

export const ASSUMPTIONS_KEY = "golive:billing.assumptions";

const ZONE_TYPE = "cloudflare:index/zone:Zone";

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Money kept to a tenth of a cent in documents: stable JSON, and small lines do not vanish. */
export function roundUsd(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

/** Quantities to six significant digits: 0.0048 million requests stays readable and stable. */
export function roundQuantity(value: number): number {
  return value === 0 ? 0 : Number(value.toPrecision(6));
}

function isBillable(resource: CostResource): boolean {
  return !resource.type.startsWith("pulumi:providers:") && resource.type !== "pulumi:pulumi:Stack";
}

interface Collected {
  readonly lines: CostLine[];
  readonly unpriced: Map<string, { kind: UnpricedType["kind"]; reason: string; resources: string[] }>;
  free: number;
}

function addUnpriced(
  collected: Collected,
  type: string,
  kind: UnpricedType["kind"],
  reason: string,
  name: string,
): void {
  const entry = collected.unpriced.get(type) ?? { kind, reason, resources: [] };
  entry.resources.push(name);
  collected.unpriced.set(type, entry);
}

function toLines(resource: CostResource, charges: readonly Charge[], catalogue: Catalogue): CostLine[] {
  return charges.map((charge) => {
    const price = priceOf(catalogue, charge.priceId);
    return {
      urn: resource.urn,
      type: resource.type,
      name: resource.name,
      component: resource.component,
      item: charge.item,
      priceId: charge.priceId,
      quantity: charge.quantity,
      unit: price.unit,
      unitUsd: price.usd,
      monthlyUsd: charge.quantity * price.usd,
      basis: charge.basis,
      ...(charge.usage !== undefined ? { usage: charge.usage } : {}),
    };
  });
}

function totals(lines: readonly CostLine[]): { monthlyUsd: number; fixedUsd: number; usageUsd: number } {
  let fixedUsd = 0;
  let usageUsd = 0;
  for (const line of lines) {
    if (line.basis === "fixed") fixedUsd += line.monthlyUsd;
    else usageUsd += line.monthlyUsd;
  }
  return {
    monthlyUsd: roundUsd(fixedUsd + usageUsd),
    fixedUsd: roundUsd(fixedUsd),
    usageUsd: roundUsd(usageUsd),
  };
}

/** Zone-level configuration: a stack that writes it runs the zone; one that only adds records does not. */
const ZONE_CONFIG_TYPES = new Set([
  "cloudflare:index/ruleset:Ruleset",
  "cloudflare:index/zoneSetting:ZoneSetting",
  "cloudflare:index/pageRule:PageRule",
]);

/**
 * Zones the program configures but does not create: their plan (golive:cdn.zone.plan), once per
 * zone, in the stack that configures the zone. A staging stack that only adds a DNS record to
 * prod's zone does not pay for the zone's plan again.
 */
function zonePlans(resources: readonly CostResource[]): Map<string, CostResource> {
  const zones = new Map<string, CostResource>();
  const created = new Set(
    resources.filter((resource) => resource.type === ZONE_TYPE).map((resource) => resource.urn),
  );
  if (created.size > 0) return zones;
  for (const resource of resources) {
    if (!ZONE_CONFIG_TYPES.has(resource.type)) continue;
    const zoneId = resource.inputs.zoneId;
    if (typeof zoneId !== "string" || zones.has(zoneId)) continue;
    zones.set(zoneId, {
      urn: `${ZONE_TYPE}::${zoneId}`,
      type: ZONE_TYPE,
      name: zoneId === "[unknown]" ? "zone" : `zone ${zoneId}`,
      component: resource.component,
      inputs: {},
    });
  }
  return zones;
}

export function estimateCost(
  resources: readonly CostResource[],
  context: CostContext,
  catalogue: Catalogue = priceCatalogue(),
): CostEstimate {
  const billable = resources.filter(isBillable).sort((a, b) => compare(a.urn, b.urn));
  const stack = new StackUsage(billable);
  const usedAssumptions = new Set<AssumptionKey>();
  const notes = new Set<string>();
  const env: PricingEnv = {
    context,
    stack,
    assume<K extends AssumptionKey>(key: K): BillingAssumptions[K] {
      usedAssumptions.add(key);
      return context.assumptions[key];
    },
    note(text) {
      notes.add(text);
    },
  };
  const collected: Collected = { lines: [], unpriced: new Map(), free: 0 };
  const regions = new Set<string>();

  const price = (resource: CostResource, result: PricerResult): void => {
    if ("notPriced" in result)
      addUnpriced(collected, resource.type, "not-priced", result.notPriced, resource.name);
    else collected.lines.push(...toLines(resource, result, catalogue));
  };

  for (const resource of billable) {
    if (resource.type.startsWith("aws:")) {
      const region = typeof resource.inputs.region === "string" ? resource.inputs.region : context.region;
      if (region !== undefined && region !== "[unknown]") regions.add(region);
    }
    const coverage = coverageOf(catalogue, resource.type);
    const pricer = PRICERS[resource.type];
    if (coverage.kind === "free") collected.free += 1;
    else if (coverage.kind === "not-priced")
      addUnpriced(collected, resource.type, "not-priced", coverage.reason, resource.name);
    else if (coverage.kind === "unknown" || pricer === undefined) {
      // Components (golive:…) group resources and cost nothing themselves; any other type is named.
      if (/^[^:]+:[^:]+:[^:]+$/.test(resource.type) && !isComponentType(resource)) {
        addUnpriced(collected, resource.type, "unknown", "no catalogue entry", resource.name);
      }
    } else price(resource, pricer(resource, env));
  }
  for (const zone of zonePlans(billable).values()) price(zone, zonePlanCharges(context.cloudflarePlan, env));

  const unpricedRegions = [...regions]
    .filter((region) => !catalogue.awsPricedRegions.includes(region))
    .sort(compare);
  if (unpricedRegions.length > 0) {
    notes.add(
      `AWS prices are those of ${catalogue.awsPricedRegions.join(", ")}; ${unpricedRegions.join(", ")} may cost more (typically up to a third)`,
    );
  }
  for (const entry of stack.uncounted) notes.add(`schedule not counted: ${entry}`);
  if (stack.unknownTargets.length > 0) {
    notes.add(
      `targets not known until apply, so their invocations are not counted: ${[...new Set(stack.unknownTargets)].sort(compare).join(", ")}`,
    );
  }
  notes.add(
    `a month is ${DAYS_PER_MONTH} days (${HOURS_PER_MONTH} hours); hourly prices × ${HOURS_PER_MONTH}`,
  );
  notes.add("free tiers are not deducted (they are per account and shared with anything else in it)");
  notes.add("data transfer out of AWS, Supabase and Cloudflare usage beyond the plans are not estimated");

  const lines = collected.lines
    .map((line) => ({
      ...line,
      quantity: roundQuantity(line.quantity),
      monthlyUsd: roundUsd(line.monthlyUsd),
    }))
    .sort((a, b) => compare(a.urn, b.urn) || compare(a.item, b.item));
  const byResourceMap = new Map<string, CostLine[]>();
  for (const line of lines) byResourceMap.set(line.urn, [...(byResourceMap.get(line.urn) ?? []), line]);
  const byResource: ResourceCost[] = [...byResourceMap.values()].map((group) => ({
    urn: group[0]!.urn,
    type: group[0]!.type,
    name: group[0]!.name,
    component: group[0]!.component,
    ...totals(group),
  }));
  const byComponentMap = new Map<string, CostLine[]>();
  for (const line of lines)
    byComponentMap.set(line.component, [...(byComponentMap.get(line.component) ?? []), line]);
  const byComponent: ComponentCost[] = [...byComponentMap.entries()]
    .map(([component, group]) => ({
      component,
      resources: new Set(group.map((line) => line.urn)).size,
      ...totals(group),
    }))
    .sort((a, b) => compare(a.component, b.component));
  const unpriced: UnpricedType[] = [...collected.unpriced.entries()]
    .map(([type, entry]) => ({
      type,
      kind: entry.kind,
      reason: entry.reason,
      resources: [...entry.resources].sort(compare),
    }))
    .sort((a, b) => compare(a.type, b.type));
  const assumptions: UsedAssumption[] = [...usedAssumptions].sort(compare).map((key) => ({
    key: `${ASSUMPTIONS_KEY}.${key}`,
    value: context.assumptions[key],
    source: context.configured.has(key) ? "config" : "default",
    description: describeAssumption(key),
  }));
  const total = totals(lines);
  const estimate: CostEstimate = {
    currency: "USD",
    catalogueVersion: catalogue.version,
    ...total,
    lines,
    byComponent,
    byResource,
    unpriced,
    freeResources: collected.free,
    assumptions,
    notes: [...notes],
    ...(context.monthlyBudgetUsd !== undefined && context.monthlyBudgetUsd > 0
      ? { budget: budgetCheck(total.monthlyUsd, context.monthlyBudgetUsd) }
      : {}),
  };
  return estimate;
}

function isComponentType(resource: CostResource): boolean {
  // golive's own components; other programs' components are told apart by the caller (custom: false).
  return resource.type.startsWith("golive:");
}

export function budgetCheck(monthlyUsd: number, monthlyBudgetUsd: number) {
  const percent = Math.round((monthlyUsd / monthlyBudgetUsd) * 1000) / 10;
  return {
    monthlyBudgetUsd,
    percent,
    warnPercent: BUDGET_WARN_PERCENT,
    exceeded: percent > BUDGET_WARN_PERCENT,
  };
}
