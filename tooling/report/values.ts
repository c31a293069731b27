/**
 * Pulumi value sentinels: secret markers, the unknown-value UUID, signature-wrapped values (secrets,
 * assets, archives, resource references, outputs), and the masking rules for display.
 */
import { isRecord } from "../../lib/records";
import type { JsonValue, ReportValue } from "./model";
import { type PathSegment } from "./paths";

/** A computed value not known until the update runs. */
export const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
/** How `preview --json` and masked event logs print a secret. */
export const SECRET_MARKER = "[secret]";
/** Key that marks a signature-wrapped value, and the signatures themselves. */
export const SIGNATURE_KEY = "4dabf18193072939515e22adb298388d";
export const SIGNATURES = {
  secret: "1b47061264138c4ac30d75fd1eb44270",
  asset: "c44067f5952c0a294b673a41bacd8c17",
  archive: "0def7320c3a5731c473e5ecbe6d01bc7",
  resourceReference: "5cf8f73096256a8f31e491e813e4eb8e",
  output: "d0e6a833031e9bbcd3f4e8bde6ca49a4",
} as const;

/** Pulumi reserves `__`-prefixed property names (`__defaults`, `__meta`, `__pulumi_raw_state_delta`). */
export function isInternalKey(key: string): boolean {
  return key.startsWith("__");
}

function signatureOf(value: unknown): string | undefined {
  if (!isRecord(value)) return undefined;
  const signature = value[SIGNATURE_KEY];
  return typeof signature === "string" ? signature : undefined;
}

/** Whether a raw value is secret, unknown, or plain (possibly holding sentinels deeper down). */
export function classify(raw: unknown): "secret" | "unknown" | "plain" {
  if (raw === SECRET_MARKER) return "secret";
  if (raw === UNKNOWN_VALUE) return "unknown";
  const signature = signatureOf(raw);
  if (signature === SIGNATURES.secret) return "secret";
  if (signature === SIGNATURES.output && isRecord(raw)) {
    if (raw.secret === true) return "secret";
    if (!("value" in raw)) return "unknown";
    return classify(raw.value);
  }
  return "plain";
}

/** Unwraps an output-signature value to its inner value. */
function unwrapOutput(raw: unknown): unknown {
  return signatureOf(raw) === SIGNATURES.output && isRecord(raw) ? raw.value : raw;
}

/** Converts parsed JSON to a `JsonValue`, dropping internal keys and undefined entries. */
export function toJsonValue(raw: unknown): JsonValue {
  if (raw === null || typeof raw === "string" || typeof raw === "boolean") return raw;
  if (typeof raw === "number") return Number.isFinite(raw) ? raw : null;
  if (Array.isArray(raw)) return raw.map((item) => toJsonValue(item));
  if (isRecord(raw)) {
    const out: { [key: string]: JsonValue } = {};
    for (const [key, value] of Object.entries(raw)) {
      if (value === undefined || isInternalKey(key)) continue;
      out[key] = toJsonValue(value);
    }
    return out;
  }
  return null;
}

export function toReportValue(raw: unknown): ReportValue {
  if (raw === undefined) return { kind: "absent" };
  const kind = classify(raw);
  if (kind !== "plain") return { kind };
  return { kind: "plain", value: toJsonValue(unwrapOutput(raw)) };
}

export type LookupResult =
  { kind: "absent" } | { kind: "secret" } | { kind: "unknown" } | { kind: "found"; raw: unknown };

/** Looks up a parsed path in a raw value; stops early at a secret or unknown value on the way. */
export function lookup(root: unknown, segments: readonly PathSegment[]): LookupResult {
  let current: unknown = root;
  for (const segment of segments) {
    const kind = classify(current);
    if (kind !== "plain") return { kind };
    current = unwrapOutput(current);
    if (typeof segment === "number" && Array.isArray(current)) {
      if (segment >= current.length) return { kind: "absent" };
      current = current[segment];
    } else if (typeof segment === "string" && isRecord(current) && Object.hasOwn(current, segment)) {
      current = current[segment];
    } else {
      return { kind: "absent" };
    }
    if (current === undefined) return { kind: "absent" };
  }
  return { kind: "found", raw: current };
}

/** Converts a lookup result to a report value. */
export function lookupToReportValue(result: LookupResult): ReportValue {
  return result.kind === "found" ? toReportValue(result.raw) : result;
}

/**
 * Visits every node below `root` (skipping internal keys) with its path. The visitor returns false to
 * stop descending into that node.
 */
export function walk(
  root: unknown,
  visit: (segments: PathSegment[], raw: unknown) => boolean,
  prefix: PathSegment[] = [],
): void {
  if (!visit(prefix, root)) return;
  if (classify(root) !== "plain") return;
  const value = unwrapOutput(root);
  if (signatureOf(value) !== undefined) return;
  if (Array.isArray(value)) {
    value.forEach((item, index) => walk(item, visit, [...prefix, index]));
  } else if (isRecord(value)) {
    for (const [key, item] of Object.entries(value)) {
      if (!isInternalKey(key)) walk(item, visit, [...prefix, key]);
    }
  }
}

