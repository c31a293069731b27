/**
 * Stack files as operators really write them: every class of value the schema used to pass on (or
 * refuse wrongly) gets one clear problem, and a seeded fuzz of mutated stack files never produces a
 * stack trace, a hang or an accepted out-of-range value.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../config/errors";
import { parseStackConfig, type RawConfig, type StackConfig } from "../config/load";
import { AWS_REGIONS } from "../config/schema";
import { MAX_USD, POSTGRES_MAX_TIMEOUT_MS, canonicalCidr, usdAmount } from "../config/schema/common";
import { parseStackFile, withPlaceholderSecrets } from "../tooling/stack-files";
import { problemAt, problemsOf } from "./support/config-problems";
import { REPO_ROOT, editKey, stackConfig } from "./support/stacks";

type Json = Record<string, unknown>;
const obj = (value: unknown) => value as Json;
const list = (value: unknown) => value as Json[];

function withValue(raw: RawConfig, key: string, value: string): RawConfig {
  return { ...raw, values: { ...raw.values, [key]: value } };
}

describe("values the schema refuses, one clear problem each", () => {
  it("aws:region outside the AWS provider's own region list, with the closest region", () => {
    expect(AWS_REGIONS).toContain("us-east-1");
    expect(AWS_REGIONS.length).toBeGreaterThan(30);
    const notRegion = problemAt(
      problemsOf(withValue(stackConfig("prod"), "aws:region", "not a region")),
      "aws:region",
    );
    expect(notRegion.message).toContain('"not a region" is not an AWS region');
    const typo = problemAt(
      problemsOf(withValue(stackConfig("prod"), "aws:region", "us-east-9")),
      "aws:region",
    );
    expect(typo.message).toContain("did you mean us-east-1?");
    expect(problemsOf(withValue(stackConfig("prod"), "aws:region", "1")).map((p) => p.key)).toContain(
      "aws:region",
    );
  });

  it("money: two-decimal amounts pass on their decimal text; huge, negative and sub-cent amounts fail", () => {
    for (const amount of [32.3, 19.99, "19.99", 0.07, 300]) {
      const raw = editKey(stackConfig("prod"), "golive:billing", (billing) => {
        billing.monthlyBudgetUsd = amount;
        obj(billing.anomaly).minImpactUsd = 0.01;
      });
      expect(() => parseStackConfig(raw), String(amount)).not.toThrow();
    }
    // Every two-decimal amount from 0.01 to 100.00 (a float check refused about 9% of them).
    for (let cents = 1; cents <= 10_000; cents += 1) {
      const text = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`;
      for (const amount of [Number(text), text]) {
        const parsed = usdAmount.safeParse(amount);
        expect(parsed.success, text).toBe(true);
        expect(parsed.data?.toFixed(2)).toBe(text);
      }
    }
    const cases: [unknown, string][] = [
      [1e308, `at most ${MAX_USD} USD`],
      [-5, "not an amount in USD"],
      [1.005, "more than two decimals"],
      ["a lot", "not an amount in USD"],
    ];
    for (const [amount, message] of cases) {
      const raw = editKey(stackConfig("prod"), "golive:billing", (billing) => {
        billing.monthlyBudgetUsd = amount;
      });
      expect(problemAt(problemsOf(raw), "golive:billing.monthlyBudgetUsd").message).toContain(message);
    }
  });

  it("durations and memory sizes have Postgres's limits, named in the message", () => {
    const raw = editKey(stackConfig("prod"), "golive:database", (database) => {
      obj(database.postgres).statementTimeout = "99999999999999999999d";
      obj(database.postgres).workMem = "99999999999999999999GB";
    });
    const problems = problemsOf(raw);
    expect(problemAt(problems, "golive:database.postgres.statementTimeout").message).toContain(
      `at most ${POSTGRES_MAX_TIMEOUT_MS} ms, about 24.9 days (Postgres's limit)`,
    );
    expect(problemAt(problems, "golive:database.postgres.workMem").message).toContain("2147483647kB");
  });

  it("wildcards in prod auth redirect URLs; staging may keep them", () => {
    const raw = editKey(stackConfig("prod"), "golive:database", (database) => {
      obj(database.auth).redirectUrls = ["https://*"];
    });
    expect(problemAt(problemsOf(raw), "golive:database.auth.redirectUrls[0]").message).toContain("wildcard");
    const staging = editKey(stackConfig("staging"), "golive:database", (database) => {
      obj(database.auth).redirectUrls = ["https://*-dirtfree.vercel.app/**"];
    });
    expect(() => parseStackConfig(staging)).not.toThrow();
  });

  it("CIDRs in canonical notation only: hex, octal-looking and host bits set are refused with the canonical form", () => {
    expect(canonicalCidr("2606:4700:0::/32")).toEqual({
      problem: '"2606:4700:0::/32" is not written in canonical form; write 2606:4700::/32',
    });
    const raw = editKey(stackConfig("prod"), "golive:database", (database) => {
      obj(database.network).allowedCidrs = ["0x4c.76.21.0/24", "76.76.21.5/24"];
    });
    const problems = problemsOf(raw);
    expect(problemAt(problems, "golive:database.network.allowedCidrs[0]").message).toContain(
      "write 76.76.21.0/24",
    );
    expect(problemAt(problems, "golive:database.network.allowedCidrs[1]").message).toContain(
      "host bits set; the block is 76.76.21.0/24",
    );
  });

  it("hostnames are case-insensitive", () => {
    const raw = editKey(stackConfig("prod"), "golive:app", (app) => {
      app.hostname = "App.DirtFree.COM";
    });
    expect(parseStackConfig(raw).app.hostname).toBe("app.dirtfree.com");
  });

  it("a secret typed into free text is found by the shared classifier, and never echoed", () => {
    const leaked = "sk_live_51HxYzAbCdEfGhIjKlMnOp";
    const raw = editKey(stackConfig("prod"), "golive:cron", (cron) => {
      list(cron.jobs)[3]!.description = `Calls Stripe with ${leaked} and AKIAIOSFODNN7EXAMPLE`;
    });
    const problem = problemAt(problemsOf(raw), "golive:cron.jobs[3].description");
    expect(problem.message).toContain("a Stripe secret key");
    expect(problem.message).toContain("SEC-01");
    expect(JSON.stringify(problemsOf(raw))).not.toContain(leaked);
    const provider = withValue(stackConfig("prod"), "aws:accessKey", "AKIAIOSFODNN7EXAMPLE");
    expect(problemAt(problemsOf(provider), "aws:accessKey").message).toContain("an AWS access key id");
  });

  it("a bad time zone is one problem naming the jobs that use it", () => {
    const raw = editKey(stackConfig("prod"), "golive:cron", (cron) => {
      cron.timeZone = "Mars/Olympus";
    });
    const problems = problemsOf(raw).filter((problem) => problem.key.startsWith("golive:cron"));
    expect(problems).toHaveLength(1);
    expect(problems[0]!.key).toBe("golive:cron.timeZone");
    expect(problems[0]!.message).toContain(
      "jobs using it: process-opportunity-offers, check-stale-opportunities",
    );
  });

  it("plain words for http:// endpoints, wrong types and unbounded numbers", () => {
    const raw = editKey(stackConfig("prod"), "golive:cron", (cron) => {
      list(cron.jobs)[0]!.endpoint = "http://app.dirtfree.com/api/cron";
      list(cron.jobs)[1]!.timeoutSeconds = null;
      list(cron.jobs)[2]!.retries = 1e300;
    });
    const problems = problemsOf(raw);
    expect(problemAt(problems, "golive:cron.jobs[0].endpoint").message).toContain(
      "must use https://, not http://",
    );
    expect(problemAt(problems, "golive:cron.jobs[1].timeoutSeconds").message).toBe(
      "must be a number; the stack file has no value (null or empty)",
    );
    const retries = problemAt(problems, "golive:cron.jobs[2].retries").message;
    expect(retries).not.toContain("9007199254740991");
    const numberForText = editKey(stackConfig("prod"), "golive:app", (app) => {
      app.name = 42;
    });
    expect(problemAt(problemsOf(numberForText), "golive:app.name").message).toBe(
      "must be text; the stack file has the number 42",
    );
    for (const problem of problems) expect(problem.message).not.toMatch(/^Invalid input|received string/);
  });

  it("a YAML problem is the error, with no warning printed before it", () => {
    expect(() => parseStackFile("config:\n  a:b: 1\n  a:b: 2\n", "Pulumi.prod.yaml", "prod")).toThrow(
      /^Pulumi\.prod\.yaml: is not valid YAML: .*unique/s,
    );
  });
});

/** A small deterministic PRNG (mulberry32), so the fuzz is the same on every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOSTILE: readonly unknown[] = [
  1e308,
  -1,
  0,
  1.5,
  2 ** 53 + 2,
  "",
  "null",
  null,
  true,
  [],
  {},
  "not a region",
  "https://*",
  "http://x.example.com",
  "0x4c.76.21.0/24",
  "99999999999999999999d",
  "99999999999999999999GB",
  "sk_live_51HxYzAbCdEfGhIjKlMnOp",
  "A".repeat(5000),
  "Mars/Olympus",
  "*/0 * * * *",
  "UPPER.Example.COM",
];

