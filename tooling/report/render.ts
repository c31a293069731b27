/**
 * Renders stacks' changes as one Markdown PR comment: alerts, summary, risk, policy, stack
 * comparison, per-resource details. The output fits a character budget (GitHub's comment limit by
 * default) by dropping detail level by level, and is deterministic for a given input.
 */
import { compareStacks } from "./compare";
import {
  STEP_OPS,
  type PolicyViolation,
  type PropertyChange,
  type ReportValue,
  type ResourceChange,
  type SecretExposure,
  type StackReportInput,
  type StepOp,
} from "./model";
import { costChunk } from "./cost";
import { formatPropertyPath, lastKeyName, type PathSegment } from "./paths";
import { assessRisk, isReplaceLike, opRank, type RiskFinding } from "./risk";
import { isDeleteLike, tryParseUrn } from "./steps";
import {
  codeSpan,
  compareText,
  escapeHtml,
  escapeMarkdown,
  inlineCode,
  oneLine,
  packLabel,
  table,
  truncate,
} from "./text";
import { DISPLAY, displayValue } from "./values";
import { isRecord } from "../../lib/records";

/** GitHub's limit for an issue or PR comment body. */
export const DEFAULT_BUDGET = 65_536;
/** Hidden marker identifying the report comment, so CI updates one comment in place. */
export const REPORT_MARKER = "<!-- golive-report -->";
/** The smallest budget that still holds the marker and the truncation note. */
export const MIN_BUDGET = 400;

/** Detail levels, most detailed first; the renderer steps down until the output fits. */
export const DETAIL_LEVELS = ["full", "trimmed", "risky", "list", "counts"] as const;
export type DetailLevel = (typeof DETAIL_LEVELS)[number];

export interface RenderOptions {
  /** Maximum length in UTF-16 code units (never fewer than characters). Default 65,536. */
  budget?: number;
  /** Heading; default "Pulumi preview". */
  title?: string;
  /** Most detailed level to try; default "full". */
  maxDetail?: DetailLevel;
}

export interface RenderedReport {
  markdown: string;
  /** The level that fit, or `truncated` when even counts had to be cut at section boundaries. */
  detail: DetailLevel | "truncated";
  /** Suggested PR labels: `destroy` when anything is deleted or replaced, `no-changes` when nothing changes. */
  labels: string[];
}

interface LevelSettings {
  /** Max characters of one displayed value. */
  valueMax: number;
  /** Max property rows per resource. */
  rowsPerResource: number;
  /** Which resources get a property table. */
  details: "all" | "risky" | "none";
  /** Open the details of risky resources. */
  openRisky: boolean;
  /** Tables of individual risks, violations and differences (false: counts only). */
  itemTables: boolean;
  /** Max characters of a message (policy, diagnostic). */
  messageMax: number;
}

const LEVELS: Record<DetailLevel, LevelSettings> = {
  full: {
    valueMax: 1000,
    rowsPerResource: 200,
    details: "all",
    openRisky: true,
    itemTables: true,
    messageMax: 1000,
  },
  trimmed: {
    valueMax: 100,
    rowsPerResource: 15,
    details: "all",
    openRisky: false,
    itemTables: true,
    messageMax: 200,
  },
  risky: {
    valueMax: 100,
    rowsPerResource: 10,
    details: "risky",
    openRisky: false,
    itemTables: true,
    messageMax: 200,
  },
  list: {
    valueMax: 60,
    rowsPerResource: 0,
    details: "none",
    openRisky: false,
    itemTables: true,
    messageMax: 120,
  },
  counts: {
    valueMax: 60,
    rowsPerResource: 0,
    details: "none",
    openRisky: false,
    itemTables: false,
    messageMax: 120,
  },
};

const DEGRADE_NOTES: Record<DetailLevel, string> = {
  full: "",
  trimmed: "property values are shortened and long property lists cut",
  risky: "property details are shown only for risky resources",
  list: "property details are left out; resources are listed",
  counts: "only counts are shown",
};

