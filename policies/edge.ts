/** EDGE: Cloudflare in front of the app: HTTPS only, HSTS, headers, rate limits, admin allow-list, cache, compression, DNS, WAF. */
import type { PolicyResource } from "@pulumi/policy";
import { z } from "zod";
import { pathExpression } from "../lib/cdn";
import { EDGE_ENDPOINT_POLICIES } from "./edge-endpoints";
import { broadAddress } from "../lib/cidr";
import { HSTS_MIN_SECONDS } from "../lib/limits";
import {
  DNS_TYPES,
  type Zone,
  zones,
  zoneLabel,
  settingValue,
  settingsOf,
  type Rule,
  rulesOf,
  phaseOf,
  zoneRules,
  actionParameters,
} from "./lib/cloudflare";
import { readConfigKey } from "./lib/config";
import type { Check, PolicySpec, ResourceView } from "./lib/define";
import { bool, peekString, str } from "./lib/props";
import { T } from "./lib/types";
import { peek, UNKNOWN } from "./lib/unknowns";

// ------------------------------------------------------------------------------------------------
// Shared: zones, settings, rulesets, the parts of golive:cdn the pack reads.

const cdnConfigSchema = z.object({
  zone: z
    .object({
      managePolicy: z.boolean().optional(),
      plan: z.string().optional(),
    })
    .optional(),
  admin: z.object({ paths: z.array(z.string()).optional() }).optional(),
  mail: z.object({ domain: z.string().optional() }).optional(),
  rateLimits: z
    .array(z.object({ path: z.string(), requests: z.number(), periodSeconds: z.number() }))
    .optional(),
});

type CdnConfig = z.infer<typeof cdnConfigSchema>;

function cdnConfig(check: Check): CdnConfig {
  const read = readConfigKey(check.ctx.config, "golive:cdn", cdnConfigSchema);
  return read.ok ? (read.value ?? {}) : {};
}

/** Whether this stack owns the zone-wide policy (golive:cdn.zone.managePolicy; default yes). */
function managesZonePolicy(check: Check): boolean {
  return cdnConfig(check).zone?.managePolicy !== false;
}

