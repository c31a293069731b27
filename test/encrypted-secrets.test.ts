/**
 * Stack files with every operator secret encrypted (`pulumi config set --secret`, as the README's
 * "Deploying for real" says) plan as cleanly as the committed ones: an encrypted value runs offline
 * as a typed placeholder, "set, value unknown", and the checks that need the value say they are left
 * to the deploy-time run.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { deferredChecksOf, parseStackConfig } from "../config/load";
import { runGolive } from "../tooling/cli/golive";
import { memoryIo } from "../tooling/cli/io";
import { parsePlan } from "../tooling/diff/plan-diff";
import { parseStackFile, withPlaceholderSecrets } from "../tooling/stack-files";
import { REPO_ROOT } from "./support/stacks";

const STACKS = ["staging", "prod"] as const;

interface StackDocument {
  config: Record<string, unknown>;
}

/** The committed stack file with every declared operator secret set and encrypted, as `pulumi config set --secret` writes it. */
function encryptedCopy(stack: string, wholeMap = false): string {
  const document = parseYaml(
    readFileSync(path.join(REPO_ROOT, `Pulumi.${stack}.yaml`), "utf8"),
  ) as StackDocument;
  const provided = (document.config["golive:secrets"] as { provided: { name: string }[] }).provided;
  document.config["golive:providedSecrets"] = wholeMap
    ? { secure: "v1:AAABAMh3c2VjcmV0LXdob2xlLW1hcA==" }
    : Object.fromEntries(
        provided.map((secret, index) => [secret.name, { secure: `v1:AAABA${index}Q2lwaGVydGV4dA==` }]),
      );
  return stringifyYaml(document);
}

describe("encrypted operator secrets, offline", () => {
  for (const stack of STACKS) {
    for (const wholeMap of [false, true]) {
      it(`${stack}${wholeMap ? " (the whole map encrypted)" : ""}: validates, with the value checks deferred`, () => {
        const raw = parseStackFile(encryptedCopy(stack, wholeMap), `Pulumi.${stack}.yaml`, stack);
        const { config, placeholders } = withPlaceholderSecrets(raw);
        expect(() => parseStackConfig(config)).not.toThrow();
        const committed = withPlaceholderSecrets(
          parseStackFile(readFileSync(path.join(REPO_ROOT, `Pulumi.${stack}.yaml`), "utf8"), "x", stack),
        );
        // The program sees exactly what it sees for secrets that are not set: same shapes, same names.
        expect(JSON.parse(config.values["golive:providedSecrets"]!)).toEqual(
          JSON.parse(committed.config.values["golive:providedSecrets"]!),
        );
        expect(placeholders).toEqual(committed.placeholders);
        const deferred = deferredChecksOf(config);
        const mode = stack === "prod" ? "live" : "test";
        expect(deferred).toContainEqual({
          check: `ENV-02, ${stack} needs a ${mode}-mode stripe-secret-key`,
          names: ["STRIPE_SECRET_KEY"],
        });
        if (stack === "prod") {
          expect(deferred).toContainEqual({
            check: "ALERT-05, PagerDuty's https:// integration URL",
            names: ["PAGERDUTY_CLOUDWATCH_URL"],
          });
        }
      });
    }

    it(`${stack}: a real value of the wrong mode is still refused (ENV-02)`, () => {
      const raw = parseStackFile(encryptedCopy(stack), `Pulumi.${stack}.yaml`, stack);
      const values = JSON.parse(raw.values["golive:providedSecrets"]!) as Record<string, string>;
      values.STRIPE_SECRET_KEY = stack === "prod" ? "sk_test_51AbCdEfGh" : "sk_live_51AbCdEfGh";
      const config = withPlaceholderSecrets({
        ...raw,
        values: { ...raw.values, "golive:providedSecrets": JSON.stringify(values) },
      }).config;
      expect(() => parseStackConfig(config)).toThrow(
        /golive:providedSecrets\.STRIPE_SECRET_KEY[\s\S]*ENV-02/,
      );
    });
  }

  it("a prod PagerDuty value that is set and not a URL is still refused", () => {
    const raw = parseStackFile(encryptedCopy("prod"), "Pulumi.prod.yaml", "prod");
    const values = JSON.parse(raw.values["golive:providedSecrets"]!) as Record<string, string>;
    values.PAGERDUTY_CLOUDWATCH_URL = "not a url";
    const config = withPlaceholderSecrets({
      ...raw,
      values: { ...raw.values, "golive:providedSecrets": JSON.stringify(values) },
    }).config;
    expect(() => parseStackConfig(config)).toThrow(/must be PagerDuty's https:\/\/ integration URL/);
  });
});

describe("golive plan with every secret encrypted", () => {
  let scratch: string;
  const committedRun = new Map<string, { code: number; stdout: string }>();

  async function golive(args: string[]) {
    const io = memoryIo({ cwd: REPO_ROOT, env: { ...process.env, GOLIVE_POLICY_CLOCK: "" } });
    const code = await runGolive(args, io);
    return { code, stdout: io.out.join(""), stderr: io.err.join("") };
  }

  beforeAll(async () => {
    scratch = mkdtempSync(path.join(tmpdir(), "golive-encrypted-"));
    const run = await golive(["plan", "--stack", "all", "--out", path.join(scratch, "plans")]);
    for (const stack of STACKS) committedRun.set(stack, run);
  }, 600_000);

  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  for (const stack of STACKS) {
    it(`${stack}: plans clean, and --check holds against the plan of the committed stack file`, async () => {
      expect(committedRun.get(stack)?.code).toBe(0);
      const file = path.join(scratch, `Pulumi.${stack}.yaml`);
      writeFileSync(file, encryptedCopy(stack));
      const check = await golive(["plan", "--check", "--config", file, "--out", path.join(scratch, "plans")]);
      // Only progress on stderr: no stale plan, no failure.
      expect(check.stderr.split("\n").filter((line) => line !== "" && !line.startsWith("… "))).toEqual([]);
      expect(check.stdout).toContain("plan files are current");
      expect(check.code).toBe(0);
      expect(check.stdout).toContain("left to the deploy-time run (values unknown offline): ENV-02");
      const plan = parsePlan(readFileSync(path.join(scratch, "plans", `${stack}.json`), "utf8"), stack);
      expect(plan.deferredChecks?.join("\n")).toContain("STRIPE_SECRET_KEY");
    }, 600_000);
  }
});