const OP_LABELS: Partial<Record<StepOp, string>> = {
  create: "🟢 create",
  update: "🟡 update",
  replace: "🟠 replace",
  delete: "🔴 delete",
  "delete-replaced": "🔴 delete-replaced",
  discard: "🔴 discard",
  "discard-replaced": "🔴 discard-replaced",
  import: "🔵 import",
  read: "🔵 read",
  "read-replacement": "🟠 read-replacement",
  "import-replacement": "🟠 import-replacement",
};

function opLabel(op: StepOp): string {
  return OP_LABELS[op] ?? `⚪ ${op}`;
}

const SUMMARY_OPS: StepOp[] = ["create", "update", "replace", "delete"];
const EXTRA_OPS: StepOp[] = [
  "import",
  "read",
  "refresh",
  "discard",
  "create-replacement",
  "delete-replaced",
  "read-replacement",
  "import-replacement",
  "discard-replaced",
  "remove-pending-replace",
];

const ENFORCEMENT_ORDER = ["mandatory", "advisory", "remediate", "disabled"];
const SEVERITY_ORDER = ["critical", "high", "medium", "low"];

function rankOf(order: readonly string[], value: string | undefined): number {
  const index = value === undefined ? -1 : order.indexOf(value);
  return index < 0 ? order.length : index;
}

// ---------------------------------------------------------------------------------------------
// Facts derived once per render.

interface StackView {
  stack: StackReportInput;
  /** Non-`same` resources, risky and destructive first. */
  changed: ResourceChange[];
  risks: Map<ResourceChange, RiskFinding[]>;
}

/** Destructive ops first; within an op, risky resources first; then by type, name and URN. */
function byRisk(
  risks: ReadonlyMap<ResourceChange, RiskFinding[]>,
): (a: ResourceChange, b: ResourceChange) => number {
  const riskRank = (resource: ResourceChange): number => (risks.has(resource) ? 0 : 1);
  return (a, b) =>
    opRank(a.op) - opRank(b.op) ||
    riskRank(a) - riskRank(b) ||
    compareText(a.type, b.type) ||
    compareText(a.name, b.name) ||
    compareText(a.urn, b.urn);
}

function viewOf(stack: StackReportInput): StackView {
  const risks = new Map<ResourceChange, RiskFinding[]>();
  for (const resource of stack.resources) {
    const findings = assessRisk(resource);
    if (findings.length > 0) risks.set(resource, findings);
  }
  const changed = stack.resources.filter((resource) => resource.op !== "same").sort(byRisk(risks));
  return { stack, changed, risks };
}

function changeCount(stack: StackReportInput): number {
  let total = 0;
  for (const [op, count] of Object.entries(stack.counts)) if (op !== "same") total += count ?? 0;
  return Math.max(total, stack.resources.filter((resource) => resource.op !== "same").length);
}

function destroys(stack: StackReportInput): boolean {
  const counted = STEP_OPS.some(
    (op) => (stack.counts[op] ?? 0) > 0 && (isDeleteLike(op) || isReplaceLike(op)),
  );
  return (
    counted || stack.resources.some((resource) => isDeleteLike(resource.op) || isReplaceLike(resource.op))
  );
}

/** Suggested PR labels for the stacks. */
export function suggestLabels(stacks: readonly StackReportInput[]): string[] {
  const labels: string[] = [];
  if (stacks.some(destroys)) labels.push("destroy");
  if (stacks.every((stack) => changeCount(stack) === 0)) labels.push("no-changes");
  return labels;
}

// ---------------------------------------------------------------------------------------------
// Small formatters.

function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined) return "—";
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const rounded = Math.round(seconds);
  return `${Math.floor(rounded / 60)}m ${rounded % 60}s`;
}

function resourceLabel(type: string, name: string, code: (text: string) => string = codeSpan): string {
  return `${code(name)} (${code(type)})`;
}

function urnLabel(urn: string | undefined): string {
  if (urn === undefined) return "(stack)";
  const parsed = tryParseUrn(urn);
  return parsed === undefined ? codeSpan(urn) : resourceLabel(parsed.type, parsed.name);
}

function formatValue(value: ReportValue, path: string, max: number): string {
  switch (value.kind) {
    case "absent":
      return "—";
    case "secret":
      return codeSpan(DISPLAY.secret);
    case "unknown":
      return "_known after apply_";
    case "plain":
      return codeSpan(truncate(displayValue(value.value, lastKeyName(path)), max));
  }
}

