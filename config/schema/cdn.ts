/**
 * `golive:cdn`: the Cloudflare zone in front of the app. TLS settings, security headers, caching,
 * rate limits, the admin allow-list, the managed WAF and the sending domain's mail records.
 */
import isFQDN from "validator/lib/isFQDN";
import { z } from "zod";
import { broadAddress } from "../../lib/cidr";
import { HSTS_DEFAULT_SECONDS, HSTS_MAX_SECONDS, HSTS_MIN_SECONDS } from "../../lib/limits";
import { example, hostname, publicCidr } from "./common";

export const CLOUDFLARE_PLANS = ["free", "pro", "business", "enterprise"] as const;
export type CloudflarePlan = (typeof CLOUDFLARE_PLANS)[number];

/** What each Cloudflare plan allows, where config can exceed it (Cloudflare rejects these at deploy). */
export const PLAN_LIMITS: Readonly<
  Record<CloudflarePlan, { rateLimitRules: number; minEdgeTtlSeconds: number; managedWaf: boolean }>
> = {
  free: { rateLimitRules: 1, minEdgeTtlSeconds: 7200, managedWaf: false },
  pro: { rateLimitRules: 2, minEdgeTtlSeconds: 3600, managedWaf: true },
  business: { rateLimitRules: 5, minEdgeTtlSeconds: 1, managedWaf: true },
  enterprise: { rateLimitRules: 100, minEdgeTtlSeconds: 1, managedWaf: true },
};

/** Rate-limit counting periods Cloudflare accepts, in seconds. */
export const RATE_LIMIT_PERIODS = [10, 60, 120, 300, 600, 3600] as const;
/** Mitigation timeouts Cloudflare accepts, in seconds (0 only with challenge actions). */
export const MITIGATION_TIMEOUTS = [0, 10, 60, 120, 300, 600, 3600, 86400] as const;

/** Seed 004's Permissions-Policy. */
export const DEFAULT_PERMISSIONS_POLICY = "geolocation=(), microphone=(), camera=()";

const cloudflareAccountId = example(
  z.string().regex(/^[0-9a-f]{32}$/, "must be a Cloudflare account id: 32 lowercase hex characters"),
  "023e105f4ecef8ad9ca31a8372d0c353",
);

/**
 * A URL path pattern: an exact path (`/api/health`) or a prefix ending in `*` (`/api/*`, `/admin*`).
 * Quotes, backslashes, spaces and inner `*` are refused, so every pattern maps to one Rules expression.
 */
