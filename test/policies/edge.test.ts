import { describe, expect, it } from "vitest";
import { dmarcPolicy, hstsHeaderProblems, txtText } from "../../policies/edge";
import { T } from "../../policies/lib/types";
import {
  analyzeResource,
  analyzeStack,
  isNotApplicable,
  undeterminable,
  UNKNOWN,
  violations,
  type TestResource,
} from "./harness";
import { only, pack, res, type Env } from "./fixtures";

const zone = res(T.zone, "cdn-zone", { name: "dirtfree.com" });
const inZone = (type: string, name: string, props: Record<string, unknown>): TestResource =>
  res(type, name, { zoneId: UNKNOWN, ...props }, { propertyDependencies: { zoneId: [zone.urn] } });

const setting = (settingId: string, value: unknown) =>
  inZone(T.zoneSetting, `setting-${settingId}`, { settingId, value });
const ruleset = (phase: string, rules: Record<string, unknown>[]) =>
  inZone(T.ruleset, `ruleset-${phase}`, { kind: "zone", name: `golive ${phase}`, phase, rules });
const record = (name: string, type: string, content: string, proxied = false) =>
  inZone(T.dnsRecord, `record-${type}-${name}`, { name, type, content, proxied, ttl: 1 });

const HSTS = {
  strict_transport_security: { enabled: true, max_age: 31_536_000, include_subdomains: true, nosniff: true },
};

function zoneStack(overrides: Record<string, TestResource | null> = {}): TestResource[] {
  const parts: Record<string, TestResource> = {
    ssl: setting("ssl", "strict"),
    https: setting("always_use_https", "on"),
    tls: setting("min_tls_version", "1.2"),
    tls13: setting("tls_1_3", "on"),
    brotli: setting("brotli", "on"),
    hsts: setting("security_header", HSTS),
    headers: ruleset("http_response_headers_transform", [
      {
        action: "rewrite",
        expression: "true",
        enabled: true,
        actionParameters: {
          headers: {
            "X-Frame-Options": { operation: "set", value: "DENY" },
            "X-Content-Type-Options": { operation: "set", value: "nosniff" },
            "Referrer-Policy": { operation: "set", value: "strict-origin-when-cross-origin" },
            "Permissions-Policy": { operation: "set", value: "geolocation=(), microphone=(), camera=()" },
          },
        },
      },
    ]),
    cache: ruleset("http_request_cache_settings", [
      {
        action: "set_cache_settings",
        expression: '(starts_with(http.request.uri.path, "/_next/static/"))',
        actionParameters: { cache: true, edgeTtl: { mode: "override_origin", default: 86400 } },
      },
      {
        action: "set_cache_settings",
        expression: '(starts_with(http.request.uri.path, "/api/"))',
        actionParameters: { cache: false },
      },
    ]),
    rateLimit: ruleset("http_ratelimit", [
      {
        action: "block",
        expression: '(starts_with(http.request.uri.path, "/api/"))',
        ratelimit: {
          characteristics: ["ip.src", "cf.colo.id"],
          period: 60,
          requestsPerPeriod: 100,
          mitigationTimeout: 60,
        },
      },
    ]),
    firewall: ruleset("http_request_firewall_custom", [
      {
        action: "block",
        expression:
          '(starts_with(lower(http.request.uri.path), "/admin")) and not ip.src in {203.0.113.0/24}',
      },
    ]),
    waf: ruleset("http_request_firewall_managed", [
      { action: "execute", expression: "true", actionParameters: { id: "efb7b8c949ac4650a09736fc376e9aee" } },
    ]),
    app: record("app.dirtfree.com", "CNAME", "cname.vercel-dns.com", true),
    spf: record("send.dirtfree.com", "TXT", '"v=spf1 include:amazonses.com ~all"'),
    dkim: record("resend._domainkey.dirtfree.com", "TXT", '"p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQ"'),
    dmarc: record("_dmarc.dirtfree.com", "TXT", '"v=DMARC1; p=quarantine; rua=mailto:dmarc@dirtfree.com"'),
  };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === null) delete parts[key];
    else parts[key] = value;
  }
  return [zone, ...Object.values(parts)];
}

