/**
 * Recorded property values (see tooling/engine/wire.ts) turned into plan values: secrets and
 * unknowns become fixed markers, resource references their URN, assets a content hash, and absolute
 * paths under the project directory become relative. A second pass removes any secret text that
 * reached a plain value or a message anyway, so a plan file can never carry a secret.
 */
import { createHash } from "node:crypto";
import path from "node:path";
import {
  isArchive,
  isAsset,
  isResourceReference,
  isSecret,
  isUnknown,
  type AssetValue,
  type ArchiveValue,
  type RecordedValue,
} from "../engine/wire";
import { PLAN_SECRET, PLAN_UNKNOWN, type PlanObject, type PlanValue } from "./model";

/** Secret texts shorter than this are not searched for: they would match ordinary words. */
export const MIN_REDACTED_LENGTH = 8;

export interface PlanValueContext {
  /** Absolute project directory; strings starting with it are made relative (`./...`). */
  readonly projectDir: string;
}

/** Absolute paths under the project directory, anywhere in `text`, made relative (`./...`). */
export function relativePath(text: string, projectDir: string): string {
  const root = path.resolve(projectDir);
  if (text === root) return ".";
  const prefix = root.endsWith(path.sep) ? root : `${root}${path.sep}`;
  if (!text.includes(prefix)) return text;
  return text.split(prefix).join(`.${path.sep}`);
}

function assetValue(asset: AssetValue, context: PlanValueContext): PlanObject {
  const description: PlanObject = {};
  if (asset.text !== undefined) {
    description.sha256 = createHash("sha256").update(asset.text).digest("hex");
    description.bytes = Buffer.byteLength(asset.text, "utf8");
  }
  if (asset.path !== undefined) description.path = relativePath(asset.path, context.projectDir);
  if (asset.uri !== undefined) description.uri = asset.uri;
  if (asset.hash !== undefined && asset.hash !== "") description.hash = asset.hash;
  return { $asset: description };
}

function archiveValue(archive: ArchiveValue, context: PlanValueContext): PlanObject {
  const description: PlanObject = {};
  if (archive.path !== undefined) description.path = relativePath(archive.path, context.projectDir);
  if (archive.uri !== undefined) description.uri = archive.uri;
  if (archive.hash !== undefined && archive.hash !== "") description.hash = archive.hash;
  if (archive.assets !== undefined) {
    const assets: PlanObject = {};
    for (const [name, inner] of Object.entries(archive.assets)) {
      assets[name] = isAsset(inner) ? assetValue(inner, context) : archiveValue(inner, context);
    }
    description.assets = assets;
  }
  return { $archive: description };
}

/** A recorded value as it is written in a plan. */
export function toPlanValue(value: RecordedValue, context: PlanValueContext): PlanValue {
  if (value === null || typeof value === "boolean" || typeof value === "number") return value;
  if (typeof value === "string") return relativePath(value, context.projectDir);
  if (Array.isArray(value)) return value.map((inner) => toPlanValue(inner, context));
  if (isSecret(value)) return PLAN_SECRET;
  if (isUnknown(value)) return PLAN_UNKNOWN;
  if (isResourceReference(value)) return value.urn;
  if (isAsset(value)) return assetValue(value, context);
  if (isArchive(value)) return archiveValue(value, context);
  return toPlanObject(value, context);
}

export function toPlanObject(
  value: Readonly<Record<string, RecordedValue>>,
  context: PlanValueContext,
): PlanObject {
  const result: PlanObject = {};
  for (const [key, inner] of Object.entries(value)) {
    // Pulumi reserves `__` keys for its own bookkeeping (`__defaults`); the engine drops them too.
    if (key.startsWith("__")) continue;
    result[key] = toPlanValue(inner, context);
  }
  return result;
}

/**
 * Fields of a secret object that name the secret rather than hold it (`{name: "CRON_SECRET", value}`
 * in a secrets list): redacting them would hide which secret a plan talks about.
 */
const NAME_FIELDS = new Set(["name", "key"]);

/** Every string leaf of a value (except name fields of objects). */
function stringLeaves(value: unknown, into: Set<string>): void {
  if (typeof value === "string") {
    into.add(value);
    // Config passes objects JSON-encoded; their leaves are the secrets.
    const trimmed = value.trim();
    if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
      try {
        stringLeaves(JSON.parse(trimmed) as unknown, into);
      } catch {
        // Not JSON: the whole string is the secret.
      }
    }
    return;
  }
  if (Array.isArray(value)) {
    for (const inner of value) stringLeaves(inner, into);
    return;
  }
  if (typeof value === "object" && value !== null) {
    for (const [key, inner] of Object.entries(value)) {
      if (!(NAME_FIELDS.has(key) && typeof inner === "string")) stringLeaves(inner, into);
    }
  }
}

/** Collects the plain text of every secret inside a recorded value. */
export function collectSecretTexts(value: RecordedValue, into: Set<string>): void {
  if (isSecret(value)) {
    stringLeaves(value.value, into);
    return;
  }
  if (Array.isArray(value)) {
    for (const inner of value) collectSecretTexts(inner, into);
    return;
  }
  if (typeof value === "object" && value !== null && !isUnknown(value) && !isResourceReference(value)) {
    for (const inner of Object.values(value as Record<string, RecordedValue>))
      collectSecretTexts(inner, into);
  }
}

/** Secret config values (JSON-encoded objects contribute each of their string leaves). */
export function secretConfigTexts(
  config: Readonly<Record<string, string>>,
  secretKeys: readonly string[],
  into: Set<string>,
): void {
  for (const key of secretKeys) {
    const value = config[key];
    if (value !== undefined) stringLeaves(value, into);
  }
}

/** Replaces every occurrence of a secret text (longest first) by the secret marker. */
export class Redactor {
  private readonly texts: string[];

  constructor(secrets: Iterable<string>) {
    this.texts = [...new Set(secrets)]
      .filter((text) => text.length >= MIN_REDACTED_LENGTH && text !== PLAN_SECRET)
      .sort((a, b) => b.length - a.length || (a < b ? -1 : a > b ? 1 : 0));
  }

  get size(): number {
    return this.texts.length;
  }

  text(value: string): string {
    let result = value;
    for (const secret of this.texts) {
      if (result.includes(secret)) result = result.split(secret).join(PLAN_SECRET);
    }
    return result;
  }

  value(value: PlanValue): PlanValue {
    if (typeof value === "string") return this.text(value);
    if (Array.isArray(value)) return value.map((inner) => this.value(inner));
    if (value !== null && typeof value === "object") return this.object(value);
    return value;
  }

  object(value: PlanObject): PlanObject {
    const result: PlanObject = {};
    for (const [key, inner] of Object.entries(value)) result[this.text(key)] = this.value(inner);
    return result;
  }
}