/** A value worth protecting: not null, not empty. */
export function isMeaningfulPlain(value: ReportValue): boolean {
  if (value.kind !== "plain") return false;
  const inner = value.value;
  if (inner === null || inner === "") return false;
  if (Array.isArray(inner)) return inner.length > 0;
  if (typeof inner === "object") return Object.keys(inner).length > 0;
  return true;
}

const PRIVATE_KEY_PEM = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;

/** A PEM private key (PKCS#1, PKCS#8, EC, OpenSSH, encrypted...). */
export function containsPrivateKey(text: string): boolean {
  return PRIVATE_KEY_PEM.test(text);
}

// Names that usually hold secrets, compared after lower-casing and removing `_`/`-`.
const SENSITIVE_NAME_PARTS = [
  "password",
  "passwd",
  "passphrase",
  "secret",
  "token",
  "privatekey",
  "apikey",
  "credential",
  "accesskey",
  "signingkey",
  "connectionstring",
];
// Names that hold a reference to a secret or a setting about it, not the secret itself.
const REFERENCE_SUFFIXES = [
  "arn",
  "arns",
  "id",
  "ids",
  "name",
  "names",
  "path",
  "paths",
  "url",
  "uri",
  "version",
  "versions",
  "stage",
  "length",
  "count",
  "enabled",
  "type",
  "policy",
  "ttl",
  "expiry",
  "expiration",
  "rotation",
  "required",
  "digests",
  "fingerprint",
];

/** Whether a property name looks like it holds a secret (`databasePassword`, `api_key`...). */
export function looksSensitiveName(name: string): boolean {
  const normalized = name.toLowerCase().replace(/[_\-\s]/g, "");
  if (!SENSITIVE_NAME_PARTS.some((part) => normalized.includes(part))) return false;
  return !REFERENCE_SUFFIXES.some((suffix) => normalized.endsWith(suffix));
}

/** Display text for masked and computed values. */
export const DISPLAY = {
  secret: "[secret]",
  hidden: "[hidden]",
  unknown: "(known after apply)",
} as const;

function shortHash(hash: unknown): string | undefined {
  return typeof hash === "string" && hash !== "" ? `sha256:${hash.slice(0, 12)}` : undefined;
}

function describeAssetOrArchive(kind: "asset" | "archive", value: Record<string, unknown>): string {
  const parts: string[] = [];
  if (typeof value.path === "string") parts.push(JSON.stringify(value.path));
  else if (typeof value.uri === "string") parts.push(JSON.stringify(value.uri));
  else if (typeof value.text === "string") parts.push("text");
  else if (isRecord(value.assets)) {
    const count = Object.keys(value.assets).length;
    parts.push(`${count} ${count === 1 ? "file" : "files"}`);
  }
  const hash = shortHash(value.hash);
  if (hash !== undefined) parts.push(hash);
  return `${kind}(${parts.join(", ")})`;
}

/**
 * One-line display text for a plain value. Nested secrets become `[secret]`; values that are not
 * marked secret but look like one (a PEM private key, or a non-empty string under a sensitive name)
 * become `[hidden]`; asset and archive contents are summarised by their hash.
 */
export function displayValue(value: unknown, keyName?: string): string {
  if (typeof value === "string") {
    if (value === SECRET_MARKER) return DISPLAY.secret;
    if (value === UNKNOWN_VALUE) return DISPLAY.unknown;
    if (containsPrivateKey(value)) return DISPLAY.hidden;
    if (value !== "" && keyName !== undefined && looksSensitiveName(keyName)) return DISPLAY.hidden;
    return JSON.stringify(value);
  }
  if (value === null || typeof value === "number" || typeof value === "boolean") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((item) => displayValue(item, keyName)).join(", ")}]`;
  if (!isRecord(value)) return "null";
  const signature = signatureOf(value);
  if (signature === SIGNATURES.secret) return DISPLAY.secret;
  if (signature === SIGNATURES.asset) return describeAssetOrArchive("asset", value);
  if (signature === SIGNATURES.archive) return describeAssetOrArchive("archive", value);
  if (signature === SIGNATURES.resourceReference) {
    return typeof value.urn === "string" ? `resource(${value.urn})` : "resource(?)";
  }
  if (signature === SIGNATURES.output) {
    const kind = classify(value);
    if (kind === "secret") return DISPLAY.secret;
    if (kind === "unknown") return DISPLAY.unknown;
    return displayValue(value.value, keyName);
  }
  const entries = Object.entries(value).filter(([key, item]) => !isInternalKey(key) && item !== undefined);
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}: ${displayValue(item, key)}`).join(", ")}}`;
}