/** A rule limited to listed source addresses (`ip.src in {…}`, `ip.src eq …`), not negated. */
export function limitedToSources(expression: string): boolean {
  return (
    /\bip\.src\s+(in\s*[{$]|eq\b|==)/.test(expression) && !/(\bnot\s+|!\s*)\(?\s*ip\.src\b/.test(expression)
  );
}

/** What an enabled `skip` rule skips: phases, products, managed rulesets, the rest of its own ruleset. */
function skipped(rule: Omit<Rule, "ruleset">): { phases: string[]; current: boolean; rulesets: boolean } {
  const parameters = actionParameters(rule);
  const phases = Array.isArray(parameters.phases) ? parameters.phases.map(String) : [];
  const products = Array.isArray(parameters.products) ? parameters.products.map(String) : [];
  if (products.some((product) => /ratelimit/i.test(product))) phases.push(RATE_LIMIT_PHASE);
  if (products.some((product) => /^waf$/i.test(product))) phases.push(MANAGED_PHASE);
  return {
    phases,
    current: parameters.ruleset === "current",
    rulesets: Array.isArray(parameters.rulesets) && parameters.rulesets.length > 0,
  };
}

/** Enabled skip rules not limited to listed source addresses: they switch a protection off for everyone. */
function openSkips(
  resource: Pick<ResourceView, "props">,
  skips: (what: ReturnType<typeof skipped>) => boolean,
): Omit<Rule, "ruleset">[] {
  return rulesOf(resource).filter(
    (rule) =>
      rule.enabled && rule.action === "skip" && !limitedToSources(rule.expression) && skips(skipped(rule)),
  );
}

/**
 * Presence checks run per zone only when this stack owns the zone's policy. `report` attaches a
 * finding to the zone (its Zone resource, else its first resource), so exemptions can name it.
 */
function forEachOwnedZone(
  resources: readonly PolicyResource[],
  check: Check,
  fn: (zone: Zone, label: string, report: (message: string) => void) => void,
) {
  if (!managesZonePolicy(check)) {
    check.notApplicable("another stack owns the zone's policy (golive:cdn.zone.managePolicy is false)");
  }
  const found = zones(resources);
  if (found.length === 0) check.notApplicable("the stack has no Cloudflare zone resources");
  for (const zone of found) {
    const urn = resources.find((resource) => resource.urn === zone.key)?.urn ?? zone.resources[0]!.urn;
    // Zone-wide findings are presence items: a component stack (golive:scope) holds part of the zone.
    fn(zone, zoneLabel(zone, resources), (message) => check.absent(message, urn));
  }
}

// ------------------------------------------------------------------------------------------------
// EDGE-01

const HTTPS_SETTINGS: Readonly<Record<string, { accepts: (value: unknown) => boolean; wanted: string }>> = {
  always_use_https: { accepts: (value) => value === "on", wanted: "on" },
  ssl: {
    accepts: (value) => value === "strict" || value === "full_strict",
    wanted: "strict (Full (strict))",
  },
  min_tls_version: {
    accepts: (value) => typeof value === "string" && ["1.2", "1.3"].includes(value),
    wanted: "1.2 or 1.3",
  },
  tls_1_3: { accepts: (value) => value === "on" || value === "zrt", wanted: "on or zrt" },
};

const SSL_MODES_ACCEPTED = ["strict", "full_strict", "origin_pull"];
const CONFIG_PHASE = "http_config_settings";

const httpsOnly: PolicySpec = {
  name: "edge-01-https-only",
  id: "EDGE-01",
  description:
    "Every Cloudflare zone is HTTPS only: Always Use HTTPS on, SSL Full (strict), minimum TLS 1.2, TLS 1.3 on.",
  severity: "critical",
  remediationSteps:
    "Keep the CDN component's zone settings (ssl strict, always_use_https on, min_tls_version 1.2, tls_1_3 on); golive:cdn.tls may only raise them.",
  resource: {
    types: [T.zoneSetting, T.ruleset, T.pageRule],
    validate(resource, check) {
      // Configuration rules and page rules override the zone's SSL mode for the requests they match.
      if (resource.type === T.ruleset) {
        if (phaseOf(resource) !== CONFIG_PHASE) return;
        for (const rule of rulesOf(resource)) {
          const ssl = actionParameters(rule).ssl;
          if (
            rule.enabled &&
            ssl !== undefined &&
            !(typeof ssl === "string" && SSL_MODES_ACCEPTED.includes(ssl))
          )
            check.violation(
              `configuration rule ${rule.index} of "${resource.name}" sets SSL to ${JSON.stringify(ssl)}; it must stay strict (Full (strict))`,
            );
        }
        return;
      }
      if (resource.type === T.pageRule) {
        const ssl = check.mustBeKnown(
          () => str(resource.props, "actions", "ssl"),
          `the SSL mode of page rule "${resource.name}"`,
        );
        if (typeof ssl === "string" && !SSL_MODES_ACCEPTED.includes(ssl))
          check.violation(
            `page rule "${resource.name}" sets SSL to "${ssl}"; it must stay strict (Full (strict))`,
          );
        return;
      }
      const id = check.mustBeKnown(() => str(resource.props, "settingId"), `settingId of "${resource.name}"`);
      if (id === UNKNOWN || id === undefined) return;
      const rule = HTTPS_SETTINGS[id];
      if (!rule) return;
      const value = check.mustBeKnown(() => settingValue(resource), `the ${id} value of "${resource.name}"`);
      if (value === UNKNOWN) return;
      if (!rule.accepts(value)) {
        check.violation(`zone setting ${id} is ${JSON.stringify(value)}; it must be ${rule.wanted}`);
      }
    },
  },
  stack(resources, check) {
    forEachOwnedZone(resources, check, (zone, label, report) => {
      const settings = settingsOf(zone);
      const missing = Object.keys(HTTPS_SETTINGS).filter((id) => !settings.has(id));
      if (missing.length > 0) {
        report(`${label} does not declare the zone setting(s) ${missing.join(", ")}`);
      }
    });
  },
};

// ------------------------------------------------------------------------------------------------
// EDGE-02

/** Problems of an HSTS header value (`max-age=31536000; includeSubDomains`). */
export function hstsHeaderProblems(value: string): string[] {
  const problems: string[] = [];
  const maxAge = /max-age\s*=\s*"?(\d+)"?/i.exec(value);
  if (!maxAge || Number(maxAge[1]) < HSTS_MIN_SECONDS) {
    problems.push(`max-age must be at least ${HSTS_MIN_SECONDS} s (6 months)`);
  }
  if (!/(^|;)\s*includesubdomains\s*(;|$)/i.test(value)) problems.push("includeSubDomains is missing");
  return problems;
}

/** Problems of the security_header zone setting's strict_transport_security. */
export function hstsSettingProblems(value: unknown): string[] {
  const hsts = (value as { strict_transport_security?: Record<string, unknown> } | null)
    ?.strict_transport_security;
  if (!hsts) return ["strict_transport_security is not set"];
  const problems: string[] = [];
  if (hsts.enabled !== true) problems.push("HSTS is not enabled");
  if (typeof hsts.max_age !== "number" || hsts.max_age < HSTS_MIN_SECONDS) {
    problems.push(`max_age must be at least ${HSTS_MIN_SECONDS} s (6 months)`);
  }
  if (hsts.include_subdomains !== true) problems.push("include_subdomains is not true");
  return problems;
}

interface HeaderSetting {
  readonly operation: unknown;
  /** The literal value: `value`, or an `expression` that is a quoted string literal. */
  readonly value: unknown;
  /** Set from an expression whose result the pack cannot read. */
  readonly computed: boolean;
}

/** A string literal of the rules language (`"DENY"`), else undefined. */
function stringLiteral(expression: unknown): string | undefined {
  if (typeof expression !== "string") return undefined;
  const match = /^\s*"((?:[^"\\]|\\.)*)"\s*$/.exec(expression);
  return match ? match[1]!.replace(/\\(.)/g, "$1") : undefined;
}

/** Response header rules of a ruleset: header name (lower case) → {operation, value}. */
function headerSettings(rule: Omit<Rule, "ruleset">): Map<string, HeaderSetting> {
  const headers = (
    rule.raw.actionParameters as { headers?: Record<string, Record<string, unknown>> } | undefined
  )?.headers;
  const out = new Map<string, HeaderSetting>();
  for (const [name, setting] of Object.entries(headers ?? {})) {
    const literal = stringLiteral(setting.expression);
    const computed = setting.value === undefined && setting.expression !== undefined && literal === undefined;
    out.set(name.toLowerCase(), {
      operation: setting.operation,
      value: setting.value ?? literal,
      computed,
    });
  }
  return out;
}

