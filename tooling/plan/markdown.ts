/**
 * `plans/<stack>.md`: the plan for a reviewer. Summary, the policy verdict with checklist coverage,
 * a Mermaid diagram of the components, and the resources grouped by component. Pure and
 * deterministic, like the JSON it is rendered from.
 */
import { codeSpan, escapeMarkdown, inlineCode, table } from "../report/text";
import { renderCostSection } from "./cost";
import { compareCodeUnits } from "./json";
import type { PlanCoverageItem, PlanDocument, PlanResource, PlanViolation } from "./model";

export const REGENERATE_COMMAND = "npm run plan";

const STATUS_LABEL: Record<PlanCoverageItem["status"], string> = {
  violated: "❌ violated",
  undeterminable: "❔ undeterminable",
  exempted: "🟡 exempted",
  passed: "✅ passed",
  "not applicable": "➖ not applicable",
  "no policy": "⬜ no policy",
};

const KIND_LABEL: Record<PlanViolation["kind"], string> = {
  violation: "violation",
  exempted: "exempted",
  undeterminable: "undeterminable",
  notice: "notice",
};

const STACK_GROUP = "";

/** The short type of a token: `aws:s3/bucket:Bucket` → `Bucket`. */
function shortType(type: string): string {
  return type.slice(type.lastIndexOf(":") + 1) || type;
}

interface ComponentNode {
  readonly urn: string;
  readonly resource: PlanResource | undefined;
  /** The enclosing component (STACK_GROUP for top level). */
  readonly parent: string;
  readonly members: PlanResource[];
}

/** Components (and the top level) with the resources directly inside each. */
export function componentTree(plan: PlanDocument): Map<string, ComponentNode> {
  const nodes = new Map<string, ComponentNode>();
  nodes.set(STACK_GROUP, { urn: STACK_GROUP, resource: undefined, parent: STACK_GROUP, members: [] });
  for (const resource of plan.resources) {
    if (resource.custom || resource.type === "pulumi:pulumi:Stack") continue;
    nodes.set(resource.urn, {
      urn: resource.urn,
      resource,
      parent: resource.component ?? STACK_GROUP,
      members: [],
    });
  }
  // A resource whose component is not in the plan is shown at the top level.
  for (const resource of plan.resources) {
    const group =
      resource.component !== undefined && nodes.has(resource.component) ? resource.component : STACK_GROUP;
    nodes.get(group)?.members.push(resource);
  }
  return nodes;
}

function componentPath(urn: string, nodes: ReadonlyMap<string, ComponentNode>): string {
  const names: string[] = [];
  let current = nodes.get(urn);
  const seen = new Set<string>();
  while (current !== undefined && current.urn !== STACK_GROUP && !seen.has(current.urn)) {
    seen.add(current.urn);
    names.unshift(current.resource?.name ?? current.urn);
    current = nodes.get(current.parent);
  }
  return names.join(" › ");
}

function isAncestor(ancestor: string, urn: string, nodes: ReadonlyMap<string, ComponentNode>): boolean {
  let current = nodes.get(urn);
  const seen = new Set<string>();
  while (current !== undefined && current.urn !== STACK_GROUP && !seen.has(current.urn)) {
    seen.add(current.urn);
    if (current.parent === ancestor) return true;
    current = nodes.get(current.parent);
  }
  return ancestor === STACK_GROUP;
}