const KIND_TEXT: Record<PropertyChange["kind"], string> = {
  add: "added",
  "add-replace": "added",
  delete: "removed",
  "delete-replace": "removed",
  update: "changed",
  "update-replace": "changed",
};

function kindText(change: PropertyChange): string {
  return change.forcesReplacement
    ? `${KIND_TEXT[change.kind]}, **forces replacement**`
    : KIND_TEXT[change.kind];
}

// ---------------------------------------------------------------------------------------------
// Structural diff of JSON documents held in strings (IAM policies, Supabase settings blobs).

interface JsonDiffRow {
  path: PathSegment[];
  kind: "added" | "removed" | "changed";
  old?: unknown;
  new?: unknown;
}

function parseJsonDocument(value: ReportValue): unknown {
  if (value.kind !== "plain" || typeof value.value !== "string") return undefined;
  const text = value.value.trim();
  if (!text.startsWith("{") && !text.startsWith("[")) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === "object" && parsed !== null ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function diffJson(a: unknown, b: unknown, path: PathSegment[], rows: JsonDiffRow[], limit: number): void {
  if (rows.length >= limit || sameJson(a, b)) return;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let index = 0; index < Math.max(a.length, b.length); index += 1) {
      if (index >= a.length) rows.push({ path: [...path, index], kind: "added", new: b[index] });
      else if (index >= b.length) rows.push({ path: [...path, index], kind: "removed", old: a[index] });
      else diffJson(a[index], b[index], [...path, index], rows, limit);
    }
    return;
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = [...Object.keys(a), ...Object.keys(b).filter((key) => !Object.hasOwn(a, key))];
    for (const key of keys) {
      if (!Object.hasOwn(b, key)) rows.push({ path: [...path, key], kind: "removed", old: a[key] });
      else if (!Object.hasOwn(a, key)) rows.push({ path: [...path, key], kind: "added", new: b[key] });
      else diffJson(a[key], b[key], [...path, key], rows, limit);
    }
    return;
  }
  rows.push({ path, kind: "changed", old: a, new: b });
}

/** Rows for a change between two JSON documents held in strings; empty when not applicable. */
function jsonDocumentRows(change: PropertyChange, max: number): string[][] {
  if (change.kind !== "update" && change.kind !== "update-replace") return [];
  const keyName = lastKeyName(change.path);
  const oldDocument = parseJsonDocument(change.old);
  const newDocument = parseJsonDocument(change.new);
  if (oldDocument === undefined || newDocument === undefined) return [];
  // A document that is masked as a whole stays masked.
  const oldShown = change.old.kind === "plain" ? displayValue(change.old.value, keyName) : "";
  const newShown = change.new.kind === "plain" ? displayValue(change.new.value, keyName) : "";
  if (oldShown === DISPLAY.hidden || newShown === DISPLAY.hidden) return [];
  const rows: JsonDiffRow[] = [];
  diffJson(oldDocument, newDocument, [], rows, 50);
  return rows.map((row) => {
    const name =
      typeof row.path[row.path.length - 1] === "string" ? String(row.path[row.path.length - 1]) : keyName;
    const show = (value: unknown, present: boolean): string =>
      present ? codeSpan(truncate(displayValue(value, name), max)) : "—";
    return [
      `${codeSpan(change.path)} (JSON) ${codeSpan(formatPropertyPath(row.path) || "(document)")}`,
      row.kind,
      show(row.old, row.kind !== "added"),
      show(row.new, row.kind !== "removed"),
    ];
  });
}

// ---------------------------------------------------------------------------------------------
// Sections. Each returns whole chunks (a heading with its table, a details block...), so that
// truncation never cuts inside a table, a code block or a details element.

function headerChunk(stacks: readonly StackReportInput[], title: string, labels: readonly string[]): string {
  const lines = [REPORT_MARKER];
  if (labels.length > 0) lines.push(`<!-- golive-report-labels: ${labels.join(",")} -->`);
  const names = stacks.map((stack) => inlineCode(stack.name)).join(", ");
  lines.push(`## ${escapeMarkdown(title)}: ${names || "no stacks"}`);
  if (labels.length > 0)
    lines.push("", `**Suggested labels:** ${labels.map((label) => inlineCode(label)).join(" ")}`);
  return lines.join("\n");
}

