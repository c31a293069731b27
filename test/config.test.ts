import { describe, expect, it } from "vitest";
import { type ConfigError, closest, keyPath, setCommand } from "../config/errors";
import { parseStackConfig, type RawConfig } from "../config/load";
import { parseCidr } from "../config/schema/common";
import { parseStackFile, PLACEHOLDER_MARK, withPlaceholderSecrets } from "../tooling/stack-files";
import { problemsOf } from "./support/config-problems";
import { editKey, stackConfig } from "./support/stacks";

function withValue(raw: RawConfig, key: string, value: string): RawConfig {
  return { ...raw, values: { ...raw.values, [key]: value } };
}

describe("committed stack files", () => {
  it.each(["staging", "prod"] as const)("%s is valid with placeholder operator secrets", (stack) => {
    const config = parseStackConfig(stackConfig(stack));
    expect(config.environment).toBe(stack);
    expect(config.aws.allowedAccountIds).toEqual([config.app.awsAccounts[stack]]);
    expect(config.database.postgres.statementTimeout).toBe(30_000);
    expect(Object.keys(config.providedSecrets)).toContain("STRIPE_SECRET_KEY");
  });

  it("staging and prod are separate accounts, hosts and key modes", () => {
    const staging = parseStackConfig(stackConfig("staging"));
    const prod = parseStackConfig(stackConfig("prod"));
    expect(staging.aws.allowedAccountIds).not.toEqual(prod.aws.allowedAccountIds);
    expect(staging.app.hostname).not.toBe(prod.app.hostname);
    expect(prod.providedSecrets.STRIPE_SECRET_KEY).toMatch(/^sk_live_/);
    expect(staging.providedSecrets.STRIPE_SECRET_KEY).toMatch(/^sk_test_/);
  });

  it("commits no secret value: operator secrets exist only as placeholders", () => {
    for (const stack of ["staging", "prod"] as const) {
      const config = parseStackConfig(stackConfig(stack));
      for (const value of Object.values(config.providedSecrets)) expect(value).toContain(PLACEHOLDER_MARK);
    }
  });
});

