/**
 * One secret classifier for SEC-01/02/03/05/07, ENV-02 and CRON-02.
 *
 * Provenance first: a value that depends on a generated secret (a RandomPassword anywhere; a long
 * RandomString/RandomBytes/RandomId where it is used as a value, not inside a name) or equals a
 * secret stack config value is a secret whatever it is called. Value second: known key formats,
 * JWT roles, credentials in URLs (lib/secret-formats.ts); high entropy only under a secret's name.
 * Pointers (ARNs, parameter paths, URLs without credentials, `valueFrom`) are never secrets.
 *
 * Every variable shape goes through `variableEntries`: `KEY: value` maps, `{name, value}` and
 * `{key, value}` pairs, `{NAME: {type, value}}` (Pages), bindings with `text`, JSON strings
 * (container and state machine definitions) and dotenv blobs.
 */
import type { PolicyResource } from "@pulumi/policy";
import { MANAGEMENT_SETTING_TYPE } from "../../lib/component-types";
import { generators } from "../catalogue";
import { coveredTypes } from "../catalogue";
import type { ResourceView } from "./define";
import { num } from "./props";
import { isPointerValue, isSecretName, looksLikeSecretValue, secretFormat } from "./secrets";
import { readStackFile } from "./stack-file";
import { formatPath, isUnknown, peek, rawValue } from "./unknowns";
import type { PackContext } from "./context";

export interface Entry {
  /** Path from the resource's props (JSON strings and dotenv lines continue the path). */
  readonly path: readonly (string | number)[];
  /** The variable's name (map key, pair name, dotenv key) or the nearest property key. */
  readonly name: string | undefined;
  /** The string value, or undefined when unknown. */
  readonly value: string | undefined;
  readonly unknown: boolean;
  /** A place made for secrets: secret_text bindings, Pages secret_text, a secret input of the provider. */
  readonly slot: boolean;
  /** A reference by shape (`valueFrom`, CodeBuild PARAMETER_STORE/SECRETS_MANAGER). */
  readonly pointer: boolean;
  /** Inside a variables shape (an env map, a pair list, a binding, a dotenv line). */
  readonly variable: boolean;
}

/** Types whose whole root property is the place made for secrets. */
const SECRET_ROOTS: Readonly<Record<string, readonly string[]>> = {
  "aws:secretsmanager/secretVersion:SecretVersion": ["secretString", "secretBinary", "secretStringWo"],
  "supabase:index/edgeFunctionSecrets:EdgeFunctionSecrets": ["secrets"],
  "supabase:index/project:Project": ["databasePassword"],
  [MANAGEMENT_SETTING_TYPE]: ["accessToken"],
  "aws:cloudwatch/eventConnection:EventConnection": ["authParameters"],
  "aws:sns/topicSubscription:TopicSubscription": ["endpoint"],
};

const SECRET_BINDING_TYPES = new Set(["secret_text", "secret_key", "SECRETS_MANAGER", "secret"]);
const POINTER_BINDING_TYPES = new Set(["PARAMETER_STORE", "SECRETS_MANAGER"]);

/** The catalogue's word on a type that is itself one variable (its name input, its secret switch). */
function rootVariable(type: string): { readonly name: string; readonly secretWhen?: string } | undefined {
  return coveredTypes("variables").get(type)?.rootVariable;
}

/** Root properties where the catalogue says variables live, per type. */
function variableRoots(type: string): Set<string> {
  const covered = coveredTypes("variables").get(type);
  return new Set((covered?.paths ?? []).map((path) => path.split(".")[0]!));
}

/**
 * Whether `path` (property names; list indexes are skipped) reaches one of the catalogue's variable
 * paths of the type: `target.input` of a schedule, not `target.arn` beside it.
 */
export function isUnderVariablePath(type: string, path: readonly (string | number)[]): boolean {
  const covered = coveredTypes("variables").get(type);
  if (!covered) return false;
  const names = path.filter((segment) => typeof segment === "string" && !/^\d+$/.test(segment));
  return covered.paths.some((variablePath) => {
    const parts = variablePath.split(".");
    return parts.length <= names.length && parts.every((part, index) => names[index] === part);
  });
}

/**
 * An input the provider's schema types as an ARN (`arn`, `roleArn`, `deadLetterConfig.arn`): it
 * can only hold a pointer, whatever value reaches it. Schema property names, not variable names.
 */
export function isArnProperty(key: string): boolean {
  return /^(arn|arns|[a-z][A-Za-z0-9]*Arns?)$/.test(key);
}

