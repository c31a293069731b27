import { describe, expect, it } from "vitest";
import { fixedClock } from "../../policies/lib/clock";
import { urnGlobRegExp } from "../../policies/lib/exemptions";
import { T } from "../../policies/lib/types";
import {
  analyzeResource,
  analyzeStack,
  exempted,
  isNotApplicable,
  notices,
  UNKNOWN,
  urnOf,
  violations,
} from "./harness";
import { INSIDE_WINDOW, only, pack, res, type Env } from "./fixtures";

const exemptionsFile = (entries: Record<string, unknown>[]) => JSON.stringify({ exemptions: entries });
const entry = (overrides: Record<string, unknown> = {}) => ({
  id: "free-plan-rate-limit",
  policy: "EDGE-04",
  urn: "urn:pulumi:prod::golive::*",
  reason: "The Free plan allows one rule; the upgrade is budgeted for April",
  owner: "platform@dirtfree.com",
  expires: "2026-04-30",
  ...overrides,
});
const withExemptions = (env: Env, entries: Record<string, unknown>[] | string) =>
  pack(env, {
    exemptions: typeof entries === "string" ? entries : exemptionsFile(entries),
    clock: fixedClock(INSIDE_WINDOW),
  });

describe("ops-01-stateful-resources-protected", () => {
  const name = "ops-01-stateful-resources-protected";

  it("passes protected stateful resources with their recovery windows", async () => {
    const policies = only(pack("prod"), name);
    const cases = [
      res(
        T.kmsKey,
        "key",
        { enableKeyRotation: true, deletionWindowInDays: 30 },
        { opts: { protect: true } },
      ),
      res(T.secret, "app", { kmsKeyId: UNKNOWN, recoveryWindowInDays: 30 }, { opts: { protect: true } }),
      res(T.bucket, "backups", { forceDestroy: false }, { opts: { protect: true } }),
      res(T.supabaseProject, "db", {}, { opts: { protect: true } }),
      res(
        T.logGroup,
        "logs-audit",
        {
          name: "/x/audit",
          retentionInDays: 365,
          deletionProtectionEnabled: true,
          tags: { "log-class": "audit" },
        },
        { opts: { protect: true } },
      ),
    ];
    for (const resource of cases)
      expect(violations(await analyzeResource(policies, resource), name)).toEqual([]);
  });

  it("fails unprotected or deletable resources in prod", async () => {
    const policies = only(pack("prod"), name);
    const key = res(
      T.kmsKey,
      "key",
      { deletionWindowInDays: 7 },
      { opts: { protect: false, deleteBeforeReplace: true } },
    );
    const text = violations(await analyzeResource(policies, key), name)
      .map((d) => d.message)
      .join("\n");
    expect(text).toContain("is not protected");
    expect(text).toContain("deleteBeforeReplace");
    expect(text).toContain("7-day deletion window");
    const secret = res(T.secret, "app", { recoveryWindowInDays: 0 }, { opts: { protect: true } });
    expect(violations(await analyzeResource(policies, secret), name)[0]!.message).toContain(
      "recoveryWindowInDays 0",
    );
    const audit = res(
      T.logGroup,
      "logs-audit",
      { name: "/x/audit", tags: { "log-class": "audit" } },
      { opts: { protect: true } },
    );
    expect(violations(await analyzeResource(policies, audit), name)[0]!.message).toContain(
      "deletionProtectionEnabled",
    );
  });

  it("fails an unprotected replica or imported KMS key and SecureString parameter, skips plain parameters", async () => {
    const policies = only(pack("prod"), name);
    for (const type of [T.kmsReplicaKey, T.kmsExternalKey]) {
      const key = res(type, "raw-key", { deletionWindowInDays: 7 });
      const text = violations(await analyzeResource(policies, key), name)
        .map((d) => d.message)
        .join("\n");
      expect(text).toContain("is not protected");
      expect(text).toContain("7-day deletion window");
    }
    const secure = res(T.ssmParameter, "raw-param", { type: "SecureString", keyId: UNKNOWN });
    expect(violations(await analyzeResource(policies, secure), name)[0]!.message).toContain(
      "is not protected",
    );
    const plain = res(T.ssmParameter, "raw-param", { type: "String", value: "info" });
    expect(violations(await analyzeResource(policies, plain), name)).toEqual([]);
  });

  it("reads every stateful type of the catalogue: tables, queues, R2 buckets, file systems, user pools", async () => {
    const policies = only(pack("prod"), name);
    for (const type of [
      "aws:dynamodb/table:Table",
      "aws:sqs/queue:Queue",
      "aws:efs/fileSystem:FileSystem",
      "aws:cognito/userPool:UserPool",
      "aws:rds/cluster:Cluster",
      "cloudflare:index/r2Bucket:R2Bucket",
      "cloudflare:index/d1Database:D1Database",
    ]) {
      const unprotected = res(type, "data", {});
      expect(violations(await analyzeResource(policies, unprotected), name)[0]?.message).toContain(
        "is not protected",
      );
      const protectedOne = res(type, "data", {}, { opts: { protect: true } });
      expect(violations(await analyzeResource(policies, protectedOne), name)).toEqual([]);
    }
    const directory = res(
      "aws:s3/directoryBucket:DirectoryBucket",
      "express",
      { forceDestroy: true },
      {
        opts: { protect: true },
      },
    );
    expect(violations(await analyzeResource(policies, directory), name)[0]?.message).toContain(
      "forceDestroy",
    );
    const compute = res("aws:ec2/instance:Instance", "web", {});
    expect(violations(await analyzeResource(policies, compute), name)).toEqual([]);
  });

  it("skips debug log groups and does not apply to staging", async () => {
    const debug = res(T.logGroup, "logs", { name: "/x/app", tags: { "log-class": "debug" } });
    expect(violations(await analyzeResource(only(pack("prod"), name), debug), name)).toEqual([]);
    const result = await analyzeResource(only(pack("staging"), name), res(T.secret, "app", {}));
    expect(isNotApplicable(result, name)).toBe(true);
  });

  it("fails closed when a recovery window is unknown", async () => {
    const secret = res(T.secret, "app", { recoveryWindowInDays: UNKNOWN }, { opts: { protect: true } });
    expect(violations(await analyzeResource(only(pack("prod"), name), secret), name)[0]!.message).toContain(
      "must be known",
    );
  });
});