const HEADERS_PHASE = "http_response_headers_transform";

const hsts: PolicySpec = {
  name: "edge-02-hsts",
  id: "EDGE-02",
  description:
    "HSTS is on for every zone with max-age of at least 6 months and includeSubDomains (zone setting security_header or a response header rule).",
  severity: "high",
  remediationSteps: `Keep golive:cdn.hsts at maxAgeSeconds ≥ ${HSTS_MIN_SECONDS} with includeSubdomains: true; the CDN component writes the security_header zone setting.`,
  resource: {
    types: [T.zoneSetting, T.ruleset],
    validate(resource, check) {
      if (resource.type === T.zoneSetting) {
        if (peek(resource.props, "settingId") !== "security_header") return;
        const value = check.known(
          () => settingValue(resource),
          `the security_header value of "${resource.name}"`,
        );
        if (value === UNKNOWN) return;
        for (const problem of hstsSettingProblems(value)) check.violation(`security_header: ${problem}`);
        return;
      }
      if (phaseOf(resource) !== HEADERS_PHASE) return;
      for (const rule of rulesOf(resource)) {
        const header = headerSettings(rule).get("strict-transport-security");
        if (!header || !rule.enabled) continue;
        if (header.operation === "remove") {
          check.violation(`rule ${rule.index} of "${resource.name}" removes Strict-Transport-Security`);
          continue;
        }
        if (header.computed) {
          check.violation(
            `rule ${rule.index} of "${resource.name}" computes Strict-Transport-Security from an expression; set a literal value`,
          );
          continue;
        }
        if (typeof header.value !== "string") continue;
        for (const problem of hstsHeaderProblems(header.value)) {
          check.violation(
            `rule ${rule.index} of "${resource.name}" sets Strict-Transport-Security: ${problem}`,
          );
        }
      }
    },
  },
  stack(resources, check) {
    forEachOwnedZone(resources, check, (zone, label, report) => {
      const setting = settingsOf(zone).get("security_header");
      const fromSetting = setting !== undefined && hstsSettingProblems(settingValue(setting)).length === 0;
      const fromHeader = zoneRules(zone, HEADERS_PHASE).some((rule) => {
        const header = headerSettings(rule).get("strict-transport-security");
        return (
          rule.enabled && typeof header?.value === "string" && hstsHeaderProblems(header.value).length === 0
        );
      });
      if (!fromSetting && !fromHeader) report(`${label} does not send HSTS (6 months, includeSubDomains)`);
    });
  },
};

// ------------------------------------------------------------------------------------------------
// EDGE-03

const REQUIRED_HEADERS: readonly { name: string; accepts: (value: string) => boolean; wanted: string }[] = [
  { name: "x-frame-options", accepts: (value) => value.toUpperCase() === "DENY", wanted: "DENY" },
  {
    name: "x-content-type-options",
    accepts: (value) => value.toLowerCase() === "nosniff",
    wanted: "nosniff",
  },
  {
    name: "referrer-policy",
    accepts: (value) => value.toLowerCase() === "strict-origin-when-cross-origin",
    wanted: "strict-origin-when-cross-origin",
  },
  { name: "permissions-policy", accepts: (value) => value.trim() !== "", wanted: "a policy" },
];

const securityHeaders: PolicySpec = {
  name: "edge-03-security-headers",
  id: "EDGE-03",
  description:
    "Every zone sets X-Frame-Options DENY, X-Content-Type-Options nosniff, Referrer-Policy strict-origin-when-cross-origin and a Permissions-Policy on responses.",
  severity: "medium",
  remediationSteps:
    "Keep the CDN component's response header rule (http_response_headers_transform); golive:cdn.headers.permissionsPolicy sets the Permissions-Policy.",
  resource: {
    types: [T.ruleset],
    validate(resource, check) {
      if (phaseOf(resource) !== HEADERS_PHASE) return;
      for (const rule of rulesOf(resource)) {
        const headers = headerSettings(rule);
        for (const required of REQUIRED_HEADERS) {
          const header = headers.get(required.name);
          if (header && typeof header.value === "string" && !required.accepts(header.value)) {
            check.violation(
              `rule ${rule.index} of "${resource.name}" sets ${required.name} to "${header.value}"; it must be ${required.wanted}`,
            );
          }
          if (header && header.operation === "remove") {
            check.violation(`rule ${rule.index} of "${resource.name}" removes ${required.name}`);
          } else if (header?.computed) {
            check.violation(
              `rule ${rule.index} of "${resource.name}" computes ${required.name} from an expression; it must be the literal ${required.wanted}`,
            );
          }
        }
      }
    },
  },
  stack(resources, check) {
    forEachOwnedZone(resources, check, (zone, label, report) => {
      const set = new Map<string, string>();
      for (const rule of zoneRules(zone, HEADERS_PHASE)) {
        if (!rule.enabled || rule.action !== "rewrite") continue;
        for (const [name, header] of headerSettings(rule)) {
          if (header.operation === "remove" || header.computed) set.delete(name);
          else if (
            (header.operation === "set" || header.operation === "add") &&
            typeof header.value === "string"
          ) {
            set.set(name, header.value);
          }
        }
      }
      const missing = REQUIRED_HEADERS.filter((required) => {
        const value = set.get(required.name);
        return value === undefined || !required.accepts(value);
      }).map((required) => `${required.name} ${required.wanted}`);
      if (missing.length > 0) report(`${label} does not set ${missing.join(", ")}`);
    });
  },
};

