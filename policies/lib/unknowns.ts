/**
 * Values not known until apply. During `preview` @pulumi/policy wraps props in a proxy that throws
 * UnknownValueError when an unknown is read; policies that must decide anyway read through these
 * helpers, which see the raw values and report what is unknown instead of throwing.
 */
import * as policySdk from "@pulumi/policy";

interface UnknownValueErrorClass {
  new (
    sentinel: string,
    props: (string | number | symbol)[],
  ): Error & { readonly props: (string | number | symbol)[] };
}

/**
 * The error the policy proxy throws on an unknown read. @pulumi/policy 1.21 exports it at runtime
 * but its proxy.d.ts is empty, so the type is declared here.
 */
export const UnknownValueError = (policySdk as unknown as { UnknownValueError: UnknownValueErrorClass })
  .UnknownValueError;
export type UnknownValueError = InstanceType<UnknownValueErrorClass>;

/** Wrap values in the proxy the server puts around props (typed here for the same reason). */
export const unknownCheckingProxy = (
  policySdk as unknown as { unknownCheckingProxy: <T extends object>(value: T) => T }
).unknownCheckingProxy;

/**
 * The sentinels @pulumi/policy 1.21 uses for unknowns (proxy.js; not in its typings). The engine
 * sends every unknown as the string sentinel; the others appear in values a policy builds itself.
 */
export const UNKNOWN_SENTINELS: ReadonlySet<string> = new Set([
  "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", // boolean
  "3eeb2bf0-c639-47a8-9e75-3b44932eb421", // number
  "04da6b54-80e4-46f7-96ec-b56ff0331ba9", // string (also the wire format)
  "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2", // array
  "030794c1-ac77-496b-92df-f27374a8bd58", // asset
  "e48ece36-62e2-4504-bad9-02848725956a", // archive
  "dd056dcd-154b-4c76-9bd3-c8f88648b5ff", // object
]);

export const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** The property that makes the policy proxy hand back its target (proxy.js `getSpecialProxyTarget`). */
const PROXY_TARGET_KEY = "__getSpecialProxyTarget";
const PROXY_MARKER_KEY = "__isSpecialProxy";

export function isUnknown(value: unknown): boolean {
  return typeof value === "string" && UNKNOWN_SENTINELS.has(value);
}

/** The object behind the policy proxy (or the value itself). Nested values of a target are raw. */
export function rawValue(value: unknown): unknown {
  if (typeof value === "object" && value !== null) {
    const record = value as Record<string, unknown>;
    if (record[PROXY_MARKER_KEY] === true) return record[PROXY_TARGET_KEY];
  }
  return value;
}

/** ".a.b[0]" for ["a","b",0]; what a message calls the value. */
export function formatPath(segments: readonly (string | number | symbol)[]): string {
  return segments
    .map((segment) =>
      typeof segment === "number" || /^\d+$/.test(String(segment))
        ? `[${String(segment)}]`
        : `.${String(segment)}`,
    )
    .join("");
}

/** The path an UnknownValueError names (`.target.arn`). */
export function unknownPath(error: UnknownValueError): string {
  return formatPath(error.props);
}

export const UNKNOWN = Symbol("unknown until apply");
export type Unknown = typeof UNKNOWN;

/** Read a path from raw values: UNKNOWN when any step is unknown, undefined when absent. */
export function peek(value: unknown, ...segments: (string | number)[]): unknown {
  let current = rawValue(value);
  for (const segment of segments) {
    if (isUnknown(current)) return UNKNOWN;
    if (current === null || current === undefined || typeof current !== "object") return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return isUnknown(current) ? UNKNOWN : current;
}

export interface Leaf {
  readonly path: readonly (string | number)[];
  /** The nearest object key on the path (the variable name of an env map entry). */
  readonly key: string | undefined;
  readonly value: unknown;
  readonly unknown: boolean;
}

/** Every leaf (string, number, boolean, null, unknown) of a raw value, depth first. */
export function leaves(value: unknown, maxDepth = 32): Leaf[] {
  const out: Leaf[] = [];
  const visit = (current: unknown, path: (string | number)[], key: string | undefined, depth: number) => {
    if (isUnknown(current)) {
      out.push({ path, key, value: current, unknown: true });
      return;
    }
    if (depth > maxDepth) return;
    if (Array.isArray(current)) {
      current.forEach((element, index) => visit(element, [...path, index], key, depth + 1));
      return;
    }
    if (typeof current === "object" && current !== null) {
      for (const [childKey, child] of Object.entries(current as Record<string, unknown>)) {
        visit(child, [...path, childKey], childKey, depth + 1);
      }
      return;
    }
    out.push({ path, key, value: current, unknown: false });
  };
  visit(rawValue(value), [], undefined, 0);
  return out;
}

/** Strings of a raw value; JSON-encoded objects inside strings are opened too (settings blobs, secret JSON). */
export function stringLeaves(value: unknown): Leaf[] {
  const out: Leaf[] = [];
  for (const leaf of leaves(value)) {
    if (leaf.unknown) {
      out.push(leaf);
      continue;
    }
    if (typeof leaf.value !== "string") continue;
    const trimmed = leaf.value.trim();
    if (
      (trimmed.startsWith("{") && trimmed.endsWith("}")) ||
      (trimmed.startsWith("[") && trimmed.endsWith("]"))
    ) {
      try {
        const parsed = JSON.parse(trimmed) as unknown;
        for (const inner of leaves(parsed)) {
          if (inner.unknown || typeof inner.value === "string") {
            out.push({ ...inner, path: [...leaf.path, ...inner.path], key: inner.key ?? leaf.key });
          }
        }
        continue;
      } catch {
        // Not JSON after all: check the string as it is.
      }
    }
    out.push(leaf);
  }
  return out;
}
