/**
 * Reading `Pulumi.<stack>.yaml` the way the CLI hands config to a program, without the CLI: every
 * value a string, objects and arrays JSON-encoded, `secure:` values marked secret. Encrypted values
 * cannot be decrypted here, so they (and operator secrets not set yet) become clearly marked
 * placeholders: offline plans show the shape of a deploy, never a real secret.
 */
import { readFileSync } from "node:fs";
import { parseDocument } from "yaml";
import { CONFIG_NAMESPACE } from "../config/schema";
import { urlSecretNames } from "../config/schema/alerts";
import type { RawConfig } from "../config/load";
import { PLACEHOLDER_MARK, encryptedPlaceholder, isPlaceholder } from "../lib/placeholders";

export { PLACEHOLDER_MARK, isPlaceholder };

export class StackFileError extends Error {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
    this.name = "StackFileError";
  }
}

function isSecure(value: unknown): value is { secure: string } {
  return typeof value === "object" && value !== null && "secure" in value && Object.keys(value).length === 1;
}

/** Replace `{secure: ...}` leaves by placeholders; report whether any were found. */
function replaceSecure(value: unknown, key: string): { value: unknown; secret: boolean } {
  if (isSecure(value)) return { value: encryptedPlaceholder(key), secret: true };
  if (Array.isArray(value)) {
    let secret = false;
    const items = value.map((item, index) => {
      const replaced = replaceSecure(item, `${key}[${index}]`);
      secret ||= replaced.secret;
      return replaced.value;
    });
    return { value: items, secret };
  }
  if (typeof value === "object" && value !== null) {
    let secret = false;
    const entries = Object.entries(value).map(([name, item]) => {
      const replaced = replaceSecure(item, `${key}.${name}`);
      secret ||= replaced.secret;
      return [name, replaced.value] as const;
    });
    return { value: Object.fromEntries(entries), secret };
  }
  return { value, secret: false };
}

/** Parse a stack file's text into config as the engine passes it. */
export function parseStackFile(text: string, file: string, stack: string): RawConfig {
  let document: unknown;
  try {
    // Problems come back in the error below, never as a warning printed before it.
    const parsed = parseDocument(text, { logLevel: "silent", prettyErrors: true, uniqueKeys: true });
    const [firstError] = parsed.errors;
    if (firstError !== undefined) throw firstError;
    document = parsed.toJS({ maxAliasCount: 100 }) as unknown;
  } catch (error) {
    throw new StackFileError(file, `is not valid YAML: ${(error as Error).message}`);
  }
  if (document === null || document === undefined) return { values: {}, secretKeys: new Set(), stack };
  if (typeof document !== "object" || Array.isArray(document)) {
    throw new StackFileError(file, "must be a YAML mapping with a `config:` key");
  }
  const config = (document as { config?: unknown }).config ?? {};
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    throw new StackFileError(file, "`config:` must be a mapping of `namespace:key` to values");
  }
  const values: Record<string, string> = {};
  const secretKeys = new Set<string>();
  for (const [key, raw] of Object.entries(config)) {
    if (!/^[A-Za-z0-9_.-]+:[A-Za-z0-9_.-]+$/.test(key)) {
      throw new StackFileError(file, `config key "${key}" must look like namespace:name`);
    }
    const { value, secret } = replaceSecure(raw, key);
    if (secret) secretKeys.add(key);
    values[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return { values, secretKeys, stack };
}

export function readStackFile(file: string, stack: string): RawConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new StackFileError(
      file,
      "cannot be read; check the path (stack files are named Pulumi.<stack>.yaml)",
    );
  }
  return parseStackFile(text, file, stack);
}

const PLACEHOLDER_PREFIX_BY_KIND: Record<string, { prod: string; staging: string }> = {
  "stripe-secret-key": { prod: "sk_live_", staging: "sk_test_" },
  "stripe-restricted-key": { prod: "rk_live_", staging: "rk_test_" },
  "stripe-publishable-key": { prod: "pk_live_", staging: "pk_test_" },
};