// ------------------------------------------------------------------------------------------------
// EDGE-04

const RATE_LIMIT_PHASE = "http_ratelimit";
const ENFORCING_ACTIONS = ["block", "challenge", "managed_challenge", "js_challenge"];
const DEFAULT_API_PREFIXES = ["/api"];

const rateLimiting: PolicySpec = {
  name: "edge-04-rate-limiting",
  id: "EDGE-04",
  description:
    "API paths are rate limited at the edge: each zone has enforcing rate-limit rules on the API's paths, each with its own threshold.",
  severity: "high",
  remediationSteps:
    "List golive:cdn.rateLimits (one entry per API path with requests, periodSeconds and action block or managed_challenge).",
  configSchema: {
    properties: {
      apiPathPrefixes: {
        type: "array",
        items: { type: "string" },
        default: DEFAULT_API_PREFIXES,
        description: "Path prefixes that make a rule an API rule.",
      },
    },
  },
  resource: {
    types: [T.ruleset],
    validate(resource, check) {
      for (const rule of openSkips(resource, (what) => what.phases.includes(RATE_LIMIT_PHASE))) {
        check.violation(
          `skip rule ${rule.index} of "${resource.name}" skips rate limiting for every address; limit it to listed source addresses (ip.src in {…})`,
        );
      }
      if (phaseOf(resource) !== RATE_LIMIT_PHASE) return;
      for (const rule of rulesOf(resource)) {
        if (!rule.enabled) continue;
        const where = `rate-limit rule ${rule.index} of "${resource.name}"`;
        if (typeof rule.action !== "string" || !ENFORCING_ACTIONS.includes(rule.action)) {
          check.violation(`${where} only ${JSON.stringify(rule.action)}s; it must block or challenge`);
        }
        const limit = (rule.raw.ratelimit ?? {}) as Record<string, unknown>;
        const period = limit.period;
        const requests = limit.requestsPerPeriod ?? limit.scorePerPeriod;
        if (typeof period !== "number" || period <= 0 || typeof requests !== "number" || requests <= 0) {
          check.violation(`${where} has no threshold (ratelimit.period and requestsPerPeriod)`);
        }
        if (!/http\.request\.uri\.path/.test(rule.expression)) {
          check.violation(`${where} is not per path: its expression does not test http.request.uri.path`);
        }
      }
    },
  },
  stack(resources, check) {
    const prefixes = check.config<{ apiPathPrefixes: string[] }>().apiPathPrefixes ?? DEFAULT_API_PREFIXES;
    forEachOwnedZone(resources, check, (zone, label, report) => {
      const apiRules = zoneRules(zone, RATE_LIMIT_PHASE).filter(
        (rule) => rule.enabled && prefixes.some((prefix) => rule.expression.includes(`"${prefix}`)),
      );
      if (apiRules.length === 0) {
        report(`${label} has no rate-limit rule on the API paths (${prefixes.join(", ")})`);
      }
      // Each limit the stack declares must be in force on its own path, at most as generous.
      const rules = zoneRules(zone, RATE_LIMIT_PHASE).filter(
        (rule) => rule.enabled && typeof rule.action === "string" && ENFORCING_ACTIONS.includes(rule.action),
      );
      for (const declared of cdnConfig(check).rateLimits ?? []) {
        // The path's quoted value in the rule's positive part (before any `and not` exclusions), so
        // whitespace or parentheses the API may add do not matter.
        const literal = /"(?:[^"\\]|\\.)*"/.exec(pathExpression(declared.path))?.[0] ?? declared.path;
        const allowed = declared.requests / declared.periodSeconds;
        const strict = rules.some((rule) => {
          const limit = (rule.raw.ratelimit ?? {}) as Record<string, unknown>;
          const { period, requestsPerPeriod: requests } = limit;
          return (
            (rule.expression.split(/\band\s+not\b/)[0] ?? "").includes(literal) &&
            typeof period === "number" &&
            period > 0 &&
            typeof requests === "number" &&
            requests / period <= allowed
          );
        });
        if (!strict) {
          report(
            `${label} has no enforcing rate-limit rule on ${declared.path} at ${declared.requests} requests per ${declared.periodSeconds} s or less (golive:cdn.rateLimits)`,
          );
        }
      }
    });
  },
};

// ------------------------------------------------------------------------------------------------
// EDGE-05

const FIREWALL_PHASE = "http_request_firewall_custom";

/** A rule that blocks `path` for everyone outside an IP allow-list. */
function guardsPath(rule: Rule | Omit<Rule, "ruleset">, path: string): boolean {
  const base = path.replace(/\*$/, "");
  const allowList = allowListOf(rule.expression);
  return (
    rule.enabled &&
    rule.action === "block" &&
    rule.expression.toLowerCase().includes(`"${base.toLowerCase()}`) &&
    allowList !== undefined &&
    allowList.every((entry) => broadAddress(entry) === undefined)
  );
}

/**
 * The addresses a rule lets through (`… and not ip.src in {a b}`): the listed entries, `[]` for a
 * named list (`$list`, not readable here), undefined when the rule has no allow-list.
 */
function allowListOf(expression: string): string[] | undefined {
  const match = /not\s+\(?\s*ip\.src\s+in\s+(\{([^}]*)\}|\$)/.exec(expression);
  if (match === null) return undefined;
  return (match[2] ?? "").split(/\s+/).filter((entry) => entry !== "");
}

