/**
 * Reading resource properties: typed views over the proxy, JSON blobs (Supabase settings, provider
 * config), tags, and the relationships between resources of a stack.
 */
import type { PolicyResource } from "@pulumi/policy";
import type { ResourceView } from "./define";
import { isUnknown, leaves, peek, rawValue, UNKNOWN, type Unknown } from "./unknowns";

/** Props seen as the provider's args type; every field may be absent in a raw resource. */
export function propsOf<T>(resource: { readonly props: Record<string, unknown> }): Partial<T> {
  return resource.props as Partial<T>;
}

export type Blob =
  | { readonly kind: "absent" }
  | { readonly kind: "unknown" }
  | { readonly kind: "invalid"; readonly error: string }
  | { readonly kind: "object"; readonly value: Record<string, unknown> };

/** A JSON-string setting (Supabase `pooler`, `network`...): absent, unknown, invalid, or the object. */
export function jsonBlob(props: Record<string, unknown>, key: string): Blob {
  const value = peek(props, key);
  if (value === undefined || value === null) return { kind: "absent" };
  if (value === UNKNOWN) return { kind: "unknown" };
  let parsed: unknown = value;
  if (typeof value === "string") {
    try {
      parsed = JSON.parse(value) as unknown;
    } catch (error) {
      return { kind: "invalid", error: error instanceof Error ? error.message : String(error) };
    }
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return { kind: "invalid", error: "is not a JSON object" };
  }
  if (leaves(parsed).some((leaf) => leaf.unknown)) return { kind: "unknown" };
  return { kind: "object", value: parsed as Record<string, unknown> };
}

/** A provider list config (`allowedAccountIds`): bridged providers send lists JSON-encoded. */
export function providerList(props: Record<string, unknown>, key: string): string[] | undefined | Unknown {
  const value = peek(props, key);
  if (value === UNKNOWN) return UNKNOWN;
  if (value === undefined || value === null || value === "") return undefined;
  let list: unknown = value;
  if (typeof value === "string") {
    try {
      list = JSON.parse(value) as unknown;
    } catch {
      return [value];
    }
  }
  if (!Array.isArray(list))
    return typeof list === "string" || typeof list === "number" ? [String(list)] : undefined;
  if (list.some((element) => isUnknown(element))) return UNKNOWN;
  return list.map((element) => String(element));
}

/** A provider object config (`defaultTags`), JSON-encoded or not. */
export function providerObject(
  props: Record<string, unknown>,
  key: string,
): Record<string, unknown> | undefined | Unknown {
  const value = peek(props, key);
  if (value === UNKNOWN) return UNKNOWN;
  if (typeof value === "string") {
    try {
      const parsed = JSON.parse(value) as unknown;
      return typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  }
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined;
}

/** A string value, or UNKNOWN, or undefined when absent or not a string. */
export function str(value: unknown, ...path: (string | number)[]): string | undefined | Unknown {
  const found = peek(value, ...path);
  if (found === UNKNOWN) return UNKNOWN;
  return typeof found === "string" ? found : undefined;
}

/** A known string at a path; undefined when absent, unknown or not a string. */
export function peekString(value: unknown, ...path: (string | number)[]): string | undefined {
  const found = peek(value, ...path);
  return typeof found === "string" ? found : undefined;
}

export function num(value: unknown, ...path: (string | number)[]): number | undefined | Unknown {
  const found = peek(value, ...path);
  if (found === UNKNOWN) return UNKNOWN;
  if (typeof found === "number") return found;
  if (typeof found === "string" && found.trim() !== "" && Number.isFinite(Number(found)))
    return Number(found);
  return undefined;
}

export function bool(value: unknown, ...path: (string | number)[]): boolean | undefined | Unknown {
  const found = peek(value, ...path);
  if (found === UNKNOWN) return UNKNOWN;
  if (typeof found === "boolean") return found;
  if (found === "true") return true;
  if (found === "false") return false;
  return undefined;
}

export function list(value: unknown, ...path: (string | number)[]): unknown[] | undefined | Unknown {
  const found = peek(value, ...path);
  if (found === UNKNOWN) return UNKNOWN;
  return Array.isArray(found) ? found : undefined;
}

export function record(
  value: unknown,
  ...path: (string | number)[]
): Record<string, unknown> | undefined | Unknown {
  const found = peek(value, ...path);
  if (found === UNKNOWN) return UNKNOWN;
  return typeof found === "object" && found !== null && !Array.isArray(found)
    ? (found as Record<string, unknown>)
    : undefined;
}

export interface Tags {
  readonly values: Map<string, string | Unknown>;
  /** A tag map (or the provider's defaults) is not known until apply. */
  readonly unknown: boolean;
}

/** Tags a resource will carry: the provider's default tags, then its own `tags` (and `tagsAll` when present). */
export function effectiveTags(resource: Pick<ResourceView, "props" | "provider">): Tags {
  const values = new Map<string, string | Unknown>();
  let unknown = false;
  const add = (source: unknown) => {
    const raw = rawValue(source);
    if (raw === UNKNOWN || isUnknown(raw)) {
      unknown = true;
      return;
    }
    if (typeof raw !== "object" || raw === null) return;
    for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
      values.set(key, isUnknown(value) ? UNKNOWN : String(value));
    }
  };
  if (resource.provider) {
    const defaults = providerObject(resource.provider.props, "defaultTags");
    if (defaults === UNKNOWN) unknown = true;
    else if (defaults) add(defaults.tags);
  }
  add(peek(resource.props, "tagsAll"));
  add(peek(resource.props, "tags"));
  return { values, unknown };
}

