/**
 * Recognising secrets by their shape and by the name they are stored under. Policies cannot see
 * whether a value was a Pulumi secret (the engine hands them plain text), so these rules decide.
 */

export { isPointerValue, secretFormat } from "../../lib/secret-formats";
import { entropyBits } from "../../lib/secret-formats";

/** `serviceRoleKey` → `SERVICE_ROLE_KEY`. */
export function constantCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/[-.\s]+/g, "_")
    .toUpperCase();
}

const SECRET_NAME =
  /(^|_)(PASSWORD|PASSWD|PASSPHRASE|SECRET|SECRETS|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|SECRET_?KEY|AUTH_?TOKEN|SERVICE_?ROLE(_?KEY)?|CREDENTIALS?|SIGNING_?KEY|CLIENT_?SECRET|WEBHOOK_?SECRET)($|_)/;

/** Names that hold secrets: `DATABASE_PASSWORD`, `apiToken`, `CRON_SECRET`, `serviceRoleKey`. */
export function isSecretName(name: string): boolean {
  const constant = constantCase(name);
  if (/(^|_)(ARN|ID|NAME|NAMES|DIGESTS?|VERSION|LENGTH|ROTATION|RECOVERY|KMS_KEY|KEY_ID)$/.test(constant))
    return false;
  return SECRET_NAME.test(constant);
}

/** Prefixes bundlers expose to the browser or the mobile client (SEC-03): shared with the config schema. */
export { isClientExposedName } from "../../lib/client-vars";

/** Words that make a client-exposed variable's name a server secret whatever its value. */
const SERVER_SECRET_NAME = /(SERVICE_ROLE|SECRET|PRIVATE|PASSWORD|PASSWD|DATABASE_URL|DB_URL|SIGNING)/;

export function isServerSecretName(name: string): boolean {
  return SERVER_SECRET_NAME.test(constantCase(name));
}

export type KeyMode = "live" | "test";

/** Third-party key prefixes whose mode is visible in the value (ENV-02). */
const MODE_PATTERNS: readonly { vendor: string; pattern: RegExp }[] = [
  { vendor: "Stripe", pattern: /^(?:sk|rk|pk)_(live|test)_/ },
  { vendor: "Razorpay", pattern: /^rzp_(live|test)_/ },
  { vendor: "Paystack", pattern: /^(?:sk|pk)_(live|test)_/ },
];

/** Pulumi packages of vendors whose keys carry a mode: their provider's credential is ENV-02's too. */
export const MODE_KEY_PACKAGES: ReadonlySet<string> = new Set(["stripe", "razorpay", "paystack"]);

export function keyMode(value: string): { vendor: string; mode: KeyMode } | undefined {
  // The key itself, or inside a header value (`Bearer sk_live_…`).
  const token = value.trim().replace(/^(?:Bearer|Basic|Token)\s+/i, "");
  for (const { vendor, pattern } of MODE_PATTERNS) {
    const match = pattern.exec(token);
    if (match) return { vendor, mode: match[1] as KeyMode };
  }
  return undefined;
}

/** Values that point at a secret instead of being one: ARNs, secret names, resolver references. */
export function isReference(value: string): boolean {
  return /^(arn:|\{\{resolve:|projects\/|sm:\/\/|ssm:\/\/|\$\{)/.test(value.trim());
}

/**
 * A value that could be a generated or issued secret: long, no spaces, mixed character classes,
 * high entropy. Identifiers (`CRON_SECRET`), names (`dirt-free-crm-prod`) and references are not.
 */
export function looksLikeSecretValue(value: string): boolean {
  const trimmed = value.trim();
  if (trimmed.length < 12 || /\s/.test(trimmed) || isReference(trimmed)) return false;
  if (/^[A-Z][A-Z0-9_]*$/.test(trimmed) || /^[a-z][a-z0-9-]*$/.test(trimmed)) return false;
  if (/^https?:\/\/[^:@/]+(\/|$)/.test(trimmed) && !/[?&](token|key|secret|sig)=/i.test(trimmed))
    return false;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((pattern) =>
    pattern.test(trimmed),
  ).length;
  return classes >= 2 && entropyBits(trimmed) >= 3;
}

/** An environment-variable-style name (`STRIPE_SECRET_KEY`). */
export function isConstantName(name: string): boolean {
  return /^[A-Z][A-Z0-9_]*$/.test(name);
}
