/**
 * The model a PR report is rendered from.
 *
 * Parsers (`pulumi preview --json`, engine event logs, and later offline plan files) map their input
 * into `StackReportInput`; `renderReport` turns any number of those into one Markdown comment.
 *
 * Values are carried as `ReportValue`s: Pulumi's sentinels (secret markers, the unknown-value UUID,
 * signature-wrapped secrets) are decoded into `secret` / `unknown` by the mapper. The renderer masks
 * again whatever still looks like a secret inside plain values, so a mapper that forgets a case
 * cannot leak a value that carries a Pulumi secret marker.
 */
import type { CostChange } from "../../lib/cost/diff";

/** Every step operation the Pulumi engine emits. */
export const STEP_OPS = [
  "same",
  "create",
  "update",
  "delete",
  "replace",
  "create-replacement",
  "delete-replaced",
  "read",
  "read-replacement",
  "refresh",
  "discard",
  "discard-replaced",
  "remove-pending-replace",
  "import",
  "import-replacement",
] as const;
export type StepOp = (typeof STEP_OPS)[number];

/** Kinds of a detailed property diff (`detailedDiff[path].kind`, `diffKind` in event form). */
export const DIFF_KINDS = [
  "add",
  "add-replace",
  "delete",
  "delete-replace",
  "update",
  "update-replace",
] as const;
export type DiffKind = (typeof DIFF_KINDS)[number];

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * One side of a property change.
 * - `absent`: the property is not set on this side.
 * - `secret`: the value is secret; it is never rendered.
 * - `unknown`: computed during the update ("known after apply").
 * - `plain`: a JSON value. It may still contain nested sentinels; the renderer masks them.
 */
export type ReportValue =
  { kind: "absent" } | { kind: "secret" } | { kind: "unknown" } | { kind: "plain"; value: JsonValue };

export interface PropertyChange {
  /** Pulumi property path, as the engine writes it: `tags.Environment`, `ingress[0].fromPort`, `["a.b"]`. */
  path: string;
  kind: DiffKind;
  old: ReportValue;
  new: ReportValue;
  /** This change forces a replacement (a `*-replace` kind, or its top-level key is a replace reason). */
  forcesReplacement: boolean;
}

/**
 * Where a resource's `changes` came from:
 * - `detailed-diff`: the provider's detailed diff (paths down to leaves);
 * - `reasons`: `detailedDiff` was null (unbridged providers such as random or tls), so the changes are
 *   the top-level `diffReasons`/`replaceReasons`, with values looked up in the old and new state;
 * - `inputs`: a create (new inputs) or a delete (old inputs), one entry per top-level input;
 * - `none`: the engine gave nothing to show.
 */
export type ChangesSource = "detailed-diff" | "reasons" | "inputs" | "none";

/**
 * A secret-handling problem found by comparing the old and the new state of one resource.
 * - `secret-became-plaintext`: the old state held a secret at `path`; the new state holds a plain value
 *   there, so the value would be stored unencrypted and printed by every later preview.
 * - `plaintext-became-secret`: the value is secret now but was plain before, so it already sits
 *   unencrypted in earlier state versions and logs: rotate it.
 * - `private-key-in-plaintext`: a PEM private key is stored without a secret marker.
 */
export interface SecretExposure {
  kind: "secret-became-plaintext" | "plaintext-became-secret" | "private-key-in-plaintext";
  /** Property path, prefixed with where it was found: `inputs.x`, `outputs.x`, or a diff path. */
  path: string;
}

export interface ResourceChange {
  urn: string;
  /** Full type token, e.g. `aws:s3/bucket:Bucket`. */
  type: string;
  /** The resource's logical name (last URN segment). */
  name: string;
  /** Replacement sub-steps are folded: `create-replacement` + `delete-replaced` become one `replace`. */
  op: StepOp;
  /** Physical id in the old state, if any. */
  id?: string;
  /** Top-level properties the engine reports as different (`diffReasons`, `diffs` in event form). */
  diffReasons: string[];
  /** Properties that force a replacement (`replaceReasons`, `keys` in event form). */
  replaceReasons: string[];
  changes: PropertyChange[];
  changesSource: ChangesSource;
  /** `protect` in the new state (the old state for deletes). */
  protect: boolean;
  /** Set when `protect` differs between the old and the new state. */
  protectChange?: "added" | "removed";
  /** `retainOnDelete` in the new state (the old state for deletes). */
  retainOnDelete: boolean;
  retainOnDeleteChange?: "added" | "removed";
  secretExposures: SecretExposure[];
}

export interface PolicyViolation {
  policyPack: string;
  policyPackVersion: string;
  policyName: string;
  /** `mandatory`, `advisory`, `remediate` or `disabled` (kept as given if the engine adds more). */
  enforcementLevel: string;
  /** `critical`, `high`, `medium`, `low`, or undefined when unspecified. */
  severity?: string;
  /** Empty for stack-level policies. */
  resourceUrn?: string;
  /** Plain text: colour markup and ANSI codes are already stripped. */
  message: string;
}

export interface PolicyPackRun {
  name: string;
  version: string;
}

export interface PolicyReport {
  packs: PolicyPackRun[];
  violations: PolicyViolation[];
}

export interface Diagnostic {
  severity: "error" | "warning";
  /** Plain text: colour markup and ANSI codes are already stripped. */
  message: string;
  urn?: string;
}

/** Count of steps per operation, as the engine summarised them. */
export type OpCounts = Partial<Record<StepOp, number>>;

export interface StackReportInput {
  /** Label shown to reviewers, e.g. `staging`, `prod`. */
  name: string;
  /** Input file names, for the reader. */
  sources: string[];
  /** Resources with a step; `same` steps may be included (they are only shown for secret exposures). */
  resources: ResourceChange[];
  counts: OpCounts;
  durationSeconds?: number;
  /** The engine flagged the run as possibly corrupt. */
  maybeCorrupt?: boolean;
  diagnostics: Diagnostic[];
  /** Undefined when no policy data was given (no event log). */
  policy?: PolicyReport;
  /** The change in estimated monthly cost (lib/cost); undefined when it could not be estimated. */
  cost?: CostChange;
}