function mermaidLabel(text: string): string {
  return text.replace(/"/g, "#quot;").replace(/</g, "#lt;").replace(/>/g, "#gt;");
}

/** A Mermaid flowchart of the components: containment (solid) and dependencies between them (dotted). */
export function renderComponentDiagram(plan: PlanDocument): string {
  const nodes = componentTree(plan);
  const urns = [...nodes.keys()].sort(compareCodeUnits);
  const ids = new Map(
    urns.map((urn, index) => [urn, index === 0 && urn === STACK_GROUP ? "stack" : `c${index}`]),
  );
  const lines = ["flowchart LR"];
  for (const urn of urns) {
    const node = nodes.get(urn)!;
    const count = node.members.filter((member) => member.custom).length;
    const resources = `${count} ${count === 1 ? "resource" : "resources"}`;
    const label =
      urn === STACK_GROUP
        ? `${mermaidLabel(`stack ${plan.stack}`)}<br/>${resources} at top level`
        : `${mermaidLabel(node.resource?.name ?? urn)}<br/>${mermaidLabel(shortType(node.resource?.type ?? ""))} · ${resources}`;
    lines.push(`  ${ids.get(urn)}["${label}"]`);
  }
  for (const urn of urns) {
    if (urn === STACK_GROUP) continue;
    const node = nodes.get(urn)!;
    lines.push(`  ${ids.get(node.parent)} --> ${ids.get(urn)}`);
  }
  const componentOf = new Map<string, string>();
  for (const [urn, node] of nodes) for (const member of node.members) componentOf.set(member.urn, urn);
  const edges = new Set<string>();
  for (const [urn, node] of nodes) {
    for (const member of node.members) {
      for (const dependency of member.dependencies ?? []) {
        // A dependency on a component counts as a dependency on that component itself.
        const target = nodes.has(dependency) ? dependency : componentOf.get(dependency);
        if (target === undefined || target === urn) continue;
        if (isAncestor(target, urn, nodes) || isAncestor(urn, target, nodes)) continue;
        edges.add(`  ${ids.get(urn)} -.-> ${ids.get(target)}`);
      }
    }
  }
  lines.push(...[...edges].sort(compareCodeUnits));
  return lines.join("\n");
}

function resourceNotes(resource: PlanResource): string {
  const notes: string[] = [];
  if (resource.origin === "read") notes.push("read (existing)");
  if (resource.origin === "default-provider") notes.push("default provider");
  const options = resource.options;
  if (options?.protect) notes.push("**protect**");
  if (options?.retainOnDelete) notes.push("retainOnDelete");
  if (options?.ignoreChanges) notes.push(`ignoreChanges: ${options.ignoreChanges.map(codeSpan).join(", ")}`);
  if (options?.replaceOnChanges) {
    notes.push(`replaceOnChanges: ${options.replaceOnChanges.map(codeSpan).join(", ")}`);
  }
  if (options?.deleteBeforeReplace !== undefined)
    notes.push(`deleteBeforeReplace: ${String(options.deleteBeforeReplace)}`);
  return notes.join("; ");
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

function levelCell(violation: PlanViolation): string {
  const level = violation.level === "remediate" ? "mandatory" : violation.level;
  const blocking = violation.kind === "violation" && level === "mandatory";
  const text = violation.kind === "violation" ? level : `${level} ${KIND_LABEL[violation.kind]}`;
  return blocking ? `**${text}**` : text;
}

function verdictSection(plan: PlanDocument): string[] {
  const { summary, policy } = plan;
  const lines = ["## Policy verdict", ""];
  const pack = `${inlineCode(policy.pack.name)} ${policy.pack.version}`;
  const undeterminable =
    (summary.undeterminable ?? 0) > 0
      ? `, ${plural(summary.undeterminable ?? 0, "undeterminable check", "undeterminable checks")} (advisory until apply)`
      : "";
  const others =
    undeterminable +
    (summary.otherFindings > 0
      ? `, ${plural(summary.otherFindings, "other finding", "other findings")}`
      : "");
  lines.push(
    summary.verdict === "fail"
      ? `**Blocked**: ${plural(summary.mandatoryViolations, "mandatory violation", "mandatory violations")} ` +
          `(pack ${pack}); a deploy of this stack would fail.`
      : `**Pass**: no mandatory violation (pack ${pack}); ` +
          `${plural(summary.advisoryViolations, "advisory violation", "advisory violations")}${others}.`,
  );
  lines.push("");
  if (policy.violations.length > 0) {
    lines.push(
      table(
        ["Level", "Item", "Policy", "Resource", "Message"],
        policy.violations.map((violation) => [
          levelCell(violation),
          violation.checklistId ?? "",
          codeSpan(violation.policy),
          violation.urn ? codeSpan(violation.urn.slice(violation.urn.lastIndexOf("::") + 2)) : "(stack)",
          escapeMarkdown(violation.message),
        ]),
      ),
    );
    lines.push("");
  }
  const coverage = policy.coverage;
  const count = (status: PlanCoverageItem["status"]): number =>
    coverage.filter((item) => item.status === status).length;
  const covered = coverage.length - count("no policy");
  lines.push("### Checklist coverage", "");
  lines.push(
    `${covered} of ${coverage.length} checklist items have a policy: ${count("passed")} passed, ` +
      `${count("violated")} violated, ${count("exempted")} exempted, ${count("undeterminable")} undeterminable, ` +
      `${count("not applicable")} not applicable.`,
  );
  lines.push("");
  if (coverage.length > 0) {
    lines.push(
      table(
        ["Item", "Status", "Level", "Policies", "Requirement"],
        coverage.map((item) => [
          item.id,
          item.blocking > 0
            ? `${STATUS_LABEL[item.status]} (${item.blocking} blocking)`
            : STATUS_LABEL[item.status],
          item.level,
          item.policies.map(codeSpan).join(", "),
          escapeMarkdown(item.requirement),
        ]),
      ),
    );
    lines.push("");
  }
  return lines;
}

function resourcesSection(plan: PlanDocument): string[] {
  const nodes = componentTree(plan);
  const lines = ["## Resources by component", ""];
  const urns = [...nodes.keys()].sort(compareCodeUnits);
  for (const urn of urns) {
    const node = nodes.get(urn)!;
    if (node.members.length === 0) continue;
    const heading =
      urn === STACK_GROUP
        ? "Top level"
        : `${escapeMarkdown(componentPath(urn, nodes))} (${inlineCode(node.resource?.type ?? "")})`;
    lines.push(`### ${heading}`, "");
    const members = [...node.members].sort(
      (a, b) => compareCodeUnits(a.type, b.type) || compareCodeUnits(a.name, b.name),
    );
    lines.push(
      table(
        ["Resource", "Type", "Notes"],
        members.map((member) => [codeSpan(member.name), codeSpan(member.type), resourceNotes(member)]),
      ),
    );
    lines.push("");
  }
  return lines;
}

export function renderPlanMarkdown(plan: PlanDocument): string {
  const { summary } = plan;
  const lines = [
    `<!-- Generated by \`golive plan\` from ${plan.source.config}; do not edit. Regenerate with \`${REGENERATE_COMMAND}\`. -->`,
    `# Offline plan: ${inlineCode(plan.stack)} (${escapeMarkdown(plan.project)})`,
    "",
    `Program ${inlineCode(plan.source.program)} with ${inlineCode(plan.source.config)}, run as \`pulumi ${plan.mode}\` ` +
      `would run it, against mock providers (no cloud calls; ids and computed values are stand-ins). ` +
      `Policy clock pinned to ${inlineCode(plan.policy.clock)}.`,
    "",
  ];
  if (plan.placeholderSecrets.length > 0) {
    lines.push(
      `> Secrets that are not set, or are encrypted in the stack file, ran with marked placeholders: ${plan.placeholderSecrets.map((name) => inlineCode(name)).join(", ")}.`,
      "",
    );
  }
  const deferredChecks = plan.deferredChecks ?? [];
  if (deferredChecks.length > 0) {
    lines.push(
      `> Value checks left to the deploy-time run, which sees the real values: ${deferredChecks.map((check) => escapeMarkdown(check)).join("; ")}.`,
      "",
    );
  }
  lines.push(
    "## Summary",
    "",
    table(
      [
        "Resources",
        "Custom",
        "Components",
        "Providers",
        "Mandatory violations",
        "Advisory violations",
        "Undeterminable",
        "Other findings",
        "Verdict",
      ],
      [
        [
          String(summary.resources),
          String(summary.customResources),
          String(summary.components),
          String(summary.providers),
          String(summary.mandatoryViolations),
          String(summary.advisoryViolations),
          String(summary.undeterminable ?? 0),
          String(summary.otherFindings),
          summary.verdict === "fail" ? "❌ blocked" : "✅ pass",
        ],
      ],
    ),
    "",
  );
  lines.push(...verdictSection(plan));
  if (plan.cost !== undefined) lines.push(...renderCostSection(plan.cost));
  lines.push("## Components", "", "```mermaid", renderComponentDiagram(plan), "```", "");
  if (plan.diagnostics.length > 0) {
    lines.push("## Program messages", "");
    for (const diagnostic of plan.diagnostics) {
      lines.push(`- ${diagnostic.severity}: ${escapeMarkdown(diagnostic.message)}`);
    }
    lines.push("");
  }
  lines.push(...resourcesSection(plan));
  return `${lines.join("\n").trimEnd()}\n`;
}
