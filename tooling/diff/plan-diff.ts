/**
 * Two offline plans of a stack (for example main's `plans/prod.json` and the PR's) as the report
 * model of tooling/report, so `golive diff` renders the same comment `golive report` does.
 *
 * Each resource becomes an engine-like step: `create` (only in the new plan), `delete` (only in the
 * old one), `update` (inputs or protect/retainOnDelete differ), `replace` (a changed input is listed
 * in `replaceOnChanges`) or `same`. Whether a provider would replace on a change is only known to
 * the provider; a real `pulumi preview` says so, an offline diff cannot.
 */
import { UNKNOWN_VALUE } from "../report/values";
import { formatPropertyPath, type PathSegment } from "../report/paths";
import {
  toResourceChange,
  type RawDetailedDiffEntry,
  type RawResourceState,
  type RawStep,
} from "../report/steps";
import type {
  Diagnostic,
  OpCounts,
  PolicyReport,
  ResourceChange,
  StackReportInput,
  StepOp,
} from "../report/model";
import { costChange } from "../../lib/cost/diff";
import { isRecord } from "../../lib/records";
import { compareCodeUnits } from "../plan/json";
import {
  PLAN_FORMAT,
  PLAN_UNKNOWN,
  type PlanDocument,
  type PlanResource,
  type PlanValue,
} from "../plan/model";

/** A plan file that cannot be used: names the file and what is wrong. */
export class PlanFileError extends Error {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
    this.name = "PlanFileError";
  }
}

/** Parses a plan file's text, checking the parts the diff relies on. */
export function parsePlan(text: string, file: string): PlanDocument {
  let document: unknown;
  try {
    document = JSON.parse(text) as unknown;
  } catch (error) {
    throw new PlanFileError(
      file,
      `is not JSON (${(error as Error).message}); pass a plans/<stack>.json written by golive plan`,
    );
  }
  if (!isRecord(document) || document.format !== PLAN_FORMAT) {
    throw new PlanFileError(
      file,
      `is not a golive plan (expected "format": "${PLAN_FORMAT}"); pass a plans/<stack>.json written by golive plan`,
    );
  }
  if (
    typeof document.stack !== "string" ||
    !Array.isArray(document.resources) ||
    !isRecord(document.policy)
  ) {
    throw new PlanFileError(
      file,
      "is missing `stack`, `resources` or `policy`; regenerate it with `npm run plan`",
    );
  }
  for (const [index, resource] of document.resources.entries()) {
    if (
      !isRecord(resource) ||
      typeof resource.urn !== "string" ||
      typeof resource.type !== "string" ||
      !isRecord(resource.inputs)
    ) {
      throw new PlanFileError(
        file,
        `resources[${index}] needs "urn", "type" and "inputs"; regenerate it with \`npm run plan\``,
      );
    }
  }
  return document as unknown as PlanDocument;
}

/** Plan values with the report's sentinels: `[unknown]` becomes the engine's unknown value. */
function toRaw(value: PlanValue): unknown {
  if (value === PLAN_UNKNOWN) return UNKNOWN_VALUE;
  if (Array.isArray(value)) return value.map(toRaw);
  if (value !== null && typeof value === "object") {
    const result: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) result[key] = toRaw(inner);
    return result;
  }
  return value;
}

function stateOf(resource: PlanResource): RawResourceState {
  return {
    type: resource.type,
    protect: resource.options?.protect === true,
    retainOnDelete: resource.options?.retainOnDelete === true,
    inputs: toRaw(resource.inputs) as Record<string, unknown>,
    additionalSecretOutputs: resource.options?.additionalSecretOutputs ?? [],
  };
}

function isPlainObject(value: PlanValue | undefined): value is Record<string, PlanValue> {
  return value !== null && value !== undefined && typeof value === "object" && !Array.isArray(value);
}

