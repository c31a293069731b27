/**
 * The change in monthly cost between two estimates of a stack, for `golive diff` and the PR report:
 * `+$4.20/month: 2 new alarms, 1 health check`. Resources are matched by URN.
 */
import { MANAGEMENT_SETTING_TYPE } from "../component-types";
import { formatUsd, formatUsdChange } from "./format";
import type { CostEstimate, ResourceCost } from "./model";

export interface ResourceCostChange {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly change: "added" | "removed" | "changed";
  readonly beforeUsd: number;
  readonly afterUsd: number;
  readonly deltaUsd: number;
}

export interface CostChange {
  /** Undefined for a new stack. */
  readonly beforeUsd?: number;
  /** Undefined for a removed stack. */
  readonly afterUsd?: number;
  readonly deltaUsd: number;
  /** `+$4.20/month: 2 new alarms, 1 health check`. */
  readonly summary: string;
  readonly resources: readonly ResourceCostChange[];
  /** Types the new estimate cannot price that the old one did not have. */
  readonly newlyUnpriced: readonly string[];
  /** The new estimate's budget warning, when it has one. */
  readonly budgetWarning?: string;
}

/** Nouns for the types reviewers meet most; others are read from the type token. */
const NOUNS: Readonly<Record<string, string>> = {
  "aws:cloudwatch/metricAlarm:MetricAlarm": "alarm",
  "aws:cloudwatch/compositeAlarm:CompositeAlarm": "composite alarm",
  "aws:route53/healthCheck:HealthCheck": "health check",
  "aws:scheduler/schedule:Schedule": "schedule",
  "aws:lambda/function:Function": "function",
  "aws:cloudwatch/logGroup:LogGroup": "log group",
  "aws:secretsmanager/secret:Secret": "secret",
  "aws:kms/key:Key": "KMS key",
  "aws:sns/topicSubscription:TopicSubscription": "subscription",
  "aws:ec2/natGateway:NatGateway": "NAT gateway",
  "aws:ec2/eip:Eip": "Elastic IP",
  "aws:ecs/taskDefinition:TaskDefinition": "task definition",
  "supabase:index/project:Project": "Supabase project",
  "supabase:index/edgeFunction:EdgeFunction": "edge function",
  [MANAGEMENT_SETTING_TYPE]: "Supabase add-on",
  "cloudflare:index/zone:Zone": "Cloudflare plan",
  "vercel:index/project:Project": "Vercel plan",
};

export function nounOf(type: string): string {
  const known = NOUNS[type];
  if (known !== undefined) return known;
  const short = type.slice(type.lastIndexOf(":") + 1) || type;
  return short.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();
}

function plural(count: number, noun: string): string {
  if (count === 1) return noun;
  return /(s|x|ch|sh)$/.test(noun) ? `${noun}es` : `${noun}s`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const CENT = 0.005;

function counted(changes: readonly ResourceCostChange[], kind: ResourceCostChange["change"]): string[] {
  const byNoun = new Map<string, number>();
  for (const change of changes.filter((entry) => entry.change === kind)) {
    const noun = nounOf(change.type);
    byNoun.set(noun, (byNoun.get(noun) ?? 0) + 1);
  }
  return [...byNoun.entries()]
    .sort(([a, countA], [b, countB]) => countB - countA || compare(a, b))
    .map(([noun, count], index) => {
      const words = `${count} ${plural(count, noun)}`;
      // "2 new alarms, 1 health check": "new" once, as a reviewer would write it.
      if (kind === "added") return index === 0 ? `${count} new ${plural(count, noun)}` : words;
      return kind === "removed" ? `${words} removed` : words;
    });
}

/** What changed, in reviewer words: new and removed resources by kind, then the largest changes in cost. */
function describe(changes: readonly ResourceCostChange[]): string {
  const parts = [...counted(changes, "added"), ...counted(changes, "removed")];
  const changed = changes
    .filter((change) => change.change === "changed")
    .sort((a, b) => Math.abs(b.deltaUsd) - Math.abs(a.deltaUsd) || compare(a.urn, b.urn));
  for (const change of changed.slice(0, 3)) {
    parts.push(`${change.name} ${formatUsdChange(change.deltaUsd).replace("/month", "")}`);
  }
  if (changed.length > 3) parts.push(`${changed.length - 3} more changed`);
  return parts.join(", ");
}

export function costChange(before: CostEstimate | undefined, after: CostEstimate | undefined): CostChange {
  const old = new Map<string, ResourceCost>(
    (before?.byResource ?? []).map((resource) => [resource.urn, resource]),
  );
  const next = new Map<string, ResourceCost>(
    (after?.byResource ?? []).map((resource) => [resource.urn, resource]),
  );
  const resources: ResourceCostChange[] = [];
  for (const urn of [...new Set([...old.keys(), ...next.keys()])].sort(compare)) {
    const a = old.get(urn);
    const b = next.get(urn);
    const beforeUsd = a?.monthlyUsd ?? 0;
    const afterUsd = b?.monthlyUsd ?? 0;
    const deltaUsd = Math.round((afterUsd - beforeUsd) * 10_000) / 10_000;
    if (a !== undefined && b !== undefined && Math.abs(deltaUsd) < CENT / 10) continue;
    const reference = (b ?? a)!;
    resources.push({
      urn,
      type: reference.type,
      name: reference.name,
      change: a === undefined ? "added" : b === undefined ? "removed" : "changed",
      beforeUsd,
      afterUsd,
      deltaUsd,
    });
  }
  const deltaUsd = Math.round(((after?.monthlyUsd ?? 0) - (before?.monthlyUsd ?? 0)) * 100) / 100;
  const oldUnpriced = new Set((before?.unpriced ?? []).map((entry) => entry.type));
  const newlyUnpriced = (after?.unpriced ?? [])
    .map((entry) => entry.type)
    .filter((type) => !oldUnpriced.has(type));
  const what = describe(resources);
  const summary =
    resources.length === 0
      ? `${formatUsdChange(0)}: no priced change`
      : `${formatUsdChange(deltaUsd)}: ${what}`;
  const change: CostChange = {
    ...(before !== undefined ? { beforeUsd: before.monthlyUsd } : {}),
    ...(after !== undefined ? { afterUsd: after.monthlyUsd } : {}),
    deltaUsd,
    summary,
    resources,
    newlyUnpriced,
    ...(after?.budget?.exceeded
      ? {
          budgetWarning: `${formatUsd(after.monthlyUsd)} is ${after.budget.percent}% of the ${formatUsd(after.budget.monthlyBudgetUsd)} monthly budget (above ${after.budget.warnPercent}%)`,
        }
      : {}),
  };
  return change;
}