const cdn = (env: Env, extra: Record<string, unknown> = {}) =>
  pack(env, {
    config: {
      cdn: {
        zone: { plan: "pro", managePolicy: true },
        admin: { paths: ["/admin*"] },
        mail: { domain: "dirtfree.com" },
        ...extra,
      },
    },
  });

describe("the complete zone", () => {
  it("passes every EDGE policy", async () => {
    const policies = cdn("prod").filter((policy) => policy.name.startsWith("edge-"));
    const stack = await analyzeStack(policies, zoneStack());
    expect(stack.diagnostics).toEqual([]);
    for (const resource of zoneStack()) {
      expect((await analyzeResource(policies, resource)).diagnostics).toEqual([]);
    }
  });
});

describe("edge-01-https-only", () => {
  const name = "edge-01-https-only";

  it("fails a weak setting value, mandatory in staging too", async () => {
    const found = violations(
      await analyzeResource(only(cdn("staging"), name), setting("ssl", "flexible")),
      name,
    );
    expect(found[0]!.message).toContain('zone setting ssl is "flexible"; it must be strict');
    expect(found[0]!.enforcementLevel).toBe("mandatory");
    const tls = violations(
      await analyzeResource(only(cdn("prod"), name), setting("min_tls_version", "1.0")),
      name,
    );
    expect(tls).toHaveLength(1);
  });

  it("fails a configuration rule or page rule that lowers the SSL mode", async () => {
    const config = ruleset("http_config_settings", [
      { action: "set_config", expression: "true", enabled: true, actionParameters: { ssl: "flexible" } },
    ]);
    const found = violations(await analyzeResource(only(cdn("staging"), name), config), name);
    expect(found[0]!.message).toContain('sets SSL to "flexible"');
    expect(found[0]!.enforcementLevel).toBe("mandatory");
    const page = inZone(T.pageRule, "raw-page-rule", {
      target: "app.dirtfree.com/*",
      actions: { ssl: "off" },
    });
    expect(violations(await analyzeResource(only(cdn("prod"), name), page), name)[0]!.message).toContain(
      'page rule "raw-page-rule" sets SSL to "off"',
    );
    const strict = ruleset("http_config_settings", [
      { action: "set_config", expression: "true", actionParameters: { ssl: "strict", polish: "lossless" } },
    ]);
    expect(violations(await analyzeResource(only(cdn("prod"), name), strict), name)).toEqual([]);
  });

  it("fails a zone missing a setting", async () => {
    const found = violations(
      await analyzeStack(only(cdn("prod"), name), zoneStack({ https: null, tls13: null })),
      name,
    );
    expect(found[0]!.message).toContain("does not declare the zone setting(s) always_use_https, tls_1_3");
  });

  it("fails closed on an unknown value", async () => {
    const found = violations(
      await analyzeResource(only(cdn("prod"), name), setting("always_use_https", UNKNOWN)),
      name,
    );
    expect(found[0]!.message).toContain("must be known at preview");
  });

  it("leaves presence to the stack that owns the zone policy", async () => {
    const shared = pack("staging", { config: { cdn: { zone: { managePolicy: false } } } });
    const only_app = [zone, record("staging.dirtfree.com", "CNAME", "cname.vercel-dns.com", true)];
    expect(violations(await analyzeStack(only(shared, name), only_app, { stack: "staging" }), name)).toEqual(
      [],
    );
  });
});

