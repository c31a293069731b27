/**
 * Policy results of offline plans, for `golive plan --sarif FILE` and `--results FILE`: the plan's
 * findings (already cleaned of machine paths and secrets) as golive's JSON results and as SARIF
 * 2.1.0 for code scanning. One SARIF run per stack, each with its own automation id, so code
 * scanning keeps the stacks apart (it refuses several runs of one tool in one category).
 */
import type { PlanDocument } from "../plan/model";
import type {
  CoverageRow,
  CoverageStatus,
  EnforcementLevel,
  Finding,
  GoliveResults,
  PackMetadata,
  PolicyMetadata,
  Severity,
} from "./results";
import { buildSarif, SARIF_SCHEMA, type SarifLog } from "./sarif";

const LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];
const SEVERITIES: readonly Severity[] = ["low", "medium", "high", "critical"];

function enforcementLevel(level: string): EnforcementLevel {
  return (LEVELS as readonly string[]).includes(level) ? (level as EnforcementLevel) : "advisory";
}

function severity(value: string | undefined): Severity | undefined {
  return value !== undefined && (SEVERITIES as readonly string[]).includes(value)
    ? (value as Severity)
    : undefined;
}

/** The planned stack as golive's policy results (schema `golive-policy-results/1`). */
export function resultsOfPlan(plan: PlanDocument, environment?: string): GoliveResults {
  const findings: Finding[] = plan.policy.violations.map((violation) => {
    const level = enforcementLevel(violation.level);
    return {
      policyName: violation.policy,
      checklistId: violation.checklistId,
      kind: violation.kind,
      enforcementLevel: level,
      severity: severity(violation.severity),
      urn: violation.urn,
      message: violation.message,
      exemption: undefined,
      blocking: violation.kind === "violation" && (level === "mandatory" || level === "remediate"),
    };
  });
  // Items no policy enforces have no result to report. The plan keeps one status per item, so a
  // policy's own status is given only where it is the item's single policy.
  const coverage: CoverageRow[] = [];
  for (const item of plan.policy.coverage) {
    const status = item.status;
    if (status === "no policy") continue;
    coverage.push({
      checklistId: item.id,
      requirement: item.requirement,
      status,
      policies: item.policies.length === 1 ? [{ name: item.policies[0]!, status }] : [],
      violations: item.violations,
      blocking: item.blocking,
    });
  }
  const counts: Record<CoverageStatus, number> = {
    passed: 0,
    violated: 0,
    exempted: 0,
    "not applicable": 0,
    undeterminable: 0,
  };
  for (const row of coverage) counts[row.status] += 1;
  const count = (kind: Finding["kind"]) => findings.filter((finding) => finding.kind === kind).length;
  const violations = findings.filter((finding) => finding.kind === "violation");
  return {
    schema: "golive-policy-results/1",
    pack: plan.policy.pack,
    stack: plan.stack,
    environment,
    preview: plan.mode === "preview",
    summary: {
      blocking: plan.summary.verdict === "fail",
      mandatory: violations.filter((finding) => finding.blocking).length,
      advisory: violations.filter((finding) => !finding.blocking).length,
      exempted: count("exempted"),
      undeterminable: count("undeterminable"),
      notices: count("notice"),
      coverage: counts,
    },
    findings,
    coverage,
  };
}

export interface PlannedStackResults {
  readonly plan: PlanDocument;
  /** The pack's policies as it described them (GetAnalyzerInfo). */
  readonly policies: readonly PolicyMetadata[];
}

/**
 * One SARIF log for every planned stack. Results point at the stack file (code scanning needs a file
 * in the repository) and name the resource by URN.
 */
export function sarifOfPlans(stacks: readonly PlannedStackResults[]): SarifLog {
  const runs = stacks.map(({ plan, policies }) => {
    const pack: PackMetadata = { ...plan.policy.pack, policies };
    const [run] = buildSarif(resultsOfPlan(plan), pack, { artifactUri: plan.source.config }).runs;
    return { ...run!, automationDetails: { id: `golive-plan/${plan.stack}/` } };
  });
  return { $schema: SARIF_SCHEMA, version: "2.1.0", runs };
}