const EXPOSURE_TEXT: Record<SecretExposure["kind"], string> = {
  "secret-became-plaintext":
    "was secret in the old state and is plain text in the new one: it would be stored unencrypted and printed by every preview. Make it a secret again (pulumi.secret or additionalSecretOutputs).",
  "plaintext-became-secret":
    "is secret now but was plain text before: the old value sits unencrypted in earlier state versions and logs. Rotate it.",
  "private-key-in-plaintext":
    "holds a private key without a secret marker, so it is stored unencrypted in the state. Make it a secret and rotate the key.",
};

function secretAlertChunk(views: readonly StackView[], settings: LevelSettings): string | undefined {
  const items: string[] = [];
  for (const { stack } of views) {
    const resources = [...stack.resources].sort(
      (a, b) => compareText(a.urn, b.urn) || compareText(a.op, b.op),
    );
    for (const resource of resources) {
      for (const exposure of resource.secretExposures) {
        items.push(
          `> - ${inlineCode(stack.name)} ${resourceLabel(resource.type, resource.name, inlineCode)}: ${inlineCode(exposure.path)} ${escapeMarkdown(EXPOSURE_TEXT[exposure.kind])}`,
        );
      }
    }
  }
  if (items.length === 0) return undefined;
  const shown = settings.itemTables ? 30 : 5;
  const lines = [
    "> [!CAUTION]",
    `> **Secret exposure: ${items.length} ${items.length === 1 ? "value" : "values"}.** The values are not shown here.`,
    ">",
    ...items.slice(0, shown),
  ];
  if (items.length > shown) lines.push(`> - … and ${items.length - shown} more`);
  return lines.join("\n");
}

function warningAlertChunk(views: readonly StackView[]): string | undefined {
  const lines: string[] = [];
  for (const { stack } of views) {
    const mandatory =
      stack.policy?.violations.filter((violation) => violation.enforcementLevel === "mandatory").length ?? 0;
    if (mandatory > 0) {
      lines.push(
        `> - ${inlineCode(stack.name)}: **${mandatory} mandatory policy ${mandatory === 1 ? "violation" : "violations"}**: the update is blocked until they are fixed.`,
      );
    }
    const errors = stack.diagnostics.filter((diagnostic) => diagnostic.severity === "error").length;
    if (errors > 0)
      lines.push(
        `> - ${inlineCode(stack.name)}: ${errors} ${errors === 1 ? "error" : "errors"} during the preview.`,
      );
    if (stack.maybeCorrupt === true)
      lines.push(`> - ${inlineCode(stack.name)}: the engine reports the state may be corrupt.`);
  }
  return lines.length === 0 ? undefined : ["> [!WARNING]", ...lines].join("\n");
}

function policyCell(stack: StackReportInput): string {
  if (stack.policy === undefined) return "—";
  const violations = stack.policy.violations;
  if (violations.length === 0) return stack.policy.packs.length > 0 ? "✅ passed" : "no packs ran";
  const byLevel = new Map<string, number>();
  for (const violation of violations) {
    byLevel.set(violation.enforcementLevel, (byLevel.get(violation.enforcementLevel) ?? 0) + 1);
  }
  const levels = [...byLevel.keys()].sort(
    (a, b) => rankOf(ENFORCEMENT_ORDER, a) - rankOf(ENFORCEMENT_ORDER, b) || compareText(a, b),
  );
  const icon = byLevel.has("mandatory") ? "❌" : "⚠️";
  return `${icon} ${levels.map((level) => `${byLevel.get(level) ?? 0} ${escapeMarkdown(level)}`).join(", ")}`;
}