describe("edge-02-hsts", () => {
  const name = "edge-02-hsts";

  it("parses header values", () => {
    expect(hstsHeaderProblems("max-age=31536000; includeSubDomains; preload")).toEqual([]);
    expect(hstsHeaderProblems("max-age=300")).toHaveLength(2);
  });

  it("passes with a header rule instead of the zone setting", async () => {
    const header = ruleset("http_response_headers_transform", [
      {
        action: "rewrite",
        expression: "true",
        actionParameters: {
          headers: {
            "Strict-Transport-Security": { operation: "set", value: "max-age=15552000; includeSubDomains" },
          },
        },
      },
    ]);
    expect(
      violations(
        await analyzeStack(only(cdn("prod"), name), zoneStack({ hsts: null, headers: header })),
        name,
      ),
    ).toEqual([]);
  });

  it("fails a header rule that removes HSTS or computes it", async () => {
    const remove = ruleset("http_response_headers_transform", [
      {
        action: "rewrite",
        expression: "true",
        actionParameters: { headers: { "Strict-Transport-Security": { operation: "remove" } } },
      },
    ]);
    expect(violations(await analyzeResource(only(cdn("prod"), name), remove), name)[0]!.message).toContain(
      "removes Strict-Transport-Security",
    );
    const computed = ruleset("http_response_headers_transform", [
      {
        action: "rewrite",
        expression: "true",
        actionParameters: {
          headers: { "Strict-Transport-Security": { operation: "set", expression: "http.request.uri.path" } },
        },
      },
    ]);
    expect(violations(await analyzeResource(only(cdn("prod"), name), computed), name)[0]!.message).toContain(
      "computes Strict-Transport-Security",
    );
  });

  it("fails a short max-age: mandatory in prod, advisory in staging", async () => {
    const weak = setting("security_header", {
      strict_transport_security: { enabled: true, max_age: 86400, include_subdomains: false },
    });
    const prod = violations(await analyzeResource(only(cdn("prod"), name), weak), name);
    expect(prod.map((d) => d.message).join("\n")).toContain("max_age must be at least 15552000");
    expect(prod.map((d) => d.message).join("\n")).toContain("include_subdomains is not true");
    const staging = violations(
      await analyzeStack(only(cdn("staging"), name), zoneStack({ hsts: weak }), { stack: "staging" }),
      name,
    );
    expect(staging[0]!.enforcementLevel).toBe("advisory");
  });

  it("reports an unknown setting value as undeterminable", async () => {
    const result = await analyzeResource(only(cdn("prod"), name), setting("security_header", UNKNOWN));
    expect(undeterminable(result, name)).toHaveLength(1);
  });
});

describe("edge-03-security-headers", () => {
  const name = "edge-03-security-headers";

  it("fails a zone without the header rule, and a weak header", async () => {
    const missing = violations(
      await analyzeStack(only(cdn("prod"), name), zoneStack({ headers: null })),
      name,
    );
    expect(missing[0]!.message).toContain("does not set x-frame-options DENY");
    const weak = ruleset("http_response_headers_transform", [
      {
        action: "rewrite",
        expression: "true",
        actionParameters: { headers: { "X-Frame-Options": { operation: "set", value: "SAMEORIGIN" } } },
      },
    ]);
    const found = violations(await analyzeResource(only(cdn("staging"), name), weak), name);
    expect(found[0]!.message).toContain('sets x-frame-options to "SAMEORIGIN"');
    expect(found[0]!.enforcementLevel).toBe("advisory");
  });
});

describe("edge-03-security-headers: computed and later weakened headers", () => {
  const name = "edge-03-security-headers";

  it("fails a header set from an expression, and a later rule that computes it over the literal", async () => {
    const weak = ruleset("http_response_headers_transform", [
      ...(zoneStack().find((r) => r.name === "ruleset-http_response_headers_transform")!.props!
        .rules as Record<string, unknown>[]),
      {
        action: "rewrite",
        expression: 'starts_with(http.request.uri.path, "/embed")',
        actionParameters: { headers: { "X-Frame-Options": { operation: "set", expression: "http.host" } } },
      },
    ]);
    expect(violations(await analyzeResource(only(cdn("prod"), name), weak), name)[0]!.message).toContain(
      "computes x-frame-options from an expression",
    );
    expect(
      violations(await analyzeStack(only(cdn("prod"), name), zoneStack({ headers: weak })), name)[0]!.message,
    ).toContain("does not set x-frame-options DENY");
    const literal = ruleset("http_response_headers_transform", [
      {
        action: "rewrite",
        expression: "true",
        actionParameters: { headers: { "X-Frame-Options": { operation: "set", expression: '"DENY"' } } },
      },
    ]);
    expect(violations(await analyzeResource(only(cdn("prod"), name), literal), name)).toEqual([]);
  });
});

