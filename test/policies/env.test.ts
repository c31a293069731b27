import { describe, expect, it } from "vitest";
import { fixedClock } from "../../policies/lib/clock";
import { T } from "../../policies/lib/types";
import {
  analyzeResource,
  analyzeStack,
  isNotApplicable,
  notices,
  undeterminable,
  UNKNOWN,
  urnOf,
  violations,
  secret,
} from "./harness";
import { ACCOUNTS, awsProvider, INSIDE_WINDOW, only, OUTSIDE_WINDOW, pack, res, tagsFor } from "./fixtures";

const stackResource = (env: "prod" | "staging" = "prod") => res(T.stack, `golive-${env}`, {}, {}, env);

describe("env-01-environment-identity", () => {
  const name = "env-01-environment-identity";

  it("passes when stack name, config and component agree", async () => {
    const policies = only(pack("prod"), name);
    expect(violations(await analyzeResource(policies, stackResource()), name)).toEqual([]);
    const component = res(T.environment, "prod");
    expect(violations(await analyzeResource(policies, component), name)).toEqual([]);
    const stack = await analyzeStack(policies, [
      stackResource(),
      { ...component, parent: stackResource().urn },
    ]);
    expect(violations(stack, name)).toEqual([]);
  });

  it("fails, mandatory even in staging, when the stack name and golive:environment disagree", async () => {
    const policies = only(pack("staging", { stack: "shop-prod" }), name);
    const found = violations(await analyzeStack(policies, [stackResource("staging")]), name);
    expect(found).toHaveLength(1);
    expect(found[0]!.message).toContain(
      'the stack name "shop-prod" says prod but golive:environment says staging',
    );
    expect(found[0]!.enforcementLevel).toBe("mandatory");
  });

  it("fails when the component's name contradicts the stack", async () => {
    const policies = only(pack("staging"), name);
    const found = violations(
      await analyzeResource(policies, res(T.environment, "prod", {}, {}, "staging")),
      name,
    );
    expect(found[0]!.message).toContain("the environment component says prod but the stack is staging");
    expect(found[0]!.enforcementLevel).toBe("mandatory");
  });

  it("fails when nothing says which environment the stack is", async () => {
    const policies = only(pack("prod", { stack: "dev", withoutDefaults: true }), name);
    const found = violations(await analyzeStack(policies, [res(T.stack, "golive-dev")]), name);
    expect(found[0]!.message).toContain('cannot tell whether stack "dev" is staging or prod');
  });

  it("takes the environment from the pack config when the stack's name and config say nothing", async () => {
    const policies = only(pack("prod", { stack: "payments-eu", withoutDefaults: true }), name);
    const config = { [name]: { environment: "prod" } };
    const result = await analyzeStack(policies, [res(T.stack, "payments-eu")], { config });
    expect(violations(result, name)).toEqual([]);
    const clash = only(pack("staging", { stack: "payments-staging", withoutDefaults: true }), name);
    const found = violations(await analyzeStack(clash, [res(T.stack, "x")], { config }), name);
    expect(found[0]!.message).toContain("the pack config says environment prod but the stack is staging");
  });

  it("passes a stack golive did not build (no root environment component) and fails two roots", async () => {
    const policies = only(pack("prod"), name);
    expect(violations(await analyzeStack(policies, [stackResource()]), name)).toEqual([]);
    const two = [
      res(T.environment, "prod"),
      res(T.environment, "prod", {}, { urn: urnOf(T.environment, "prod2") }),
    ];
    expect(violations(await analyzeStack(policies, two), name)[0]!.message).toContain(
      "2 root environment components",
    );
  });

  it("takes the component as the environment when nothing else says", async () => {
    const policies = only(pack("prod", { stack: "dev", withoutDefaults: true }), name);
    const component = res(T.environment, "staging", {}, { parent: urnOf(T.stack, "dev") });
    expect(violations(await analyzeStack(policies, [res(T.stack, "dev"), component]), name)).toEqual([]);
  });
});

