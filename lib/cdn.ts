/**
 * What the Cdn component puts on Cloudflare, as plain data: zone settings, the rule of each phase
 * ruleset, DNS records. Rule expressions are built here (Cloudflare Rules language) with every
 * string escaped, so the component only maps this data to resources.
 */
import type * as cloudflare from "@pulumi/cloudflare";
import ipaddr from "ipaddr.js";

// ---------------------------------------------------------------------------------------------
// What is read of `golive:cdn`: config/schema/cdn.ts validates it and fills the defaults; its
// `CdnSource` is assignable to `CdnSource`.

export interface RateLimitSource {
  readonly path: string;
  readonly requests: number;
  readonly periodSeconds: number;
  readonly action: string;
  readonly mitigationTimeoutSeconds: number;
}

export interface MailSource {
  readonly domain: string;
  readonly spf: { readonly name: string; readonly includes: readonly string[]; readonly all: string };
  readonly mx: readonly { readonly name: string; readonly content: string; readonly priority: number }[];
  readonly dkim: readonly {
    readonly name: string;
    readonly type: "TXT" | "CNAME";
    readonly content: string;
  }[];
  readonly dmarc: {
    readonly policy: string;
    readonly subdomainPolicy?: string | undefined;
    readonly reportEmail?: string | undefined;
    readonly percent: number;
  };
}

export interface CdnSource {
  readonly tls: { readonly minVersion: string; readonly tls13: string };
  readonly hsts: {
    readonly maxAgeSeconds: number;
    readonly includeSubdomains: boolean;
    readonly preload: boolean;
    readonly nosniff: boolean;
  };
  readonly headers: { readonly permissionsPolicy: string };
  readonly cache: {
    readonly static: readonly {
      readonly path: string;
      readonly edgeTtlSeconds: number;
      readonly browserTtlSeconds?: number | undefined;
    }[];
    readonly bypass: readonly string[];
  };
  readonly rateLimits: readonly RateLimitSource[];
  readonly admin?:
    { readonly paths: readonly string[]; readonly allowedCidrs: readonly string[] } | undefined;
  readonly waf: { readonly managedRules: boolean };
}

/** Cloudflare's own managed WAF ruleset (the same id in every account). */
export const CLOUDFLARE_MANAGED_RULESET_ID = "efb7b8c949ac4650a09736fc376e9aee";

/** Counting by colo and client IP is what every plan supports for rate limits. */
export const RATE_LIMIT_CHARACTERISTICS = ["cf.colo.id", "ip.src"] as const;

/** TTL 1 means "automatic" to Cloudflare (required for proxied records). */
export const AUTO_TTL = 1;

// ---------------------------------------------------------------------------------------------
// Rules language expressions

