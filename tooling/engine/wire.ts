/**
 * Property values as the Pulumi engine sees them, and the conversions between the gRPC wire form
 * (a `google.protobuf.Struct` in its JavaScript shape) and the recorded form golive keeps.
 *
 * On the wire, unknowns are sentinel strings and secrets, resource references, assets and archives
 * are objects tagged with a signature key. In a recording they become explicit markers, objects
 * whose only discriminant is the key `$pulumi`, so a recording stays plain JSON and a consumer can
 * tell "unknown" from a string and "secret" from an object without knowing any magic numbers.
 */

/** The string the SDK and the engine put in place of a value that is not known until apply. */
export const UNKNOWN_SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/**
 * Typed unknown sentinels the Go engine emits for unknowns whose element type it knows (bool,
 * number, array, asset, archive, object). The Node SDK only ever sends {@link UNKNOWN_SENTINEL}.
 */
export const TYPED_UNKNOWN_SENTINELS: readonly string[] = [
  "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",
  "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
  "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
  "030794c1-ac77-496b-92df-f27374a8bd58",
  "e48ece36-62e2-4504-bad9-02848725956a",
  "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
];

export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
export const RESOURCE_REFERENCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
export const ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17";
export const ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7";
export const OUTPUT_VALUE_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";

/** A value that will only be known when the resource is created (preview). */
export interface UnknownValue {
  readonly $pulumi: "unknown";
}

/** A secret: the engine encrypts it in state and masks it in display. */
export interface SecretValue {
  readonly $pulumi: "secret";
  readonly value: RecordedValue;
}

/** A reference to another resource, as the SDK sends it when the monitor accepts references. */
export interface ResourceReferenceValue {
  readonly $pulumi: "resource";
  readonly urn: string;
  /** Present for custom resources; unknown while the referenced resource is being created. */
  readonly id?: string | UnknownValue;
  readonly packageVersion?: string;
}

export interface AssetValue {
  readonly $pulumi: "asset";
  readonly hash?: string;
  readonly path?: string;
  readonly text?: string;
  readonly uri?: string;
}

export interface ArchiveValue {
  readonly $pulumi: "archive";
  readonly hash?: string;
  readonly path?: string;
  readonly uri?: string;
  readonly assets?: Readonly<Record<string, AssetValue | ArchiveValue>>;
}

export type MarkerValue = UnknownValue | SecretValue | ResourceReferenceValue | AssetValue | ArchiveValue;

export type RecordedValue = null | boolean | number | string | MarkerValue | RecordedValue[] | RecordedObject;

export interface RecordedObject {
  [key: string]: RecordedValue;
}

/** A JSON value as carried by a `google.protobuf.Struct` (what `Struct#toJavaScript` returns). */
export type WireValue = null | boolean | number | string | WireValue[] | WireObject;

export interface WireObject {
  [key: string]: WireValue;
}

/** The single unknown marker; recordings share it. */
export const UNKNOWN: UnknownValue = Object.freeze({ $pulumi: "unknown" });