function summaryChunk(views: readonly StackView[], settings: LevelSettings): string {
  const extras = EXTRA_OPS.filter((op) => views.some(({ stack }) => (stack.counts[op] ?? 0) > 0));
  const header = [
    "Stack",
    ...SUMMARY_OPS.map((op) => opLabel(op)),
    ...extras.map((op) => escapeMarkdown(op)),
    "Unchanged",
    "Policy",
    "Duration",
  ];
  const rows = views.map(({ stack }) => [
    codeSpan(stack.name),
    ...[...SUMMARY_OPS, ...extras].map((op) => String(stack.counts[op] ?? 0)),
    String(stack.counts.same ?? 0),
    policyCell(stack),
    formatDuration(stack.durationSeconds),
  ]);
  const lines = ["### Summary", "", table(header, rows)];
  if (settings.details !== "none") {
    const inputs = views.map(
      ({ stack }) =>
        `${inlineCode(stack.name)}: ${stack.sources.map((source) => inlineCode(source)).join(", ")}`,
    );
    lines.push("", `<sub>Inputs: ${inputs.join(" · ")}</sub>`);
  }
  return lines.join("\n");
}

function riskText(finding: RiskFinding, code: (text: string) => string = codeSpan): string {
  const text = escapeMarkdown(finding.text);
  const properties = finding.properties?.map((property) => code(property)).join(", ");
  return properties === undefined ? text : `${text} ${properties}`;
}

function riskChunk(views: readonly StackView[], settings: LevelSettings): string {
  const rows: string[][] = [];
  let total = 0;
  const byKind = new Map<string, number>();
  for (const { stack, risks } of views) {
    const risky = [...risks.keys()].filter((resource) => resource.op !== "same").sort(byRisk(risks));
    for (const resource of risky) {
      const findings = risks.get(resource) ?? [];
      total += 1;
      for (const finding of findings) byKind.set(finding.kind, (byKind.get(finding.kind) ?? 0) + 1);
      rows.push([
        codeSpan(stack.name),
        resourceLabel(resource.type, resource.name),
        opLabel(resource.op),
        findings.map((finding) => riskText(finding)).join("; "),
      ]);
    }
  }
  const heading = "### ⚠️ Risk";
  if (total === 0)
    return `${heading}\n\nNo deletes, replacements, stateful or protected resources are touched.`;
  const counts = [...byKind.entries()]
    .sort((a, b) => compareText(a[0], b[0]))
    .map(([kind, count]) => `${count} ${kind}`)
    .join(", ");
  const summary = `${total} risky ${total === 1 ? "change" : "changes"} (${counts}).`;
  if (!settings.itemTables) return `${heading}\n\n${summary}`;
  return [heading, "", summary, "", table(["Stack", "Resource", "Op", "Why"], rows)].join("\n");
}

function compareViolations(
  a: { stackIndex: number; violation: PolicyViolation },
  b: { stackIndex: number; violation: PolicyViolation },
): number {
  return (
    rankOf(SEVERITY_ORDER, a.violation.severity) - rankOf(SEVERITY_ORDER, b.violation.severity) ||
    a.stackIndex - b.stackIndex ||
    compareText(a.violation.policyPack, b.violation.policyPack) ||
    compareText(a.violation.policyName, b.violation.policyName) ||
    compareText(a.violation.resourceUrn ?? "", b.violation.resourceUrn ?? "") ||
    compareText(a.violation.message, b.violation.message)
  );
}

