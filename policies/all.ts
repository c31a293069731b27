/**
 * The pack's policies, importable without starting the analyzer server (index.ts constructs the
 * PolicyPack; tests and tools import this file).
 */
import { ALERT_POLICIES } from "./alert";
import { BILL_POLICIES } from "./bill";
import { CRON_POLICIES } from "./cron";
import { DB_POLICIES } from "./db";
import { EDGE_POLICIES } from "./edge";
import { ENV_POLICIES } from "./env";
import type { ChecklistId } from "./lib/checklist";
import { createContext, type PackContext, type PackOptions } from "./lib/context";
import { buildPolicy, type GolivePolicy, type PolicySpec } from "./lib/define";
import { OPS_POLICIES } from "./ops";
import { SEC_POLICIES } from "./sec";

export const PACK_NAME = "golive-checklist";

export const POLICY_SPECS: readonly PolicySpec[] = [
  ...ENV_POLICIES,
  ...DB_POLICIES,
  ...SEC_POLICIES,
  ...EDGE_POLICIES,
  ...CRON_POLICIES,
  ...ALERT_POLICIES,
  ...BILL_POLICIES,
  ...OPS_POLICIES,
];

/** Policy name → the checklist item it enforces. */
export const POLICY_IDS: ReadonlyMap<string, ChecklistId> = new Map(
  POLICY_SPECS.map((spec) => [spec.name, spec.id]),
);

/** The context policies are built for: environment, clock, config and exemptions. */
export function packContext(options: PackOptions = {}): PackContext {
  return createContext(options, POLICY_IDS);
}

/** Build the policies for a context (the pack process: from its environment; tests: explicit options). */
export function createPolicies(options: PackOptions = {}): GolivePolicy[] {
  const context = packContext(options);
  return POLICY_SPECS.map((spec) => buildPolicy(spec, context));
}

/** The policies for this process: stack, config and clock from the environment the engine set. */
export const policies: GolivePolicy[] = createPolicies();