/** A Rules language string literal: quoted, with `\` and `"` escaped. */
export function quoteRulesString(value: string): string {
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

export interface PathPattern {
  /** `prefix` for patterns ending in `*`, else `exact`. */
  readonly kind: "exact" | "prefix";
  /** The path, or the prefix without the `*`. */
  readonly value: string;
}

export function parsePathPattern(pattern: string): PathPattern {
  if (!pattern.startsWith("/")) throw new Error(`path pattern "${pattern}" must start with "/"`);
  const star = pattern.indexOf("*");
  if (star === -1) return { kind: "exact", value: pattern };
  if (star !== pattern.length - 1) {
    throw new Error(`path pattern "${pattern}" may only have "*" at the end`);
  }
  return { kind: "prefix", value: pattern.slice(0, -1) };
}

const PATH_FIELD = "http.request.uri.path";

/**
 * The expression matching one path pattern. `caseInsensitive` compares the lowercased path with the
 * lowercased pattern, so `/ADMIN` cannot slip past a rule on `/admin*` to an origin that ignores case.
 */
export function pathExpression(pattern: string, opts: { caseInsensitive?: boolean } = {}): string {
  const parsed = parsePathPattern(pattern);
  const field = opts.caseInsensitive ? `lower(${PATH_FIELD})` : PATH_FIELD;
  const value = quoteRulesString(opts.caseInsensitive ? parsed.value.toLowerCase() : parsed.value);
  return parsed.kind === "exact" ? `${field} eq ${value}` : `starts_with(${field}, ${value})`;
}

/** Any of the patterns; a single pattern is not parenthesised. */
export function anyPathExpression(
  patterns: readonly string[],
  opts: { caseInsensitive?: boolean } = {},
): string {
  if (patterns.length === 0) throw new Error("at least one path pattern is needed");
  const parts = patterns.map((pattern) => pathExpression(pattern, opts));
  return parts.length === 1 ? parts[0]! : `(${parts.join(" or ")})`;
}

/** A CIDR in the form Cloudflare expects: the network address, IPv6 compressed. */
export function canonicalCidr(cidr: string): string {
  let parsed: [ipaddr.IPv4 | ipaddr.IPv6, number];
  try {
    parsed = ipaddr.parseCIDR(cidr);
  } catch {
    throw new Error(`"${cidr}" is not a CIDR block`);
  }
  const [address, prefix] = parsed;
  const network =
    address.kind() === "ipv4"
      ? ipaddr.IPv4.networkAddressFromCIDR(`${address.toString()}/${prefix}`)
      : ipaddr.IPv6.networkAddressFromCIDR(`${address.toString()}/${prefix}`);
  return `${network.toString()}/${prefix}`;
}

/** `ip.src in {…}` over the allow-list, deduplicated and sorted for a stable diff. */
export function ipInListExpression(cidrs: readonly string[]): string {
  if (cidrs.length === 0) throw new Error("an IP allow-list needs at least one CIDR");
  const unique = [...new Set(cidrs.map(canonicalCidr))].sort();
  return `ip.src in {${unique.join(" ")}}`;
}

/** Block admin paths for every address outside the allow-list (EDGE-05). */
export function adminBlockExpression(paths: readonly string[], allowedCidrs: readonly string[]): string {
  return `${anyPathExpression(paths, { caseInsensitive: true })} and not ${ipInListExpression(allowedCidrs)}`;
}

/** True when every path `inner` matches is also matched by `outer`, and they differ. */
export function coversPattern(outer: string, inner: string): boolean {
  if (outer === inner) return false;
  const a = parsePathPattern(outer);
  const b = parsePathPattern(inner);
  if (a.kind === "exact") return false;
  return b.value.startsWith(a.value);
}

// ---------------------------------------------------------------------------------------------
// Rulesets

export interface RulesetRuleData {
  readonly ref: string;
  readonly description: string;
  readonly expression: string;
  readonly action: string;
  readonly enabled: true;
  /** Plain values only; typed by the provider so a misspelt parameter fails to compile. */
  readonly actionParameters?: cloudflare.types.input.RulesetRuleActionParameters;
  readonly ratelimit?: {
    readonly characteristics: string[];
    readonly period: number;
    readonly requestsPerPeriod: number;
    readonly mitigationTimeout: number;
  };
}

export const PHASES = {
  headers: "http_response_headers_transform",
  cache: "http_request_cache_settings",
  rateLimit: "http_ratelimit",
  firewall: "http_request_firewall_custom",
  managedWaf: "http_request_firewall_managed",
} as const;

export type PhaseKey = keyof typeof PHASES;

export interface RulesetData {
  readonly key: PhaseKey;
  readonly phase: (typeof PHASES)[PhaseKey];
  readonly name: string;
  readonly description: string;
  readonly rules: RulesetRuleData[];
}

/** A stable rule ref from a label: Cloudflare keeps rule ids across updates by ref. */
export function ruleRef(prefix: string, label: string): string {
  const slug = label
    .toLowerCase()
    .replace(/\*/g, "any")
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_|_$/g, "");
  return `${prefix}_${slug || "root"}`;
}

/** EDGE-03: the headers of seed 004, on every response. HSTS is a zone setting (EDGE-02). */
export function securityHeaders(permissionsPolicy: string): Record<string, string> {
  return {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": permissionsPolicy,
  };
}

export function securityHeadersRule(permissionsPolicy: string): RulesetRuleData {
  const headers = Object.fromEntries(
    Object.entries(securityHeaders(permissionsPolicy)).map(([name, value]) => [
      name,
      { operation: "set", value },
    ]),
  );
  return {
    ref: "security_headers",
    description: "Security headers on every response (EDGE-03)",
    expression: "true",
    action: "rewrite",
    enabled: true,
    actionParameters: { headers },
  };
}