export const pathPattern = example(
  z
    .string()
    .regex(
      /^\/[A-Za-z0-9._~!$&'()+,;=:@%/-]*\*?$/,
      "must be a URL path starting with '/', optionally ending in '*' to match a prefix (e.g. /api/*)",
    ),
  "/api/*",
);

/** A DNS record name; unlike a hostname it may hold underscores (`resend._domainkey.example.com`). */
const dnsName = example(
  z.string().refine((value) => isFQDN(value, { require_tld: true, allow_underscores: true }), {
    error: "must be a fully qualified DNS name such as resend._domainkey.example.com",
  }),
  "resend._domainkey.example.com",
);

const zoneSchema = z.strictObject({
  /** The zone's domain; `golive:app.domain` when absent. */
  name: hostname.optional(),
  /** Create the zone (a domain new to Cloudflare) instead of looking up an existing one. */
  create: z.boolean().default(false),
  /** Needed to create a zone; narrows the lookup of an existing one to this account. */
  accountId: cloudflareAccountId.optional(),
  /** The zone's plan: it bounds rate-limit rules, edge TTLs and the managed WAF. */
  plan: example(z.enum(CLOUDFLARE_PLANS, { error: "must be free, pro, business or enterprise" }), "pro"),
  /**
   * Whether this stack owns the zone-wide edge policy: zone settings, the phase rulesets and the
   * sending domain's records. Cloudflare allows one ruleset per phase per zone, so when staging and
   * prod share a zone exactly one of them (prod) owns it; the other adds only its hostname.
   */
  managePolicy: z.boolean().default(true),
});

const tlsSchema = z.strictObject({
  minVersion: example(z.enum(["1.2", "1.3"], { error: "must be 1.2 or 1.3 (EDGE-01)" }), "1.2").default(
    "1.2",
  ),
  /** `zrt` adds 0-RTT resumption on top of TLS 1.3. */
  tls13: example(z.enum(["on", "zrt"], { error: "must be on or zrt (EDGE-01)" }), "on").default("on"),
});

const hstsSchema = z.strictObject({
  maxAgeSeconds: example(
    z.number().int("must be a whole number of seconds").min(0).max(HSTS_MAX_SECONDS, "at most 2 years"),
    String(HSTS_DEFAULT_SECONDS),
  ).default(HSTS_DEFAULT_SECONDS),
  includeSubdomains: z.boolean().default(true),
  /** Only with a domain ready for the browsers' preload lists; hard to undo. */
  preload: z.boolean().default(false),
  nosniff: z.boolean().default(true),
});

const headersSchema = z.strictObject({
  permissionsPolicy: example(
    z
      .string()
      .trim()
      .min(1, "must not be empty")
      .regex(/^[^"\\\r\n]+$/, "must be one line without quotes"),
    DEFAULT_PERMISSIONS_POLICY,
  ).default(DEFAULT_PERMISSIONS_POLICY),
});

const staticCacheSchema = z.strictObject({
  path: pathPattern,
  /** How long Cloudflare keeps the response at the edge. */
  edgeTtlSeconds: example(z.number().int().min(1, "must be at least 1 second").max(31_536_000), "86400"),
  /** How long browsers keep it; the origin's Cache-Control when absent. */
  browserTtlSeconds: z.number().int().min(1).max(31_536_000).optional(),
});

const cacheSchema = z.strictObject({
  static: z.array(staticCacheSchema).default([]),
  /** Paths that never come from the edge cache (API responses). */
  bypass: z.array(pathPattern).default([]),
});

const rateLimitSchema = z
  .strictObject({
    path: pathPattern,
    requests: example(
      z
        .number({ error: "must be a number of requests" })
        .int("must be a whole number")
        .min(1, "must be at least 1; a limit of 0 requests would block every request on the path"),
      "100",
    ),
    periodSeconds: example(
      z.literal(RATE_LIMIT_PERIODS, {
        error: `must be one of ${RATE_LIMIT_PERIODS.join(", ")} (the periods Cloudflare accepts)`,
      }),
      "60",
    ),
    action: example(z.enum(["block", "managed_challenge"]), "block").default("block"),
    /** How long a client stays blocked once over the limit. */
    mitigationTimeoutSeconds: example(
      z.literal(MITIGATION_TIMEOUTS, {
        error: `must be one of ${MITIGATION_TIMEOUTS.join(", ")} (the timeouts Cloudflare accepts)`,
      }),
      "60",
    ).default(60),
  })
  .superRefine((limit, ctx) => {
    if (limit.action === "block" && limit.mitigationTimeoutSeconds === 0) {
      ctx.addIssue({
        code: "custom",
        path: ["mitigationTimeoutSeconds"],
        message: "must be at least 10 when the action is block",
      });
    }
    if (limit.action === "managed_challenge" && limit.mitigationTimeoutSeconds !== 0) {
      ctx.addIssue({
        code: "custom",
        path: ["mitigationTimeoutSeconds"],
        message:
          "must be 0 with managed_challenge: Cloudflare challenges each request instead of blocking for a time",
      });
    }
  });

const adminSchema = z.strictObject({
  /** Paths only the allow-list may reach, e.g. `/admin*`. */
  paths: z.array(pathPattern).min(1, "list at least one admin path"),
  allowedCidrs: z.array(publicCidr).min(1, "list at least one CIDR allowed to reach the admin paths"),
});

const dkimRecordSchema = z
  .strictObject({
    name: dnsName,
    type: example(z.enum(["TXT", "CNAME"], { error: "must be TXT or CNAME" }), "TXT"),
    /** As the mail provider gives it: `p=...` for TXT, a host for CNAME. */
    content: example(
      z.string().trim().min(1, "must not be empty"),
      "p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQ",
    ),
  })
  .superRefine((record, ctx) => {
    if (record.type === "TXT" && !/(^|;)\s*p=[A-Za-z0-9+/=]+\s*(;|$)/.test(record.content)) {
      ctx.addIssue({
        code: "custom",
        path: ["content"],
        message: "a DKIM TXT record must hold the public key as p=<base64>, as the mail provider shows it",
      });
    }
    if (record.type === "CNAME" && !isFQDN(record.content, { require_tld: true, allow_underscores: true })) {
      ctx.addIssue({ code: "custom", path: ["content"], message: "a DKIM CNAME must point to a DNS name" });
    }
  });

export const DMARC_POLICIES = ["none", "quarantine", "reject"] as const;

const mailSchema = z.strictObject({
  /** The From: domain; DMARC is published at `_dmarc.<domain>`. */
  domain: hostname,
  spf: z.strictObject({
    /** Where the provider checks SPF: the return-path domain, e.g. `send.example.com` for Resend. */
    name: dnsName,
    includes: z
      .array(hostname)
      .min(1, "list the provider's SPF include, e.g. amazonses.com")
      .max(10, "SPF allows at most 10 DNS lookups"),
    all: example(z.enum(["~all", "-all"], { error: "must be ~all or -all" }), "~all").default("~all"),
  }),
  /** Bounce/feedback MX records of the return-path domain, as the provider gives them. */
  mx: z
    .array(
      z.strictObject({
        name: dnsName,
        content: hostname,
        priority: example(z.number().int().min(0).max(65535), "10"),
      }),
    )
    .default([]),
  dkim: z.array(dkimRecordSchema).min(1, "list the DKIM records the mail provider gives"),
  dmarc: z.strictObject({
    policy: example(z.enum(DMARC_POLICIES, { error: "must be none, quarantine or reject" }), "quarantine"),
    subdomainPolicy: z.enum(DMARC_POLICIES).optional(),
    /** Aggregate reports (`rua=mailto:`). */
    reportEmail: example(z.email({ error: "must be an email address" }), "dmarc@example.com").optional(),
    percent: z.number().int().min(1).max(100).default(100),
  }),
});

/** `golive:cdn`. */
export const cdnSchema = z
  .strictObject({
    zone: zoneSchema,
    /** The hosting origin the app hostname is a proxied CNAME to, e.g. `cname.vercel-dns.com`. */
    origin: hostname,
    tls: tlsSchema.prefault({}),
    hsts: hstsSchema.prefault({}),
    headers: headersSchema.prefault({}),
    cache: cacheSchema.prefault({}),
    rateLimits: z.array(rateLimitSchema).default([]),
    admin: adminSchema.optional(),
    /** Run the Cloudflare Managed Ruleset (Pro plan and above). */
    waf: z.strictObject({ managedRules: z.boolean().default(false) }).prefault({}),
    mail: mailSchema.optional(),
  })
  .superRefine((cdn, ctx) => {
    const limits = PLAN_LIMITS[cdn.zone.plan];
    if (cdn.zone.create && !cdn.zone.accountId) {
      ctx.addIssue({
        code: "custom",
        path: ["zone", "accountId"],
        message: "is required to create a zone: the Cloudflare account that will own it",
      });
    }
    if (cdn.rateLimits.length > limits.rateLimitRules) {
      ctx.addIssue({
        code: "custom",
        path: ["rateLimits"],
        message: `has ${cdn.rateLimits.length} rules; the ${cdn.zone.plan} plan allows ${limits.rateLimitRules} (raise golive:cdn.zone.plan or merge paths)`,
      });
    }
    cdn.cache.static.forEach((entry, index) => {
      if (entry.edgeTtlSeconds < limits.minEdgeTtlSeconds) {
        ctx.addIssue({
          code: "custom",
          path: ["cache", "static", index, "edgeTtlSeconds"],
          message: `must be at least ${limits.minEdgeTtlSeconds} on the ${cdn.zone.plan} plan`,
        });
      }
    });
    if (cdn.waf.managedRules && !limits.managedWaf) {
      ctx.addIssue({
        code: "custom",
        path: ["waf", "managedRules"],
        message: "the Cloudflare Managed Ruleset needs the Pro plan or above; raise golive:cdn.zone.plan",
      });
    }
    const seen = new Set<string>();
    cdn.rateLimits.forEach((limit, index) => {
      if (seen.has(limit.path)) {
        ctx.addIssue({
          code: "custom",
          path: ["rateLimits", index, "path"],
          message: `${limit.path} has two rate limits; keep one per path`,
        });
      }
      seen.add(limit.path);
    });
  });

export type CdnConfig = z.infer<typeof cdnSchema>;

/** A problem found by an environment rule; the same shape as `ConfigRuleIssue` in ./index. */
export interface AreaRuleIssue {
  readonly key: string;
  readonly message: string;
  readonly fix?: string;
}

function withinZone(name: string, zone: string): boolean {
  return name === zone || name.endsWith(`.${zone}`);
}

/** Rules of `golive:cdn` that depend on the environment or on `golive:app`. */
export function checkCdnRules(
  cdn: CdnConfig,
  app: { readonly domain: string; readonly hostname: string },
  environment: "staging" | "prod",
): AreaRuleIssue[] {
  const issues: AreaRuleIssue[] = [];
  const push = (key: string, message: string, fix?: string) => issues.push({ key, message, fix });
  const zone = cdn.zone.name ?? app.domain;

  if (!withinZone(app.hostname, zone)) {
    push("golive:cdn.zone.name", `the app hostname ${app.hostname} is not in the zone ${zone}`);
  }
  if (cdn.mail) {
    const mail = cdn.mail;
    const names: [string, string][] = [
      ["golive:cdn.mail.domain", mail.domain],
      ["golive:cdn.mail.spf.name", mail.spf.name],
      ...mail.mx.map((mx, i): [string, string] => [`golive:cdn.mail.mx[${i}].name`, mx.name]),
      ...mail.dkim.map((dkim, i): [string, string] => [`golive:cdn.mail.dkim[${i}].name`, dkim.name]),
    ];
    for (const [key, name] of names) {
      if (!withinZone(name, zone))
        push(key, `${name} is not in the zone ${zone}, so golive cannot publish it`);
    }
  }

  if (!cdn.zone.managePolicy) {
    const unused: [string, boolean][] = [
      ["golive:cdn.mail", cdn.mail !== undefined],
      ["golive:cdn.admin", cdn.admin !== undefined],
      ["golive:cdn.rateLimits", cdn.rateLimits.length > 0],
      ["golive:cdn.cache", cdn.cache.static.length > 0 || cdn.cache.bypass.length > 0],
      ["golive:cdn.waf.managedRules", cdn.waf.managedRules],
    ];
    for (const [key, present] of unused) {
      if (present) {
        push(
          key,
          "has no effect: golive:cdn.zone.managePolicy is false, so the stack that owns the zone's policy sets it",
          `pulumi config rm --path '${key}'`,
        );
      }
    }
  }

  if (environment !== "prod") return issues;

  if (!cdn.zone.managePolicy) {
    push(
      "golive:cdn.zone.managePolicy",
      "prod must own its zone's edge policy (EDGE-01 to EDGE-09); set it in the prod stack and false in the stacks that share the zone",
      "pulumi config set --path 'golive:cdn.zone.managePolicy' true",
    );
    return issues;
  }
  if (cdn.hsts.maxAgeSeconds < HSTS_MIN_SECONDS) {
    push(
      "golive:cdn.hsts.maxAgeSeconds",
      `prod needs HSTS for at least 6 months (${HSTS_MIN_SECONDS} s) (EDGE-02); it is ${cdn.hsts.maxAgeSeconds}`,
      `pulumi config set --path 'golive:cdn.hsts.maxAgeSeconds' ${HSTS_DEFAULT_SECONDS}`,
    );
  }
  if (!cdn.hsts.includeSubdomains) {
    push(
      "golive:cdn.hsts.includeSubdomains",
      "prod needs HSTS with includeSubDomains (EDGE-02)",
      "pulumi config set --path 'golive:cdn.hsts.includeSubdomains' true",
    );
  }
  if (cdn.rateLimits.length === 0) {
    push(
      "golive:cdn.rateLimits",
      "prod needs rate limits on its API paths (EDGE-04)",
      "pulumi config set --path 'golive:cdn.rateLimits[0].path' '/api/*', then requests and periodSeconds",
    );
  }
  if (cdn.cache.static.length === 0) {
    push(
      "golive:cdn.cache.static",
      "prod caches static assets at the edge with explicit TTLs (EDGE-06)",
      "pulumi config set --path 'golive:cdn.cache.static[0].path' '/_next/static/*', then edgeTtlSeconds",
    );
  }
  if (cdn.cache.bypass.length === 0) {
    push(
      "golive:cdn.cache.bypass",
      "prod lists the API paths that bypass the edge cache (EDGE-06)",
      "pulumi config set --path 'golive:cdn.cache.bypass[0]' '/api/*'",
    );
  }
  cdn.admin?.allowedCidrs.forEach((cidr, index) => {
    const broad = broadAddress(cidr);
    if (broad !== undefined) {
      push(
        `golive:cdn.admin.allowedCidrs[${index}]`,
        `${broad}; prod lists the ranges allowed to reach admin paths (EDGE-05)`,
      );
    }
  });
  if (!cdn.waf.managedRules) {
    push(
      "golive:cdn.waf.managedRules",
      "prod runs the Cloudflare Managed Ruleset (EDGE-09); it needs the Pro plan or above",
      "pulumi config set --path 'golive:cdn.waf.managedRules' true",
    );
  }
  if (!cdn.mail) {
    push(
      "golive:cdn.mail",
      "prod publishes SPF, DKIM and DMARC for its sending domain (EDGE-08); add the records the mail provider gives",
      "pulumi config set --path 'golive:cdn.mail.domain' <domain>, then spf, dkim and dmarc",
    );
  } else if (cdn.mail.dmarc.policy === "none") {
    push(
      "golive:cdn.mail.dmarc.policy",
      "p=none only monitors; prod needs quarantine or reject (EDGE-08)",
      "pulumi config set --path 'golive:cdn.mail.dmarc.policy' quarantine",
    );
  }
  return issues;
}
