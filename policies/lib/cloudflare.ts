/**
 * Reading Cloudflare resources as a zone sees them, shared by the EDGE checks: which zone a
 * setting, ruleset or DNS record belongs to, a zone's settings by id, a ruleset's rules by phase.
 * The pack's own reading of them; golive's CDN component builds them in lib/cdn.ts.
 */
import type { PolicyResource } from "@pulumi/policy";
import type { ResourceView } from "./define";
import { list, peekString } from "./props";
import { T } from "./types";
import { peek, rawValue } from "./unknowns";

export const DNS_TYPES: readonly string[] = [T.dnsRecord, T.record];
const CLOUDFLARE_TYPES: readonly string[] = [T.zoneSetting, T.ruleset, ...DNS_TYPES];

/** The zone a resource belongs to: the Zone resource it depends on, else its literal zoneId. */
function zoneKey(resource: PolicyResource): string {
  const zone = (resource.propertyDependencies.zoneId ?? []).find((dependency) => dependency.type === T.zone);
  if (zone) return zone.urn;
  const id = peek(resource.props, "zoneId");
  return typeof id === "string" ? id : "(zone not known until apply)";
}

export interface Zone {
  readonly key: string;
  readonly resources: PolicyResource[];
}

export function zones(resources: readonly PolicyResource[]): Zone[] {
  const byKey = new Map<string, PolicyResource[]>();
  for (const resource of resources) {
    if (!CLOUDFLARE_TYPES.includes(resource.type)) continue;
    const key = zoneKey(resource);
    byKey.set(key, [...(byKey.get(key) ?? []), resource]);
  }
  return [...byKey.entries()].map(([key, members]) => ({ key, resources: members }));
}

export function zoneLabel(zone: Zone, all: readonly PolicyResource[]): string {
  const resource = all.find((candidate) => candidate.urn === zone.key);
  if (resource) return `zone "${peekString(resource.props, "name") ?? resource.name}"`;
  return `zone ${zone.key}`;
}

/** The value of a zone setting as Cloudflare's API names it (`on`, `strict`, an object). */
export function settingValue(resource: Pick<ResourceView, "props">): unknown {
  return rawValue(peek(resource.props, "value"));
}

export function settingsOf(zone: Zone): Map<string, PolicyResource> {
  const out = new Map<string, PolicyResource>();
  for (const resource of zone.resources) {
    if (resource.type !== T.zoneSetting) continue;
    const id = peekString(resource.props, "settingId");
    if (id) out.set(id, resource);
  }
  return out;
}

export interface Rule {
  readonly ruleset: PolicyResource | ResourceView;
  readonly index: number;
  readonly action: unknown;
  readonly expression: string;
  readonly enabled: boolean;
  readonly raw: Record<string, unknown>;
}

export function rulesOf(ruleset: Pick<ResourceView, "props">): Omit<Rule, "ruleset">[] {
  const rules = list(ruleset.props, "rules");
  if (!Array.isArray(rules)) return [];
  return rules.map((entry, index) => {
    const raw = (typeof entry === "object" && entry !== null ? entry : {}) as Record<string, unknown>;
    return {
      index,
      action: raw.action,
      expression: typeof raw.expression === "string" ? raw.expression : "",
      enabled: raw.enabled !== false,
      raw,
    };
  });
}

export function phaseOf(resource: Pick<ResourceView, "props">): string | undefined {
  const phase = peek(resource.props, "phase");
  return typeof phase === "string" ? phase : undefined;
}

export function zoneRules(zone: Zone, phase: string): Rule[] {
  return zone.resources
    .filter((resource) => resource.type === T.ruleset && phaseOf(resource) === phase)
    .flatMap((ruleset) => rulesOf(ruleset).map((rule) => ({ ...rule, ruleset })));
}

export function actionParameters(rule: Omit<Rule, "ruleset">): Record<string, unknown> {
  const parameters = rule.raw.actionParameters;
  return typeof parameters === "object" && parameters !== null ? (parameters as Record<string, unknown>) : {};
}