type Leaf = { parent: Json | unknown[]; key: string | number };

function leaves(value: unknown, found: Leaf[] = []): Leaf[] {
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      if (typeof item === "object" && item !== null) leaves(item, found);
      else found.push({ parent: value, key: index });
    });
  } else if (typeof value === "object" && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      if (typeof item === "object" && item !== null) leaves(item, found);
      else found.push({ parent: value as Json, key });
    }
  }
  return found;
}

/** Every number in an accepted config is finite and in a range a provider accepts. */
function expectInRange(config: StackConfig, label: string): void {
  const walk = (value: unknown, at: string): void => {
    if (typeof value === "number") {
      expect(Number.isFinite(value), `${label}: ${at}`).toBe(true);
      expect(value, `${label}: ${at}`).toBeGreaterThanOrEqual(0);
      expect(value, `${label}: ${at}`).toBeLessThanOrEqual(POSTGRES_MAX_TIMEOUT_MS);
    } else if (Array.isArray(value)) value.forEach((item, i) => walk(item, `${at}[${i}]`));
    else if (typeof value === "object" && value !== null)
      for (const [key, item] of Object.entries(value)) walk(item, `${at}.${key}`);
  };
  walk(config, "config");
  expect(AWS_REGIONS, label).toContain(config.aws.region);
  for (const cidr of config.database.network.allowedCidrs)
    expect(canonicalCidr(cidr), label).toEqual({ canonical: cidr });
  expect(config.app.hostname, label).toBe(config.app.hostname.toLowerCase());
  if (config.environment === "prod") {
    for (const url of config.database.auth.redirectUrls) expect(url, label).not.toContain("*");
  }
}