/** EDGE-06: static paths cached with explicit TTLs; bypass paths last, so they win any overlap. */
export function cacheRules(cache: CdnSource["cache"]): RulesetRuleData[] {
  const statics = cache.static.map((entry): RulesetRuleData => ({
    ref: ruleRef("cache", entry.path),
    description: `Cache ${entry.path} at the edge for ${entry.edgeTtlSeconds} s (EDGE-06)`,
    expression: pathExpression(entry.path),
    action: "set_cache_settings",
    enabled: true,
    actionParameters: {
      cache: true,
      edgeTtl: { mode: "override_origin", default: entry.edgeTtlSeconds },
      browserTtl:
        entry.browserTtlSeconds === undefined
          ? { mode: "respect_origin" }
          : { mode: "override_origin", default: entry.browserTtlSeconds },
    },
  }));
  const bypass: RulesetRuleData[] =
    cache.bypass.length === 0
      ? []
      : [
          {
            ref: "cache_bypass_api",
            description: `Never cache ${cache.bypass.join(", ")} (EDGE-06)`,
            expression: anyPathExpression(cache.bypass),
            action: "set_cache_settings",
            enabled: true,
            actionParameters: { cache: false },
          },
        ];
  return [...statics, ...bypass];
}

/**
 * EDGE-04: one rule per path. A rule on a prefix leaves out the more specific paths that have their
 * own limit, so `/api/*` and `/api/auth/*` each count their own requests (per-path thresholds).
 * Most specific rules come first.
 */
export function rateLimitRules(limits: readonly RateLimitSource[]): RulesetRuleData[] {
  const specificity = (pattern: string) => parsePathPattern(pattern).value.length;
  const ordered = [...limits].sort(
    (a, b) => specificity(b.path) - specificity(a.path) || a.path.localeCompare(b.path),
  );
  return ordered.map((limit) => {
    const excluded = limits
      .filter((other) => coversPattern(limit.path, other.path))
      .map((other) => other.path);
    const own = pathExpression(limit.path);
    const expression = excluded.length === 0 ? own : `${own} and not ${anyPathExpression(excluded.sort())}`;
    return {
      ref: ruleRef("ratelimit", limit.path),
      description: `${limit.requests} requests per ${limit.periodSeconds} s per client on ${limit.path} (EDGE-04)`,
      expression,
      action: limit.action,
      enabled: true,
      ratelimit: {
        characteristics: [...RATE_LIMIT_CHARACTERISTICS],
        period: limit.periodSeconds,
        requestsPerPeriod: limit.requests,
        mitigationTimeout: limit.mitigationTimeoutSeconds,
      },
    };
  });
}

export function adminRule(admin: NonNullable<CdnSource["admin"]>): RulesetRuleData {
  return {
    ref: "admin_allow_list",
    description: `Only the allow-list reaches ${admin.paths.join(", ")} (EDGE-05)`,
    expression: adminBlockExpression(admin.paths, admin.allowedCidrs),
    action: "block",
    enabled: true,
  };
}

export function managedWafRule(): RulesetRuleData {
  return {
    ref: "cloudflare_managed_ruleset",
    description: "Cloudflare Managed Ruleset (EDGE-09)",
    expression: "true",
    action: "execute",
    enabled: true,
    actionParameters: { id: CLOUDFLARE_MANAGED_RULESET_ID },
  };
}

/** The zone-level entry-point rulesets, one per phase; phases with no rule are left out. */
export function rulesets(cdn: CdnSource): RulesetData[] {
  const candidates: [PhaseKey, string, RulesetRuleData[]][] = [
    ["headers", "Security response headers", [securityHeadersRule(cdn.headers.permissionsPolicy)]],
    ["cache", "Edge cache for static assets, bypass for the API", cacheRules(cdn.cache)],
    ["rateLimit", "Per-path rate limits on the API", rateLimitRules(cdn.rateLimits)],
    ["firewall", "Admin paths only from the allow-list", cdn.admin ? [adminRule(cdn.admin)] : []],
    ["managedWaf", "Cloudflare managed WAF", cdn.waf.managedRules ? [managedWafRule()] : []],
  ];
  return candidates
    .filter(([, , rules]) => rules.length > 0)
    .map(([key, description, rules]) => ({
      key,
      phase: PHASES[key],
      name: `golive ${PHASES[key]}`,
      description,
      rules,
    }));
}

// ---------------------------------------------------------------------------------------------
// Zone settings

export interface ZoneSettingData {
  readonly settingId: string;
  readonly value: string | Record<string, unknown>;
}

/**
 * EDGE-01, EDGE-02, EDGE-07. `value` is passed to the Cloudflare API as JSON (the provider types it
 * as a dynamic value), so nested keys are the API's snake_case names.
 */
