/**
 * Recognising secrets by their shape and by the name they are stored under. Policies cannot see
 * whether a value was a Pulumi secret (the engine hands them plain text), so these rules decide.
 */

export interface SecretMatch {
  /** What the value is, for messages: never the value itself. */
  readonly kind: string;
}

function jwtRole(value: string): string | undefined {
  const parts = value.split(".");
  if (parts.length !== 3 || !parts[0]!.startsWith("eyJ")) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(parts[1]!, "base64url").toString("utf8")) as unknown;
    if (typeof payload === "object" && payload !== null) {
      const role = (payload as Record<string, unknown>).role;
      return typeof role === "string" ? role : undefined;
    }
  } catch {
    return undefined;
  }
  return undefined;
}

const SECRET_FORMATS: readonly { kind: string; pattern: RegExp }[] = [
  { kind: "a Stripe secret key", pattern: /^sk_(live|test)_[A-Za-z0-9]{8,}/ },
  { kind: "a Stripe restricted key", pattern: /^rk_(live|test)_[A-Za-z0-9]{8,}/ },
  { kind: "a Stripe webhook signing secret", pattern: /^whsec_[A-Za-z0-9+/=]{8,}/ },
  { kind: "a Supabase secret API key", pattern: /^sb_secret_[A-Za-z0-9_-]{8,}/ },
  { kind: "a private key", pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/ },
  { kind: "a Slack token", pattern: /^xox[abposr]-[A-Za-z0-9-]{10,}/ },
  { kind: "a Slack webhook URL", pattern: /^https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9/]+/ },
  { kind: "a GitHub token", pattern: /^(gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})/ },
  { kind: "a SendGrid API key", pattern: /^SG\.[\w-]{16,}\.[\w-]{16,}$/ },
  { kind: "a Resend API key", pattern: /^re_[A-Za-z0-9]{8,}_[A-Za-z0-9]{8,}/ },
  { kind: "an OpenAI API key", pattern: /^sk-(proj-)?[A-Za-z0-9_-]{20,}$/ },
  { kind: "an AWS access key id", pattern: /^(AKIA|ASIA)[A-Z0-9]{16}$/ },
  {
    kind: "a database URL with a password",
    pattern: /^postgres(ql)?:\/\/[^:/\s]+:(?!\[YOUR-PASSWORD\])[^@\s]+@/,
  },
];

/** The kind of secret a value is, by its shape; undefined when it does not look like one. */
export function secretFormat(value: string): SecretMatch | undefined {
  const trimmed = value.trim();
  const role = jwtRole(trimmed);
  if (role === "service_role") return { kind: "a Supabase service_role key" };
  const match = SECRET_FORMATS.find((format) => format.pattern.test(trimmed));
  return match ? { kind: match.kind } : undefined;
}

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

export function keyMode(value: string): { vendor: string; mode: KeyMode } | undefined {
  for (const { vendor, pattern } of MODE_PATTERNS) {
    const match = pattern.exec(value.trim());
    if (match) return { vendor, mode: match[1] as KeyMode };
  }
  return undefined;
}

/** Values that point at a secret instead of being one: ARNs, secret names, resolver references. */
export function isReference(value: string): boolean {
  return /^(arn:|\{\{resolve:|projects\/|sm:\/\/|ssm:\/\/|\$\{)/.test(value.trim());
}

function entropy(value: string): number {
  const counts = new Map<string, number>();
  for (const char of value) counts.set(char, (counts.get(char) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / value.length;
    bits -= p * Math.log2(p);
  }
  return bits;
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
  return classes >= 2 && entropy(trimmed) >= 3;
}

/** An environment-variable-style name (`STRIPE_SECRET_KEY`). */
export function isConstantName(name: string): boolean {
  return /^[A-Z][A-Z0-9_]*$/.test(name);
}
