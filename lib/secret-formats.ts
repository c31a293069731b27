/**
 * Recognising a secret by its value's shape (known key formats, Supabase JWT roles). Pure: shared by
 * the config schema (secrets typed into free text) and the policy pack (SEC-01 and friends).
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