describe("bad config: one error listing every problem with key, reason and fix", () => {
  it("collects several problems at once, without a stack trace in the message", () => {
    const raw = editKey(stackConfig("prod"), "golive:database", (db) => {
      delete db.organizationId;
      (db.pooler as Record<string, unknown>).defaultPoolSize = 0;
    });
    const error = (() => {
      try {
        parseStackConfig(raw);
      } catch (caught) {
        return caught as ConfigError;
      }
      throw new Error("expected a ConfigError");
    })();
    expect(error.problems.map((problem) => problem.key)).toEqual([
      "golive:database.organizationId",
      "golive:database.pooler.defaultPoolSize",
    ]);
    expect(error.message).toContain('stack "prod" has 2 problems; nothing was deployed');
    expect(error.message).not.toMatch(/\n\s+at /);
    expect(error.message).toContain(
      "fix: pulumi config set --stack prod --path 'golive:database.pooler.defaultPoolSize' 20",
    );
  });

  it("an unknown key is an error that suggests the key it resembles", () => {
    const problems = problemsOf(
      editKey(stackConfig("prod"), "golive:database", (db) => {
        db.regoin = "us-east-1";
      }),
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]!.key).toBe("golive:database.regoin");
    expect(problems[0]!.message).toContain('did you mean "region"?');
  });

  it("an unknown top-level golive key is an error", () => {
    const problems = problemsOf(withValue(stackConfig("staging"), "golive:databse", "{}"));
    expect(problems[0]!.key).toBe("golive:databse");
    expect(problems[0]!.message).toContain('did you mean "database"?');
    expect(problems[0]!.fix).toBe(
      "rename it to golive:database in Pulumi.staging.yaml, or pulumi config rm --stack staging 'golive:databse'",
    );
  });

  it("a private or malformed CIDR names the entry", () => {
    const problems = problemsOf(
      editKey(stackConfig("prod"), "golive:database", (db) => {
        db.network = { allowedCidrs: ["10.0.0.0/8", "300.1.1.1/24"] };
      }),
    );
    expect(problems.map((problem) => problem.key)).toEqual([
      "golive:database.network.allowedCidrs[0]",
      "golive:database.network.allowedCidrs[1]",
    ]);
    expect(problems[0]!.message).toContain("private range");
    expect(problems[1]!.message).toContain("is not a CIDR block");
  });

  it("prod requires network restrictions, PITR, no seed data and 90-day rotation", () => {
    let raw = editKey(stackConfig("prod"), "golive:database", (db) => {
      db.network = { allowedCidrs: [] };
      (db.backups as Record<string, unknown>).pointInTimeRecovery = "off";
      db.seedFiles = ["supabase/seed.sql"];
    });
    raw = editKey(raw, "golive:secrets", (secrets) => {
      secrets.rotationDays = 180;
    });
    const messages = problemsOf(raw).map((problem) => `${problem.key}: ${problem.message}`);
    expect(messages).toEqual([
      "golive:database.network.allowedCidrs: prod must restrict database access to listed CIDRs (DB-05)",
      "golive:database.backups.pointInTimeRecovery: prod needs point-in-time recovery (DB-03)",
      "golive:database.seedFiles: seed/test data is never applied to prod (DB-08); remove the list from the prod stack",
      "golive:secrets.rotationDays: prod secrets rotate at least every 90 days (SEC-05); it is 180",
    ]);
  });

  it("staging may leave the network open and skip PITR", () => {
    const raw = editKey(stackConfig("staging"), "golive:database", (db) => {
      db.network = { allowedCidrs: [] };
    });
    expect(parseStackConfig(raw).database.network.allowedCidrs).toEqual([]);
  });

  it("the AWS account must be the environment's own and differ between environments", () => {
    const wrongAccount = withValue(stackConfig("prod"), "aws:allowedAccountIds", '["210987654321"]');
    expect(problemsOf(wrongAccount)[0]).toMatchObject({
      key: "aws:allowedAccountIds",
      fix: "pulumi config set --path 'aws:allowedAccountIds[0]' 123456789012",
    });
    const shared = editKey(stackConfig("prod"), "golive:app", (app) => {
      app.awsAccounts = { staging: "123456789012", prod: "123456789012" };
    });
    expect(problemsOf(shared).map((problem) => problem.message)).toContain(
      "staging and prod must use different AWS accounts",
    );
  });

  it("a test-mode Stripe key in prod and a live one in staging are refused (ENV-02)", () => {
    const prod = editKey(stackConfig("prod"), "golive:providedSecrets", (values) => {
      values.STRIPE_SECRET_KEY = "sk_test_abc";
    });
    const [prodProblem] = problemsOf(prod);
    expect(prodProblem!.key).toBe("golive:providedSecrets.STRIPE_SECRET_KEY");
    expect(prodProblem!.message).toContain("prod needs a live-mode stripe-secret-key");
    expect(prodProblem!.message).not.toContain("sk_test_abc");
    expect(prodProblem!.fix).toBe(
      "pulumi config set --secret --path 'golive:providedSecrets.STRIPE_SECRET_KEY' <value>",
    );

    const staging = editKey(stackConfig("staging"), "golive:providedSecrets", (values) => {
      values.TWILIO_AUTH_TOKEN = "sk_live_abc";
    });
    expect(problemsOf(staging)[0]!.message).toContain("staging must not use a live-mode key");
  });

  it("a missing operator secret names the command that sets it", () => {
    const raw = editKey(stackConfig("prod"), "golive:providedSecrets", (values) => {
      delete values.RESEND_API_KEY;
    });
    expect(problemsOf(raw)).toEqual([
      {
        key: "golive:providedSecrets.RESEND_API_KEY",
        message: "is declared in golive:secrets.provided[5] but has no value",
        fix: "pulumi config set --secret --path 'golive:providedSecrets.RESEND_API_KEY' <value>",
      },
    ]);
  });

  it("operator secrets stored in plain text are refused (SEC-01)", () => {
    const raw = stackConfig("prod");
    const secretKeys = new Set(raw.secretKeys);
    secretKeys.delete("golive:providedSecrets");
    const problems = problemsOf({ ...raw, secretKeys });
    expect(problems[0]!.key).toBe("golive:providedSecrets");
    expect(problems[0]!.message).toContain("plain-text values");
  });

  it("a server secret exposed under a client prefix is refused (SEC-03)", () => {
    const byName = editKey(stackConfig("prod"), "golive:secrets", (secrets) => {
      (secrets.generated as { name: string }[]).push({ name: "NEXT_PUBLIC_CRON_SECRET" });
    });
    expect(problemsOf(byName)[0]!.message).toContain("exposed to the client bundle (SEC-03)");
    // Every prefix the policy pack treats as client-exposed, Nuxt's included.
    const nuxt = editKey(stackConfig("prod"), "golive:secrets", (secrets) => {
      (secrets.generated as { name: string }[]).push({ name: "NUXT_PUBLIC_CRON_SECRET" });
    });
    expect(problemsOf(nuxt)[0]!.message).toContain("exposed to the client bundle (SEC-03)");

    const byReference = editKey(stackConfig("prod"), "golive:secrets", (secrets) => {
      (secrets.public as Record<string, unknown>).NEXT_PUBLIC_SERVICE_KEY = {
        from: "SUPABASE_SERVICE_ROLE_KEY",
      };
    });
    expect(problemsOf(byReference)[0]).toMatchObject({
      key: "golive:secrets.public.NEXT_PUBLIC_SERVICE_KEY.from",
      message: "SUPABASE_SERVICE_ROLE_KEY is a server secret and can never be exposed to the client (SEC-03)",
    });

    const byValue = editKey(stackConfig("prod"), "golive:secrets", (secrets) => {
      (secrets.public as Record<string, unknown>).NEXT_PUBLIC_STRIPE = { value: "sk_live_123" };
    });
    expect(problemsOf(byValue)[0]!.message).toContain("looks like a server secret");
  });

  it("generated secrets shorter than 32 characters are refused (SEC-02)", () => {
    const raw = editKey(stackConfig("prod"), "golive:secrets", (secrets) => {
      (secrets.generated as { length: number }[])[0]!.length = 16;
    });
    expect(problemsOf(raw)[0]).toMatchObject({
      key: "golive:secrets.generated[0].length",
      message: "generated secrets need at least 32 characters (SEC-02)",
    });
  });

  it("durations, emails and hostnames are validated", () => {
    let raw = editKey(stackConfig("prod"), "golive:database", (db) => {
      (db.postgres as Record<string, unknown>).statementTimeout = "thirty seconds";
    });
    raw = editKey(raw, "golive:app", (app) => {
      app.owner = "not-an-email";
      app.hostname = "https://app.dirtfree.com/";
    });
    const keys = problemsOf(raw).map((problem) => problem.key);
    expect(keys).toEqual([
      "golive:app.owner",
      "golive:app.hostname",
      "golive:database.postgres.statementTimeout",
    ]);
  });

  it("a host outside the app's domain is refused", () => {
    const raw = editKey(stackConfig("prod"), "golive:app", (app) => {
      app.hostname = "app.example.org";
    });
    expect(problemsOf(raw)[0]).toMatchObject({
      key: "golive:app.hostname",
      message: "must be dirtfree.com or a host under it",
    });
  });

  it("a missing environment key says which values it takes", () => {
    const raw = stackConfig("prod");
    const values = { ...raw.values };
    delete values["golive:environment"];
    const [problem] = problemsOf({ ...raw, values });
    expect(problem).toMatchObject({
      key: "golive:environment",
      fix: "pulumi config set --stack prod 'golive:environment' prod",
    });
  });
});

