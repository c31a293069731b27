import { describe, expect, it } from "vitest";
import { parseStackConfig } from "../config/load";
import { checkCdnRules, cdnSchema } from "../config/schema/cdn";
import { problemAt, problemsOf } from "./support/config-problems";
import { editKey, stackConfig } from "./support/stacks";

type Json = Record<string, unknown>;
const obj = (value: unknown) => value as Json;
const list = (value: unknown) => value as Json[];

describe("the committed stacks' cdn sections", () => {
  it("prod: owns the zone policy, WAF on, HSTS a year, three per-path rate limits, DMARC quarantine", () => {
    const config = parseStackConfig(stackConfig("prod"));
    expect(config.cdn.zone.managePolicy).toBe(true);
    expect(config.cdn.waf.managedRules).toBe(true);
    expect(config.cdn.hsts.maxAgeSeconds).toBeGreaterThanOrEqual(15_552_000);
    expect(config.cdn.rateLimits.map((limit) => limit.path)).toEqual([
      "/api/*",
      "/api/auth/*",
      "/api/webhooks/*",
    ]);
    expect(config.cdn.admin?.paths).toEqual(["/admin*"]);
    expect(config.cdn.mail?.dmarc.policy).toBe("quarantine");
  });

  it("staging shares the zone without owning it", () => {
    expect(parseStackConfig(stackConfig("staging")).cdn.zone.managePolicy).toBe(false);
  });

  it("defaults follow the seeds: seed 004's Permissions-Policy, TLS 1.2 minimum", () => {
    const cdn = cdnSchema.parse({ zone: { plan: "pro" }, origin: "cname.vercel-dns.com" });
    expect(cdn.headers.permissionsPolicy).toBe("geolocation=(), microphone=(), camera=()");
    expect(cdn.tls).toEqual({ minVersion: "1.2", tls13: "on" });
  });
});

