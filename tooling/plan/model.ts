/**
 * The offline plan document (`plans/<stack>.json`): what a stack's program would register, with the
 * policy pack's verdict, in a form that is stable across runs and machines so a PR shows its
 * infrastructure change as a diff of `plans/`.
 *
 * Rules the builder guarantees: keys and resources sorted, no timestamps, no absolute paths, every
 * secret as `"[secret]"` and every value unknown until apply as `"[unknown]"`.
 */

import type { CostEstimate } from "../../lib/cost/model";

export const PLAN_FORMAT = "golive-plan/1";

/** How a secret value is written in a plan. */
export const PLAN_SECRET = "[secret]";
/** How a value that is only known after apply is written in a plan. */
export const PLAN_UNKNOWN = "[unknown]";

export type PlanValue = null | boolean | number | string | PlanValue[] | PlanObject;

export interface PlanObject {
  [key: string]: PlanValue;
}

/** Resource options that differ from the engine's defaults (absent keys mean the default). */
export interface PlanResourceOptions {
  protect?: true;
  retainOnDelete?: true;
  ignoreChanges?: string[];
  deleteBeforeReplace?: boolean;
  replaceOnChanges?: string[];
  customTimeouts?: { create?: string; update?: string; delete?: string };
  additionalSecretOutputs?: string[];
  aliases?: string[];
  deletedWith?: string;
  importId?: string;
}

export interface PlanResource {
  urn: string;
  type: string;
  name: string;
  /** False for components (and the stack). */
  custom: boolean;
  /** The nearest enclosing component's URN; absent for resources directly under the stack. */
  component?: string;
  parent?: string;
  /** The provider's URN (its id is left out: it is only known after apply). */
  provider?: string;
  /** Absent for resources the program registered. */
  origin?: "read" | "default-provider";
  inputs: PlanObject;
  options?: PlanResourceOptions;
  dependencies?: string[];
}

/** A policy finding; only a `violation` at a mandatory level blocks a deploy. */
export interface PlanViolation {
  policy: string;
  /** `violation`; `exempted` (waived by an exemption); `undeterminable` (needs a value known after apply); `notice`. */
  kind: "violation" | "exempted" | "undeterminable" | "notice";
  /** The checklist item the policy enforces. */
  checklistId?: string;
  /** `mandatory` blocks a deploy; `advisory` is reported only. */
  level: string;
  severity?: string;
  urn?: string;
  message: string;
}

/** One checklist item in this stack: which policies enforce it and what they found. */
export interface PlanCoverageItem {
  id: string;
  requirement: string;
  policies: string[];
  /** The strongest configured level of its policies (`none` without policies). */
  level: string;
  /** As tooling/results reports it, or `no policy` when no policy enforces the item. */
  status: "passed" | "violated" | "exempted" | "not applicable" | "undeterminable" | "no policy";
  /** Violations, and how many of them block. */
  violations: number;
  blocking: number;
}

export interface PlanPolicy {
  pack: { name: string; version: string };
  /** The instant the pack's clock was pinned to (the change window depends on it). */
  clock: string;
  violations: PlanViolation[];
  coverage: PlanCoverageItem[];
}

export interface PlanDiagnostic {
  severity: string;
  message: string;
  urn?: string;
}

export interface PlanSummary {
  /** Every resource, including the stack, components and providers. */
  resources: number;
  customResources: number;
  components: number;
  providers: number;
  mandatoryViolations: number;
  advisoryViolations: number;
  /** Checks that need a value known only after apply: advisory, re-checked on `pulumi up`. */
  undeterminable?: number;
  /** Exempted and notice findings. */
  otherFindings: number;
  /** `fail` when any mandatory violation would block the deploy. */
  verdict: "pass" | "fail";
}

export interface PlanDocument {
  format: typeof PLAN_FORMAT;
  project: string;
  stack: string;
  /** `up`: the program ran as in `pulumi up` against mock providers; `preview`: as in `pulumi preview`. */
  mode: "up" | "preview";
  /** Program entry and stack file, relative to the project directory. */
  source: { program: string; config: string };
  /**
   * What ran with a marked placeholder instead of a real value: operator secrets that are not set
   * (by name) and encrypted config values, which cannot be decrypted offline (by config key).
   */
  placeholderSecrets: string[];
  /**
   * Value checks an offline plan cannot make because the value is a placeholder (`check (names)`);
   * the deploy-time run, which sees the real value, makes them.
   */
  deferredChecks?: string[];
  summary: PlanSummary;
  resources: PlanResource[];
  outputs: PlanObject;
  diagnostics: PlanDiagnostic[];
  policy: PlanPolicy;
  /** The monthly cost estimate (lib/cost); absent in plans written before it existed. */
  cost?: CostEstimate;
}
