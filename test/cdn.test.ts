import { describe, expect, it } from "vitest";
import { Cdn, type CdnArgs } from "../components/cdn";
import { CDN_TYPE } from "../lib/component-types";
import { parseStackConfig, type StackConfig } from "../config/load";
import { cdnSchema, type CdnConfig } from "../config/schema/cdn";
import {
  CLOUDFLARE_MANAGED_RULESET_ID,
  adminBlockExpression,
  anyPathExpression,
  cacheRules,
  canonicalCidr,
  coversPattern,
  dmarcValue,
  ipInListExpression,
  mailRecords,
  parsePathPattern,
  pathExpression,
  quoteRulesString,
  rateLimitRules,
  rulesets,
  spfValue,
  txtContent,
  zoneSettings,
} from "../lib/cdn";
import { findResource, recordProgram, type RecordedResource, type Recording } from "../tooling/engine/record";
import { isUnknown, type RecordedValue } from "../tooling/engine/wire";
import { stackConfig } from "./support/stacks";

const prod = parseStackConfig(stackConfig("prod"));
const staging = parseStackConfig(stackConfig("staging"));

function cdnArgs(config: StackConfig, cdn: CdnConfig = config.cdn): CdnArgs {
  return {
    identity: { app: config.app.name, environment: config.environment },
    config: cdn,
    domain: config.app.domain,
    hostname: config.app.hostname,
    protect: config.environment === "prod",
  };
}

function record(args: CdnArgs, preview: boolean): Promise<Recording> {
  return recordProgram({
    project: "golive",
    stack: args.identity.environment,
    preview,
    config: { "aws:region": "us-east-1" },
    program: () => {
      const cdn = new Cdn("cdn", args);
      return { zoneId: cdn.zoneId, hostnames: cdn.hostnames };
    },
  });
}

const ofType = (rec: Recording, type: string) => rec.resources.filter((resource) => resource.type === type);
const input = (resource: RecordedResource, key: string): RecordedValue | undefined => resource.inputs[key];

interface RecordedRule {
  ref: string;
  action: string;
  expression: string;
  actionParameters?: Record<string, unknown>;
  ratelimit?: Record<string, unknown>;
}

function rulesOf(rec: Recording, phase: string): RecordedRule[] {
  const ruleset = ofType(rec, "cloudflare:index/ruleset:Ruleset").find((r) => input(r, "phase") === phase);
  if (!ruleset) throw new Error(`no ruleset for ${phase}`);
  expect(input(ruleset, "kind")).toBe("zone");
  return input(ruleset, "rules") as unknown as RecordedRule[];
}

describe("Rules language expressions", () => {
  it("quotes strings, escaping backslashes and double quotes", () => {
    expect(quoteRulesString("/api/")).toBe('"/api/"');
    expect(quoteRulesString('a"b\\c')).toBe('"a\\"b\\\\c"');
  });

  it("maps exact paths to eq and prefixes to starts_with", () => {
    expect(pathExpression("/api/health")).toBe('http.request.uri.path eq "/api/health"');
    expect(pathExpression("/api/*")).toBe('starts_with(http.request.uri.path, "/api/")');
    expect(pathExpression("/Admin*", { caseInsensitive: true })).toBe(
      'starts_with(lower(http.request.uri.path), "/admin")',
    );
    expect(anyPathExpression(["/a*", "/b"])).toBe(
      '(starts_with(http.request.uri.path, "/a") or http.request.uri.path eq "/b")',
    );
  });

  it("refuses patterns it cannot express", () => {
    expect(() => parsePathPattern("/a/*/b")).toThrow(/only have "\*" at the end/);
    expect(() => parsePathPattern("api/*")).toThrow(/must start with/);
    expect(() => anyPathExpression([])).toThrow(/at least one/);
  });

  it("normalises CIDRs to network addresses, sorted and deduplicated", () => {
    expect(canonicalCidr("44.210.10.7/24")).toBe("44.210.10.0/24");
    expect(canonicalCidr("2001:DB8:0:0:0:0:0:1/32")).toBe("2001:db8::/32");
    expect(() => canonicalCidr("office")).toThrow(/not a CIDR/);
    expect(ipInListExpression(["76.76.21.0/24", "44.210.10.9/24", "44.210.10.0/24"])).toBe(
      "ip.src in {44.210.10.0/24 76.76.21.0/24}",
    );
  });

  it("blocks admin paths, case-insensitively, for everyone outside the allow-list", () => {
    expect(adminBlockExpression(["/admin*", "/api/admin/*"], ["44.210.10.0/24"])).toBe(
      '(starts_with(lower(http.request.uri.path), "/admin") or starts_with(lower(http.request.uri.path), "/api/admin/")) and not ip.src in {44.210.10.0/24}',
    );
  });

  it("knows which prefix covers which path", () => {
    expect(coversPattern("/api/*", "/api/auth/*")).toBe(true);
    expect(coversPattern("/api/*", "/api/health")).toBe(true);
    expect(coversPattern("/api/auth/*", "/api/*")).toBe(false);
    expect(coversPattern("/api/*", "/api/*")).toBe(false);
    expect(coversPattern("/api/health", "/api/health/x")).toBe(false);
  });
});