describe("env-01-aws-account-pinned", () => {
  const name = "env-01-aws-account-pinned";
  const provider = (env: "prod" | "staging", allowed: readonly string[] | string) =>
    res(
      T.awsProvider,
      "default_7_48_0",
      {
        region: "us-east-1",
        ...(allowed === ""
          ? {}
          : { allowedAccountIds: typeof allowed === "string" ? allowed : JSON.stringify(allowed) }),
      },
      {},
      env,
    );

  it("passes when the provider allows exactly this environment's account", async () => {
    const result = await analyzeResource(only(pack("prod"), name), provider("prod", [ACCOUNTS.prod]));
    expect(violations(result, name)).toEqual([]);
  });

  it("fails in prod when the provider allows the staging account", async () => {
    const result = await analyzeResource(
      only(pack("prod"), name),
      provider("prod", [ACCOUNTS.prod, ACCOUNTS.staging]),
    );
    const found = violations(result, name);
    expect(found[0]!.message).toContain(`allows the staging account ${ACCOUNTS.staging}`);
    expect(found[0]!.enforcementLevel).toBe("mandatory");
  });

  it("is advisory in staging and fails when allowedAccountIds is missing", async () => {
    const result = await analyzeResource(only(pack("staging"), name), provider("staging", ""));
    const found = violations(result, name);
    expect(found[0]!.message).toContain("has no allowedAccountIds");
    expect(found[0]!.enforcementLevel).toBe("advisory");
  });

  it("fails closed when allowedAccountIds is unknown at preview", async () => {
    const result = await analyzeResource(only(pack("prod"), name), provider("prod", UNKNOWN));
    expect(violations(result, name)[0]!.message).toContain("must be known at preview");
  });

  it("checks providers seen only as a resource's provider in the stack", async () => {
    const bucket = res(T.bucket, "backups", {}, { provider: awsProvider("prod", [ACCOUNTS.staging]) });
    const found = violations(await analyzeStack(only(pack("prod"), name), [bucket]), name);
    expect(found).toHaveLength(1);
    const good = res(T.bucket, "backups", {}, { provider: awsProvider("prod") });
    expect(violations(await analyzeStack(only(pack("prod"), name), [good]), name)).toEqual([]);
  });

  it("without golive:app.awsAccounts, passes one pinned account and fails several", async () => {
    const policies = only(pack("prod", { config: { app: { name: "x" } } }), name);
    const one = await analyzeResource(policies, provider("prod", [ACCOUNTS.prod]));
    expect(violations(one, name)).toEqual([]);
    const two = await analyzeResource(policies, provider("prod", [ACCOUNTS.prod, ACCOUNTS.staging]));
    expect(violations(two, name)[0]!.message).toContain("pin it to exactly one account");
  });
});

