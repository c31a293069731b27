/**
 * Policy results of one stack as data: every finding classified (violation, exempted,
 * undeterminable, notice), and a coverage matrix per checklist item (passed, violated, exempted,
 * not applicable, undeterminable). Pure: the input is what the analyzer returned and the pack's
 * policy metadata, from any source (the gRPC harness, the engine's event log, tests).
 */

export type EnforcementLevel = "advisory" | "mandatory" | "remediate" | "disabled";
export type Severity = "low" | "medium" | "high" | "critical";

/** A policy as the pack describes it (GetAnalyzerInfo, or the policy objects themselves). */
export interface PolicyMetadata {
  readonly name: string;
  readonly description: string;
  readonly enforcementLevel?: EnforcementLevel;
  readonly severity?: Severity;
  readonly tags?: readonly string[];
  readonly remediationSteps?: string;
  readonly url?: string;
  readonly framework?: {
    readonly name: string;
    readonly version: string;
    readonly reference: string;
    readonly specification?: string;
  };
  /** Which validations the policy has; lets coverage tell "ran" from "not applicable". */
  readonly parts?: readonly ("resource" | "stack")[];
  /** GetAnalyzerInfo's policy type, when `parts` is not known. */
  readonly type?: "resource" | "stack" | "unknown";
}

export interface PackMetadata {
  readonly name: string;
  readonly version: string;
  readonly policies: readonly PolicyMetadata[];
}

/** One diagnostic as the analyzer returns it (AnalyzeResponse, or an engine `policyEvent`). */
export interface DiagnosticInput {
  readonly policyName: string;
  readonly message: string;
  readonly enforcementLevel: EnforcementLevel;
  readonly urn?: string;
  /** Any string the source gives; only low, medium, high and critical are kept. */
  readonly severity?: string;
}

export interface NotApplicableInput {
  readonly policyName: string;
  readonly reason?: string;
  /** The resource it was not applicable to; absent for the stack analysis. */
  readonly urn?: string;
  /** `analyze`, `analyzeStack` or `remediate`, when known. */
  readonly phase?: string;
}

export interface ChecklistItemInput {
  readonly id: string;
  readonly requirement?: string;
}

export interface ResultsInput {
  readonly pack: PackMetadata;
  readonly diagnostics: readonly DiagnosticInput[];
  readonly notApplicable?: readonly NotApplicableInput[];
  /** Policies reported as passed (the engine's policyAnalyzeSummaryEvent `passed`). */
  readonly passed?: readonly { readonly policyName: string; readonly urn?: string }[];
  /** URNs of the resources sent to Analyze; with not-applicable answers, tells which policies ran. */
  readonly analyzedUrns?: readonly string[];
  /** The items to report; default: every item the pack's policies reference. */
  readonly checklist?: readonly ChecklistItemInput[];
  readonly stack?: string;
  readonly environment?: string;
  readonly preview?: boolean;
}

export type FindingKind = "violation" | "exempted" | "undeterminable" | "notice";

export interface Finding {
  readonly policyName: string;
  readonly checklistId: string | undefined;
  readonly kind: FindingKind;
  readonly enforcementLevel: EnforcementLevel;
  readonly severity: Severity | undefined;
  readonly urn: string | undefined;
  /** The finding without the policy's description line and colour markup. */
  readonly message: string;
  /** The exemption that waived it, for `exempted`. */
  readonly exemption: string | undefined;
  readonly blocking: boolean;
}

export type CoverageStatus = "passed" | "violated" | "exempted" | "not applicable" | "undeterminable";

export interface PolicyCoverage {
  readonly name: string;
  readonly status: CoverageStatus;
}

export interface CoverageRow {
  readonly checklistId: string;
  readonly requirement: string | undefined;
  readonly status: CoverageStatus;
  readonly policies: readonly PolicyCoverage[];
  readonly violations: number;
  readonly blocking: number;
}

export interface GoliveResults {
  readonly schema: "golive-policy-results/1";
  readonly pack: { readonly name: string; readonly version: string };
  readonly stack: string | undefined;
  readonly environment: string | undefined;
  readonly preview: boolean | undefined;
  readonly summary: {
    readonly blocking: boolean;
    readonly mandatory: number;
    readonly advisory: number;
    readonly exempted: number;
    readonly undeterminable: number;
    readonly notices: number;
    readonly coverage: Readonly<Record<CoverageStatus, number>>;
  };
  readonly findings: readonly Finding[];
  readonly coverage: readonly CoverageRow[];
}

// ------------------------------------------------------------------------------------------------
// Classifying messages

/** Remove the CLI's colour markup (`<{%reset%}>`, `<{%fg 1%}>`) and ANSI escapes. */
export function stripMarkup(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/<\{%[^%]*%\}>/g, "").replace(/\u001b\[[0-9;]*m/g, "");
}

const MARKED = /^\[([A-Z]+-\d{2})\] (?:(undeterminable): |(exempted) by "([^"]*)"|(notice): )?/;

