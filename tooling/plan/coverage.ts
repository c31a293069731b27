/**
 * Checklist coverage of one analyzed stack: for every checklist item, the policies that enforce it
 * (linked by their framework reference) and what they found. Pure.
 */
import type { RecordingDiagnostic, RecordingNotApplicable } from "../engine/analyze-recording";
import type { PolicyInfo } from "../engine/analyzer";
import { compareCodeUnits } from "./json";
import type { PlanCoverageItem } from "./model";

export interface ChecklistEntry {
  readonly id: string;
  readonly requirement: string;
}

export interface CoverageInput {
  readonly checklist: readonly ChecklistEntry[];
  readonly policies: readonly PolicyInfo[];
  readonly diagnostics: readonly RecordingDiagnostic[];
  readonly notApplicable: readonly RecordingNotApplicable[];
  /** URNs of the resources sent to `Analyze`. */
  readonly analyzedUrns: readonly string[];
}

const LEVEL_RANK: Record<string, number> = { mandatory: 3, remediate: 2, advisory: 1, disabled: 0 };

export function isBlocking(level: string): boolean {
  return level === "mandatory" || level === "remediate";
}

/** Whether a policy found anything to check in this stack. */
function wasApplicable(policy: PolicyInfo, input: CoverageInput, diagnosed: ReadonlySet<string>): boolean {
  if (diagnosed.has(policy.name)) return true;
  if (policy.type === "stack") {
    return !input.notApplicable.some(
      (entry) => entry.phase === "analyzeStack" && entry.policyName === policy.name,
    );
  }
  const skipped = new Set(
    input.notApplicable
      .filter(
        (entry) => entry.phase === "analyze" && entry.policyName === policy.name && entry.urn !== undefined,
      )
      .map((entry) => entry.urn),
  );
  return input.analyzedUrns.some((urn) => !skipped.has(urn));
}

export function checklistCoverage(input: CoverageInput): PlanCoverageItem[] {
  const diagnosed = new Set(input.diagnostics.map((diagnostic) => diagnostic.policyName));
  return input.checklist.map((item): PlanCoverageItem => {
    const policies = input.policies
      .filter((policy) => policy.framework?.reference === item.id)
      .sort((a, b) => compareCodeUnits(a.name, b.name));
    const names = new Set(policies.map((policy) => policy.name));
    const found = input.diagnostics.filter((diagnostic) => names.has(diagnostic.policyName));
    const mandatory = found.filter((diagnostic) => isBlocking(diagnostic.enforcementLevel)).length;
    const advisory = found.length - mandatory;
    if (policies.length === 0) {
      return {
        id: item.id,
        requirement: item.requirement,
        policies: [],
        level: "none",
        result: "no-policy",
        mandatory,
        advisory,
      };
    }
    const level = policies
      .map((policy) => policy.enforcementLevel)
      .reduce((best, next) => ((LEVEL_RANK[next] ?? 0) > (LEVEL_RANK[best] ?? 0) ? next : best));
    let result: PlanCoverageItem["result"];
    if (mandatory > 0) result = "fail";
    else if (advisory > 0) result = "warn";
    else if (policies.every((policy) => policy.enforcementLevel === "disabled")) result = "disabled";
    else if (policies.some((policy) => wasApplicable(policy, input, diagnosed))) result = "pass";
    else result = "not-applicable";
    return {
      id: item.id,
      requirement: item.requirement,
      policies: policies.map((policy) => policy.name),
      level,
      result,
      mandatory,
      advisory,
    };
  });
}