const adminAllowList: PolicySpec = {
  name: "edge-05-admin-allow-list",
  id: "EDGE-05",
  description:
    "Admin paths are reachable only from allow-listed IPs: a custom firewall rule blocks them for every other address.",
  severity: "high",
  remediationSteps:
    "Set golive:cdn.admin {paths, allowedCidrs}; the CDN component adds a block rule `<admin paths> and not ip.src in {…}`.",
  configSchema: {
    properties: {
      adminPaths: {
        type: "array",
        items: { type: "string" },
        description: "Admin paths to guard; golive:cdn.admin.paths when not set here.",
      },
    },
  },
  resource: {
    types: [T.ruleset],
    validate(resource, check) {
      if (phaseOf(resource) !== FIREWALL_PHASE) return;
      for (const rule of rulesOf(resource)) {
        const broad = allowListOf(rule.expression)
          ?.map((entry) => broadAddress(entry))
          .filter((problem): problem is string => problem !== undefined);
        if (rule.enabled && rule.action === "block" && broad && broad.length > 0)
          check.violation(
            `rule ${rule.index} of "${resource.name}" allow-lists too much: ${broad.join(", ")}`,
          );
      }
      const configured = check.config<{ adminPaths: string[] }>().adminPaths;
      if ((configured ?? cdnConfig(check).admin?.paths ?? []).length === 0) return;
      for (const rule of openSkips(resource, (what) => what.current)) {
        check.violation(
          `skip rule ${rule.index} of "${resource.name}" skips the rest of the custom rules, the admin allow-list among them, for every address`,
        );
      }
    },
  },
  stack(resources, check) {
    const configured = check.config<{ adminPaths: string[] }>().adminPaths;
    const paths = configured ?? cdnConfig(check).admin?.paths ?? [];
    if (paths.length === 0) check.notApplicable("the app has no admin paths (golive:cdn.admin)");
    forEachOwnedZone(resources, check, (zone, label, report) => {
      const rules = zoneRules(zone, FIREWALL_PHASE);
      const open = paths.filter((path) => !rules.some((rule) => guardsPath(rule, path)));
      if (open.length > 0) {
        report(`${label} lets every address reach ${open.join(", ")}: no block rule with an IP allow-list`);
      }
    });
  },
};

// ------------------------------------------------------------------------------------------------
// EDGE-06

const CACHE_PHASE = "http_request_cache_settings";

const cacheRules: PolicySpec = {
  name: "edge-06-cache-rules",
  id: "EDGE-06",
  description:
    "Static assets are cached at the edge with explicit TTLs (edge TTL override) and API responses bypass the cache.",
  severity: "medium",
  remediationSteps:
    "Set golive:cdn.cache.static (path, edgeTtlSeconds) and golive:cdn.cache.bypass (the API paths); the CDN component writes the cache rules.",
  configSchema: {
    properties: {
      apiPathPrefixes: {
        type: "array",
        items: { type: "string" },
        default: DEFAULT_API_PREFIXES,
        description: "Path prefixes whose responses must bypass the cache.",
      },
    },
  },
  resource: {
    types: [T.ruleset, T.pageRule],
    validate(resource, check) {
      const prefixes = check.config<{ apiPathPrefixes: string[] }>().apiPathPrefixes ?? DEFAULT_API_PREFIXES;
      if (resource.type === T.pageRule) {
        const target = peekString(resource.props, "target") ?? "";
        const level = peekString(resource.props, "actions", "cacheLevel");
        const api =
          !/\/[^*]/.test(target.replace(/^[^/]*/, "")) || prefixes.some((prefix) => target.includes(prefix));
        if (level === "cache_everything" && api)
          check.violation(
            `page rule "${resource.name}" caches everything on ${target}, API responses included`,
          );
        return;
      }
      if (phaseOf(resource) !== CACHE_PHASE) return;
      const rules = rulesOf(resource);
      const cacheOf = (rule: Omit<Rule, "ruleset">) => actionParameters(rule).cache;
      // Later cache rules override earlier ones: a caching rule that can match the API must come before its bypass.
      rules.forEach((rule, position) => {
        if (!rule.enabled || cacheOf(rule) !== true) return;
        const literals = [...rule.expression.matchAll(/"([^"]*)"/g)]
          .map((match) => match[1]!)
          .filter((literal) => literal.startsWith("/"));
        const reachesApi = (prefix: string) =>
          !/http\.request\.(full_)?uri/.test(rule.expression) ||
          (!/\bnot\b|!/.test(rule.expression) &&
            literals.some((literal) => literal.startsWith(prefix) || prefix.startsWith(literal)));
        const cached = prefixes.filter(
          (prefix) =>
            reachesApi(prefix) &&
            !rules
              .slice(position + 1)
              .some(
                (later) =>
                  later.enabled && cacheOf(later) === false && later.expression.includes(`"${prefix}`),
              ),
        );
        if (cached.length > 0)
          check.violation(
            `cache rule ${rule.index} of "${resource.name}" caches ${cached.join(", ")} (no bypass rule comes after it)`,
          );
      });
      for (const rule of rules) {
        const parameters = actionParameters(rule);
        if (!rule.enabled || parameters.cache !== true) continue;
        const edge = (parameters.edgeTtl ?? {}) as Record<string, unknown>;
        if (edge.mode !== "override_origin" || typeof edge.default !== "number" || edge.default <= 0) {
          check.violation(
            `cache rule ${rule.index} of "${resource.name}" caches without an explicit edge TTL (edgeTtl override_origin)`,
          );
        }
      }
    },
  },
  stack(resources, check) {
    const prefixes = check.config<{ apiPathPrefixes: string[] }>().apiPathPrefixes ?? DEFAULT_API_PREFIXES;
    forEachOwnedZone(resources, check, (zone, label, report) => {
      const rules = zoneRules(zone, CACHE_PHASE).filter((rule) => rule.enabled);
      const cache = (rule: Rule) => ((rule.raw.actionParameters ?? {}) as Record<string, unknown>).cache;
      if (!rules.some((rule) => cache(rule) === true)) report(`${label} caches no static assets at the edge`);
      const bypassed = prefixes.filter((prefix) =>
        rules.some((rule) => cache(rule) === false && rule.expression.includes(`"${prefix}`)),
      );
      if (bypassed.length < prefixes.length) {
        report(
          `${label} does not bypass the cache for ${prefixes.filter((p) => !bypassed.includes(p)).join(", ")}`,
        );
      }
    });
  },
};

