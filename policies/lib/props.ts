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

/** True when a tag map holds `key` = one of `values` (case-insensitive). */
export function hasTag(
  tags: ReadonlyMap<string, string | Unknown>,
  key: string,
  values: readonly string[],
): boolean {
  const value = tags.get(key);
  return typeof value === "string" && values.includes(value.toLowerCase());
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

/** Resources of a stack, indexed for relationship questions. */
export class StackIndex {
  private readonly urns: Map<string, PolicyResource>;

  constructor(readonly resources: readonly PolicyResource[]) {
    this.urns = new Map(resources.map((resource) => [resource.urn, resource]));
  }

  ofType(...types: string[]): PolicyResource[] {
    return this.resources.filter((resource) => types.includes(resource.type));
  }

  byUrn(urn: string): PolicyResource | undefined {
    return this.urns.get(urn);
  }

  /**
   * Resources `from` refers to through its property `prop`: by dependency (known at preview) or by
   * an identifier value (known after apply). Filtered to `types` when given.
   */
  referencedBy(from: PolicyResource, prop: string, types?: readonly string[]): PolicyResource[] {
    const found = new Map<string, PolicyResource>();
    for (const dependency of from.propertyDependencies[prop] ?? []) found.set(dependency.urn, dependency);
    const values = new Set(
      leaves(peek(from.props, prop) === UNKNOWN ? undefined : peek(from.props, prop))
        .filter((leaf) => typeof leaf.value === "string")
        .map((leaf) => leaf.value as string),
    );
    if (values.size > 0) {
      for (const candidate of this.resources) {
        if (candidate === from || found.has(candidate.urn)) continue;
        if (identifiers(candidate).some((id) => values.has(id))) found.set(candidate.urn, candidate);
      }
    }
    const all = [...found.values()];
    return types ? all.filter((resource) => types.includes(resource.type)) : all;
  }

  /** Resources of `types` whose property `prop` refers to `to`. */
  referencing(to: PolicyResource, prop: string, types: readonly string[]): PolicyResource[] {
    return this.ofType(...types).filter((candidate) =>
      this.referencedBy(candidate, prop).some((target) => target.urn === to.urn),
    );
  }

  /** True when `from`'s property `prop` may refer to something not yet known (an unknown value, no dependency). */
  hasUnknown(from: PolicyResource, prop: string): boolean {
    return leaves(peek(from.props, prop)).some((leaf) => leaf.unknown) || peek(from.props, prop) === UNKNOWN;
  }
}
