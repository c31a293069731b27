/** The estimate's shapes: what goes in (resources and config) and what comes out (priced lines). */
import type { AssumptionKey, BillingAssumptions } from "./assumptions";

/** A resource as the estimate reads it: from a plan, a preview, or the policy pack. */
export interface CostResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  /** Where a reviewer finds it: the component path (`alerts › health`), empty at top level. */
  readonly component: string;
  /** Inputs (or the pack's properties); values unknown until apply may be anything but a plain value. */
  readonly inputs: Readonly<Record<string, unknown>>;
  /** URNs this resource depends on (links a bucket's settings to the bucket). */
  readonly dependencies?: readonly string[];
}

export interface CostContext {
  /** `aws:region` of the stack; resources may override it with their own `region` input. */
  readonly region?: string;
  readonly assumptions: BillingAssumptions;
  /** The assumptions the stack's config set (the others are defaults). */
  readonly configured: ReadonlySet<AssumptionKey>;
  /** `golive:cdn.zone.plan`, for zones the program does not create. */
  readonly cloudflarePlan?: string;
  /** `golive:billing.monthlyBudgetUsd`. */
  readonly monthlyBudgetUsd?: number;
}

export type CostBasis = "fixed" | "usage";

export interface CostLine {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly component: string;
  /** What is charged, e.g. `standard alarm metric`, `compute hours (medium)`. */
  readonly item: string;
  readonly priceId: string;
  readonly quantity: number;
  readonly unit: string;
  readonly unitUsd: number;
  readonly monthlyUsd: number;
  /** `fixed`: charged for existing; `usage`: grows with use. */
  readonly basis: CostBasis;
  /** How the quantity was found (a schedule's runs, an assumption). */
  readonly usage?: string;
}

export interface CostTotals {
  readonly monthlyUsd: number;
  readonly fixedUsd: number;
  readonly usageUsd: number;
}

export interface ComponentCost extends CostTotals {
  /** Component path; empty for resources at the top level. */
  readonly component: string;
  readonly resources: number;
}

export interface ResourceCost extends CostTotals {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly component: string;
}

/** A type the estimate did not price, with the resources of that type. */
export interface UnpricedType {
  readonly type: string;
  /** `not priced` (the catalogue says why) or `no catalogue entry`. */
  readonly kind: "not-priced" | "unknown";
  readonly reason: string;
  readonly resources: readonly string[];
}

export interface UsedAssumption {
  /** The config key, e.g. `golive:billing.assumptions.logIngestGbPerMonth`. */
  readonly key: string;
  readonly value: unknown;
  readonly source: "config" | "default";
  readonly description: string;
}

export interface BudgetCheck {
  readonly monthlyBudgetUsd: number;
  /** The estimate as a percent of the budget. */
  readonly percent: number;
  /** The percent above which the plan and the pack warn (80). */
  readonly warnPercent: number;
  readonly exceeded: boolean;
}

export interface CostEstimate extends CostTotals {
  readonly currency: "USD";
  readonly catalogueVersion: string;
  readonly lines: readonly CostLine[];
  readonly byComponent: readonly ComponentCost[];
  readonly byResource: readonly ResourceCost[];
  readonly unpriced: readonly UnpricedType[];
  /** Resources priced at nothing because the catalogue says the type is free. */
  readonly freeResources: number;
  readonly assumptions: readonly UsedAssumption[];
  /** How the estimate was made (month length, regions, free tiers). */
  readonly notes: readonly string[];
  readonly budget?: BudgetCheck;
}