describe("bad edge config gives a clear error naming the key and the fix", () => {
  it("an invalid CIDR in the admin allow-list", () => {
    const raw = editKey(stackConfig("prod"), "golive:cdn", (cdn) => {
      obj(cdn.admin).allowedCidrs = ["44.210.10.0/24", "office-network"];
    });
    const problem = problemAt(problemsOf(raw), "golive:cdn.admin.allowedCidrs[1]");
    expect(problem.message).toContain('"office-network" is not a CIDR block');
    expect(problem.fix).toBe(
      "pulumi config set --stack prod --path 'golive:cdn.admin.allowedCidrs[1]' 76.76.21.0/24",
    );
  });

  it("a private range in the admin allow-list", () => {
    const raw = editKey(stackConfig("prod"), "golive:cdn", (cdn) => {
      obj(cdn.admin).allowedCidrs = ["10.0.0.0/8"];
    });
    expect(problemAt(problemsOf(raw), "golive:cdn.admin.allowedCidrs[0]").message).toContain("private");
  });

  it("0.0.0.0/0 as the prod admin allow-list", () => {
    const raw = editKey(stackConfig("prod"), "golive:cdn", (cdn) => {
      obj(cdn.admin).allowedCidrs = ["0.0.0.0/0"];
    });
    const problems = problemsOf(raw);
    expect(problems.map((p) => p.message).join("\n")).toMatch(/admits every address|range/);
  });

  it("a prod admin allow-list range wider than /16, as the pack's EDGE-05 would block it", () => {
    const raw = editKey(stackConfig("prod"), "golive:cdn", (cdn) => {
      obj(cdn.admin).allowedCidrs = ["76.0.0.0/8", "2600::/16"];
    });
    const problems = problemsOf(raw);
    expect(problemAt(problems, "golive:cdn.admin.allowedCidrs[0]").message).toBe(
      "76.0.0.0/8 is wider than /16; prod lists the ranges allowed to reach admin paths (EDGE-05)",
    );
    expect(problemAt(problems, "golive:cdn.admin.allowedCidrs[1]").message).toContain(
      "2600::/16 is wider than /32",
    );
  });

  it("a prod database network range wider than /16 (DB-05)", () => {
    const raw = editKey(stackConfig("prod"), "golive:database", (database) => {
      obj(database.network).allowedCidrs = ["128.0.0.0/1"];
    });
    expect(problemAt(problemsOf(raw), "golive:database.network.allowedCidrs[0]").message).toBe(
      "128.0.0.0/1 is wider than /16; prod must list the ranges that need access (DB-05)",
    );
  });

  it("DMARC p=none in prod", () => {
    const raw = editKey(stackConfig("prod"), "golive:cdn", (cdn) => {
      obj(obj(cdn.mail).dmarc).policy = "none";
    });
    const problem = problemAt(problemsOf(raw), "golive:cdn.mail.dmarc.policy");
    expect(problem.message).toContain("EDGE-08");
    expect(problem.fix).toBe("pulumi config set --path 'golive:cdn.mail.dmarc.policy' quarantine");
  });

  it("DMARC p=none is allowed outside prod", () => {
    const cdn = cdnSchema.parse({
      zone: { plan: "pro" },
      origin: "cname.vercel-dns.com",
      mail: {
        domain: "example.com",
        spf: { name: "send.example.com", includes: ["amazonses.com"] },
        dkim: [{ name: "resend._domainkey.example.com", type: "TXT", content: "p=QUJD" }],
        dmarc: { policy: "none" },
      },
    });
    const app = { domain: "example.com", hostname: "staging.example.com" };
    expect(checkCdnRules(cdn, app, "staging")).toEqual([]);
    expect(checkCdnRules(cdn, app, "prod").map((issue) => issue.key)).toContain(
      "golive:cdn.mail.dmarc.policy",
    );
  });

  it("a zero rate limit", () => {
    const raw = editKey(stackConfig("prod"), "golive:cdn", (cdn) => {
      list(cdn.rateLimits)[1]!.requests = 0;
    });
    const problem = problemAt(problemsOf(raw), "golive:cdn.rateLimits[1].requests");
    expect(problem.message).toContain("a limit of 0 requests would block every request");
    expect(problem.fix).toBe("pulumi config set --stack prod --path 'golive:cdn.rateLimits[1].requests' 100");
  });

  it("a rate-limit period Cloudflare does not accept", () => {
    const raw = editKey(stackConfig("prod"), "golive:cdn", (cdn) => {
      list(cdn.rateLimits)[0]!.periodSeconds = 45;
    });
    const problems = problemsOf(raw);
    expect(problemAt(problems, "golive:cdn.rateLimits[0].periodSeconds").message).toContain(
      "10, 60, 120, 300, 600, 3600",
    );
  });

  it("more rate-limit rules than the plan allows", () => {
    const raw = editKey(stackConfig("prod"), "golive:cdn", (cdn) => {
      obj(cdn.zone).plan = "pro";
    });
    expect(problemAt(problemsOf(raw), "golive:cdn.rateLimits").message).toBe(
      "has 3 rules; the pro plan allows 2 (raise golive:cdn.zone.plan or merge paths)",
    );
  });

  it("a path pattern with a '*' in the middle or a quote", () => {
    const raw = editKey(stackConfig("prod"), "golive:cdn", (cdn) => {
      obj(cdn.admin).paths = ["/admin/*/users", '/a"b'];
    });
    const problems = problemsOf(raw);
    // The same problem in two places is one problem naming both.
    const merged = problemAt(problems, "golive:cdn.admin.paths[*]").message;
    expect(merged).toContain("optionally ending in '*'");
    expect(merged).toContain("in 2 places: golive:cdn.admin.paths[0], golive:cdn.admin.paths[1]");
  });

  it("HSTS under six months and the managed WAF off in prod", () => {
    const raw = editKey(stackConfig("prod"), "golive:cdn", (cdn) => {
      obj(cdn.hsts).maxAgeSeconds = 86_400;
      obj(cdn.waf).managedRules = false;
    });
    const problems = problemsOf(raw);
    expect(problemAt(problems, "golive:cdn.hsts.maxAgeSeconds").message).toContain("at least 6 months");
    expect(problemAt(problems, "golive:cdn.waf.managedRules").message).toContain("EDGE-09");
  });

  it("the managed WAF on a free plan", () => {
    const raw = editKey(stackConfig("prod"), "golive:cdn", (cdn) => {
      obj(cdn.zone).plan = "free";
      cdn.rateLimits = [list(cdn.rateLimits)[0]];
      list(obj(cdn.cache).static).forEach((entry) => (entry.edgeTtlSeconds = 86_400));
    });
    expect(problemAt(problemsOf(raw), "golive:cdn.waf.managedRules").message).toContain("Pro plan or above");
  });

  it("prod without mail records, or a prod stack that does not own its zone's policy", () => {
    const noMail = editKey(stackConfig("prod"), "golive:cdn", (cdn) => {
      delete cdn.mail;
    });
    expect(problemAt(problemsOf(noMail), "golive:cdn.mail").message).toContain("SPF, DKIM and DMARC");
    const shared = editKey(stackConfig("prod"), "golive:cdn", (cdn) => {
      obj(cdn.zone).managePolicy = false;
    });
    expect(problemAt(problemsOf(shared), "golive:cdn.zone.managePolicy").message).toContain("prod must own");
  });

  it("policy settings in a stack that does not own the zone have no effect and are refused", () => {
    const raw = editKey(stackConfig("staging"), "golive:cdn", (cdn) => {
      cdn.rateLimits = [{ path: "/api/*", requests: 100, periodSeconds: 60 }];
    });
    const problem = problemAt(problemsOf(raw), "golive:cdn.rateLimits");
    expect(problem.message).toContain("has no effect");
  });

  it("a DKIM TXT record without a key", () => {
    const raw = editKey(stackConfig("prod"), "golive:cdn", (cdn) => {
      list(obj(cdn.mail).dkim)[0]!.content = "v=DKIM1; k=rsa";
    });
    const problems = problemsOf(raw);
    expect(problemAt(problems, "golive:cdn.mail.dkim[0].content").message).toContain("p=<base64>");
  });

  it("a mail record outside the zone", () => {
    const raw = editKey(stackConfig("prod"), "golive:cdn", (cdn) => {
      obj(obj(cdn.mail).spf).name = "send.example.org";
    });
    expect(problemAt(problemsOf(raw), "golive:cdn.mail.spf.name").message).toBe(
      "send.example.org is not in the zone dirtfree.com, so golive cannot publish it",
    );
  });

  it("creating a zone without the account id", () => {
    const raw = editKey(stackConfig("prod"), "golive:cdn", (cdn) => {
      obj(cdn.zone).create = true;
    });
    expect(problemAt(problemsOf(raw), "golive:cdn.zone.accountId").message).toContain(
      "is required to create a zone",
    );
  });

  it("a typo in a key is named with a suggestion", () => {
    const raw = editKey(stackConfig("prod"), "golive:cdn", (cdn) => {
      cdn.rateLimit = cdn.rateLimits;
      delete cdn.rateLimits;
    });
    const problems = problemsOf(raw);
    expect(problemAt(problems, "golive:cdn.rateLimit").message).toContain('did you mean "rateLimits"');
  });
});