describe("rules and records from config", () => {
  it("rate limits: one rule per path, most specific first, prefixes leave out paths with their own limit", () => {
    const rules = rateLimitRules(prod.cdn.rateLimits);
    expect(rules.map((rule) => rule.ref)).toEqual([
      "ratelimit_api_webhooks_any",
      "ratelimit_api_auth_any",
      "ratelimit_api_any",
    ]);
    expect(rules[2]!.expression).toBe(
      'starts_with(http.request.uri.path, "/api/") and not (starts_with(http.request.uri.path, "/api/auth/") or starts_with(http.request.uri.path, "/api/webhooks/"))',
    );
    expect(rules[1]!.expression).toBe('starts_with(http.request.uri.path, "/api/auth/")');
    expect(rules[1]!.ratelimit).toEqual({
      characteristics: ["cf.colo.id", "ip.src"],
      period: 60,
      requestsPerPeriod: 10,
      mitigationTimeout: 600,
    });
    expect(rules.every((rule) => rule.action === "block")).toBe(true);
  });

  it("cache: static paths with explicit TTLs, then the API bypass last so it wins", () => {
    const rules = cacheRules(prod.cdn.cache);
    expect(rules.map((rule) => rule.expression)).toEqual([
      'starts_with(http.request.uri.path, "/_next/static/")',
      'starts_with(http.request.uri.path, "/images/")',
      'starts_with(http.request.uri.path, "/api/")',
    ]);
    expect(rules[0]!.actionParameters).toEqual({
      cache: true,
      edgeTtl: { mode: "override_origin", default: 31_536_000 },
      browserTtl: { mode: "override_origin", default: 31_536_000 },
    });
    expect(rules[2]!.actionParameters).toEqual({ cache: false });
    const noBrowserTtl = cacheRules({ static: [{ path: "/x/*", edgeTtlSeconds: 60 }], bypass: [] });
    expect(noBrowserTtl).toHaveLength(1);
    expect(noBrowserTtl[0]!.actionParameters?.browserTtl).toEqual({ mode: "respect_origin" });
  });

  it("zone settings: strict SSL, HTTPS only, TLS 1.2+, TLS 1.3, rewrites, Brotli, HSTS", () => {
    expect(zoneSettings(prod.cdn)).toEqual([
      { settingId: "ssl", value: "strict" },
      { settingId: "always_use_https", value: "on" },
      { settingId: "min_tls_version", value: "1.2" },
      { settingId: "tls_1_3", value: "on" },
      { settingId: "automatic_https_rewrites", value: "on" },
      { settingId: "brotli", value: "on" },
      {
        settingId: "security_header",
        value: {
          strict_transport_security: {
            enabled: true,
            max_age: 31_536_000,
            include_subdomains: true,
            preload: false,
            nosniff: true,
          },
        },
      },
    ]);
  });

  it("only phases with rules get a ruleset", () => {
    const minimal = cdnSchema.parse({ zone: { plan: "free" }, origin: "cname.vercel-dns.com" });
    expect(rulesets(minimal).map((ruleset) => ruleset.phase)).toEqual(["http_response_headers_transform"]);
    expect(rulesets(prod.cdn).map((ruleset) => ruleset.phase)).toEqual([
      "http_response_headers_transform",
      "http_request_cache_settings",
      "http_ratelimit",
      "http_request_firewall_custom",
      "http_request_firewall_managed",
    ]);
  });

  it("TXT content is quoted and split into strings of at most 255 bytes", () => {
    expect(txtContent("v=spf1 include:amazonses.com ~all")).toBe('"v=spf1 include:amazonses.com ~all"');
    expect(txtContent('say "hi"\\')).toBe('"say \\"hi\\"\\\\"');
    const key = `p=${"A".repeat(300)}`;
    const content = txtContent(key);
    const parts = content.match(/"[^"]*"/g)!;
    expect(parts.map((part) => part.length - 2)).toEqual([255, 47]);
    expect(parts.map((part) => part.slice(1, -1)).join("")).toBe(key);
  });

  it("SPF, DMARC and the provider's records for the sending domain", () => {
    const mail = prod.cdn.mail!;
    expect(spfValue(mail.spf)).toBe("v=spf1 include:amazonses.com ~all");
    expect(dmarcValue(mail.dmarc)).toBe("v=DMARC1; p=quarantine; rua=mailto:dmarc@dirtfree.com");
    expect(dmarcValue({ policy: "reject", subdomainPolicy: "quarantine", percent: 50 })).toBe(
      "v=DMARC1; p=reject; sp=quarantine; pct=50",
    );
    const records = mailRecords(mail);
    expect(records.map((r) => [r.type, r.name])).toEqual([
      ["TXT", "send.dirtfree.com"],
      ["MX", "send.dirtfree.com"],
      ["TXT", "resend._domainkey.dirtfree.com"],
      ["TXT", "_dmarc.dirtfree.com"],
    ]);
    expect(records.every((r) => !r.proxied)).toBe(true);
    expect(records[1]!.priority).toBe(10);
  });
});