function equal(a: PlanValue | undefined, b: PlanValue | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Leaf-level differences between two input objects, as the engine's detailed diff names them. */
export function diffInputs(
  before: Record<string, PlanValue>,
  after: Record<string, PlanValue>,
  prefix: PathSegment[] = [],
): RawDetailedDiffEntry[] {
  const entries: RawDetailedDiffEntry[] = [];
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort(compareCodeUnits);
  for (const key of keys) diffValue(before[key], after[key], [...prefix, key], entries);
  return entries;
}

function diffValue(
  before: PlanValue | undefined,
  after: PlanValue | undefined,
  path: PathSegment[],
  entries: RawDetailedDiffEntry[],
): void {
  if (equal(before, after)) return;
  const at = formatPropertyPath(path);
  if (before === undefined) {
    entries.push({ path: at, kind: "add", inputDiff: true });
    return;
  }
  if (after === undefined) {
    entries.push({ path: at, kind: "delete", inputDiff: true });
    return;
  }
  // Markers of assets and archives are compared whole: their hash is the change.
  const isMarker = (value: Record<string, PlanValue>): boolean => "$asset" in value || "$archive" in value;
  if (isPlainObject(before) && isPlainObject(after) && !isMarker(before) && !isMarker(after)) {
    entries.push(...diffInputs(before, after, path));
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const length = Math.max(before.length, after.length);
    for (let index = 0; index < length; index += 1)
      diffValue(before[index], after[index], [...path, index], entries);
    return;
  }
  entries.push({ path: at, kind: "update", inputDiff: true });
}

function replaceKeysOf(resource: PlanResource, entries: readonly RawDetailedDiffEntry[]): string[] {
  const triggers = resource.options?.replaceOnChanges ?? [];
  if (triggers.length === 0) return [];
  const changedTop = [...new Set(entries.map((entry) => entry.path.split(/[.[]/)[0] ?? entry.path))].sort(
    compareCodeUnits,
  );
  if (triggers.includes("*")) return changedTop;
  return changedTop.filter((key) =>
    triggers.some(
      (trigger) => trigger === key || trigger.startsWith(`${key}.`) || trigger.startsWith(`${key}[`),
    ),
  );
}

/** One resource's step between two plans (undefined side = not in that plan). */
export function stepBetween(before: PlanResource | undefined, after: PlanResource | undefined): RawStep {
  if (after === undefined && before !== undefined) {
    return {
      op: "delete",
      urn: before.urn,
      type: before.type,
      old: stateOf(before),
      diffReasons: [],
      replaceReasons: [],
    };
  }
  if (after === undefined) throw new Error("stepBetween needs at least one side");
  if (before === undefined) {
    return {
      op: "create",
      urn: after.urn,
      type: after.type,
      new: stateOf(after),
      diffReasons: [],
      replaceReasons: [],
    };
  }
  const entries = diffInputs(before.inputs, after.inputs);
  const flagsChanged =
    (before.options?.protect === true) !== (after.options?.protect === true) ||
    (before.options?.retainOnDelete === true) !== (after.options?.retainOnDelete === true);
  const replaceReasons = replaceKeysOf(after, entries);
  const diffReasons = [...new Set(entries.map((entry) => entry.path.split(/[.[]/)[0] ?? entry.path))].sort(
    compareCodeUnits,
  );
  let op: StepOp = "same";
  if (replaceReasons.length > 0) op = "replace";
  else if (entries.length > 0 || flagsChanged) op = "update";
  const replaced = new Set(replaceReasons);
  return {
    op,
    urn: after.urn,
    type: after.type,
    old: stateOf(before),
    new: stateOf(after),
    diffReasons,
    replaceReasons,
    detailedDiff: entries.map((entry) => {
      const top = entry.path.split(/[.[]/)[0] ?? entry.path;
      return replaced.has(top)
        ? { ...entry, kind: `${entry.kind}-replace` as RawDetailedDiffEntry["kind"] }
        : entry;
    }),
  };
}

/** URNs carry the stack name; comparing two stacks' plans lines their resources up by the rest. */
function rebaseUrn(urn: string, from: string, to: string): string {
  const prefix = `urn:pulumi:${from}::`;
  return urn.startsWith(prefix) ? `urn:pulumi:${to}::${urn.slice(prefix.length)}` : urn;
}

function rebasePlan(plan: PlanDocument, stack: string): PlanDocument {
  if (plan.stack === stack) return plan;
  return {
    ...plan,
    resources: plan.resources.map((resource) => ({
      ...resource,
      urn: rebaseUrn(resource.urn, plan.stack, stack),
    })),
    ...(plan.cost !== undefined
      ? {
          cost: {
            ...plan.cost,
            byResource: plan.cost.byResource.map((resource) => ({
              ...resource,
              urn: rebaseUrn(resource.urn, plan.stack, stack),
            })),
          },
        }
      : {}),
  };
}

function policyOf(plan: PlanDocument): PolicyReport {
  return {
    packs: [{ name: plan.policy.pack.name, version: plan.policy.pack.version }],
    violations: plan.policy.violations.map((violation) => ({
      policyPack: plan.policy.pack.name,
      policyPackVersion: plan.policy.pack.version,
      policyName: violation.policy,
      enforcementLevel: violation.level,
      ...(violation.severity !== undefined ? { severity: violation.severity } : {}),
      ...(violation.urn !== undefined ? { resourceUrn: violation.urn } : {}),
      message: violation.message,
    })),
  };
}

function diagnosticsOf(plan: PlanDocument): Diagnostic[] {
  return plan.diagnostics
    .filter((diagnostic) => diagnostic.severity === "error" || diagnostic.severity === "warning")
    .map((diagnostic) => ({
      severity: diagnostic.severity === "error" ? "error" : "warning",
      message: diagnostic.message,
      ...(diagnostic.urn !== undefined ? { urn: diagnostic.urn } : {}),
    }));
}

export interface PlanPair {
  /** The plan before the change; undefined for a new stack. */
  readonly before?: { readonly file: string; readonly plan: PlanDocument };
  /** The plan after the change; undefined for a removed stack. */
  readonly after?: { readonly file: string; readonly plan: PlanDocument };
  /** The label shown to reviewers; default: the new plan's stack. */
  readonly name?: string;
}

/** Two plans of a stack as one stack of the report model. */
export function diffPlans(pair: PlanPair): StackReportInput {
  const reference = pair.after?.plan ?? pair.before?.plan;
  if (reference === undefined) throw new Error("diffPlans needs at least one plan");
  const stack = reference.stack;
  const before = pair.before ? rebasePlan(pair.before.plan, stack) : undefined;
  const after = pair.after?.plan;
  const oldByUrn = new Map((before?.resources ?? []).map((resource) => [resource.urn, resource]));
  const newByUrn = new Map((after?.resources ?? []).map((resource) => [resource.urn, resource]));
  const urns = [...new Set([...oldByUrn.keys(), ...newByUrn.keys()])].sort(compareCodeUnits);
  const resources: ResourceChange[] = urns.map((urn) =>
    toResourceChange(stepBetween(oldByUrn.get(urn), newByUrn.get(urn))),
  );
  const counts: OpCounts = {};
  for (const resource of resources) counts[resource.op] = (counts[resource.op] ?? 0) + 1;
  const report: StackReportInput = {
    name: pair.name ?? stack,
    sources: [pair.before?.file, pair.after?.file].filter((file): file is string => file !== undefined),
    resources,
    counts,
    diagnostics: after !== undefined ? diagnosticsOf(after) : [],
  };
  // The verdict that matters is the new plan's; a removed stack has none.
  if (after !== undefined) report.policy = policyOf(after);
  // Plans written before the cost section have none; a change is shown only when both sides can say.
  if (
    (before === undefined || before.cost !== undefined) &&
    (after === undefined || after.cost !== undefined)
  ) {
    report.cost = costChange(before?.cost, after?.cost);
  }
  return report;
}