function policyChunks(views: readonly StackView[], settings: LevelSettings): string[] {
  const heading = "### Policy";
  const withPolicy = views.filter(({ stack }) => stack.policy !== undefined);
  if (withPolicy.length === 0) {
    return [
      `${heading}\n\nNo event log was given, so policy results are not available (pass \`--stack NAME=PREVIEW,EVENTS\`).`,
    ];
  }
  const intro: string[] = [];
  for (const { stack } of views) {
    if (stack.policy === undefined) {
      intro.push(`- ${inlineCode(stack.name)}: no event log, policy results not available.`);
      continue;
    }
    const packs = stack.policy.packs.map((pack) => inlineCode(packLabel(pack.name, pack.version))).join(", ");
    if (packs === "" && stack.policy.violations.length === 0) {
      intro.push(`- ${inlineCode(stack.name)}: no policy packs ran.`);
      continue;
    }
    intro.push(
      `- ${inlineCode(stack.name)}: ${stack.policy.violations.length} ${stack.policy.violations.length === 1 ? "violation" : "violations"}; packs: ${packs || "none reported"}.`,
    );
  }
  const entries = views.flatMap(({ stack }, stackIndex) =>
    (stack.policy?.violations ?? []).map((violation) => ({ stackIndex, stack: stack.name, violation })),
  );
  const levels = [...new Set(entries.map((entry) => entry.violation.enforcementLevel))].sort(
    (a, b) => rankOf(ENFORCEMENT_ORDER, a) - rankOf(ENFORCEMENT_ORDER, b) || compareText(a, b),
  );
  const levelTitle = (level: string, count: number): string => {
    const icon = level === "mandatory" ? "❌" : level === "advisory" ? "⚠️" : "ℹ️";
    return `${icon} ${escapeMarkdown(level.charAt(0).toUpperCase() + level.slice(1))} (${count})`;
  };
  const countOf = (level: string): number =>
    entries.filter((entry) => entry.violation.enforcementLevel === level).length;
  if (!settings.itemTables) {
    // One chunk, so that a cut report never keeps a level without its section.
    const perLevel = levels.map((level) => levelTitle(level, countOf(level))).join(" · ");
    return [[heading, "", ...intro, ...(perLevel === "" ? [] : ["", perLevel])].join("\n")];
  }
  const chunks = [[heading, "", ...intro].join("\n")];
  for (const level of levels) {
    const group = entries
      .filter((entry) => entry.violation.enforcementLevel === level)
      .sort(compareViolations);
    const title = `#### ${levelTitle(level, group.length)}`;
    const rows = group.map(({ stack, violation }) => [
      codeSpan(stack),
      `${codeSpan(violation.policyName)} (${codeSpan(packLabel(violation.policyPack, violation.policyPackVersion))})`,
      violation.severity ?? "—",
      urnLabel(violation.resourceUrn),
      escapeMarkdown(truncate(violation.message, settings.messageMax)),
    ]);
    chunks.push([title, "", table(["Stack", "Policy", "Severity", "Resource", "Message"], rows)].join("\n"));
  }
  return chunks;
}

function comparisonChunk(stacks: readonly StackReportInput[], settings: LevelSettings): string | undefined {
  if (stacks.length < 2) return undefined;
  const comparison = compareStacks(stacks);
  const heading = `### Stacks compared: ${comparison.stacks.map((name) => inlineCode(name)).join(" vs ")}`;
  const identical = `${comparison.identical} ${comparison.identical === 1 ? "resource changes" : "resources change"} the same way in every stack.`;
  if (comparison.rows.length === 0) return `${heading}\n\n✅ ${identical}`;
  const summary = `${comparison.rows.length} ${comparison.rows.length === 1 ? "resource changes" : "resources change"} differently between stacks; ${identical}`;
  if (!settings.itemTables) return `${heading}\n\n${summary}`;
  const rows = comparison.rows.map((row) => [
    resourceLabel(row.type, row.name),
    ...row.cells.map((cell) => (cell === undefined ? "—" : opLabel(cell.op))),
    escapeMarkdown(truncate(row.note, settings.messageMax)),
  ]);
  return [
    heading,
    "",
    summary,
    "",
    table(["Resource", ...comparison.stacks.map((name) => codeSpan(name)), "Difference"], rows),
  ].join("\n");
}

function propertyRows(resource: ResourceChange, settings: LevelSettings): string[][] {
  const rows: string[][] = [];
  for (const change of resource.changes) {
    const documentRows = jsonDocumentRows(change, settings.valueMax);
    if (documentRows.length > 0) {
      rows.push([
        codeSpan(change.path),
        kindText(change),
        "JSON document",
        "JSON document (differences below)",
      ]);
      rows.push(...documentRows);
      continue;
    }
    rows.push([
      codeSpan(change.path),
      kindText(change),
      formatValue(change.old, change.path, settings.valueMax),
      formatValue(change.new, change.path, settings.valueMax),
    ]);
  }
  return rows;
}

const SOURCE_NOTES: Record<ResourceChange["changesSource"], string> = {
  "detailed-diff": "",
  reasons:
    "The provider gave no detailed diff (detailedDiff was null); these are the properties it reported as different, with values from the state.",
  inputs: "",
  none: "No property details were reported.",
};

