/**
 * The engine's naming rules: URNs, provider references, default provider names, alias URNs and
 * custom timeout durations. Pure functions, written from the engine's behaviour so that recorded
 * names match what `pulumi preview` prints.
 */

export const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";
export const PROVIDER_TYPE_PREFIX = "pulumi:providers:";

export interface ParsedUrn {
  readonly stack: string;
  readonly project: string;
  /** The parent chain and the type, joined by `$` (e.g. `my:Component$aws:s3/bucket:Bucket`). */
  readonly qualifiedType: string;
  /** The resource's own type, the last element of the qualified type. */
  readonly type: string;
  readonly name: string;
}

export function parseUrn(urn: string): ParsedUrn {
  const prefix = "urn:pulumi:";
  if (!urn.startsWith(prefix))
    throw new Error(`"${urn}" is not a Pulumi URN (it must start with "${prefix}")`);
  const parts = urn.slice(prefix.length).split("::");
  if (parts.length < 4) throw new Error(`"${urn}" is not a Pulumi URN (expected stack::project::type::name)`);
  const [stack, project, qualifiedType] = parts as [string, string, string, ...string[]];
  // A name may itself contain "::", so everything after the type belongs to it.
  const name = parts.slice(3).join("::");
  const type = qualifiedType.split("$").pop() ?? qualifiedType;
  return { stack, project, qualifiedType, type, name };
}

/**
 * The URN the engine gives a resource: the parent's qualified type is prepended unless the parent
 * is the root stack (Pulumi's own MockMonitor gets this wrong, prefixing `pulumi:pulumi:Stack$`
 * and dropping grandparents).
 */
export function engineUrn(
  stack: string,
  project: string,
  parentUrn: string,
  type: string,
  name: string,
): string {
  let qualifiedType = type;
  if (parentUrn !== "") {
    const parent = parseUrn(parentUrn);
    if (parent.qualifiedType !== ROOT_STACK_TYPE) qualifiedType = `${parent.qualifiedType}$${type}`;
  }
  return `urn:pulumi:${stack}::${project}::${qualifiedType}::${name}`;
}

export function isProviderType(type: string): boolean {
  return type.startsWith(PROVIDER_TYPE_PREFIX);
}

/** The package of a resource or function token (`aws:s3/bucket:Bucket` → `aws`). */
export function packageOfToken(token: string): string {
  const colon = token.indexOf(":");
  return colon < 0 ? token : token.slice(0, colon);
}

export interface ProviderReference {
  readonly urn: string;
  /** The provider's id, or the unknown sentinel while it is being created in a preview. */
  readonly id: string;
}

/** Splits a provider reference `urn::id` (the id is everything after the last `::`). */
export function parseProviderReference(reference: string): ProviderReference {
  const split = reference.lastIndexOf("::");
  if (split < 0 || !reference.startsWith("urn:pulumi:")) {
    throw new Error(`"${reference}" is not a provider reference (expected "<provider urn>::<provider id>")`);
  }
  return { urn: reference.slice(0, split), id: reference.slice(split + 2) };
}

const SEMVER =
  /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

/** Makes a string a legal QName the way the engine's `tokens.IntoQName` does (illegal runs become `_`). */
function intoQName(value: string): string {
  return value
    .replace(/^[a-z]+:\/\//i, "")
    .replace(/[^A-Za-z0-9_.\-/]+/g, "_")
    .replace(/\/+$/, "");
}

/**
 * The name of the default provider the engine creates for a package version (`default_7_48_0`,
 * `default` when the SDK sent no version), as `ProviderRequest.DefaultName` builds it.
 */
export function defaultProviderName(version: string, pluginDownloadUrl = ""): string {
  let name = "default";
  const match = version === "" ? null : SEMVER.exec(version);
  if (match) {
    name += `_${match[1]}_${match[2]}_${match[3]}`;
    for (const part of match[4]?.split(".") ?? []) name += `_${part}`;
    for (const part of match[5]?.split(".") ?? []) name += `_${part}`;
  }
  const url = pluginDownloadUrl.replace(/\/+$/, "");
  if (url !== "") name += `_${intoQName(url)}`;
  return name;
}

export interface AliasSpec {
  readonly urn?: string;
  readonly name?: string;
  readonly type?: string;
  readonly stack?: string;
  readonly project?: string;
  readonly parentUrn?: string;
  readonly noParent?: boolean;
}

/** The URN an alias stands for, filling blanks from the resource, as the engine's step generator does. */
export function aliasUrn(
  alias: AliasSpec,
  resource: {
    readonly stack: string;
    readonly project: string;
    readonly type: string;
    readonly name: string;
  },
  resourceParentUrn: string,
): string {
  if (alias.urn !== undefined && alias.urn !== "") return alias.urn;
  let parent = alias.parentUrn !== undefined && alias.parentUrn !== "" ? alias.parentUrn : resourceParentUrn;
  if (alias.noParent === true) parent = "";
  return engineUrn(
    alias.stack || resource.stack,
    alias.project || resource.project,
    parent,
    alias.type || resource.type,
    alias.name || resource.name,
  );
}

const DURATION_UNITS: Readonly<Record<string, number>> = {
  ns: 1e-9,
  us: 1e-6,
  µs: 1e-6,
  μs: 1e-6,
  ms: 1e-3,
  s: 1,
  m: 60,
  h: 3600,
};

/**
 * Parses a custom timeout the way the engine does (Go's `time.ParseDuration`) and returns seconds:
 * `"10m"` → 600, `"1h30m"` → 5400, `"1.5s"` → 1.5. An empty string means "no timeout" (0).
 */
export function parseGoDuration(text: string): number {
  if (text === "" || text === "0") return 0;
  const unsigned = text.replace(/^[+-]/, "");
  const sign = text.startsWith("-") ? -1 : 1;
  const part = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/gy;
  let seconds = 0;
  let consumed = 0;
  for (let match = part.exec(unsigned); match !== null; match = part.exec(unsigned)) {
    seconds += Number(match[1]) * (DURATION_UNITS[match[2] ?? "s"] ?? 1);
    consumed = part.lastIndex;
  }
  if (consumed === 0 || consumed !== unsigned.length) {
    throw new Error(
      `custom timeout "${text}" is not a duration; write it as Go does, for example "30s", "10m" or "1h30m"`,
    );
  }
  return sign * seconds;
}