describe("edge-04-rate-limiting", () => {
  const name = "edge-04-rate-limiting";

  it("fails a log-only rule without a threshold, and a zone with no API rule", async () => {
    const weak = ruleset("http_ratelimit", [
      { action: "log", expression: "true", ratelimit: { characteristics: ["ip.src"], period: 60 } },
    ]);
    const text = violations(await analyzeResource(only(cdn("prod"), name), weak), name)
      .map((d) => d.message)
      .join("\n");
    expect(text).toContain('only "log"s');
    expect(text).toContain("has no threshold");
    expect(text).toContain("is not per path");
    const none = violations(
      await analyzeStack(only(cdn("prod"), name), zoneStack({ rateLimit: null })),
      name,
    );
    expect(none[0]!.message).toContain("has no rate-limit rule on the API paths");
    expect(none[0]!.enforcementLevel).toBe("mandatory");
  });
});

describe("edge-04-rate-limiting: the declared limits", () => {
  const name = "edge-04-rate-limiting";
  const declared = cdn("prod", { rateLimits: [{ path: "/api/*", requests: 100, periodSeconds: 60 }] });
  const limitOf = (requestsPerPeriod: number, period = 60) =>
    ruleset("http_ratelimit", [
      {
        action: "block",
        expression: 'starts_with(http.request.uri.path, "/api/")',
        ratelimit: {
          characteristics: ["ip.src", "cf.colo.id"],
          period,
          requestsPerPeriod,
          mitigationTimeout: 60,
        },
      },
    ]);

  it("passes a rule on the declared path at the declared rate or stricter", async () => {
    for (const rule of [limitOf(100), limitOf(50), limitOf(10, 10)]) {
      expect(
        violations(await analyzeStack(only(declared, name), zoneStack({ rateLimit: rule })), name),
      ).toEqual([]);
    }
  });

  it("finds a path in the rule's own part, not in the paths it leaves out", async () => {
    const rule = ruleset("http_ratelimit", [
      {
        action: "block",
        expression:
          '(starts_with(http.request.uri.path, "/api/")) and not (starts_with(http.request.uri.path, "/api/auth/"))',
        ratelimit: { characteristics: ["ip.src"], period: 60, requestsPerPeriod: 100, mitigationTimeout: 60 },
      },
    ]);
    expect(
      violations(await analyzeStack(only(declared, name), zoneStack({ rateLimit: rule })), name),
    ).toEqual([]);
    const both = cdn("prod", {
      rateLimits: [
        { path: "/api/*", requests: 100, periodSeconds: 60 },
        { path: "/api/auth/*", requests: 10, periodSeconds: 60 },
      ],
    });
    const found = violations(await analyzeStack(only(both, name), zoneStack({ rateLimit: rule })), name);
    expect(found.map((d) => d.message)).toEqual([expect.stringContaining("on /api/auth/* at 10 requests")]);
  });

  it("fails a rule far more generous than golive:cdn.rateLimits declares", async () => {
    const found = violations(
      await analyzeStack(only(declared, name), zoneStack({ rateLimit: limitOf(1_000_000) })),
      name,
    );
    expect(found.map((d) => d.message)).toEqual([
      expect.stringContaining(
        "has no enforcing rate-limit rule on /api/* at 100 requests per 60 s or less (golive:cdn.rateLimits)",
      ),
    ]);
  });
});

describe("edge-04-rate-limiting: skip rules", () => {
  const name = "edge-04-rate-limiting";

  it("fails a custom rule that skips rate limiting for everyone, passes one for listed addresses", async () => {
    const skip = (expression: string) =>
      ruleset("http_request_firewall_custom", [
        { action: "skip", expression, actionParameters: { phases: ["http_ratelimit"] } },
      ]);
    expect(
      violations(await analyzeResource(only(cdn("prod"), name), skip("true")), name)[0]!.message,
    ).toContain("skips rate limiting for every address");
    expect(
      violations(await analyzeResource(only(cdn("prod"), name), skip("not ip.src in {203.0.113.7}")), name),
    ).toHaveLength(1);
    expect(
      violations(await analyzeResource(only(cdn("prod"), name), skip("ip.src in {203.0.113.7}")), name),
    ).toEqual([]);
  });
});