export interface ParsedMessage {
  readonly checklistId: string | undefined;
  readonly kind: FindingKind;
  readonly exemption: string | undefined;
  readonly text: string;
}

/**
 * Read a diagnostic's message. The server prefixes string reports with the policy's description
 * and a newline; the pack's own lines start with `[ID]` and name notices.
 */
export function parseMessage(message: string, description?: string): ParsedMessage {
  let text = stripMarkup(message).trim();
  if (description && text.startsWith(description)) text = text.slice(description.length).trim();
  if (/^can't run policy .* during preview/.test(text)) {
    return { checklistId: undefined, kind: "undeterminable", exemption: undefined, text };
  }
  const lines = text.split("\n");
  const marked = lines.findIndex((line) => MARKED.test(line));
  if (marked < 0) return { checklistId: undefined, kind: "violation", exemption: undefined, text };
  const line = lines.slice(marked).join("\n");
  const match = MARKED.exec(line)!;
  const kind: FindingKind = match[2]
    ? "undeterminable"
    : match[3]
      ? "exempted"
      : match[5]
        ? "notice"
        : "violation";
  return { checklistId: match[1], kind, exemption: match[4], text: line };
}

function isBlockingLevel(level: EnforcementLevel): boolean {
  return level === "mandatory" || level === "remediate";
}

export function classify(diagnostic: DiagnosticInput, policy: PolicyMetadata | undefined): Finding {
  const parsed = parseMessage(diagnostic.message, policy?.description);
  const checklistId = parsed.checklistId ?? policy?.framework?.reference;
  return {
    policyName: diagnostic.policyName,
    checklistId,
    kind: parsed.kind,
    enforcementLevel: diagnostic.enforcementLevel,
    severity: SEVERITIES.find((severity) => severity === diagnostic.severity) ?? policy?.severity,
    urn: diagnostic.urn || undefined,
    message: parsed.text,
    exemption: parsed.exemption,
    blocking: parsed.kind === "violation" && isBlockingLevel(diagnostic.enforcementLevel),
  };
}

// ------------------------------------------------------------------------------------------------
// Coverage

const ENVIRONMENT_ONLY = /prod stacks only|does not apply/i;

function partsOf(policy: PolicyMetadata): readonly ("resource" | "stack")[] {
  if (policy.parts) return policy.parts;
  if (policy.type === "resource") return ["resource"];
  if (policy.type === "stack") return ["stack"];
  return ["resource", "stack"];
}

/** Whether a policy ran anywhere in this analysis (it may have found nothing). */
function ran(policy: PolicyMetadata, input: ResultsInput): boolean {
  if ((input.passed ?? []).some((entry) => entry.policyName === policy.name)) return true;
  const skipped = (input.notApplicable ?? []).filter((entry) => entry.policyName === policy.name);
  if (skipped.some((entry) => entry.reason !== undefined && ENVIRONMENT_ONLY.test(entry.reason)))
    return false;
  const parts = partsOf(policy);
  const stackSkipped = skipped.some(
    (entry) => entry.phase === "analyzeStack" || (entry.phase === undefined && entry.urn === undefined),
  );
  if (parts.includes("stack") && !stackSkipped) return true;
  if (!parts.includes("resource")) return false;
  // Without the list of analyzed resources, a resource policy ran unless it was reported not applicable.
  if (!input.analyzedUrns) return skipped.length === 0;
  const skippedUrns = new Set(skipped.flatMap((entry) => (entry.urn === undefined ? [] : [entry.urn])));
  return input.analyzedUrns.some((urn) => !skippedUrns.has(urn));
}

const PRECEDENCE: readonly CoverageStatus[] = [
  "violated",
  "undeterminable",
  "exempted",
  "passed",
  "not applicable",
];

function worst(statuses: readonly CoverageStatus[]): CoverageStatus {
  return PRECEDENCE.find((status) => statuses.includes(status)) ?? "not applicable";
}

function policyStatus(
  policy: PolicyMetadata,
  findings: readonly Finding[],
  input: ResultsInput,
): CoverageStatus {
  const own = findings.filter((finding) => finding.policyName === policy.name);
  if (own.some((finding) => finding.kind === "violation")) return "violated";
  if (own.some((finding) => finding.kind === "undeterminable")) return "undeterminable";
  if (own.some((finding) => finding.kind === "exempted")) return "exempted";
  if (own.length > 0) return "passed";
  return ran(policy, input) ? "passed" : "not applicable";
}