describe("env-01-no-cross-environment-references", () => {
  const name = "env-01-no-cross-environment-references";

  it("passes for prod names and hostnames", async () => {
    const record = res(T.dnsRecord, "app", {
      name: "app.dirtfree.com",
      content: "cname.vercel-dns.com",
      type: "CNAME",
    });
    expect(violations(await analyzeResource(only(pack("prod"), name), record), name)).toEqual([]);
  });

  it("fails in prod for a staging hostname, and for the staging account in an ARN", async () => {
    const check = res(T.healthCheck, "uptime", { fqdn: "staging.dirtfree.com", resourcePath: "/api/health" });
    const found = violations(await analyzeResource(only(pack("prod"), name), check), name);
    expect(found[0]!.message).toContain('refers to "staging.dirtfree.com"');
    const alarm = res(T.metricAlarm, "errors", {
      alarmActions: [`arn:aws:sns:us-east-1:${ACCOUNTS.staging}:critical`],
    });
    const arn = violations(await analyzeResource(only(pack("prod"), name), alarm), name);
    expect(arn[0]!.message).toContain(`the staging AWS account ${ACCOUNTS.staging}`);
    expect(arn[0]!.enforcementLevel).toBe("mandatory");
  });

  it("is advisory in staging for a resource named prod", async () => {
    const bucket = res(T.bucket, "prod-backups", { bucket: "dirt-free-crm-prod-backups" }, {}, "staging");
    const found = violations(await analyzeResource(only(pack("staging"), name), bucket), name);
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((d) => d.enforcementLevel === "advisory")).toBe(true);
  });

  it("reads the other environment's resources named inside ARNs and in variables, not only hostnames", async () => {
    const policy = res("aws:iam/rolePolicy:RolePolicy", "read-media", {
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::acme-media-staging/*" },
        ],
      }),
    });
    const inPolicy = violations(await analyzeResource(only(pack("prod"), name), policy), name);
    expect(inPolicy.map((d) => d.message).join("\n")).toContain(
      '.policy.Statement[0].Resource refers to "acme-media-staging/*"',
    );
    const fn = res(T.lambda, "thumbnailer", {
      name: "thumbnailer-prod",
      environment: {
        variables: { SOURCE_BUCKET: "acme-media-staging", SIZES: "128,512", NOTE: "copied from staging" },
      },
    });
    const inVariables = violations(await analyzeResource(only(pack("prod"), name), fn), name);
    expect(inVariables).toHaveLength(1);
    expect(inVariables[0]!.message).toContain(
      '.environment.variables.SOURCE_BUCKET refers to "acme-media-staging"',
    );
    // This environment's own names pass; free text in a variable is not a resource name.
    const own = res(T.lambda, "thumbnailer", {
      environment: {
        variables: {
          SOURCE_BUCKET: "acme-media-prod",
          QUEUE: "arn:aws:sqs:eu-west-1:123456789012:jobs-prod",
        },
      },
    });
    expect(violations(await analyzeResource(only(pack("prod"), name), own), name)).toEqual([]);
  });

  it("ignores values unknown at preview (they come from this stack)", async () => {
    const record = res(T.dnsRecord, "app", { name: "app.dirtfree.com", content: UNKNOWN, type: "CNAME" });
    expect(of(await analyzeResource(only(pack("prod"), name), record))).toEqual([]);
    function of(result: Awaited<ReturnType<typeof analyzeResource>>) {
      return result.diagnostics;
    }
  });
});

describe("env-02-third-party-key-mode", () => {
  const name = "env-02-third-party-key-mode";
  const version = (value: unknown) =>
    res(T.secretVersion, "app-secrets", { secretId: "arn:aws:secretsmanager:x", secretString: value });

  it("passes a live key in prod and a test key in staging", async () => {
    const live = version(secret(JSON.stringify({ STRIPE_SECRET_KEY: "sk_live_51AbCdEfGhIjKlMn" })));
    expect(violations(await analyzeResource(only(pack("prod"), name), live), name)).toEqual([]);
    const test = version(JSON.stringify({ STRIPE_SECRET_KEY: "sk_test_51AbCdEfGhIjKlMn" }));
    expect(violations(await analyzeResource(only(pack("staging"), name), test), name)).toEqual([]);
  });

  it("fails, mandatory in both environments, on a key of the wrong mode", async () => {
    const test = version(secret(JSON.stringify({ STRIPE_SECRET_KEY: "sk_test_51AbCdEfGhIjKlMn" })));
    const prod = violations(await analyzeResource(only(pack("prod"), name), test), name);
    expect(prod[0]!.message).toContain(".secretString.STRIPE_SECRET_KEY");
    expect(prod[0]!.message).toContain("test-mode Stripe key");
    expect(prod[0]!.message).not.toContain("sk_test_51");
    const live = version(JSON.stringify({ STRIPE_PUBLISHABLE_KEY: "pk_live_51AbCdEfGhIjKlMn" }));
    const staging = violations(await analyzeResource(only(pack("staging"), name), live), name);
    expect(staging[0]!.enforcementLevel).toBe("mandatory");
  });

  it("reports the secret's JSON as undeterminable while it is unknown", async () => {
    const result = await analyzeStack(only(pack("prod"), name), [version(UNKNOWN)]);
    expect(undeterminable(result, name)).toHaveLength(1);
    expect(undeterminable(result, name)[0]!.message).toContain(".secretString");
    expect(undeterminable(result, name)[0]!.enforcementLevel).toBe("advisory");
  });
});

describe("env-03-required-tags", () => {
  const name = "env-03-required-tags";

  it("passes with the provider's default tags", async () => {
    const topic = res(
      T.topic,
      "critical",
      { kmsMasterKeyId: "alias/golive" },
      { provider: awsProvider("prod") },
    );
    expect(violations(await analyzeResource(only(pack("prod"), name), topic), name)).toEqual([]);
  });

  it("fails when tags are missing: mandatory in prod, advisory in staging", async () => {
    const topic = res(T.topic, "critical", { tags: { app: "dirt-free-crm" } });
    const prod = violations(await analyzeResource(only(pack("prod"), name), topic), name);
    expect(prod[0]!.message).toContain("lacks the tag(s) environment, owner, cost-center");
    expect(prod[0]!.enforcementLevel).toBe("mandatory");
    const staging = violations(await analyzeResource(only(pack("staging"), name), topic), name);
    expect(staging[0]!.enforcementLevel).toBe("advisory");
  });

  it("fails on an environment tag of the other environment", async () => {
    const queue = res(T.queue, "dlq", { tags: tagsFor("staging") });
    const found = violations(await analyzeResource(only(pack("prod"), name), queue), name);
    expect(found[0]!.message).toContain("tagged environment=staging in a prod stack");
  });

  it("skips AWS resources that take no tags", async () => {
    const versioning = res(T.bucketVersioning, "v", {
      bucket: "b",
      versioningConfiguration: { status: "Enabled" },
    });
    expect(violations(await analyzeResource(only(pack("prod"), name), versioning), name)).toEqual([]);
  });

  it("reports unknown tags as undeterminable", async () => {
    const topic = res(T.topic, "critical", { tags: UNKNOWN });
    const result = await analyzeResource(only(pack("prod"), name), topic);
    expect(violations(result, name)).toEqual([]);
    expect(undeterminable(result, name)).toHaveLength(1);
  });
});

describe("env-04-change-window", () => {
  const name = "env-04-change-window";

  it("passes inside the window", async () => {
    const result = await analyzeResource(
      only(pack("prod", { clock: fixedClock(INSIDE_WINDOW) }), name),
      stackResource(),
    );
    expect(result.diagnostics).toEqual([]);
  });

  it("blocks prod outside the window and says the clock was pinned", async () => {
    const result = await analyzeResource(
      only(pack("prod", { clock: fixedClock(OUTSIDE_WINDOW) }), name),
      stackResource(),
    );
    const found = violations(result, name);
    expect(found[0]!.enforcementLevel).toBe("mandatory");
    expect(found[0]!.message).toContain(
      "it is Fri 10:00 UTC (clock pinned by test clock), outside the prod change window",
    );
  });

  it("reads the clock from GOLIVE_POLICY_CLOCK", async () => {
    const policies = createWithEnvClock(OUTSIDE_WINDOW);
    const found = violations(await analyzeResource(only(policies, name), stackResource()), name);
    expect(found[0]!.message).toContain(`clock pinned by GOLIVE_POLICY_CLOCK=${OUTSIDE_WINDOW}`);
  });

  it("blocks outside 02:00–16:00 on a weekday", async () => {
    const result = await analyzeResource(
      only(pack("prod", { clock: fixedClock("2026-03-03T17:30:00Z") }), name),
      stackResource(),
    );
    expect(violations(result, name)).toHaveLength(1);
  });

  it("allows a valid override, reported as an advisory notice", async () => {
    const override = {
      reason: "Hotfix for invoice totals",
      approvedBy: "cto@dirtfree.com",
      expiresAt: "2026-03-07T10:00:00Z",
    };
    const policies = only(
      pack("prod", { clock: fixedClock(OUTSIDE_WINDOW), config: { changeWindowOverride: override } }),
      name,
    );
    const result = await analyzeResource(policies, stackResource());
    expect(violations(result, name)).toEqual([]);
    expect(notices(result, name)[0]!.message).toContain("approved by cto@dirtfree.com");
  });

  it("rejects an override with a short reason, or expiring more than 72 h ahead, or in the past", async () => {
    const bad = { reason: "fix", approvedBy: "", expiresAt: "2026-03-12T10:00:00Z" };
    const policies = only(
      pack("prod", { clock: fixedClock(OUTSIDE_WINDOW), config: { changeWindowOverride: bad } }),
      name,
    );
    const message = violations(await analyzeResource(policies, stackResource()), name)[0]!.message;
    expect(message).toContain("reason must explain the change in at least 10 characters");
    expect(message).toContain("approvedBy must name who approved");
    expect(message).toContain("is more than 72 h ahead");
    const past = {
      reason: "Hotfix for invoice totals",
      approvedBy: "cto",
      expiresAt: "2026-03-05T10:00:00Z",
    };
    const expired = only(
      pack("prod", { clock: fixedClock(OUTSIDE_WINDOW), config: { changeWindowOverride: past } }),
      name,
    );
    expect(violations(await analyzeResource(expired, stackResource()), name)[0]!.message).toContain(
      "has passed",
    );
  });

  it("honours a configured window", async () => {
    const policies = only(pack("prod", { clock: fixedClock(OUTSIDE_WINDOW) }), name);
    const config = { [name]: { days: ["fri"], startHour: 8, endHour: 12, timeZone: "UTC" } };
    expect((await analyzeResource(policies, stackResource(), { config })).diagnostics).toEqual([]);
  });

  it("does not apply to staging", async () => {
    const result = await analyzeResource(
      only(pack("staging", { clock: fixedClock(OUTSIDE_WINDOW) }), name),
      stackResource("staging"),
    );
    expect(isNotApplicable(result, name)).toBe(true);
    expect(result.diagnostics).toEqual([]);
  });

  it("a policy-pack-config level still wins (advisory)", async () => {
    const policies = only(pack("prod", { clock: fixedClock(OUTSIDE_WINDOW) }), name);
    const result = await analyzeResource(policies, stackResource(), { config: { [name]: "advisory" } });
    expect(violations(result, name)[0]!.enforcementLevel).toBe("advisory");
  });
});

function createWithEnvClock(iso: string) {
  return pack("prod", { clock: "env", extraEnv: { GOLIVE_POLICY_CLOCK: iso } });
}