describe("edge-05-admin-allow-list", () => {
  const name = "edge-05-admin-allow-list";

  it("fails when admin paths are open", async () => {
    const open = ruleset("http_request_firewall_custom", [
      { action: "block", expression: '(http.request.uri.path eq "/admin")' },
    ]);
    const found = violations(
      await analyzeStack(only(cdn("prod"), name), zoneStack({ firewall: open })),
      name,
    );
    expect(found[0]!.message).toContain("lets every address reach /admin*");
  });

  it("fails an allow-list that admits every address, and a skip of the rest of the custom rules", async () => {
    for (const list of ["0.0.0.0/0", "203.0.113.0/24 1.0.0.0/1 128.0.0.0/1", "::/0"]) {
      const wide = ruleset("http_request_firewall_custom", [
        {
          action: "block",
          expression: `(starts_with(lower(http.request.uri.path), "/admin")) and not ip.src in {${list}}`,
        },
      ]);
      expect(violations(await analyzeResource(only(cdn("prod"), name), wide), name)[0]!.message).toContain(
        "allow-lists too much",
      );
      expect(
        violations(await analyzeStack(only(cdn("prod"), name), zoneStack({ firewall: wide })), name)[0]!
          .message,
      ).toContain("lets every address reach /admin*");
    }
    const skipFirst = ruleset("http_request_firewall_custom", [
      { action: "skip", expression: "true", actionParameters: { ruleset: "current" } },
      ...(zoneStack().find((r) => r.name === "ruleset-http_request_firewall_custom")!.props!.rules as Record<
        string,
        unknown
      >[]),
    ]);
    expect(violations(await analyzeResource(only(cdn("prod"), name), skipFirst), name)[0]!.message).toContain(
      "skips the rest of the custom rules",
    );
  });

  it("does not apply without admin paths", async () => {
    const policies = pack("prod", { config: { cdn: { zone: { plan: "pro" } } } });
    const result = await analyzeStack(only(policies, name), zoneStack({ firewall: null }));
    expect(result.diagnostics).toEqual([]);
    expect(isNotApplicable(result, name)).toBe(true);
  });
});

describe("edge-06-cache-rules", () => {
  const name = "edge-06-cache-rules";

  it("fails caching without an explicit TTL, and an API that is not bypassed", async () => {
    const implicit = ruleset("http_request_cache_settings", [
      {
        action: "set_cache_settings",
        expression: '(starts_with(http.request.uri.path, "/static/"))',
        actionParameters: { cache: true },
      },
    ]);
    expect(violations(await analyzeResource(only(cdn("prod"), name), implicit), name)[0]!.message).toContain(
      "without an explicit edge TTL",
    );
    const found = violations(
      await analyzeStack(only(cdn("staging"), name), zoneStack({ cache: implicit }), { stack: "staging" }),
      name,
    );
    expect(found.map((d) => d.message).join("\n")).toContain("does not bypass the cache for /api");
    expect(found[0]!.enforcementLevel).toBe("advisory");
  });
});

describe("edge-06-cache-rules: caching the API", () => {
  const name = "edge-06-cache-rules";
  const cacheAll = (expression: string) => ({
    action: "set_cache_settings",
    expression,
    actionParameters: { cache: true, edgeTtl: { mode: "override_origin", default: 86400 } },
  });
  const bypass = {
    action: "set_cache_settings",
    expression: '(starts_with(http.request.uri.path, "/api/"))',
    actionParameters: { cache: false },
  };

  it("fails a caching rule that can match the API after its bypass, and a page rule caching everything", async () => {
    for (const expression of [
      "true",
      'starts_with(http.request.uri.path, "/")',
      'http.request.uri.path contains "/api/v1"',
    ]) {
      const late = ruleset("http_request_cache_settings", [bypass, cacheAll(expression)]);
      expect(violations(await analyzeResource(only(cdn("prod"), name), late), name)[0]!.message).toContain(
        "caches /api (no bypass rule comes after it)",
      );
    }
    const page = inZone(T.pageRule, "raw-page-rule", {
      target: "app.dirtfree.com/*",
      actions: { cacheLevel: "cache_everything" },
    });
    expect(violations(await analyzeResource(only(cdn("prod"), name), page), name)[0]!.message).toContain(
      "caches everything",
    );
  });

  it("passes a broad caching rule before the bypass, and one that excludes the API", async () => {
    const early = ruleset("http_request_cache_settings", [cacheAll("true"), bypass]);
    expect(violations(await analyzeResource(only(cdn("prod"), name), early), name)).toEqual([]);
    const excluding = ruleset("http_request_cache_settings", [
      bypass,
      cacheAll('not starts_with(http.request.uri.path, "/api/")'),
    ]);
    expect(violations(await analyzeResource(only(cdn("prod"), name), excluding), name)).toEqual([]);
  });
});