function isSecretRoot(resource: Pick<ResourceView, "type" | "props" | "opts">, root: string): boolean {
  if (resource.type.startsWith("pulumi:providers:")) return true;
  if ((SECRET_ROOTS[resource.type] ?? []).includes(root)) return true;
  if (resource.type === "aws:ssm/parameter:Parameter" && root === "value") {
    return peek(resource.props, "type") === "SecureString";
  }
  // The author declared the property secret: it is encrypted in state and masked in output.
  return resource.opts.additionalSecretOutputs.includes(root);
}

/** `KEY=value` lines of a dotenv blob, when the text is one (two or more such lines, or one and nothing else). */
export function dotenvLines(text: string): { name: string; value: string }[] | undefined {
  if (!text.includes("=")) return undefined;
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== "" && !line.trim().startsWith("#"));
  if (lines.length === 0) return undefined;
  const parsed = lines.map((line) => /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line));
  if (parsed.some((match) => match === null)) return undefined;
  if (lines.length < 2 && !/^[A-Z_][A-Z0-9_]*=/.test(lines[0]!.trim())) return undefined;
  return parsed.map((match) => ({ name: match![1]!, value: match![2]!.replace(/^(['"])(.*)\1$/, "$2") }));
}

function parseJson(text: string): unknown {
  const trimmed = text.trim();
  if (!(
    (trimmed.startsWith("{") && trimmed.endsWith("}")) ||
    (trimmed.startsWith("[") && trimmed.endsWith("]"))
  ))
    return undefined;
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    return undefined;
  }
}

/** Every string leaf of a resource's inputs, as variables where the shape says so. */
export function variableEntries(resource: Pick<ResourceView, "type" | "props" | "opts">): Entry[] {
  const out: Entry[] = [];
  const roots = variableRoots(resource.type);
  const single = rootVariable(resource.type);
  const visit = (
    current: unknown,
    path: (string | number)[],
    name: string | undefined,
    flags: { slot: boolean; pointer: boolean; variable: boolean },
    depth: number,
  ): void => {
    const raw = rawValue(current);
    if (depth > 40) return;
    if (isUnknown(raw)) {
      out.push({ path, name, value: undefined, unknown: true, ...flags });
      return;
    }
    if (typeof raw === "string") {
      const json = parseJson(raw);
      if (json !== undefined && typeof json === "object" && json !== null) {
        visit(json, path, name, flags, depth + 1);
        return;
      }
      const dotenv =
        raw.includes("\n") || /^[A-Z_][A-Z0-9_]*=/.test(raw.trim()) ? dotenvLines(raw) : undefined;
      if (dotenv) {
        dotenv.forEach((line, index) =>
          out.push({
            path: [...path, `line ${index + 1}`],
            name: line.name,
            value: line.value,
            unknown: false,
            ...flags,
            variable: true,
          }),
        );
        return;
      }
      out.push({ path, name, value: raw, unknown: false, ...flags });
      return;
    }
    if (Array.isArray(raw)) {
      raw.forEach((element, index) => visit(element, [...path, index], name, flags, depth + 1));
      return;
    }
    if (typeof raw !== "object" || raw === null) return;
    const record = raw as Record<string, unknown>;
    // Pairs: {name, value}, {key, value}, {name, type, text} (Worker bindings), {name, valueFrom} (ECS secrets).
    const pairName =
      typeof record.name === "string" ? record.name : typeof record.key === "string" ? record.key : undefined;
    const pairValueKey = ["value", "text", "valueFrom"].find((key) => key in record);
    const consumed = new Set<string>();
    // The resource's own inputs are never a pair (an SSM parameter has `name` and `value`).
    if (depth > 0 && pairName !== undefined && pairValueKey !== undefined) {
      const type = typeof record.type === "string" ? record.type : undefined;
      const pairFlags = {
        slot:
          flags.slot ||
          rawValue(record.sensitive) === true ||
          (type !== undefined && SECRET_BINDING_TYPES.has(type) && !POINTER_BINDING_TYPES.has(type)),
        pointer:
          flags.pointer ||
          pairValueKey === "valueFrom" ||
          (type !== undefined && POINTER_BINDING_TYPES.has(type)),
        variable: true,
      };
      visit(record[pairValueKey], [...path, pairValueKey], pairName, pairFlags, depth + 1);
      consumed.add(pairValueKey);
    }
    for (const [key, child] of Object.entries(record)) {
      if (consumed.has(key)) continue;
      const childRaw = rawValue(child);
      // {NAME: {type: "secret_text", value}} (Pages env vars).
      if (
        typeof childRaw === "object" &&
        childRaw !== null &&
        !Array.isArray(childRaw) &&
        "value" in childRaw &&
        typeof (childRaw as Record<string, unknown>).type === "string" &&
        !("name" in childRaw) &&
        !("key" in childRaw)
      ) {
        const type = (childRaw as Record<string, unknown>).type as string;
        visit(
          (childRaw as Record<string, unknown>).value,
          [...path, key, "value"],
          key,
          { slot: flags.slot || SECRET_BINDING_TYPES.has(type), pointer: flags.pointer, variable: true },
          depth + 2,
        );
        continue;
      }
      let childFlags = flags;
      let childName: string | undefined = key;
      if (depth > 0 && !flags.variable) {
        childFlags = {
          ...flags,
          variable: isUnderVariablePath(resource.type, [...path, key]),
          pointer: flags.pointer || isArnProperty(key),
        };
      }
      if (depth === 0) {
        childFlags = {
          slot: isSecretRoot(resource, key),
          pointer: !roots.has(key) && isArnProperty(key),
          variable: isUnderVariablePath(resource.type, [key]),
        };
        if (single !== undefined && roots.has(key)) {
          // The resource is one variable: its value is named by its name input, and is a secret's
          // place only when the resource says so (Vercel's `sensitive`).
          const variableName = rawValue(record[single.name]);
          childName = typeof variableName === "string" ? variableName : key;
          const secretSwitch =
            single.secretWhen === undefined ? undefined : rawValue(record[single.secretWhen]);
          childFlags = { slot: childFlags.slot || secretSwitch === true, pointer: false, variable: true };
        }
      }
      visit(child, [...path, key], childName, childFlags, depth + 1);
    }
  };
  visit(resource.props, [], undefined, { slot: false, pointer: false, variable: false }, 0);
  return out;
}

/** A secret-named input of the resource itself (`password`, `masterPassword`): providers keep those secret. */
export function isSecretInput(resource: Pick<ResourceView, "type">, entry: Entry): boolean {
  if (entry.variable || entry.path.length === 0) return false;
  const roots = variableRoots(resource.type);
  if (roots.has(String(entry.path[0]))) return false;
  return entry.path.length <= 3 && entry.name !== undefined && isSecretName(entry.name);
}

/** Input properties that name things: a generated value there is a suffix, not a secret. */
export function isNamingProperty(property: string): boolean {
  return /^(name|namePrefix|bucket|bucketPrefix|key|identifier|identifierPrefix|title|description|family|path|tags|tagsAll|keepers|alias|hostname|subdomain|domain|prefix|displayName|friendlyName)$|(Name|Prefix|Identifier|Id|Key)$/.test(
    property,
  );
}

export interface Generator {
  readonly resource: PolicyResource;
  /** A secret wherever it goes (RandomPassword). */
  readonly always: boolean;
  /** Long enough to be a credential (not a suffix): see `minSecretChars`. */
  readonly long: boolean;
  /** The generated value, once known (after apply). */
  readonly value: string | undefined;
}

/** The shortest RandomString (characters) or RandomBytes/RandomId (bytes × 4/3) treated as a credential. */
export const DEFAULT_MIN_SECRET_CHARS = 16;

function generatedLength(resource: PolicyResource): number | undefined {
  const length = num(resource.props, "length");
  if (resource.type === "random:index/randomId:RandomId") {
    const bytes = num(resource.props, "byteLength");
    return typeof bytes === "number" ? Math.floor((bytes * 4) / 3) : undefined;
  }
  if (resource.type === "random:index/randomBytes:RandomBytes") {
    return typeof length === "number" ? Math.floor((length * 4) / 3) : undefined;
  }
  return typeof length === "number" ? length : undefined;
}

export class SecretSources {
  readonly generators = new Map<string, Generator>();

  constructor(
    resources: readonly PolicyResource[],
    readonly secretConfigValues: ReadonlyMap<string, string> = new Map(),
    minSecretChars = DEFAULT_MIN_SECRET_CHARS,
  ) {
    const kinds = generators();
    for (const resource of resources) {
      const kind = kinds.get(resource.type);
      if (!kind) continue;
      const output = peek(resource.props, kind.output);
      const length = generatedLength(resource);
      this.generators.set(resource.urn, {
        resource,
        always: kind.secret === "always",
        long: length === undefined ? true : length >= minSecretChars,
        value: typeof output === "string" && output !== "" ? output : undefined,
      });
    }
  }

  /** Generators a resource's property depends on. */
  dependencies(resource: PolicyResource, property: string): Generator[] {
    return (resource.propertyDependencies[property] ?? [])
      .map((dependency) => this.generators.get(dependency.urn))
      .filter((generator): generator is Generator => generator !== undefined);
  }

  /** The secret config key whose value this is, if any. */
  configKeyOf(value: string): string | undefined {
    for (const [key, secret] of this.secretConfigValues) {
      if (value === secret || (secret.length >= 12 && value.includes(secret))) return key;
    }
    return undefined;
  }
}

/** True when `text` carries `secret` as a credential: the whole value, a bearer token, a URL password, a JSON or dotenv value. */
export function carriesValue(text: string, secret: string): boolean {
  if (text === secret) return true;
  if (!text.includes(secret)) return false;
  const escaped = secret.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(
    `(^(Bearer|Token|Basic)\\s+${escaped}$)|(:${escaped}@)|(^[A-Za-z_][A-Za-z0-9_]*=${escaped}$)|([?&][^=]+=${escaped}(&|$))`,
    "m",
  ).test(text);
}

/** Secret config values per pack context, read once (the stack file does not change during a run). */
const secretConfigCache = new WeakMap<PackContext, ReadonlyMap<string, string>>();

/** Values of secret stack config (`secure:` in the stack file), by key: provenance for the classifier. */
export function secretConfigValues(ctx: PackContext): ReadonlyMap<string, string> {
  let values = secretConfigCache.get(ctx);
  if (!values) {
    values = readSecretConfigValues(ctx);
    secretConfigCache.set(ctx, values);
  }
  return values;
}

function readSecretConfigValues(ctx: PackContext): Map<string, string> {
  const out = new Map<string, string>();
  const read = readStackFile(ctx.projectDir, ctx.environment.stackName, ctx.stackFile);
  if (!read.ok) return out;
  const visit = (fileValue: unknown, liveValue: unknown, key: string) => {
    if (typeof fileValue !== "object" || fileValue === null) return;
    const record = fileValue as Record<string, unknown>;
    if (Object.keys(record).length === 1 && typeof record.secure === "string") {
      if (typeof liveValue === "string" && liveValue.length >= 8) out.set(key, liveValue);
      return;
    }
    let live = liveValue;
    if (typeof live === "string") {
      try {
        live = JSON.parse(live) as unknown;
      } catch {
        return;
      }
    }
    for (const [child, value] of Object.entries(record)) {
      const inner =
        typeof live === "object" && live !== null ? (live as Record<string, unknown>)[child] : undefined;
      visit(value, inner, `${key}.${child}`);
    }
  };
  for (const [key, value] of Object.entries(read.config)) visit(value, ctx.config.get(key), key);
  return out;
}

export type Verdict =
  | { readonly kind: "secret"; readonly why: string }
  | { readonly kind: "pointer" }
  | { readonly kind: "plain" };

/**
 * A known value's verdict: pointer by shape; secret by provenance (secret config), by format, or
 * (the one remaining name heuristic) a random-looking value under a secret's name.
 */
export function classifyValue(value: string, name: string | undefined, sources?: SecretSources): Verdict {
  const format = secretFormat(value);
  if (format) return { kind: "secret", why: format.kind };
  if (isPointerValue(value)) return { kind: "pointer" };
  const configKey = sources?.configKeyOf(value);
  if (configKey) return { kind: "secret", why: `the value of the secret config ${configKey}` };
  if (name !== undefined && isSecretName(name) && looksLikeSecretValue(value)) {
    return { kind: "secret", why: `a secret value (${name} is a secret's name)` };
  }
  return { kind: "plain" };
}

/** `.environment.variables.UPSTREAM_AUTH of aws:lambda/function:Function "sync"`. */
export function describeEntry(resource: Pick<ResourceView, "type" | "name">, entry: Entry): string {
  return `${formatPath(entry.path)} of ${resource.type} "${resource.name}"`;
}

/**
 * How a generated value is used, from the resources that depend on it: as a secret (it reaches a
 * place made for secrets or a secret input, at any length; or it is long and reaches a value that
 * is not a name) or not (a suffix in a name, a short id). A RandomPassword is always a secret.
 */
export function usedAsSecret(
  generator: Generator,
  resources: readonly PolicyResource[],
): { readonly secret: boolean; readonly where?: string } {
  if (generator.always) return { secret: true };
  for (const resource of resources) {
    for (const [property, dependencies] of Object.entries(resource.propertyDependencies)) {
      if (!dependencies.some((dependency) => dependency.urn === generator.resource.urn)) continue;
      const view = resource as ResourceView;
      const under = variableEntries(view).filter((entry) => entry.path[0] === property);
      const value = generator.value;
      const reached =
        value !== undefined
          ? under.filter((entry) => entry.value !== undefined && carriesValue(entry.value, value))
          : under.filter((entry) => entry.unknown);
      for (const entry of reached) {
        const where = describeEntry(view, entry);
        if (entry.slot || isSecretInput(view, entry)) return { secret: true, where };
        if (generator.long && !entry.pointer && !(entry.path.length <= 1 && isNamingProperty(property))) {
          return { secret: true, where };
        }
      }
    }
  }
  return { secret: false };
}