/** The identifiers other resources use to refer to a resource: ARN, id, name, bucket, URL. */
export function identifiers(resource: PolicyResource): string[] {
  const out: string[] = [];
  for (const key of ["arn", "id", "name", "bucket", "url", "queueUrl"]) {
    const value = peek(resource.props, key);
    if (typeof value === "string" && value !== "") out.push(value);
  }
  return out;
}

/**
 * Resources of a stack, indexed for relationship questions. Lookups go through maps built once
 * (by type, by identifier, and per property for reverse references), so a stack policy's cost
 * grows with the stack, not with its square.
 */
export class StackIndex {
  private readonly urns: Map<string, PolicyResource>;
  private readonly positions: Map<string, number>;
  private readonly byType = new Map<string, PolicyResource[]>();
  private identifierIndex?: Map<string, PolicyResource[]>;
  private readonly reverse = new Map<string, Map<string, PolicyResource[]>>();

  constructor(readonly resources: readonly PolicyResource[]) {
    this.urns = new Map(resources.map((resource) => [resource.urn, resource]));
    this.positions = new Map(resources.map((resource, position) => [resource.urn, position]));
    for (const resource of resources) {
      const group = this.byType.get(resource.type);
      if (group) group.push(resource);
      else this.byType.set(resource.type, [resource]);
    }
  }

  /** Resources of any of `types`, in stack order. */
  ofType(...types: string[]): PolicyResource[] {
    if (types.length === 1) return [...(this.byType.get(types[0]!) ?? [])];
    return this.inStackOrder(types.flatMap((type) => this.byType.get(type) ?? []));
  }

  byUrn(urn: string): PolicyResource | undefined {
    return this.urns.get(urn);
  }

  /**
   * Resources `from` refers to through its property `prop`: by dependency (known at preview) or by
   * an identifier value (known after apply). Filtered to `types` when given. Dependencies come
   * first, then identifier matches in stack order.
   */
  referencedBy(from: PolicyResource, prop: string, types?: readonly string[]): PolicyResource[] {
    const found = new Map<string, PolicyResource>();
    for (const dependency of from.propertyDependencies[prop] ?? []) found.set(dependency.urn, dependency);
    const value = peek(from.props, prop);
    const matches: PolicyResource[] = [];
    for (const leaf of leaves(value === UNKNOWN ? undefined : value)) {
      if (typeof leaf.value !== "string") continue;
      for (const candidate of this.identifiers().get(leaf.value) ?? []) {
        if (candidate !== from && !found.has(candidate.urn)) matches.push(candidate);
      }
    }
    for (const match of this.inStackOrder(matches)) found.set(match.urn, match);
    const all = [...found.values()];
    return types ? all.filter((resource) => types.includes(resource.type)) : all;
  }

  /** Resources of `types` whose property `prop` refers to `to`, in stack order. */
  referencing(to: PolicyResource, prop: string, types: readonly string[]): PolicyResource[] {
    const key = `${prop}\u0000${types.join("\u0000")}`;
    let targets = this.reverse.get(key);
    if (targets === undefined) {
      targets = new Map();
      for (const candidate of this.ofType(...types)) {
        for (const target of this.referencedBy(candidate, prop)) {
          const sources = targets.get(target.urn);
          if (sources === undefined) targets.set(target.urn, [candidate]);
          else if (!sources.includes(candidate)) sources.push(candidate);
        }
      }
      this.reverse.set(key, targets);
    }
    return [...(targets.get(to.urn) ?? [])];
  }

  /** Identifier value (ARN, id, name, ...) → the resources that carry it, built on first use. */
  private identifiers(): Map<string, PolicyResource[]> {
    if (this.identifierIndex === undefined) {
      const index = new Map<string, PolicyResource[]>();
      for (const resource of this.resources) {
        for (const id of new Set(identifiers(resource))) {
          const holders = index.get(id);
          if (holders) holders.push(resource);
          else index.set(id, [resource]);
        }
      }
      this.identifierIndex = index;
    }
    return this.identifierIndex;
  }

  private inStackOrder(resources: PolicyResource[]): PolicyResource[] {
    const unique = [...new Set(resources)];
    const position = (resource: PolicyResource) => this.positions.get(resource.urn) ?? Infinity;
    return unique.sort((a, b) => position(a) - position(b));
  }

  /** True when `from`'s property `prop` may refer to something not yet known (an unknown value, no dependency). */
  hasUnknown(from: PolicyResource, prop: string): boolean {
    return leaves(peek(from.props, prop)).some((leaf) => leaf.unknown) || peek(from.props, prop) === UNKNOWN;
  }
}