export function secret(value: RecordedValue): SecretValue {
  return { $pulumi: "secret", value };
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function isMarker(value: unknown): value is MarkerValue {
  return isPlainRecord(value) && typeof value.$pulumi === "string";
}

export function isUnknown(value: unknown): value is UnknownValue {
  return isPlainRecord(value) && value.$pulumi === "unknown";
}

export function isSecret(value: unknown): value is SecretValue {
  return isPlainRecord(value) && value.$pulumi === "secret";
}

export function isResourceReference(value: unknown): value is ResourceReferenceValue {
  return isPlainRecord(value) && value.$pulumi === "resource";
}

export function isAsset(value: unknown): value is AssetValue {
  return isPlainRecord(value) && value.$pulumi === "asset";
}

export function isArchive(value: unknown): value is ArchiveValue {
  return isPlainRecord(value) && value.$pulumi === "archive";
}

/** True if the value is, or contains anywhere inside it, an unknown. */
export function containsUnknown(value: RecordedValue): boolean {
  if (isUnknown(value)) return true;
  if (isSecret(value)) return containsUnknown(value.value);
  if (isResourceReference(value)) return value.id !== undefined && isUnknown(value.id);
  if (isMarker(value)) return false;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (isPlainRecord(value)) return Object.values(value).some(containsUnknown);
  return false;
}

/** True if the value is, or contains anywhere inside it, a secret. */
export function containsSecret(value: RecordedValue): boolean {
  if (isSecret(value)) return true;
  if (isMarker(value)) return false;
  if (Array.isArray(value)) return value.some(containsSecret);
  if (isPlainRecord(value)) return Object.values(value).some(containsSecret);
  return false;
}

/** Removes every secret wrapper, keeping the values: what a policy sees in `args.props`. */
export function revealSecrets(value: RecordedValue): RecordedValue {
  if (isSecret(value)) return revealSecrets(value.value);
  if (isMarker(value)) return value;
  if (Array.isArray(value)) return value.map(revealSecrets);
  if (isPlainRecord(value)) {
    const result: RecordedObject = {};
    for (const [key, inner] of Object.entries(value)) result[key] = revealSecrets(inner);
    return result;
  }
  return value;
}

function wireString(record: Record<string, unknown>, key: string, where: string): string | undefined {
  const value = record[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string")
    throw new Error(`${where}: expected "${key}" to be a string, got ${typeof value}`);
  return value;
}

function fromWireAsset(record: Record<string, unknown>, where: string): AssetValue {
  const asset: { -readonly [K in keyof AssetValue]: AssetValue[K] } = { $pulumi: "asset" };
  for (const key of ["hash", "path", "text", "uri"] as const) {
    const value = wireString(record, key, where);
    if (value !== undefined) asset[key] = value;
  }
  return asset;
}

function fromWireArchive(record: Record<string, unknown>, where: string): ArchiveValue {
  const archive: { -readonly [K in keyof ArchiveValue]: ArchiveValue[K] } = { $pulumi: "archive" };
  for (const key of ["hash", "path", "uri"] as const) {
    const value = wireString(record, key, where);
    if (value !== undefined) archive[key] = value;
  }
  const assets = record.assets;
  if (isPlainRecord(assets)) {
    const converted: Record<string, AssetValue | ArchiveValue> = {};
    for (const [name, inner] of Object.entries(assets)) {
      const value = fromWire(inner, `${where}.assets.${name}`);
      if (!isAsset(value) && !isArchive(value)) {
        throw new Error(`${where}.assets.${name}: an archive may only hold assets and archives`);
      }
      converted[name] = value;
    }
    archive.assets = converted;
  }
  return archive;
}

/**
 * Converts a wire value (the JavaScript form of a `google.protobuf.Value`) to the recorded form.
 * `where` names the value in error messages.
 */
export function fromWire(value: unknown, where = "value"): RecordedValue {
  if (value === null || typeof value === "boolean" || typeof value === "number") return value;
  if (typeof value === "string") {
    return value === UNKNOWN_SENTINEL || TYPED_UNKNOWN_SENTINELS.includes(value) ? UNKNOWN : value;
  }
  if (Array.isArray(value)) return value.map((inner, index) => fromWire(inner, `${where}[${index}]`));
  if (!isPlainRecord(value)) throw new Error(`${where}: ${typeof value} is not a wire value`);

  const sig = value[SIG_KEY];
  if (sig === undefined) {
    const result: RecordedObject = {};
    for (const [key, inner] of Object.entries(value)) {
      if (inner !== undefined) result[key] = fromWire(inner, `${where}.${key}`);
    }
    return result;
  }
  switch (sig) {
    case SECRET_SIG:
      return secret(fromWire(value.value ?? null, `${where}<secret>`));
    case RESOURCE_REFERENCE_SIG: {
      const urn = wireString(value, "urn", where);
      if (urn === undefined) throw new Error(`${where}: resource reference without a urn`);
      const reference: { -readonly [K in keyof ResourceReferenceValue]: ResourceReferenceValue[K] } = {
        $pulumi: "resource",
        urn,
      };
      if ("id" in value) {
        const id = value.id;
        // The SDK sends "" or the unknown sentinel for the id of a resource still being created.
        reference.id =
          id === "" || id === UNKNOWN_SENTINEL || id === null
            ? UNKNOWN
            : (wireString(value, "id", where) ?? UNKNOWN);
      }
      const packageVersion = wireString(value, "packageVersion", where);
      if (packageVersion !== undefined && packageVersion !== "") reference.packageVersion = packageVersion;
      return reference;
    }
    case ASSET_SIG:
      return fromWireAsset(value, where);
    case ARCHIVE_SIG:
      return fromWireArchive(value, where);
    case OUTPUT_VALUE_SIG: {
      const inner: RecordedValue = "value" in value ? fromWire(value.value, `${where}<output>`) : UNKNOWN;
      return value.secret === true ? secret(inner) : inner;
    }
    default:
      throw new Error(`${where}: unrecognised signature ${JSON.stringify(sig)} in a wire value`);
  }
}

/** Converts the JavaScript form of a `google.protobuf.Struct` to a recorded object. */
export function fromWireObject(value: unknown, where = "properties"): RecordedObject {
  if (value === undefined || value === null) return {};
  const converted = fromWire(value, where);
  if (!isPlainRecord(converted) || isMarker(converted)) throw new Error(`${where}: expected an object`);
  return converted;
}

export interface ToWireOptions {
  /**
   * Keep resource references as signature objects. The engine sends references to analyzers as
   * plain ids (custom resources) or URNs (components), so this is false for analyzer requests.
   */
  readonly keepResources?: boolean;
  /** Drop keys starting with `__` at every level, as the engine does for analyzer requests. */
  readonly skipInternalKeys?: boolean;
}

/** Converts a recorded value back to the wire form, as the engine marshals it. */
export function toWire(value: RecordedValue, options: ToWireOptions = {}): WireValue {
  if (
    value === null ||
    typeof value === "boolean" ||
    typeof value === "number" ||
    typeof value === "string"
  ) {
    return value;
  }
  if (Array.isArray(value)) return value.map((inner) => toWire(inner, options));
  if (isUnknown(value)) return UNKNOWN_SENTINEL;
  if (isSecret(value)) return { [SIG_KEY]: SECRET_SIG, value: toWire(value.value, options) };
  if (isResourceReference(value)) {
    if (!options.keepResources) {
      if (value.id === undefined) return value.urn;
      return isUnknown(value.id) ? UNKNOWN_SENTINEL : value.id;
    }
    const reference: WireObject = { [SIG_KEY]: RESOURCE_REFERENCE_SIG, urn: value.urn };
    if (value.id !== undefined) reference.id = isUnknown(value.id) ? "" : value.id;
    if (value.packageVersion !== undefined) reference.packageVersion = value.packageVersion;
    return reference;
  }
  if (isAsset(value)) {
    const asset: WireObject = { [SIG_KEY]: ASSET_SIG };
    for (const key of ["hash", "path", "text", "uri"] as const) {
      const inner = value[key];
      if (inner !== undefined) asset[key] = inner;
    }
    return asset;
  }
  if (isArchive(value)) {
    const archive: WireObject = { [SIG_KEY]: ARCHIVE_SIG };
    for (const key of ["hash", "path", "uri"] as const) {
      const inner = value[key];
      if (inner !== undefined) archive[key] = inner;
    }
    if (value.assets !== undefined) {
      const assets: WireObject = {};
      for (const [name, inner] of Object.entries(value.assets)) assets[name] = toWire(inner, options);
      archive.assets = assets;
    }
    return archive;
  }
  return toWireObject(value, options);
}

/** Converts a recorded object to the JavaScript form of a `google.protobuf.Struct`. */
export function toWireObject(value: RecordedObject, options: ToWireOptions = {}): WireObject {
  const result: WireObject = {};
  for (const key of Object.keys(value).sort()) {
    if (options.skipInternalKeys && key.startsWith("__")) continue;
    const inner = value[key];
    if (inner !== undefined) result[key] = toWire(inner, options);
  }
  return result;
}

/**
 * Replaces recorded markers inside an arbitrary value (for example a mock's answer) by their wire
 * form, leaving anything else (including SDK objects such as outputs) untouched.
 */
export function markersToWire(value: unknown): unknown {
  if (isMarker(value)) return toWire(value);
  if (Array.isArray(value)) return value.map(markersToWire);
  if (isPlainRecord(value) && Object.getPrototypeOf(value) === Object.prototype) {
    const result: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) result[key] = markersToWire(inner);
    return result;
  }
  return value;
}
