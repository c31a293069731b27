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

/** Passwords in URLs that are placeholders, not passwords. */
const PLACEHOLDER_PASSWORD = /^(\[.*\]|<.*>|\$\{.*\}|\{\{.*\}\}|\*+|x+|password|changeme|secret|pass)$/i;

/** `scheme://user:password@host`: the password, when it is one (not a placeholder). */
function urlPassword(value: string): string | undefined {
  const match = /^[a-z][a-z0-9+.-]*:\/\/([^:/?#@\s]*):([^@/?#\s]+)@[^\s]+$/i.exec(value);
  if (!match) return undefined;
  const password = decodeURIComponent(match[2]!.replace(/%(?![0-9a-f]{2})/gi, "%25"));
  return PLACEHOLDER_PASSWORD.test(password) ? undefined : password;
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
  { kind: "an Anthropic API key", pattern: /^sk-ant-[A-Za-z0-9_-]{20,}$/ },
  { kind: "a Twilio API key secret", pattern: /^SK[0-9a-fA-F]{32}$/ },
  { kind: "a Sentry auth token", pattern: /^sntry[su]_[A-Za-z0-9+/=_-]{20,}$/ },
  { kind: "a Mailgun API key", pattern: /^key-[0-9a-f]{32}$/ },
  { kind: "a GitLab token", pattern: /^glpat-[A-Za-z0-9_-]{20,}$/ },
  { kind: "an npm token", pattern: /^npm_[A-Za-z0-9]{36}$/ },
  { kind: "a Google API key", pattern: /^AIza[0-9A-Za-z_-]{35}$/ },
  {
    kind: "a Discord webhook URL",
    pattern: /^https:\/\/(?:canary\.)?discord(?:app)?\.com\/api\/webhooks\/\d+\/[\w-]{20,}/,
  },
  {
    kind: "a PagerDuty integration URL with its key",
    pattern: /^https:\/\/events\.pagerduty\.com\/integration\/[0-9a-f]{32}\//,
  },
  {
    kind: "a database URL with a password",
    pattern: /^postgres(ql)?:\/\/[^:/\s]+:(?!\[YOUR-PASSWORD\])[^@\s]+@/,
  },
];

/** JWT roles that are server secrets (`anon` and `authenticated` keys are meant for clients). */
const SECRET_JWT_ROLES = new Set(["service_role", "supabase_admin", "postgres", "admin"]);

/** The kind of secret a value is, by its shape; undefined when it does not look like one. */
export function secretFormat(value: string): SecretMatch | undefined {
  const trimmed = value.trim();
  // `Bearer <token>`, `Basic <credentials>`: the credential inside the header value.
  const scheme = /^(?:Bearer|Token|Basic)\s+(\S+)$/i.exec(trimmed);
  if (scheme) {
    const inner = secretFormat(scheme[1]!);
    if (inner) return inner;
    if (looksRandom(scheme[1]!)) return { kind: "a bearer credential" };
    return undefined;
  }
  const role = jwtRole(trimmed);
  if (role === "service_role") return { kind: "a Supabase service_role key" };
  if (role !== undefined && SECRET_JWT_ROLES.has(role)) return { kind: `a JWT with the ${role} role` };
  const match = SECRET_FORMATS.find((format) => format.pattern.test(trimmed));
  if (match) return { kind: match.kind };
  const password = urlPassword(trimmed);
  if (password !== undefined) return { kind: "a URL with a password" };
  return undefined;
}

/**
 * A value that points at a secret instead of being one, whatever it is called: an ARN, an SSM
 * parameter path, a secret-store reference, a template placeholder, a URL without credentials.
 */
export function isPointerValue(value: string): boolean {
  const trimmed = value.trim();
  if (/^(arn:|\{\{resolve:|ssm:\/\/|sm:\/\/|op:\/\/|vault:|projects\/[^/]+\/secrets\/|\$\{)/.test(trimmed))
    return true;
  // `/billing/prod/stripe-secret-key`: an SSM parameter path.
  if (/^\/[\w.-]+(\/[\w.-]+)+$/.test(trimmed)) return true;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    return (
      urlPassword(trimmed) === undefined &&
      !/[?&](token|key|secret|sig|signature|password|apikey|api_key)=/i.test(trimmed)
    );
  }
  return false;
}

/** Shannon entropy of a value's characters, in bits per character. */
export function entropyBits(value: string): number {
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
 * A value that looks generated: long, no spaces, not a pointer, not an identifier or a word list,
 * mixed character classes and high entropy. A heuristic: the pack uses it only together with a
 * secret's name (docs/checklist.md, SEC-01).
 */
export function looksRandom(value: string): boolean {
  const trimmed = value.trim();
  if (trimmed.length < 16 || /\s/.test(trimmed) || isPointerValue(trimmed)) return false;
  if (/^[A-Z][A-Z0-9_]*$/.test(trimmed) || /^[a-z][a-z0-9-]*$/.test(trimmed)) return false;
  // `billing/prod/jwt`, `app.config.v2`: words and separators, a name.
  if (/^[a-z]+([/._:-][a-z0-9]+)*$/.test(trimmed)) return false;
  if (
    /^\d+$/.test(trimmed) ||
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(trimmed)
  )
    return false;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((pattern) =>
    pattern.test(trimmed),
  ).length;
  return classes >= 2 && entropyBits(trimmed) >= 3.5;
}
