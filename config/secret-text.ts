/**
 * Secrets typed into plain stack-file values (a job description holding `sk_live_…`, an AWS key in
 * a provider setting): found with the value classifier the policy pack uses for SEC-01
 * (`lib/secret-formats`), so the stack file and the pack agree on what a secret looks like.
 * Encrypted (`secure:`) keys are skipped: their values are not in the file.
 */
import { decodeConfigValue } from "../lib/config-values";
import { isPlaceholder } from "../lib/placeholders";
import { secretFormat } from "../lib/secret-formats";
import { keyPath } from "./errors";

export interface EmbeddedSecret {
  /** Full key path, e.g. `golive:cron.jobs[3].description`. */
  readonly key: string;
  /** What the value looks like (`a Stripe secret key`); never the value. */
  readonly kind: string;
}

/** Words of a free-text value: a secret may sit anywhere in it, quoted, after `=` or `:` and a space. */
function candidates(text: string): string[] {
  const words = text.split(/[\s"'`,;()<>[\]{}|=]+/).filter((word) => word.length >= 8);
  return [text, ...words];
}

function walk(
  value: unknown,
  path: (string | number)[],
  found: (path: (string | number)[], text: string) => void,
): void {
  if (typeof value === "string") {
    found(path, value);
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => walk(item, [...path, index], found));
  } else if (typeof value === "object" && value !== null) {
    for (const [name, item] of Object.entries(value)) walk(item, [...path, name], found);
  }
}

/** Plain (not `secure:`) stack-file values that hold something shaped like a secret. */
export function embeddedSecrets(
  values: Readonly<Record<string, string>>,
  secretKeys: ReadonlySet<string>,
): EmbeddedSecret[] {
  const results: EmbeddedSecret[] = [];
  for (const [configKey, raw] of Object.entries(values)) {
    // Operator secrets stored in plain text are reported as a whole (golive:providedSecrets).
    if (secretKeys.has(configKey) || configKey === "golive:providedSecrets") continue;
    const [namespace, top] = [
      configKey.slice(0, configKey.indexOf(":")),
      configKey.slice(configKey.indexOf(":") + 1),
    ];
    walk(decodeConfigValue(raw), [top], (path, text) => {
      if (isPlaceholder(text)) return;
      for (const candidate of candidates(text)) {
        const match = secretFormat(candidate);
        if (match) {
          results.push({ key: keyPath(namespace, path), kind: match.kind });
          return;
        }
      }
    });
  }
  return results;
}
