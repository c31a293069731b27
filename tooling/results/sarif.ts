/**
 * Policy results as SARIF 2.1.0, for code-scanning UIs: one rule per policy (with its checklist
 * item, severity, remediation and documentation link), one result per finding. Violations are
 * `fail` results (error when mandatory, warning when advisory); exempted ones carry an external
 * suppression with the exemption as justification; undeterminable values and notices are `review`
 * and `informational` results with level `none`, as SARIF requires for non-failing kinds. Pure.
 */
import type { Finding, GoliveResults, PackMetadata, PolicyMetadata, Severity } from "./results";

export const SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";

type SarifLevel = "error" | "warning" | "note" | "none";

export interface SarifMessage {
  readonly text: string;
}

export interface SarifRule {
  readonly id: string;
  readonly name: string;
  readonly shortDescription: SarifMessage;
  readonly fullDescription?: SarifMessage;
  readonly helpUri?: string;
  readonly help?: SarifMessage;
  readonly defaultConfiguration: { readonly level: SarifLevel };
  readonly properties: Record<string, unknown>;
}

export interface SarifLocation {
  readonly physicalLocation?: { readonly artifactLocation: { readonly uri: string } };
  readonly logicalLocations?: readonly { readonly fullyQualifiedName: string; readonly kind: string }[];
}

export interface SarifResult {
  readonly ruleId: string;
  readonly ruleIndex?: number;
  readonly kind: "fail" | "review" | "informational";
  readonly level: SarifLevel;
  readonly message: SarifMessage;
  readonly locations: readonly SarifLocation[];
  readonly suppressions?: readonly {
    readonly kind: "external";
    readonly status: "accepted";
    readonly justification: string;
  }[];
  readonly properties: Record<string, unknown>;
}

export interface SarifLog {
  readonly $schema: string;
  readonly version: "2.1.0";
  readonly runs: readonly {
    readonly tool: {
      readonly driver: {
        readonly name: string;
        readonly version: string;
        readonly informationUri?: string;
        readonly rules: readonly SarifRule[];
      };
    };
    readonly results: readonly SarifResult[];
    readonly properties: Record<string, unknown>;
  }[];
}

export interface SarifOptions {
  /** A file every result points at (code scanning needs a physical location), e.g. `Pulumi.prod.yaml`. */
  readonly artifactUri?: string;
  /** Where relative documentation links (docs/checklist.md#…) are resolved, e.g. the repository's blob URL. */
  readonly documentationBase?: string;
  readonly informationUri?: string;
}

/** GitHub's security-severity scale for the policy's severity. */
const SECURITY_SEVERITY: Readonly<Record<Severity, string>> = {
  critical: "9.5",
  high: "7.5",
  medium: "5.0",
  low: "2.0",
};

function link(url: string | undefined, base: string | undefined): string | undefined {
  if (!url) return undefined;
  if (/^[a-z]+:\/\//i.test(url) || !base) return url;
  return `${base.replace(/\/+$/, "")}/${url.replace(/^\/+/, "")}`;
}

function ruleFor(policy: PolicyMetadata, options: SarifOptions): SarifRule {
  const helpUri = link(policy.url, options.documentationBase);
  return {
    id: policy.name,
    name: policy.name
      .split("-")
      .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
      .join(""),
    shortDescription: { text: policy.description },
    ...(policy.framework?.specification
      ? { fullDescription: { text: `${policy.framework.reference}: ${policy.framework.specification}` } }
      : {}),
    ...(helpUri ? { helpUri } : {}),
    ...(policy.remediationSteps ? { help: { text: policy.remediationSteps } } : {}),
    defaultConfiguration: { level: policy.enforcementLevel === "mandatory" ? "error" : "warning" },
    properties: {
      tags: [...(policy.tags ?? [])],
      ...(policy.framework ? { checklistId: policy.framework.reference } : {}),
      ...(policy.severity
        ? { severity: policy.severity, "security-severity": SECURITY_SEVERITY[policy.severity] }
        : {}),
      ...(policy.enforcementLevel ? { enforcementLevel: policy.enforcementLevel } : {}),
    },
  };
}

function resultFor(finding: Finding, ruleIndex: number | undefined, options: SarifOptions): SarifResult {
  const locations: SarifLocation[] = [];
  if (finding.urn || options.artifactUri) {
    locations.push({
      ...(options.artifactUri
        ? { physicalLocation: { artifactLocation: { uri: options.artifactUri } } }
        : {}),
      ...(finding.urn ? { logicalLocations: [{ fullyQualifiedName: finding.urn, kind: "resource" }] } : {}),
    });
  }
  const failing = finding.kind === "violation" || finding.kind === "exempted";
  const level: SarifLevel = !failing
    ? "none"
    : finding.enforcementLevel === "mandatory" || finding.enforcementLevel === "remediate"
      ? "error"
      : "warning";
  return {
    ruleId: finding.policyName,
    ...(ruleIndex !== undefined ? { ruleIndex } : {}),
    kind: failing ? "fail" : finding.kind === "undeterminable" ? "review" : "informational",
    level,
    message: { text: finding.message },
    locations,
    ...(finding.kind === "exempted"
      ? {
          suppressions: [
            {
              kind: "external" as const,
              status: "accepted" as const,
              justification: `exemption "${finding.exemption ?? ""}": ${finding.message}`,
            },
          ],
        }
      : {}),
    properties: {
      ...(finding.checklistId ? { checklistId: finding.checklistId } : {}),
      enforcementLevel: finding.enforcementLevel,
      findingKind: finding.kind,
      ...(finding.severity ? { severity: finding.severity } : {}),
    },
  };
}

export function buildSarif(results: GoliveResults, pack: PackMetadata, options: SarifOptions = {}): SarifLog {
  const policies = [...pack.policies];
  // A diagnostic from a policy the metadata does not list still needs a rule to point at.
  for (const finding of results.findings) {
    if (!policies.some((policy) => policy.name === finding.policyName)) {
      policies.push({ name: finding.policyName, description: finding.policyName });
    }
  }
  const rules = policies.map((policy) => ruleFor(policy, options));
  const index = new Map(rules.map((rule, i) => [rule.id, i]));
  return {
    $schema: SARIF_SCHEMA,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: pack.name,
            version: pack.version,
            ...(options.informationUri ? { informationUri: options.informationUri } : {}),
            rules,
          },
        },
        results: results.findings.map((finding) =>
          resultFor(finding, index.get(finding.policyName), options),
        ),
        properties: {
          ...(results.stack ? { stack: results.stack } : {}),
          ...(results.environment ? { environment: results.environment } : {}),
          blocking: results.summary.blocking,
          coverage: results.coverage.map((row) => ({ checklistId: row.checklistId, status: row.status })),
        },
      },
    ],
  };
}