describe("exemptions (OPS-02)", () => {
  const rateLimit = "edge-04-rate-limiting";
  const zoneWithoutRateLimit = [
    res(T.zoneSetting, "setting-ssl", { zoneId: "zone-1", settingId: "ssl", value: "strict" }),
  ];

  it("globs match URNs, `*` across separators", () => {
    expect(urnGlobRegExp("urn:pulumi:prod::golive::*").test("urn:pulumi:prod::golive::a$b::c")).toBe(true);
    expect(
      urnGlobRegExp("urn:pulumi:prod::golive::*Bucket::backups").test(
        "urn:pulumi:prod::golive::aws:s3/bucket:Bucket::logs",
      ),
    ).toBe(false);
  });

  it("an applied exemption turns the violation into an advisory notice naming it", async () => {
    const policies = only(withExemptions("prod", [entry()]), rateLimit);
    const result = await analyzeStack(policies, zoneWithoutRateLimit);
    expect(violations(result, rateLimit)).toEqual([]);
    const notice = exempted(result, rateLimit);
    expect(notice).toHaveLength(1);
    expect(notice[0]!.enforcementLevel).toBe("advisory");
    expect(notice[0]!.message).toContain(
      'exempted by "free-plan-rate-limit" (owner platform@dirtfree.com, expires 2026-04-30',
    );
  });

  it("matches by policy name as well as by checklist ID", async () => {
    const policies = only(withExemptions("prod", [entry({ policy: rateLimit })]), rateLimit);
    expect(exempted(await analyzeStack(policies, zoneWithoutRateLimit), rateLimit)).toHaveLength(1);
  });

  it("an exemption for other resources does not apply", async () => {
    const other = entry({ urn: "urn:pulumi:prod::golive::aws:s3/bucket:Bucket::*" });
    const policies = only(withExemptions("prod", [other]), rateLimit);
    const result = await analyzeStack(policies, zoneWithoutRateLimit);
    expect(violations(result, rateLimit)).toHaveLength(1);
    expect(exempted(result, rateLimit)).toEqual([]);
  });

  it("an expired exemption fails: the violation stands and OPS-02 reports it", async () => {
    const expired = entry({ expires: "2026-02-28" });
    const policies = withExemptions("prod", [expired]);
    const result = await analyzeStack(only(policies, rateLimit), zoneWithoutRateLimit);
    const found = violations(result, rateLimit);
    expect(found[0]!.message).toContain('exemption "free-plan-rate-limit" expired on 2026-02-28');
    expect(found[0]!.enforcementLevel).toBe("mandatory");
    const ops = violations(
      await analyzeResource(only(policies, "ops-02-exemptions-valid"), res(T.stack, "s")),
      "ops-02-exemptions-valid",
    );
    expect(ops[0]!.message).toContain("expired on 2026-02-28 (clock pinned by test clock)");
    expect(ops[0]!.enforcementLevel).toBe("mandatory");
  });

  it("a critical item cannot be exempted in prod, but can in staging", async () => {
    const critical = entry({ id: "no-ssl", policy: "EDGE-01", urn: "*" });
    const weak = res(T.zoneSetting, "setting-ssl", { zoneId: "z", settingId: "ssl", value: "flexible" });
    const prod = withExemptions("prod", [critical]);
    const found = violations(
      await analyzeResource(only(prod, "edge-01-https-only"), weak),
      "edge-01-https-only",
    );
    expect(found[0]!.message).toContain('exemption "no-ssl" cannot waive EDGE-01 in prod');
    const ops = violations(
      await analyzeResource(only(prod, "ops-02-exemptions-valid"), res(T.stack, "s")),
      "ops-02-exemptions-valid",
    );
    expect(ops[0]!.message).toContain("EDGE-01 is critical in prod");
    const staging = withExemptions("staging", [{ ...critical, urn: "*" }]);
    const stagingResult = await analyzeResource(only(staging, "edge-01-https-only"), {
      ...weak,
      urn: urnOf(T.zoneSetting, "setting-ssl", "staging"),
    });
    expect(exempted(stagingResult, "edge-01-https-only")).toHaveLength(1);
  });

  it("a malformed file fails with a clear message, mandatory in staging too, and waives nothing", async () => {
    const bad = [
      entry({ reason: "short", owner: "", expires: "April", extra: true }),
      entry({ policy: "NOPE-1" }),
    ];
    const policies = withExemptions("staging", bad);
    const ops = violations(
      await analyzeResource(only(policies, "ops-02-exemptions-valid"), res(T.stack, "s")),
      "ops-02-exemptions-valid",
    );
    const text = ops.map((d) => d.message).join("\n");
    expect(text).toContain("exemptions.0.reason: must explain the exemption in at least 10 characters");
    expect(text).toContain("exemptions.0.owner: must name who owns the exemption");
    expect(text).toContain("exemptions.0.expires: must be a date as YYYY-MM-DD");
    expect(ops[0]!.enforcementLevel).toBe("mandatory");
    const notJson = withExemptions("prod", "{ nope");
    const parse = violations(
      await analyzeResource(only(notJson, "ops-02-exemptions-valid"), res(T.stack, "s")),
      "ops-02-exemptions-valid",
    );
    expect(parse[0]!.message).toContain("is not valid JSON");
  });

  it("names an unknown policy", async () => {
    const policies = withExemptions("prod", [entry({ policy: "NOPE-1" })]);
    const ops = violations(
      await analyzeResource(only(policies, "ops-02-exemptions-valid"), res(T.stack, "s")),
      "ops-02-exemptions-valid",
    );
    expect(ops[0]!.message).toContain('"NOPE-1" is neither a checklist ID');
  });

  it("passes a valid file, and notes exemptions that match nothing", async () => {
    const policies = withExemptions("prod", [entry({ urn: "urn:pulumi:prod::golive::nothing" })]);
    expect(
      violations(
        await analyzeResource(only(policies, "ops-02-exemptions-valid"), res(T.stack, "s")),
        "ops-02-exemptions-valid",
      ),
    ).toEqual([]);
    const stack = await analyzeStack(only(policies, "ops-02-exemptions-valid"), zoneWithoutRateLimit);
    expect(notices(stack, "ops-02-exemptions-valid")[0]!.message).toContain("matches no resource");
  });

  it("reads the shipped exemptions.json: valid and empty", async () => {
    const shipped = pack("prod", { exemptions: undefined, clock: fixedClock(INSIDE_WINDOW) });
    const result = await analyzeResource(only(shipped, "ops-02-exemptions-valid"), res(T.stack, "s"));
    expect(result.diagnostics).toEqual([]);
  });
});