describe.each([false, true])("the Cdn component (preview: %s)", (preview) => {
  it("prod: the exact zone settings, on the looked-up zone", async () => {
    const rec = await record(cdnArgs(prod), preview);
    const lookup = rec.invokes.find((invoke) => invoke.token === "cloudflare:index/getZone:getZone");
    expect(lookup?.args).toEqual({ filter: { name: "dirtfree.com" } });
    const zoneId = lookup!.result.id;
    const settings = ofType(rec, "cloudflare:index/zoneSetting:ZoneSetting");
    expect(Object.fromEntries(settings.map((s) => [input(s, "settingId"), input(s, "value")]))).toEqual({
      ssl: "strict",
      always_use_https: "on",
      min_tls_version: "1.2",
      tls_1_3: "on",
      automatic_https_rewrites: "on",
      brotli: "on",
      security_header: {
        strict_transport_security: {
          enabled: true,
          max_age: 31_536_000,
          include_subdomains: true,
          preload: false,
          nosniff: true,
        },
      },
    });
    for (const setting of settings) expect(input(setting, "zoneId")).toBe(zoneId);
    expect(ofType(rec, "cloudflare:index/zone:Zone")).toHaveLength(0);
    expect(rec.stackOutputs.zoneId).toBe(zoneId);
    expect(rec.stackOutputs.hostnames).toEqual(["app.dirtfree.com"]);
  });

  it("prod: one zone-level ruleset per phase with the exact rules", async () => {
    const rec = await record(cdnArgs(prod), preview);
    expect(ofType(rec, "cloudflare:index/ruleset:Ruleset")).toHaveLength(5);

    const [headers] = rulesOf(rec, "http_response_headers_transform");
    expect(headers!.action).toBe("rewrite");
    expect(headers!.expression).toBe("true");
    expect(headers!.actionParameters).toEqual({
      headers: {
        "X-Frame-Options": { operation: "set", value: "DENY" },
        "X-Content-Type-Options": { operation: "set", value: "nosniff" },
        "Referrer-Policy": { operation: "set", value: "strict-origin-when-cross-origin" },
        "Permissions-Policy": { operation: "set", value: "geolocation=(), microphone=(), camera=()" },
      },
    });

    const cache = rulesOf(rec, "http_request_cache_settings");
    expect(cache.map((rule) => [rule.expression, rule.actionParameters?.cache])).toEqual([
      ['starts_with(http.request.uri.path, "/_next/static/")', true],
      ['starts_with(http.request.uri.path, "/images/")', true],
      ['starts_with(http.request.uri.path, "/api/")', false],
    ]);
    expect(cache[1]!.actionParameters?.edgeTtl).toEqual({ mode: "override_origin", default: 86_400 });

    const limits = rulesOf(rec, "http_ratelimit");
    expect(limits.map((rule) => [rule.ratelimit?.requestsPerPeriod, rule.ratelimit?.period])).toEqual([
      [600, 60],
      [10, 60],
      [300, 60],
    ]);

    expect(rulesOf(rec, "http_request_firewall_custom")).toEqual([
      expect.objectContaining({
        action: "block",
        expression: 'starts_with(lower(http.request.uri.path), "/admin") and not ip.src in {44.210.10.0/24}',
      }),
    ]);
    expect(rulesOf(rec, "http_request_firewall_managed")).toEqual([
      expect.objectContaining({
        action: "execute",
        expression: "true",
        actionParameters: { id: CLOUDFLARE_MANAGED_RULESET_ID },
      }),
    ]);
  });

  it("prod: the app hostname is a proxied CNAME to the origin; SPF, DKIM and DMARC are published", async () => {
    const rec = await record(cdnArgs(prod), preview);
    const records = ofType(rec, "cloudflare:index/dnsRecord:DnsRecord").map((r) => ({
      name: input(r, "name"),
      type: input(r, "type"),
      content: input(r, "content"),
      proxied: input(r, "proxied"),
    }));
    expect(records).toContainEqual({
      name: "app.dirtfree.com",
      type: "CNAME",
      content: "cname.vercel-dns.com",
      proxied: true,
    });
    expect(records).toContainEqual({
      name: "send.dirtfree.com",
      type: "TXT",
      content: '"v=spf1 include:amazonses.com ~all"',
      proxied: false,
    });
    expect(records).toContainEqual({
      name: "_dmarc.dirtfree.com",
      type: "TXT",
      content: '"v=DMARC1; p=quarantine; rua=mailto:dmarc@dirtfree.com"',
      proxied: false,
    });
    const dkim = records.find((r) => r.name === "resend._domainkey.dirtfree.com");
    expect(dkim?.content).toMatch(/^"p=MIGf/);
    expect(records).toHaveLength(5);
  });

  it("parents every child to the Cdn component", async () => {
    const rec = await record(cdnArgs(prod), preview);
    const component = findResource(rec, CDN_TYPE, "cdn");
    const children = rec.resources.filter((r) => r.type.startsWith("cloudflare:"));
    expect(children.length).toBe(7 + 5 + 5);
    for (const child of children) expect(child.parent, child.name).toBe(component.urn);
  });

  it("staging shares prod's zone: only its own proxied hostname, no settings, rulesets or mail records", async () => {
    const rec = await record(cdnArgs(staging), preview);
    expect(ofType(rec, "cloudflare:index/zoneSetting:ZoneSetting")).toHaveLength(0);
    expect(ofType(rec, "cloudflare:index/ruleset:Ruleset")).toHaveLength(0);
    const records = ofType(rec, "cloudflare:index/dnsRecord:DnsRecord");
    expect(records.map((r) => [input(r, "name"), input(r, "type"), input(r, "proxied")])).toEqual([
      ["staging.dirtfree.com", "CNAME", true],
    ]);
  });

  it("creates the zone when told to, protected in prod, and uses its id everywhere", async () => {
    const created = cdnSchema.parse({
      ...prod.cdn,
      zone: { ...prod.cdn.zone, create: true, accountId: "023e105f4ecef8ad9ca31a8372d0c353" },
    });
    const rec = await record(cdnArgs(prod, created), preview);
    expect(rec.invokes.filter((invoke) => invoke.token === "cloudflare:index/getZone:getZone")).toHaveLength(
      0,
    );
    const zone = findResource(rec, "cloudflare:index/zone:Zone", "cdn-zone");
    expect(zone.inputs.account).toEqual({ id: "023e105f4ecef8ad9ca31a8372d0c353" });
    expect(zone.inputs.name).toBe("dirtfree.com");
    expect(zone.options.protect).toBe(true);
    const setting = findResource(rec, "cloudflare:index/zoneSetting:ZoneSetting", "cdn-setting-ssl");
    if (preview) expect(isUnknown(setting.inputs.zoneId)).toBe(true);
    else expect(setting.inputs.zoneId).toBe(zone.id);
  });
});