function detailsChunk(
  resource: ResourceChange,
  findings: readonly RiskFinding[],
  settings: LevelSettings,
): string {
  const open = settings.openRisky && findings.length > 0 ? " open" : "";
  const summary = `<summary>${escapeHtml(opLabel(resource.op))} <code>${escapeHtml(resource.name)}</code> <code>${escapeHtml(resource.type)}</code></summary>`;
  const facts: string[] = [];
  if (findings.length > 0)
    facts.push(`- **Risk:** ${findings.map((finding) => riskText(finding, inlineCode)).join("; ")}`);
  if (settings.details === "all" && settings.valueMax >= LEVELS.full.valueMax)
    facts.push(`- URN: ${inlineCode(resource.urn)}`);
  if (resource.id !== undefined) facts.push(`- ID: ${inlineCode(truncate(resource.id, settings.valueMax))}`);
  const flags = [resource.protect ? "protect" : "", resource.retainOnDelete ? "retainOnDelete" : ""].filter(
    Boolean,
  );
  if (flags.length > 0) facts.push(`- Flags: ${flags.map((flag) => inlineCode(flag)).join(", ")}`);
  const note =
    resource.changesSource === "none" && (resource.op === "create" || isDeleteLike(resource.op))
      ? "No inputs."
      : SOURCE_NOTES[resource.changesSource];
  if (note !== "") facts.push(`- ${escapeMarkdown(note)}`);
  const rows = propertyRows(resource, settings);
  const parts = [`<details${open}>`, summary, ""];
  if (facts.length > 0) parts.push(facts.join("\n"), "");
  if (rows.length > 0) {
    parts.push(table(["Property", "Change", "Old", "New"], rows.slice(0, settings.rowsPerResource)), "");
    if (rows.length > settings.rowsPerResource) {
      parts.push(`_… and ${rows.length - settings.rowsPerResource} more rows._`, "");
    }
  }
  parts.push("</details>");
  return parts.join("\n");
}

function changedPathsText(resource: ResourceChange, max: number): string {
  const paths = [...new Set(resource.changes.map((change) => change.path))];
  if (paths.length === 0) return "—";
  const shown = paths.slice(0, 6).map((path) => codeSpan(truncate(path, max)));
  return paths.length > 6 ? `${shown.join(", ")} … (+${paths.length - 6})` : shown.join(", ");
}

function resourceListTable(resources: readonly ResourceChange[], settings: LevelSettings): string {
  return table(
    ["Op", "Resource", "Properties"],
    resources.map((resource) => [
      opLabel(resource.op),
      resourceLabel(resource.type, resource.name),
      changedPathsText(resource, settings.valueMax),
    ]),
  );
}

function stackChangeChunks(view: StackView, settings: LevelSettings): string[] {
  const { stack, changed, risks } = view;
  const heading = `### Changes in ${inlineCode(stack.name)} (${changed.length})`;
  if (changed.length === 0) return [`${heading}\n\nNo changes.`];
  if (settings.details === "none") return [`${heading}\n\n${resourceListTable(changed, settings)}`];
  const chunks = [heading];
  const detailed = settings.details === "all" ? changed : changed.filter((resource) => risks.has(resource));
  for (const resource of detailed) chunks.push(detailsChunk(resource, risks.get(resource) ?? [], settings));
  const listed = changed.filter((resource) => !detailed.includes(resource));
  if (listed.length > 0) chunks.push(`Other changes:\n\n${resourceListTable(listed, settings)}`);
  return chunks;
}

function diagnosticsChunk(views: readonly StackView[], settings: LevelSettings): string | undefined {
  const entries = views.flatMap(({ stack }) =>
    [...stack.diagnostics]
      .sort(
        (a, b) =>
          compareText(a.severity, b.severity) ||
          compareText(a.urn ?? "", b.urn ?? "") ||
          compareText(a.message, b.message),
      )
      .map((diagnostic) => ({ stack: stack.name, diagnostic })),
  );
  if (entries.length === 0) return undefined;
  const heading = "### Diagnostics";
  const errors = entries.filter((entry) => entry.diagnostic.severity === "error").length;
  const summary = `${errors} ${errors === 1 ? "error" : "errors"}, ${entries.length - errors} ${entries.length - errors === 1 ? "warning" : "warnings"}.`;
  if (!settings.itemTables) return `${heading}\n\n${summary}`;
  const rows = entries.map(({ stack, diagnostic }) => [
    codeSpan(stack),
    diagnostic.severity === "error" ? "❌ error" : "⚠️ warning",
    urnLabel(diagnostic.urn),
    escapeMarkdown(truncate(oneLine(diagnostic.message), settings.messageMax)),
  ]);
  return [heading, "", summary, "", table(["Stack", "Severity", "Resource", "Message"], rows)].join("\n");
}