describe("edge-07-brotli", () => {
  const name = "edge-07-brotli";

  it("fails brotli off and a zone without it", async () => {
    expect(
      violations(await analyzeResource(only(cdn("prod"), name), setting("brotli", "off")), name),
    ).toHaveLength(1);
    expect(
      violations(await analyzeStack(only(cdn("prod"), name), zoneStack({ brotli: null })), name),
    ).toHaveLength(1);
  });

  it("accepts a compression rule", async () => {
    const rule = ruleset("http_response_compression", [
      {
        action: "compress_response",
        expression: "true",
        actionParameters: { algorithms: [{ name: "brotli" }, { name: "gzip" }] },
      },
    ]);
    expect(
      violations(await analyzeStack(only(cdn("prod"), name), zoneStack({ brotli: rule })), name),
    ).toEqual([]);
  });
});

describe("edge-07-brotli: compression rules", () => {
  const name = "edge-07-brotli";

  it("fails a compression rule that leaves Brotli out", async () => {
    const gzip = ruleset("http_response_compression", [
      {
        action: "compress_response",
        expression: "true",
        actionParameters: { algorithms: [{ name: "gzip" }] },
      },
    ]);
    expect(violations(await analyzeResource(only(cdn("prod"), name), gzip), name)[0]!.message).toContain(
      "not Brotli",
    );
  });
});

describe("edge-08-app-hostnames-proxied", () => {
  const name = "edge-08-app-hostnames-proxied";

  it("fails an unproxied app hostname and skips mail records", async () => {
    const found = violations(
      await analyzeResource(only(cdn("prod"), name), record("app.dirtfree.com", "CNAME", "x.vercel.app")),
      name,
    );
    expect(found[0]!.message).toContain("CNAME record app.dirtfree.com is not proxied");
    const dkim = record("resend._domainkey.dirtfree.com", "CNAME", "resend.example.net");
    expect(violations(await analyzeResource(only(cdn("prod"), name), dkim), name)).toEqual([]);
  });

  it("leaves DNS-only what the record itself says must stay so: mail providers' targets, validation, private addresses", async () => {
    const policies = only(cdn("prod"), name);
    for (const [host, type, content] of [
      ["em123.dirtfree.com", "CNAME", "u123.wl.sendgrid.net"],
      ["k7x2m4p9.dirtfree.com", "CNAME", "k7x2m4p9.dkim.amazonses.com"],
      ["pm-bounces.dirtfree.com", "CNAME", "pm.mtasv.net"],
      ["db.dirtfree.com", "A", "10.0.3.17"],
    ] as const) {
      expect(violations(await analyzeResource(policies, record(host, type, content)), name), host).toEqual(
        [],
      );
    }
    const status = record("status.dirtfree.com", "CNAME", "stats.uptime.example.net");
    const config = { [name]: { dnsOnlyTargets: ["uptime.example.net"] } };
    expect(violations(await analyzeResource(policies, status, { config }), name)).toEqual([]);
    expect(violations(await analyzeResource(policies, status), name)).toHaveLength(1);
  });

  it("fails an unproxied record of the deprecated Record type", async () => {
    const legacy = inZone(T.record, "raw-record", {
      name: "api.dirtfree.com",
      type: "A",
      content: "203.0.113.9",
      proxied: false,
    });
    expect(violations(await analyzeResource(only(cdn("prod"), name), legacy), name)[0]!.message).toContain(
      "A record api.dirtfree.com is not proxied",
    );
  });

  it("honours dnsOnlyNames and is advisory in staging", async () => {
    const mail = record("links.dirtfree.com", "CNAME", "tracking.example.net");
    const config = { [name]: { dnsOnlyNames: ["links.dirtfree.com"] } };
    expect(violations(await analyzeResource(only(cdn("prod"), name), mail, { config }), name)).toEqual([]);
    expect(
      violations(await analyzeResource(only(cdn("staging"), name), mail), name)[0]!.enforcementLevel,
    ).toBe("advisory");
  });

  it("fails closed when proxied is unknown", async () => {
    const unknown = inZone(T.dnsRecord, "app", {
      name: "app.dirtfree.com",
      type: "CNAME",
      content: "x",
      proxied: UNKNOWN,
    });
    expect(violations(await analyzeResource(only(cdn("prod"), name), unknown), name)[0]!.message).toContain(
      "must be known",
    );
  });
});