/** Build the results: findings in input order, coverage in checklist order. */
export function buildResults(input: ResultsInput): GoliveResults {
  const byName = new Map(input.pack.policies.map((policy) => [policy.name, policy]));
  const findings = input.diagnostics.map((diagnostic) =>
    classify(diagnostic, byName.get(diagnostic.policyName)),
  );

  const checklist: ChecklistItemInput[] = input.checklist
    ? [...input.checklist]
    : [
        ...new Set(
          input.pack.policies.flatMap((policy) => (policy.framework ? [policy.framework.reference] : [])),
        ),
      ].map((id) => ({ id }));
  const coverage = checklist.map((item): CoverageRow => {
    const policies = input.pack.policies
      .filter((policy) => policy.framework?.reference === item.id)
      .map((policy) => ({ name: policy.name, status: policyStatus(policy, findings, input) }));
    const itemFindings = findings.filter(
      (finding) => finding.checklistId === item.id && finding.kind === "violation",
    );
    return {
      checklistId: item.id,
      requirement:
        item.requirement ??
        input.pack.policies.find((p) => p.framework?.reference === item.id)?.framework?.specification,
      status: worst(policies.map((policy) => policy.status)),
      policies,
      violations: itemFindings.length,
      blocking: itemFindings.filter((finding) => finding.blocking).length,
    };
  });

  const count = (kind: FindingKind) => findings.filter((finding) => finding.kind === kind).length;
  const violations = findings.filter((finding) => finding.kind === "violation");
  const statusCounts = Object.fromEntries(
    PRECEDENCE.map((status) => [status, coverage.filter((row) => row.status === status).length]),
  ) as Record<CoverageStatus, number>;
  return {
    schema: "golive-policy-results/1",
    pack: { name: input.pack.name, version: input.pack.version },
    stack: input.stack,
    environment: input.environment,
    preview: input.preview,
    summary: {
      blocking: violations.some((finding) => finding.blocking),
      mandatory: violations.filter((finding) => finding.blocking).length,
      advisory: violations.filter((finding) => !finding.blocking).length,
      exempted: count("exempted"),
      undeterminable: count("undeterminable"),
      notices: count("notice"),
      coverage: statusCounts,
    },
    findings,
    coverage,
  };
}

// ------------------------------------------------------------------------------------------------
// Sources

/** The metadata of policy objects (what the pack exports from policies/all.ts). */
export function packMetadata(
  name: string,
  version: string,
  policies: readonly (PolicyMetadata & {
    readonly validateResource?: unknown;
    readonly validateStack?: unknown;
  })[],
): PackMetadata {
  return {
    name,
    version,
    policies: policies.map((policy) => {
      const parts: ("resource" | "stack")[] = [];
      if (policy.validateResource) parts.push("resource");
      if (policy.validateStack) parts.push("stack");
      return {
        name: policy.name,
        description: policy.description,
        ...(policy.enforcementLevel ? { enforcementLevel: policy.enforcementLevel } : {}),
        ...(policy.severity ? { severity: policy.severity } : {}),
        ...(policy.tags ? { tags: [...policy.tags] } : {}),
        ...(policy.remediationSteps ? { remediationSteps: policy.remediationSteps } : {}),
        ...(policy.url ? { url: policy.url } : {}),
        ...(policy.framework ? { framework: policy.framework } : {}),
        parts,
      };
    }),
  };
}

interface PolicyEvent {
  readonly resourceUrn?: string;
  readonly message?: string;
  readonly policyName?: string;
  readonly policyPackName?: string;
  readonly enforcementLevel?: string;
  readonly severity?: string;
}

interface SummaryEvent {
  readonly resourceUrn?: string;
  readonly policyPackName?: string;
  readonly passed?: readonly string[];
  readonly failed?: readonly string[];
}

const LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];
const SEVERITIES: readonly Severity[] = ["low", "medium", "high", "critical"];

/**
 * Diagnostics and passes of one pack from the engine's event log (`--event-log`, JSON lines
 * already parsed): `policyEvent` and `policyAnalyzeSummaryEvent`.
 */
export function fromEngineEvents(
  events: readonly unknown[],
  packName: string,
): { diagnostics: DiagnosticInput[]; passed: { policyName: string; urn?: string }[] } {
  const diagnostics: DiagnosticInput[] = [];
  const passed: { policyName: string; urn?: string }[] = [];
  for (const event of events) {
    if (typeof event !== "object" || event === null) continue;
    const policy = (event as { policyEvent?: PolicyEvent }).policyEvent;
    if (policy && policy.policyPackName === packName && policy.policyName) {
      const level = LEVELS.find((candidate) => candidate === policy.enforcementLevel) ?? "advisory";
      const severity = SEVERITIES.find((candidate) => candidate === policy.severity);
      diagnostics.push({
        policyName: policy.policyName,
        message: stripMarkup(policy.message ?? "").trim(),
        enforcementLevel: level,
        ...(policy.resourceUrn ? { urn: policy.resourceUrn } : {}),
        ...(severity ? { severity } : {}),
      });
    }
    const summary = (event as { policyAnalyzeSummaryEvent?: SummaryEvent }).policyAnalyzeSummaryEvent;
    if (summary && summary.policyPackName === packName) {
      for (const name of summary.passed ?? []) {
        passed.push({ policyName: name, ...(summary.resourceUrn ? { urn: summary.resourceUrn } : {}) });
      }
    }
  }
  return { diagnostics, passed };
}