// ------------------------------------------------------------------------------------------------
// EDGE-07

const COMPRESSION_PHASE = "http_response_compression";

function brotliRule(rule: Omit<Rule, "ruleset">): boolean {
  const algorithms =
    (rule.raw.actionParameters as { algorithms?: { name?: unknown }[] } | undefined)?.algorithms ?? [];
  return rule.enabled && rule.action === "compress_response" && algorithms.some((a) => a.name === "brotli");
}

const compression: PolicySpec = {
  name: "edge-07-brotli",
  id: "EDGE-07",
  description: "Brotli compression is on for every zone (zone setting brotli or a compression rule).",
  severity: "low",
  remediationSteps: "Keep the CDN component's `brotli: on` zone setting.",
  resource: {
    types: [T.zoneSetting, T.ruleset],
    validate(resource, check) {
      if (resource.type === T.ruleset) {
        if (phaseOf(resource) !== COMPRESSION_PHASE) return;
        for (const rule of rulesOf(resource)) {
          if (!rule.enabled || rule.action !== "compress_response") continue;
          const algorithms = (actionParameters(rule).algorithms ?? []) as { name?: unknown }[];
          const names = algorithms.map((algorithm) => algorithm.name);
          if (!names.some((name) => name === "brotli" || name === "auto" || name === "default"))
            check.violation(
              `compression rule ${rule.index} of "${resource.name}" compresses with ${JSON.stringify(names)}, not Brotli, for the requests it matches`,
            );
        }
        return;
      }
      if (peek(resource.props, "settingId") !== "brotli") return;
      const value = check.known(() => settingValue(resource), `the brotli value of "${resource.name}"`);
      if (value !== UNKNOWN && value !== "on")
        check.violation(`zone setting brotli is ${JSON.stringify(value)}; it must be on`);
    },
  },
  stack(resources, check) {
    forEachOwnedZone(resources, check, (zone, label, report) => {
      const setting = settingsOf(zone).get("brotli");
      const on = setting !== undefined && settingValue(setting) === "on";
      if (!on && !zoneRules(zone, COMPRESSION_PHASE).some(brotliRule)) {
        report(`${label} does not turn Brotli compression on`);
      }
    });
  },
};

// ------------------------------------------------------------------------------------------------
// EDGE-08

/**
 * Targets that must be reached DNS-only, read from the record's own content: mail providers' DKIM,
 * bounce and link-tracking hosts, certificate validation, and private addresses Cloudflare cannot
 * proxy. Extend with the policy's dnsOnlyTargets config.
 */
const DNS_ONLY_TARGETS: readonly RegExp[] = [
  /\.dkim\.amazonses\.com$/,
  /\.amazonses\.com$/,
  /\.acm-validations\.aws$/,
  /(^|\.)sendgrid\.net$/,
  /(^|\.)mailgun\.org$/,
  /(^|\.)mcsv\.net$/,
  /(^|\.)mandrillapp\.com$/,
  /(^|\.)sparkpostmail\.com$/,
  /(^|\.)mtasv\.net$/,
  /(^|\.)resend\.(com|dev)$/,
  /(^|\.)domainkey\./,
  /(^|\.)protection\.outlook\.com$/,
  /^autodiscover\.outlook\.com$/,
  /(^|\.)zendesk\.com$/,
  /(^|\.)mail\.protection\./,
];

function isPrivateAddress(content: string): boolean {
  return /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|127\.|169\.254\.|f[cd][0-9a-f]{2}:)/i.test(content);
}

/**
 * Records that must stay DNS-only, from what the record says: a name label starting with `_`
 * (`_dmarc`, `*._domainkey`, ACM and ACME validation), a mail or validation provider's target, a
 * private address. What remains a guess is configurable (dnsOnlyNames, dnsOnlyTargets).
 */
export function mustStayUnproxied(name: string, content = "", extraTargets: readonly string[] = []): boolean {
  if (name.split(".").some((label) => label.startsWith("_"))) return true;
  const target = content.trim().toLowerCase().replace(/\.$/, "");
  if (target === "") return false;
  if (isPrivateAddress(target)) return true;
  if (DNS_ONLY_TARGETS.some((pattern) => pattern.test(target))) return true;
  return extraTargets.some(
    (suffix) => target === suffix.toLowerCase() || target.endsWith(`.${suffix.toLowerCase()}`),
  );
}