describe("edge-08-email-authentication", () => {
  const name = "edge-08-email-authentication";

  it("reads TXT and DMARC values", () => {
    expect(txtText('"v=spf1 include:a.com" " ~all"')).toBe("v=spf1 include:a.com ~all");
    expect(dmarcPolicy("v=DMARC1; p=reject")).toBe("reject");
  });

  it("fails p=none in prod only", async () => {
    const none = record("_dmarc.dirtfree.com", "TXT", '"v=DMARC1; p=none"');
    expect(violations(await analyzeResource(only(cdn("prod"), name), none), name)[0]!.message).toContain(
      "p=none in prod",
    );
    expect(violations(await analyzeResource(only(cdn("staging"), name), none), name)).toEqual([]);
  });

  it("fails pct=0 in prod, which applies the policy to no mail", async () => {
    const zero = record("_dmarc.dirtfree.com", "TXT", '"v=DMARC1; p=reject; pct=0"');
    expect(violations(await analyzeResource(only(cdn("prod"), name), zero), name)[0]!.message).toContain(
      "pct=0",
    );
    const full = record("_dmarc.dirtfree.com", "TXT", '"v=DMARC1; p=reject; pct=100"');
    expect(violations(await analyzeResource(only(cdn("prod"), name), full), name)).toEqual([]);
  });

  it("fails a sending domain without DKIM or DMARC", async () => {
    const found = violations(
      await analyzeStack(only(cdn("prod"), name), zoneStack({ dkim: null, dmarc: null })),
      name,
    );
    expect(found[0]!.message).toContain("sending domain dirtfree.com has no DKIM, DMARC record");
  });
});

describe("edge-09-managed-waf", () => {
  const name = "edge-09-managed-waf";

  it("fails a Pro zone without the managed ruleset", async () => {
    const found = violations(await analyzeStack(only(cdn("prod"), name), zoneStack({ waf: null })), name);
    expect(found[0]!.message).toContain("runs no managed WAF ruleset");
  });

  it("fails a managed ruleset switched off or to log by its overrides, and a skip of the WAF", async () => {
    for (const overrides of [{ enabled: false }, { action: "log" }]) {
      const off = ruleset("http_request_firewall_managed", [
        {
          action: "execute",
          expression: "true",
          actionParameters: { id: "efb7b8c949ac4650a09736fc376e9aee", overrides },
        },
      ]);
      expect(violations(await analyzeResource(only(cdn("prod"), name), off), name)[0]!.message).toContain(
        "managed WAF rule 0",
      );
      expect(
        violations(await analyzeStack(only(cdn("prod"), name), zoneStack({ waf: off })), name)[0]!.message,
      ).toContain("runs no managed WAF ruleset");
    }
    const skip = ruleset("http_request_firewall_custom", [
      { action: "skip", expression: "true", actionParameters: { phases: ["http_request_firewall_managed"] } },
    ]);
    expect(violations(await analyzeResource(only(cdn("prod"), name), skip), name)[0]!.message).toContain(
      "skips the managed WAF for every address",
    );
  });

  it("does not apply on the Free plan", async () => {
    const free = pack("prod", { config: { cdn: { zone: { plan: "free" } } } });
    const result = await analyzeStack(only(free, name), zoneStack({ waf: null }));
    expect(result.diagnostics).toEqual([]);
    expect(result.notApplicable).toEqual([
      { policyName: name, reason: "the zone's free plan has no managed WAF" },
    ]);
  });
});