export function zoneSettings(cdn: Pick<CdnSource, "tls" | "hsts">): ZoneSettingData[] {
  return [
    { settingId: "ssl", value: "strict" },
    { settingId: "always_use_https", value: "on" },
    { settingId: "min_tls_version", value: cdn.tls.minVersion },
    { settingId: "tls_1_3", value: cdn.tls.tls13 },
    { settingId: "automatic_https_rewrites", value: "on" },
    { settingId: "brotli", value: "on" },
    {
      settingId: "security_header",
      value: {
        strict_transport_security: {
          enabled: true,
          max_age: cdn.hsts.maxAgeSeconds,
          include_subdomains: cdn.hsts.includeSubdomains,
          preload: cdn.hsts.preload,
          nosniff: cdn.hsts.nosniff,
        },
      },
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// DNS records

export interface DnsRecordData {
  /** Resource name suffix, unique within the component. */
  readonly key: string;
  readonly name: string;
  readonly type: "CNAME" | "TXT" | "MX";
  readonly content: string;
  readonly proxied: boolean;
  readonly ttl: number;
  readonly priority?: number;
  readonly comment: string;
}

/**
 * TXT content as Cloudflare wants it: quoted character strings of at most 255 bytes each (RFC 1035),
 * `"` and `\` escaped. Long values (DKIM keys) are split, so the stored value matches what we send.
 */
export function txtContent(value: string): string {
  const chunks: string[] = [];
  let current = "";
  let bytes = 0;
  for (const char of value) {
    const size = Buffer.byteLength(char, "utf8");
    if (bytes + size > 255) {
      chunks.push(current);
      current = "";
      bytes = 0;
    }
    current += char;
    bytes += size;
  }
  chunks.push(current);
  return chunks.map((chunk) => `"${chunk.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`).join(" ");
}

export function spfValue(spf: MailSource["spf"]): string {
  return ["v=spf1", ...spf.includes.map((host) => `include:${host}`), spf.all].join(" ");
}

export function dmarcValue(dmarc: MailSource["dmarc"]): string {
  const tags = [`v=DMARC1`, `p=${dmarc.policy}`];
  if (dmarc.subdomainPolicy) tags.push(`sp=${dmarc.subdomainPolicy}`);
  if (dmarc.percent !== 100) tags.push(`pct=${dmarc.percent}`);
  if (dmarc.reportEmail) tags.push(`rua=mailto:${dmarc.reportEmail}`);
  return tags.join("; ");
}

function recordKey(type: string, name: string): string {
  return `${type.toLowerCase()}-${name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")}`;
}

/** EDGE-08: the app hostname, proxied to the origin. */
export function appRecord(hostname: string, origin: string): DnsRecordData {
  return {
    key: recordKey("CNAME", hostname),
    name: hostname,
    type: "CNAME",
    content: origin,
    proxied: true,
    ttl: AUTO_TTL,
    comment: "App hostname, proxied through Cloudflare (golive, EDGE-08)",
  };
}

/** EDGE-08: SPF, the provider's MX and DKIM records, and DMARC for the sending domain. */
export function mailRecords(mail: MailSource): DnsRecordData[] {
  const records: DnsRecordData[] = [
    {
      key: recordKey("TXT", `spf-${mail.spf.name}`),
      name: mail.spf.name,
      type: "TXT",
      content: txtContent(spfValue(mail.spf)),
      proxied: false,
      ttl: AUTO_TTL,
      comment: "SPF of the sending domain (golive, EDGE-08)",
    },
    ...mail.mx.map((mx): DnsRecordData => ({
      key: recordKey("MX", `${mx.name}-${mx.content}`),
      name: mx.name,
      type: "MX",
      content: mx.content,
      priority: mx.priority,
      proxied: false,
      ttl: AUTO_TTL,
      comment: "Bounce/feedback MX of the mail provider (golive, EDGE-08)",
    })),
    ...mail.dkim.map((dkim): DnsRecordData => ({
      key: recordKey(dkim.type, `dkim-${dkim.name}`),
      name: dkim.name,
      type: dkim.type,
      content: dkim.type === "TXT" ? txtContent(dkim.content) : dkim.content,
      proxied: false,
      ttl: AUTO_TTL,
      comment: "DKIM key of the mail provider (golive, EDGE-08)",
    })),
    {
      key: recordKey("TXT", `dmarc-${mail.domain}`),
      name: `_dmarc.${mail.domain}`,
      type: "TXT",
      content: txtContent(dmarcValue(mail.dmarc)),
      proxied: false,
      ttl: AUTO_TTL,
      comment: "DMARC policy of the sending domain (golive, EDGE-08)",
    },
  ];
  const keys = new Set<string>();
  for (const record of records) {
    if (keys.has(record.key)) throw new Error(`two DNS records would be ${record.type} ${record.name}`);
    keys.add(record.key);
  }
  return records;
}