const appHostnamesProxied: PolicySpec = {
  name: "edge-08-app-hostnames-proxied",
  id: "EDGE-08",
  description:
    "App hostnames (A, AAAA, CNAME records) are proxied through Cloudflare, so the zone's TLS, WAF and rate limits apply.",
  severity: "high",
  remediationSteps:
    "Set `proxied: true` on the record; for a record that must stay DNS-only (a mail provider's CNAME), list it in this policy's dnsOnlyNames config.",
  configSchema: {
    properties: {
      dnsOnlyNames: {
        type: "array",
        items: { type: "string" },
        default: [],
        description: "Record names that may stay DNS-only (mail providers' CNAMEs, verification records).",
      },
      dnsOnlyTargets: {
        type: "array",
        items: { type: "string" },
        default: [],
        description:
          "Record targets (domain suffixes) that must be reached DNS-only, beyond the built-in mail and validation providers.",
      },
    },
  },
  resource: {
    types: DNS_TYPES,
    validate(resource, check) {
      const type = peek(resource.props, "type");
      if (typeof type !== "string" || !["A", "AAAA", "CNAME"].includes(type.toUpperCase())) return;
      const name = check.known(
        () => str(resource.props, "name"),
        `the name of DNS record "${resource.name}"`,
      );
      if (name === UNKNOWN || name === undefined) return;
      const config = check.config<{ dnsOnlyNames: string[]; dnsOnlyTargets: string[] }>();
      const allowed = config.dnsOnlyNames ?? [];
      const content = peekString(resource.props, "content") ?? peekString(resource.props, "value") ?? "";
      if (mustStayUnproxied(name, content, config.dnsOnlyTargets ?? []) || allowed.includes(name)) return;
      const proxied = check.mustBeKnown(
        () => bool(resource.props, "proxied"),
        `proxied of DNS record ${name}`,
      );
      if (proxied !== UNKNOWN && proxied !== true) {
        check.violation(`${type} record ${name} is not proxied through Cloudflare`);
      }
    },
  },
};

