/**
 * The policy verdict of one analyzed stack, in plan form: every finding classified (tooling/results:
 * violation, exempted, undeterminable, notice) and the checklist coverage, each item with the
 * policies that enforce it and what they found. Pure.
 */
import type { RecordingDiagnostic, RecordingNotApplicable } from "../engine/analyze-recording";
import type { PolicyInfo } from "../engine/analyzer";
import { buildResults, type Finding } from "../results";
import { compareCodeUnits } from "./json";
import type { PlanCoverageItem, PlanViolation } from "./model";

export interface ChecklistEntry {
  readonly id: string;
  readonly requirement: string;
}

export interface VerdictInput {
  readonly pack: { readonly name: string; readonly version: string };
  readonly policies: readonly PolicyInfo[];
  readonly diagnostics: readonly RecordingDiagnostic[];
  readonly notApplicable: readonly RecordingNotApplicable[];
  /** URNs of the resources sent to `Analyze`. */
  readonly analyzedUrns: readonly string[];
  readonly checklist: readonly ChecklistEntry[];
  readonly stack: string;
  readonly preview: boolean;
  /** Applied to every message before it is kept (machine paths, secrets). */
  readonly clean: (message: string) => string;
}

export interface PlanVerdict {
  readonly violations: PlanViolation[];
  readonly coverage: PlanCoverageItem[];
  readonly mandatory: number;
  readonly advisory: number;
  /** Checks that need a value known only after apply (reported at advisory level). */
  readonly undeterminable: number;
  /** Exempted and notice findings. */
  readonly other: number;
}

const LEVEL_RANK: Record<string, number> = { mandatory: 3, remediate: 2, advisory: 1, disabled: 0 };
const KIND_ORDER: Record<Finding["kind"], number> = {
  violation: 0,
  undeterminable: 1,
  exempted: 2,
  notice: 3,
};

export function isBlocking(level: string): boolean {
  return level === "mandatory" || level === "remediate";
}

function compareViolations(a: PlanViolation, b: PlanViolation): number {
  return (
    KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
    (LEVEL_RANK[b.level] ?? 0) - (LEVEL_RANK[a.level] ?? 0) ||
    compareCodeUnits(a.checklistId ?? "", b.checklistId ?? "") ||
    compareCodeUnits(a.policy, b.policy) ||
    compareCodeUnits(a.urn ?? "", b.urn ?? "") ||
    compareCodeUnits(a.message, b.message)
  );
}

function planViolation(finding: Finding): PlanViolation {
  return {
    policy: finding.policyName,
    kind: finding.kind,
    level: finding.enforcementLevel,
    message: finding.message,
    ...(finding.checklistId !== undefined ? { checklistId: finding.checklistId } : {}),
    ...(finding.severity !== undefined ? { severity: finding.severity } : {}),
    ...(finding.urn !== undefined ? { urn: finding.urn } : {}),
  };
}

export function planVerdict(input: VerdictInput): PlanVerdict {
  const results = buildResults({
    pack: {
      name: input.pack.name,
      version: input.pack.version,
      policies: input.policies.map((policy) => ({
        name: policy.name,
        description: policy.description,
        enforcementLevel: policy.enforcementLevel,
        type: policy.type,
        tags: policy.tags,
        ...(policy.severity !== undefined ? { severity: policy.severity } : {}),
        ...(policy.framework !== undefined ? { framework: policy.framework } : {}),
      })),
    },
    diagnostics: input.diagnostics.map((diagnostic) => ({
      policyName: diagnostic.policyName,
      message: input.clean(diagnostic.message),
      enforcementLevel: diagnostic.enforcementLevel,
      ...(diagnostic.urn !== undefined ? { urn: diagnostic.urn } : {}),
      ...(diagnostic.severity !== undefined ? { severity: diagnostic.severity } : {}),
    })),
    notApplicable: input.notApplicable,
    analyzedUrns: input.analyzedUrns,
    checklist: input.checklist,
    stack: input.stack,
    preview: input.preview,
  });

  // The same finding reached through Remediate and Analyze is one finding.
  const seen = new Set<string>();
  const violations: PlanViolation[] = [];
  for (const finding of results.findings) {
    const violation = planViolation(finding);
    const key = JSON.stringify([
      violation.policy,
      violation.kind,
      violation.level,
      violation.urn,
      violation.message,
    ]);
    if (seen.has(key)) continue;
    seen.add(key);
    violations.push(violation);
  }
  violations.sort(compareViolations);

  const levels = new Map(input.policies.map((policy) => [policy.name, policy.enforcementLevel]));
  const coverage = results.coverage.map((row): PlanCoverageItem => {
    const names = row.policies.map((policy) => policy.name).sort(compareCodeUnits);
    const level = names
      .map((name) => levels.get(name) ?? "advisory")
      .reduce<string>(
        (best, next) => ((LEVEL_RANK[next] ?? 0) > (LEVEL_RANK[best] ?? 0) ? next : best),
        "none",
      );
    const status: PlanCoverageItem["status"] = names.length === 0 ? "no policy" : row.status;
    return {
      id: row.checklistId,
      requirement: row.requirement ?? "",
      policies: names,
      level: names.length === 0 ? "none" : level,
      status,
      blocking: row.blocking,
      violations: row.violations,
    };
  });

  const violationsOnly = violations.filter((violation) => violation.kind === "violation");
  const mandatory = violationsOnly.filter((violation) => isBlocking(violation.level)).length;
  return {
    violations,
    coverage,
    mandatory,
    advisory: violationsOnly.length - mandatory,
    undeterminable: violations.filter((violation) => violation.kind === "undeterminable").length,
    other: violations.filter((violation) => violation.kind === "exempted" || violation.kind === "notice")
      .length,
  };
}