describe("fuzz: mutated stack files", () => {
  const MUTATIONS = 300;

  it(`${MUTATIONS} value mutations: a config error or a config in range, never anything else`, () => {
    const next = random(20_261_206);
    // The committed stack files with three cron jobs each: every cron field is still there to mutate,
    // and each parse stays fast (schedules are parsed per job).
    const bases = Object.fromEntries(
      (["staging", "prod"] as const).map((stack) => [
        stack,
        editKey(stackConfig(stack), "golive:cron", (cron) => {
          cron.jobs = list(cron.jobs).slice(0, 3);
        }),
      ]),
    );
    let accepted = 0;
    for (let round = 0; round < MUTATIONS; round += 1) {
      const stack = next() < 0.5 ? "staging" : "prod";
      const raw = bases[stack]!;
      const key = Object.keys(raw.values).sort()[Math.floor(next() * Object.keys(raw.values).length)]!;
      const decoded = JSON.parse(
        raw.values[key]!.startsWith("{") || raw.values[key]!.startsWith("[")
          ? raw.values[key]!
          : JSON.stringify(raw.values[key]),
      );
      const hostile = HOSTILE[Math.floor(next() * HOSTILE.length)];
      let mutated: unknown = hostile;
      const targets = leaves(decoded);
      if (targets.length > 0 && next() < 0.85) {
        const target = targets[Math.floor(next() * targets.length)]!;
        (target.parent as Record<string | number, unknown>)[target.key] = hostile;
        mutated = decoded;
      }
      const text = typeof mutated === "string" ? mutated : JSON.stringify(mutated);
      const label = `round ${round}: ${key} ← ${JSON.stringify(hostile)?.slice(0, 40)}`;
      const config = withPlaceholderSecrets({ ...raw, values: { ...raw.values, [key]: text } }).config;
      try {
        expectInRange(parseStackConfig(config), label);
        accepted += 1;
      } catch (error) {
        expect(error, label).toBeInstanceOf(ConfigError);
        const problems = (error as ConfigError).problems;
        expect(problems.length, label).toBeGreaterThan(0);
        for (const problem of problems) {
          expect(problem.key, label).toMatch(/^[a-zA-Z]+:/);
          expect(problem.message, label).not.toMatch(
            /\n\s+at |9007199254740991|Invalid input|received string/,
          );
        }
      }
    }
    // Some mutations land on values that stay valid (an unused string); most must be refused.
    expect(accepted).toBeLessThan(MUTATIONS / 2);
  });

  it("text mutations of the YAML: a stack-file or config error, never a crash", () => {
    const next = random(7);
    const text = readFileSync(path.join(REPO_ROOT, "Pulumi.prod.yaml"), "utf8").replace(
      /\n {6}# Promotions[\s\S]*$/,
      "\n",
    );
    const noise = [":", "- ", "{", "]", "\t", "&a ", "*a", "!!binary ", "'", '"', "\n  ", "~"];
    for (let round = 0; round < 150; round += 1) {
      const at = Math.floor(next() * text.length);
      const mutated =
        text.slice(0, at) +
        noise[Math.floor(next() * noise.length)] +
        text.slice(at + (next() < 0.5 ? 1 : 0));
      try {
        parseStackConfig(withPlaceholderSecrets(parseStackFile(mutated, "Pulumi.prod.yaml", "prod")).config);
      } catch (error) {
        expect(["ConfigError", "StackFileError"], `round ${round} at ${at}`).toContain((error as Error).name);
      }
    }
  });
});