const LEGEND =
  "<sub>`[secret]`: secret value, never shown · `[hidden]`: not marked secret but looks like one (name or content) · _known after apply_: computed during the update · Generated by `golive report`.</sub>";

function degradeNote(level: DetailLevel, budget: number): string | undefined {
  if (level === "full") return undefined;
  return `> [!NOTE]\n> To stay under ${budget.toLocaleString("en-US")} characters, ${DEGRADE_NOTES[level]}. Run \`golive report\` locally for the full report.`;
}

function renderChunks(
  stacks: readonly StackReportInput[],
  views: readonly StackView[],
  level: DetailLevel,
  title: string,
  labels: readonly string[],
  budget: number | undefined,
): string[] {
  const settings = LEVELS[level];
  const chunks: Array<string | undefined> = [
    headerChunk(stacks, title, labels),
    secretAlertChunk(views, settings),
    warningAlertChunk(views),
    budget === undefined ? undefined : degradeNote(level, budget),
    summaryChunk(views, settings),
    costChunk(stacks),
    riskChunk(views, settings),
    ...policyChunks(views, settings),
    comparisonChunk(stacks, settings),
    ...(settings.itemTables ? views.flatMap((view) => stackChangeChunks(view, settings)) : []),
    diagnosticsChunk(views, settings),
    settings.itemTables ? LEGEND : undefined,
  ];
  return chunks.filter((chunk): chunk is string => chunk !== undefined);
}

function join(chunks: readonly string[]): string {
  return `${chunks.join("\n\n")}\n`;
}

/** Renders the report and tells which detail level fit the budget. */
export function renderReportDetailed(
  stacks: readonly StackReportInput[],
  options: RenderOptions = {},
): RenderedReport {
  const budget = options.budget ?? DEFAULT_BUDGET;
  if (!Number.isInteger(budget) || budget < MIN_BUDGET) {
    throw new RangeError(`budget must be an integer of at least ${MIN_BUDGET} characters, got ${budget}`);
  }
  const title = options.title ?? "Pulumi preview";
  const labels = suggestLabels(stacks);
  const views = stacks.map(viewOf);
  const start = DETAIL_LEVELS.indexOf(options.maxDetail ?? "full");
  for (const level of DETAIL_LEVELS.slice(start)) {
    // Say what was left out only when the budget forced it, not when the caller asked for less.
    const forced = DETAIL_LEVELS.indexOf(level) > start ? budget : undefined;
    const markdown = join(renderChunks(stacks, views, level, title, labels, forced));
    if (markdown.length <= budget) return { markdown, detail: level, labels };
  }
  // Even counts do not fit: keep whole chunks in order while they fit, then say so.
  const chunks = renderChunks(stacks, views, "counts", title, labels, undefined);
  const note = `> [!NOTE]\n> Report cut to ${budget.toLocaleString("en-US")} characters; some sections are left out. Run \`golive report\` locally for the full report.`;
  const [header, ...rest] = chunks;
  const kept: string[] = [];
  const fits = (candidate: readonly string[]): boolean => join(candidate).length <= budget;
  if (header !== undefined && fits([header, note])) kept.push(header);
  for (const chunk of rest) {
    if (fits([...kept, chunk, note])) kept.push(chunk);
  }
  if (kept.length === 0) kept.push(REPORT_MARKER);
  kept.push(note);
  const markdown = join(kept);
  return {
    markdown: markdown.length <= budget ? markdown : join([REPORT_MARKER]),
    detail: "truncated",
    labels,
  };
}

/** Renders one Markdown comment for the stacks (see `renderReportDetailed`). */
export function renderReport(stacks: readonly StackReportInput[], options: RenderOptions = {}): string {
  return renderReportDetailed(stacks, options).markdown;
}