describe("helpers", () => {
  it("keyPath renders nested paths the way `pulumi config --path` takes them", () => {
    expect(keyPath("golive", ["database", "network", "allowedCidrs", 0])).toBe(
      "golive:database.network.allowedCidrs[0]",
    );
    expect(keyPath("golive", ["secrets", "public", "has.dot"])).toBe('golive:secrets.public["has.dot"]');
  });

  it("setCommand adds --path only for nested keys", () => {
    expect(setCommand("aws:region", "us-east-1")).toBe("pulumi config set 'aws:region' us-east-1");
    expect(setCommand("golive:app.owner", "a@b.co", { stack: "prod" })).toBe(
      "pulumi config set --stack prod --path 'golive:app.owner' a@b.co",
    );
  });

  it("closest suggests only near misses", () => {
    expect(closest("regoin", ["region", "network"])).toBe("region");
    expect(closest("zzzzzz", ["region", "network"])).toBeUndefined();
  });

  it("parseCidr understands IPv4 and IPv6", () => {
    expect(parseCidr("76.76.21.0/24")).toMatchObject({ prefix: 24, range: "unicast" });
    expect(parseCidr("2606:4700::/32")?.prefix).toBe(32);
    expect(parseCidr("76.76.21.0")).toBeUndefined();
  });
});

describe("stack files", () => {
  it("marks secure values secret and replaces them by placeholders", () => {
    const raw = parseStackFile(
      "config:\n  golive:providedSecrets:\n    STRIPE_SECRET_KEY:\n      secure: v1:abc\n  aws:region: us-east-1\n",
      "Pulumi.prod.yaml",
      "prod",
    );
    expect(raw.secretKeys.has("golive:providedSecrets")).toBe(true);
    expect(JSON.parse(raw.values["golive:providedSecrets"]!)).toEqual({
      STRIPE_SECRET_KEY: `${PLACEHOLDER_MARK}:golive:providedSecrets.STRIPE_SECRET_KEY`,
    });
    expect(raw.values["aws:region"]).toBe("us-east-1");
  });

  it("names the file on invalid YAML", () => {
    expect(() => parseStackFile("config: [", "Pulumi.prod.yaml", "prod")).toThrow(
      /^Pulumi\.prod\.yaml: is not valid YAML/,
    );
  });

  it("fills missing operator secrets with placeholders of the environment's key mode", () => {
    const raw = parseStackFile(
      "config:\n  golive:environment: prod\n  golive:secrets:\n    provided:\n      - name: STRIPE_SECRET_KEY\n        kind: stripe-secret-key\n      - name: OTHER\n",
      "Pulumi.prod.yaml",
      "prod",
    );
    const { config, placeholders } = withPlaceholderSecrets(raw);
    expect(placeholders).toEqual(["STRIPE_SECRET_KEY", "OTHER"]);
    expect(JSON.parse(config.values["golive:providedSecrets"]!)).toEqual({
      STRIPE_SECRET_KEY: `sk_live_${PLACEHOLDER_MARK}:STRIPE_SECRET_KEY`,
      OTHER: `${PLACEHOLDER_MARK}:OTHER`,
    });
    expect(config.secretKeys.has("golive:providedSecrets")).toBe(true);
  });
});