/** TXT content without the quoting Cloudflare stores (`"v=spf1 …" "…"` → `v=spf1 ……`). */
export function txtText(content: string): string {
  const quoted = [...content.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((match) =>
    match[1]!.replace(/\\(.)/g, "$1"),
  );
  return quoted.length > 0 ? quoted.join("") : content;
}

export function dmarcPolicy(text: string): string | undefined {
  const match = /(?:^|;)\s*p\s*=\s*([a-z]+)/i.exec(text);
  return match?.[1]?.toLowerCase();
}

interface DnsEntry {
  readonly resource: PolicyResource;
  readonly name: string;
  readonly type: string;
  readonly text: string;
}

function dnsEntries(resources: readonly PolicyResource[]): DnsEntry[] {
  return resources.flatMap((resource) => {
    if (!DNS_TYPES.includes(resource.type)) return [];
    const name = peekString(resource.props, "name");
    const type = peekString(resource.props, "type");
    const content = peekString(resource.props, "content");
    if (!name || !type) return [];
    return [
      {
        resource,
        name: name.toLowerCase().replace(/\.$/, ""),
        type: type.toUpperCase(),
        text: txtText(content ?? ""),
      },
    ];
  });
}

const emailAuthentication: PolicySpec = {
  name: "edge-08-email-authentication",
  id: "EDGE-08",
  description:
    "The sending domain publishes SPF, DKIM and DMARC; in prod DMARC enforces (p=quarantine or p=reject, not p=none).",
  severity: "high",
  remediationSteps:
    "Set golive:cdn.mail (domain, spf, dkim records from the mail provider, dmarc.policy quarantine or reject in prod).",
  resource: {
    types: DNS_TYPES,
    validate(resource, check) {
      const name = peekString(resource.props, "name");
      if (!name || !name.toLowerCase().startsWith("_dmarc")) return;
      const content = check.known(() => str(resource.props, "content"), `the DMARC record ${name}`);
      if (content === UNKNOWN || content === undefined) return;
      const policy = dmarcPolicy(txtText(content));
      if (!policy) check.violation(`DMARC record ${name} has no p= policy`);
      else if (policy === "none" && check.env === "prod")
        check.violation(`DMARC record ${name} is p=none in prod; use quarantine or reject`);
      else if (check.env === "prod" && /(?:^|;)\s*pct\s*=\s*0+\s*(;|$)/i.test(txtText(content)))
        check.violation(`DMARC record ${name} has pct=0: its policy applies to no mail, as p=none`);
    },
  },
  stack(resources, check) {
    if (!managesZonePolicy(check)) {
      check.notApplicable("another stack owns the zone's policy (golive:cdn.zone.managePolicy is false)");
    }
    const entries = dnsEntries(resources);
    if (entries.length === 0 && !cdnConfig(check).mail)
      check.notApplicable("the stack has no DNS records and no mail");
    const configured = cdnConfig(check).mail?.domain?.toLowerCase();
    const domains = configured ? [configured] : sendingDomains(entries);
    if (domains.length === 0) {
      check.absent("no sending domain with an SPF record (TXT v=spf1) is declared");
      return;
    }
    for (const domain of domains) {
      const problems: string[] = [];
      const within = (name: string) => name === domain || name.endsWith(`.${domain}`);
      if (!entries.some((e) => e.type === "TXT" && within(e.name) && /^v=spf1\b/i.test(e.text)))
        problems.push("SPF");
      if (
        !entries.some(
          (e) =>
            (e.type === "TXT" || e.type === "CNAME") && e.name.includes("._domainkey.") && within(e.name),
        )
      ) {
        problems.push("DKIM");
      }
      // DMARC is looked up at the domain, then at its organisational domain: a subdomain inherits it.
      const dmarc = [domain, ...parentDomains(domain)]
        .map((name) => entries.find((e) => e.type === "TXT" && e.name === `_dmarc.${name}`))
        .find((entry) => entry !== undefined);
      if (!dmarc || !/^v=DMARC1/i.test(dmarc.text)) problems.push("DMARC");
      if (problems.length > 0)
        check.violation(`sending domain ${domain} has no ${problems.join(", ")} record`);
    }
  },
};

/** `a.b.acme.io` → `b.acme.io`, `acme.io` (never a bare top-level label). */
function parentDomains(domain: string): string[] {
  const labels = domain.split(".");
  const parents: string[] = [];
  for (let i = 1; i < labels.length - 1; i++) parents.push(labels.slice(i).join("."));
  return parents;
}

/**
 * The domains mail is sent as: those with an SPF record or a DKIM key (`<selector>._domainkey.<domain>`),
 * except a custom MAIL FROM (bounce) domain: a subdomain of another sending domain with its own MX
 * and SPF but no DKIM key, as SES and Resend ask for (`send.acme.io` beside `acme.io`). It carries
 * the envelope sender only; the mail is signed and aligned as the parent domain.
 */
export function sendingDomains(
  entries: readonly { readonly type: string; readonly name: string; readonly text: string }[],
): string[] {
  const spf = entries.filter((e) => e.type === "TXT" && /^v=spf1\b/i.test(e.text)).map((e) => e.name);
  const dkim = entries
    .filter((e) => (e.type === "TXT" || e.type === "CNAME") && e.name.includes("._domainkey."))
    .map((e) => e.name.slice(e.name.indexOf("._domainkey.") + "._domainkey.".length));
  const candidates = [...new Set([...spf, ...dkim])];
  const mailFrom = (domain: string) =>
    !dkim.includes(domain) &&
    entries.some((e) => e.type === "MX" && e.name === domain) &&
    candidates.some((parent) => parent !== domain && domain.endsWith(`.${parent}`));
  return candidates.filter((domain) => !mailFrom(domain));
}

// ------------------------------------------------------------------------------------------------
// EDGE-09

const MANAGED_PHASE = "http_request_firewall_managed";
const PLANS_WITH_MANAGED_WAF = ["pro", "business", "enterprise"];

/** An execute rule whose overrides switch the managed ruleset off or to log only. */
function neutered(rule: Omit<Rule, "ruleset">): string | undefined {
  const overrides = actionParameters(rule).overrides as Record<string, unknown> | undefined;
  if (!overrides) return undefined;
  if (overrides.enabled === false) return "disables it (overrides.enabled false)";
  if (typeof overrides.action === "string" && ["log", "skip"].includes(overrides.action))
    return `sets every rule to ${overrides.action} (overrides.action)`;
  return undefined;
}

const managedWaf: PolicySpec = {
  name: "edge-09-managed-waf",
  id: "EDGE-09",
  description: "A managed WAF ruleset is deployed on every zone whose plan allows it (Pro and above).",
  severity: "medium",
  remediationSteps:
    "Set golive:cdn.waf.managedRules: true (and golive:cdn.zone.plan to the zone's plan); on the Free plan the item does not apply.",
  resource: {
    types: [T.ruleset],
    validate(resource, check) {
      const plan = cdnConfig(check).zone?.plan;
      if (plan !== undefined && !PLANS_WITH_MANAGED_WAF.includes(plan)) return;
      for (const rule of openSkips(
        resource,
        (what) =>
          what.phases.includes(MANAGED_PHASE) ||
          (phaseOf(resource) === MANAGED_PHASE && (what.rulesets || what.current)),
      )) {
        check.violation(
          `skip rule ${rule.index} of "${resource.name}" skips the managed WAF for every address; limit it to listed source addresses (ip.src in {…})`,
        );
      }
      if (phaseOf(resource) !== MANAGED_PHASE) return;
      for (const rule of rulesOf(resource)) {
        const why = rule.enabled && rule.action === "execute" ? neutered(rule) : undefined;
        if (why) check.violation(`managed WAF rule ${rule.index} of "${resource.name}" ${why}`);
      }
    },
  },
  stack(resources, check) {
    const plan = cdnConfig(check).zone?.plan;
    if (plan !== undefined && !PLANS_WITH_MANAGED_WAF.includes(plan)) {
      check.notApplicable(`the zone's ${plan} plan has no managed WAF`);
    }
    forEachOwnedZone(resources, check, (zone, label, report) => {
      const deployed = zoneRules(zone, MANAGED_PHASE).some(
        (rule) => rule.enabled && rule.action === "execute" && neutered(rule) === undefined,
      );
      if (!deployed) report(`${label} runs no managed WAF ruleset (phase ${MANAGED_PHASE}, action execute)`);
    });
  },
};

export const EDGE_POLICIES: readonly PolicySpec[] = [
  httpsOnly,
  hsts,
  securityHeaders,
  rateLimiting,
  adminAllowList,
  cacheRules,
  compression,
  appHostnamesProxied,
  emailAuthentication,
  managedWaf,
  ...EDGE_ENDPOINT_POLICIES,
];