interface ProvidedDeclaration {
  name: string;
  kind?: string;
}

/**
 * Give every declared operator secret whose value is unknown offline (not set, or encrypted with
 * `secure:`) a marked placeholder of the right shape: a live-mode prefix in prod, a URL for URL
 * secrets. Config checks treat a placeholder as "set, value unknown" and leave the value checks to
 * the deploy-time run; the shape keeps the program and the pack on the paths a real value takes.
 * Returns the names that hold placeholders.
 */
export function withPlaceholderSecrets(raw: RawConfig): { config: RawConfig; placeholders: string[] } {
  const secretsKey = `${CONFIG_NAMESPACE}:secrets`;
  const providedKey = `${CONFIG_NAMESPACE}:providedSecrets`;
  const environment = raw.values[`${CONFIG_NAMESPACE}:environment`] === "prod" ? "prod" : "staging";
  let declared: ProvidedDeclaration[] = [];
  try {
    const secrets = JSON.parse(raw.values[secretsKey] ?? "{}") as { provided?: ProvidedDeclaration[] };
    declared = Array.isArray(secrets.provided) ? secrets.provided : [];
  } catch {
    return { config: raw, placeholders: [] };
  }
  const rawProvided = raw.values[providedKey];
  let current: Record<string, unknown> = {};
  // The whole map encrypted at once: every declared name is unknown.
  if (rawProvided !== undefined && rawProvided !== encryptedPlaceholder(providedKey)) {
    try {
      const parsed = JSON.parse(rawProvided) as unknown;
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        return { config: raw, placeholders: [] };
      }
      current = parsed as Record<string, unknown>;
    } catch {
      return { config: raw, placeholders: [] };
    }
  }
  let urlNames: string[] = [];
  try {
    urlNames = urlSecretNames(JSON.parse(raw.values[`${CONFIG_NAMESPACE}:alerts`] ?? "{}"));
  } catch {
    urlNames = [];
  }
  const placeholders: string[] = [];
  const extraValues: Record<string, string> = {};
  // A Vercel host needs its token; a plan runs without one (the deploy sets it as a secret).
  try {
    const hosting = JSON.parse(raw.values[`${CONFIG_NAMESPACE}:hosting`] ?? "{}") as { provider?: unknown };
    if (hosting.provider === "vercel" && raw.values["vercel:apiToken"] === undefined) {
      extraValues["vercel:apiToken"] = `${PLACEHOLDER_MARK}:vercel:apiToken`;
      placeholders.push("vercel:apiToken");
    }
  } catch {
    // An unreadable golive:hosting is reported by config validation.
  }
  const filled = { ...current };
  for (const entry of declared) {
    if (typeof entry !== "object" || entry === null || typeof entry.name !== "string") continue;
    const { name, kind } = entry;
    const value = Object.hasOwn(filled, name) ? filled[name] : undefined;
    if (value !== undefined && !isPlaceholder(value)) continue;
    const prefix =
      typeof kind === "string" && Object.hasOwn(PLACEHOLDER_PREFIX_BY_KIND, kind)
        ? PLACEHOLDER_PREFIX_BY_KIND[kind]![environment]
        : "";
    // URL-valued secrets (the PagerDuty integration URL) get a URL that cannot resolve (.invalid).
    filled[name] = urlNames.includes(name)
      ? `https://${PLACEHOLDER_MARK}.invalid/${name}`
      : `${prefix}${PLACEHOLDER_MARK}:${name}`;
    placeholders.push(name);
  }
  if (placeholders.length === 0) return { config: raw, placeholders };
  const secretKeys = new Set(raw.secretKeys);
  for (const key of Object.keys(extraValues)) secretKeys.add(key);
  const providedChanged = placeholders.some((name) => !(name in extraValues));
  if (providedChanged) secretKeys.add(providedKey);
  return {
    config: {
      ...raw,
      values: {
        ...raw.values,
        ...extraValues,
        ...(providedChanged ? { [providedKey]: JSON.stringify(filled) } : {}),
      },
      secretKeys,
    },
    placeholders,
  };
}
